"""Reads of training, all through access.py's scoped querysets: practice questions, the wrong-answer
book, a learner's exams, and the statistics of trained and passed people by level and unit."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from jijian.core.models import COUNTY_KINDS, TOWNSHIP_KINDS, VILLAGE_KINDS, OrgKind, OrgUnit

from . import access
from .models import Exam, Question, Sitting


def practice_next(
    user, *, topic: str = "", level: str = "", kind: str = "", from_book: bool = False
) -> Question | None:
    """A random question for practice, from the user's bank or only from their wrong-answer book."""
    if from_book:
        qs = Question.objects.filter(pk__in=access.wrong_answers_of(user).values("question_id"))
    else:
        qs = access.questions_for_practice(user)
    if topic:
        qs = qs.filter(topic=topic)
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("?").first()


def practice_topics(user) -> list[str]:
    return list(
        access.questions_for_practice(user).values_list("topic", flat=True).distinct().order_by("topic")
    )


def bank_summary(user) -> list:
    """Questions of the manager's banks by topic and kind."""
    return list(
        access.questions_managed_by(user)
        .filter(is_active=True)
        .values("topic")
        .annotate(
            total=Count("pk"),
            single=Count("pk", filter=Q(kind="single")),
            multiple=Count("pk", filter=Q(kind="multiple")),
            true_false=Count("pk", filter=Q(kind="true_false")),
            fill_in=Count("pk", filter=Q(kind="fill_in")),
        )
        .order_by("topic")
    )


@dataclass
class ExamForLearner:
    exam: Exam
    sittings: list[Sitting]

    @property
    def passed(self) -> bool:
        return any(s.passed for s in self.sittings)

    @property
    def open_sitting(self) -> Sitting | None:
        return next((s for s in self.sittings if s.submitted_at is None), None)

    @property
    def attempts_left(self) -> int:
        return max(self.exam.max_attempts - len(self.sittings), 0)


def exams_for_learner(user) -> list[ExamForLearner]:
    from django.utils import timezone

    exams = list(access.exams_open_to(user).filter(closes_at__gt=timezone.now()).order_by("closes_at")[:50])
    by_exam: dict[int, list[Sitting]] = {}
    for s in access.sittings_of(user).filter(exam__in=exams).order_by("attempt"):
        by_exam.setdefault(s.exam_id, []).append(s)
    return [ExamForLearner(e, by_exam.get(e.pk, [])) for e in exams]


def finished_sittings(user):
    return access.sittings_of(user).filter(submitted_at__isnull=False).order_by("-submitted_at")


def exam_results(user, exam: Exam):
    return (
        access.sittings_managed_by(user)
        .filter(exam=exam)
        .select_related("user", "user__org_unit")
        .order_by("user__org_unit__path", "user_id", "attempt")
    )


# --- statistics ----------------------------------------------------------------------------------
LEVELS = (
    ("village", gettext_lazy("村（社区）")),
    ("township", gettext_lazy("乡镇（街道）")),
    ("county", gettext_lazy("县（市、区）及以上")),
)


def level_of(kind: str) -> str:
    if kind in VILLAGE_KINDS:
        return "village"
    if kind in TOWNSHIP_KINDS:
        return "township"
    return "county"


@dataclass
class Counts:
    trained: dict[str, int] = field(default_factory=lambda: {k: 0 for k, _ in LEVELS})
    passed: dict[str, int] = field(default_factory=lambda: {k: 0 for k, _ in LEVELS})

    @property
    def trained_total(self) -> int:
        return sum(self.trained.values())

    @property
    def passed_total(self) -> int:
        return sum(self.passed.values())

    def cells(self) -> list[tuple[int, int]]:
        return [(self.trained[k], self.passed[k]) for k, _ in LEVELS]


# The ways a person is trained in a year, in the order the page names them.
WAYS = (
    ("lecture", gettext_lazy("听课")),
    ("course", gettext_lazy("学完课程")),
    ("exam", gettext_lazy("参加考试")),
)


@dataclass
class TrainingStats:
    node: OrgUnit
    year: int
    total: Counts
    rows: list[tuple[str, Counts]]
    # People trained each way (a person trained two ways counts in both): {"lecture", "course", "exam"}.
    ways: dict[str, int] = field(default_factory=lambda: {k: 0 for k, _ in WAYS})


