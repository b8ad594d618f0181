"""Who sees what in training (module TRAINING).

- Managers (乡镇纪委, 党风政风监督室 with the module) keep the question banks and exams of the units
  in their jurisdiction (core.access.scope over the question's or exam's unit).
- Learners (everyone with the module) practise on the questions set by their own unit or a unit
  above it (the county's bank reaches its villages), and sit the published exams set above them
  whose audience is their role.
- A sitting is its person's own: nobody else opens it (managers read results through the exam).
- Courses are seen by their learners and keepers; a lecture by its keepers (managers over its unit)
  and the people it is for (set by their unit or above, for their role). A course material's or a
  lecture's file follows its course or lecture (attachments' object scope).
Outside all of that the answer is the same 404 as for a missing record."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from jijian.core.access import get_or_404, scope
from jijian.core.roles import Module, Role

from .models import (
    Audience,
    Course,
    CourseCompletion,
    Exam,
    Lecture,
    LectureAttendance,
    Question,
    Sitting,
    WrongAnswer,
)

MANAGER_ROLES = frozenset({Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION})


def can_manage(user) -> bool:
    return bool(user.role_set & MANAGER_ROLES) and user.has_module(Module.TRAINING)


def _above_or_own(user, *, prefix: str = "") -> Q:
    """Rows whose unit is the user's own unit or one above it (or the management zone over it)."""
    unit = user.org_unit
    ids = {unit.pk, *unit.ancestor_ids()}
    if unit.zone_id:
        ids.add(unit.zone_id)
    return Q(**{f"{prefix}org_unit_id__in": ids})


# --- questions -----------------------------------------------------------------------------------
def questions_managed_by(user) -> QuerySet[Question]:
    if not can_manage(user):
        return Question.objects.none()
    return scope(Question.objects.select_related("org_unit"), user, module=Module.TRAINING)


def get_question_for(user, pk) -> Question:
    return get_or_404(questions_managed_by(user).filter(is_active=True), pk)


def questions_for_practice(user) -> QuerySet[Question]:
    if not user.has_module(Module.TRAINING):
        return Question.objects.none()
    return Question.objects.filter(_above_or_own(user), is_active=True)


def get_practice_question_for(user, pk) -> Question:
    return get_or_404(questions_for_practice(user), pk)


def wrong_answers_of(user) -> QuerySet[WrongAnswer]:
    """The user's own wrong-answer book, for questions still open to them."""
    if not user.has_module(Module.TRAINING):
        return WrongAnswer.objects.none()
    return WrongAnswer.objects.filter(
        user=user, cleared_at__isnull=True, question__in=questions_for_practice(user)
    ).select_related("question")


# --- exams ---------------------------------------------------------------------------------------
def exams_managed_by(user) -> QuerySet[Exam]:
    if not can_manage(user):
        return Exam.objects.none()
    return scope(Exam.objects.select_related("org_unit"), user, module=Module.TRAINING)


def get_exam_for(user, pk) -> Exam:
    return get_or_404(exams_managed_by(user), pk)


def audiences_of(user) -> list[str]:
    out = [Audience.ALL.value] if user.role_set & {Role.VILLAGE_MEMBER, Role.TOWNSHIP_COMMITTEE} else []
    if user.has_role(Role.VILLAGE_MEMBER):
        out.append(Audience.VILLAGE_MEMBERS.value)
    if user.has_role(Role.TOWNSHIP_COMMITTEE):
        out.append(Audience.TOWNSHIP_CADRES.value)
    return out


def exams_open_to(user) -> QuerySet[Exam]:
    """Published exams set by the user's unit or above, for the user's role (open or not yet)."""
    if not user.has_module(Module.TRAINING):
        return Exam.objects.none()
    return Exam.objects.filter(_above_or_own(user), is_published=True, audience__in=audiences_of(user))


def get_open_exam_for(user, pk) -> Exam:
    return get_or_404(exams_open_to(user), pk)


# --- sittings ------------------------------------------------------------------------------------
def sittings_of(user) -> QuerySet[Sitting]:
    if not user.has_module(Module.TRAINING):
        return Sitting.objects.none()
    return Sitting.objects.filter(user=user).select_related("exam")