def training_stats(user, *, year: int) -> TrainingStats:
    """People in the user's jurisdiction trained in `year` — signed in at a lecture held that year,
    completed a course, or sat an exam (参训: any of the three, each person once) — and who passed an
    exam, by level (the kind of their unit) and by unit one level below the user's (本级 for the user's
    own). Three grouped reads and the units' names, whatever the number of people."""
    node = user.org_unit
    child_field = (
        "user__org_unit__county_id"
        if node.kind == OrgKind.CITY
        else "user__org_unit__township_id"
        if node.kind in COUNTY_KINDS
        else "user__org_unit_id"
    )
    people: dict[int, dict] = {}

    def person(user_id: int, kind: str, child_id) -> dict:
        return people.setdefault(
            user_id, {"level": level_of(kind), "child": child_id, "passed": False, "ways": set()}
        )

    sittings = (
        access.sittings_managed_by(user)
        .filter(submitted_at__year=year)
        .values_list("user_id", "user__org_unit__kind", child_field, "passed")
    )
    for user_id, kind, child_id, passed in sittings:
        p = person(user_id, kind, child_id)
        p["passed"] = p["passed"] or bool(passed)
        p["ways"].add("exam")
    others = (
        (access.attendances_managed_by(user).filter(lecture__held_at__year=year), "lecture"),
        (access.completions_managed_by(user).filter(completed_at__year=year), "course"),
    )
    for qs, way in others:
        for user_id, kind, child_id in (
            qs.order_by().values_list("user_id", "user__org_unit__kind", child_field).distinct()
        ):
            person(user_id, kind, child_id)["ways"].add(way)
    ways = {k: sum(1 for p in people.values() if k in p["ways"]) for k, _ in WAYS}
    total = Counts()
    by_child: dict[int | None, Counts] = {}
    for p in people.values():
        for counts in (total, by_child.setdefault(p["child"], Counts())):
            counts.trained[p["level"]] += 1
            if p["passed"]:
                counts.passed[p["level"]] += 1
    names = dict(OrgUnit.objects.filter(pk__in=[k for k in by_child if k]).values_list("pk", "name"))
    table = sorted(
        ((names.get(k, "本级") if k and k != node.pk else "本级", c) for k, c in by_child.items()),
        key=lambda r: r[0],
    )
    return TrainingStats(node=node, year=year, total=total, rows=table, ways=ways)


# --- courses -------------------------------------------------------------------------------------
@dataclass
class CourseForLearner:
    course: object
    done: bool


def courses_for_learner(user) -> list[CourseForLearner]:
    from .models import CourseCompletion

    courses = list(access.courses_open_to(user).order_by("-year", "-is_required", "title")[:100])
    done = set(
        CourseCompletion.objects.filter(user=user, course__in=courses).values_list("course_id", flat=True)
    )
    return [CourseForLearner(c, c.pk in done) for c in courses]


def course_materials(user, course) -> list[tuple[object, bool]]:
    """The course's materials, each with whether the user has studied it (services.material_learnt;
    opening it is not enough)."""
    from .models import MaterialView

    materials = list(course.materials.select_related("attachment"))
    learnt = set(
        MaterialView.objects.filter(user=user, material__in=materials, learnt_at__isnull=False).values_list(
            "material_id", flat=True
        )
    )
    return [(m, m.pk in learnt) for m in materials]


def course_completed_by(user, course) -> bool:
    from .models import CourseCompletion

    return CourseCompletion.objects.filter(user=user, course=course).exists()


def course_progress(user, course) -> int:
    """How many people of the manager's jurisdiction completed the course."""
    return access.completions_managed_by(user).filter(course=course).count()


def completed_course_ids(user) -> set[int]:
    from .models import CourseCompletion

    return set(CourseCompletion.objects.filter(user=user).values_list("course_id", flat=True))


def completions_of(user):
    """The user's own completions of courses still open to them, newest first."""
    from .models import CourseCompletion

    return (
        CourseCompletion.objects.filter(user=user, course__in=access.courses_visible_to(user))
        .select_related("course")
        .order_by("-completed_at")
    )


def lecture_files(lecture) -> list:
    """The lecture's files with their attachments, in the order added (the caller resolved the lecture
    through access: its keeper's page or its audience's sign-in page)."""
    return list(lecture.files.select_related("attachment"))