def get_sitting_for(user, pk) -> Sitting:
    return get_or_404(sittings_of(user), pk)


def sittings_managed_by(user) -> QuerySet[Sitting]:
    """Sittings of people in the manager's jurisdiction (results, statistics)."""
    if not can_manage(user):
        return Sitting.objects.none()
    return scope(Sitting.objects.all(), user, module=Module.TRAINING, unit_field="user__org_unit")


# --- courses -------------------------------------------------------------------------------------
COURSE_FILES = "training.course"  # the attachment purpose of course materials


def courses_managed_by(user) -> QuerySet[Course]:
    if not can_manage(user):
        return Course.objects.none()
    return scope(Course.objects.select_related("org_unit"), user, module=Module.TRAINING)


def courses_open_to(user) -> QuerySet[Course]:
    """Courses set by the user's unit or above, for the user's role."""
    if not user.has_module(Module.TRAINING):
        return Course.objects.none()
    return Course.objects.filter(_above_or_own(user), audience__in=audiences_of(user))


def courses_visible_to(user) -> QuerySet[Course]:
    """Courses the user learns or keeps (their materials' files follow this: attachments' object scope),
    and for a training manager also those set above them for the people they oversee: the required
    courses' table names them (a township sees the city's course for its village members)."""
    if not user.has_module(Module.TRAINING):
        return Course.objects.none()
    seen = Q(pk__in=courses_open_to(user).values("pk")) | Q(pk__in=courses_managed_by(user).values("pk"))
    if can_manage(user):
        seen |= _above_or_own(user)
    return Course.objects.filter(seen)


def get_course_for(user, pk) -> Course:
    return get_or_404(courses_visible_to(user).select_related("org_unit"), pk)


def get_managed_course_for(user, pk) -> Course:
    return get_or_404(courses_managed_by(user), pk)


def completions_managed_by(user) -> QuerySet[CourseCompletion]:
    if not can_manage(user):
        return CourseCompletion.objects.none()
    return scope(CourseCompletion.objects.all(), user, module=Module.TRAINING, unit_field="user__org_unit")


# --- lectures ------------------------------------------------------------------------------------
def lectures_managed_by(user) -> QuerySet[Lecture]:
    if not can_manage(user):
        return Lecture.objects.none()
    return scope(Lecture.objects.select_related("org_unit"), user, module=Module.TRAINING)


def attendances_managed_by(user) -> QuerySet[LectureAttendance]:
    """Lecture sign-ins of people in the manager's jurisdiction (statistics)."""
    if not can_manage(user):
        return LectureAttendance.objects.none()
    return scope(LectureAttendance.objects.all(), user, module=Module.TRAINING, unit_field="user__org_unit")


def get_managed_lecture_for(user, pk) -> Lecture:
    return get_or_404(lectures_managed_by(user), pk)


def lectures_to_attend(user) -> QuerySet[Lecture]:
    """Lectures set by the user's unit or above, for the user's role."""
    if not user.has_module(Module.TRAINING):
        return Lecture.objects.none()
    return Lecture.objects.filter(_above_or_own(user), audience__in=audiences_of(user))


def get_lecture_to_attend(user, pk) -> Lecture:
    """A lecture set by the user's unit or above, for the user's role (the QR code's sign-in page)."""
    if not user.has_module(Module.TRAINING):
        raise Http404
    return get_or_404(lectures_to_attend(user), pk)


LECTURE_FILES = "training.lecture"  # the attachment purpose of a lecture's files


def lectures_visible_to(user) -> QuerySet[Lecture]:
    """Lectures the user keeps (a manager over the lecture's unit) or is to attend (set by their unit
    or above, for their role): a lecture's files follow this (attachments' object scope), so the
    people it is for open its slides and recording, and nobody else."""
    if not user.has_module(Module.TRAINING):
        return Lecture.objects.none()
    return Lecture.objects.filter(
        Q(pk__in=lectures_managed_by(user).values("pk")) | Q(pk__in=lectures_to_attend(user).values("pk"))
    )
