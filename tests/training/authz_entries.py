"""Training pages (module TRAINING: village members and township committees learn; township
committees and 党风政风监督室 keep banks and exams). Objects used here sit in 随县 (the county officer's
and, for township A's own, township A's jurisdiction); the outsider (广水市) and the zone officer (over
高城镇 only) are outside them. A sitting is its person's own: nobody else opens it."""

from django.utils import timezone

from jijian.training import services
from jijian.training.models import CourseMaterial, Question
from tests.authz import UNAUTHORIZED, Entry
from tests.training.factories import bank, exam

LEARNERS = frozenset({"member_a", "township_a", "township_b", "county_officer", "outsider", "zone_officer"})
MANAGERS = LEARNERS - {"member_a"}
OVER_TOWNSHIP_A = frozenset({"township_a", "county_officer"})
UNDER_COUNTY = frozenset({"member_a", "township_a", "township_b", "county_officer"})
MEMBER = frozenset({"member_a"})


def question_a(t, p):
    return [bank(t.township_a, per_kind=1)[0].pk]


def question_outside(t, p):
    return [bank(t.township_c, per_kind=1, prefix="外")[0].pk]


def county_question(t, p):
    return [bank(t.county, per_kind=1)[0].pk]


def exam_a(t, p):
    bank(t.township_a)
    return [exam(t.township_a, published=False).pk]


def exam_outside(t, p):
    bank(t.township_c, prefix="外")
    return [exam(t.township_c, published=False).pk]


def county_exam(t, p):
    bank(t.county)
    return [exam(t.county).pk]


def sitting_of_member(t, p, *, passed=False):
    bank(t.county)
    sitting = services.sitting_start(actor=p.member_a, exam=exam(t.county), device="x")
    if passed:
        type(sitting).objects.filter(pk=sitting.pk).update(
            submitted_at=timezone.now(), score=sitting.total, passed=True
        )
    return [sitting.pk]


def course_a(t, p):
    """A course of township A for everyone: its learners are member_a and township A's committee."""
    course = services.course_create(
        actor=p.township_a, title="课", description="", audience="all", year=2026, is_required=False
    )
    services.material_add(actor=p.township_a, course=course, title="导读", body="正文")
    return [course.pk]


def material_a(t, p):
    [pk] = course_a(t, p)
    return [pk, CourseMaterial.objects.get(course_id=pk).pk]


def course_outside(t, p):
    from jijian.core.models import User

    keeper = User.objects.get(username="outsider")
    course = services.course_create(
        actor=keeper, title="外", description="", audience="all", year=2026, is_required=False
    )
    return [course.pk]


def _question_form(t, p):
    return {
        "kind": "single",
        "topic": "党纪法规",
        "level": "basic",
        "stem": "新题",
        "option_a": "甲",
        "option_b": "乙",
        "answer": "A",
        "version": Question.objects.order_by("pk").last().version if Question.objects.exists() else 1,
    }


ENTRIES = [
    Entry("training:home", LEARNERS),
    Entry("training:question_list", MANAGERS),
    Entry("training:question_create", MANAGERS, methods=("GET", "POST"), post_data=_question_form),
    Entry("training:question_import", MANAGERS, methods=("GET", "POST")),
    Entry("training:import_template", MANAGERS),
    Entry(
        "training:question_edit",
        OVER_TOWNSHIP_A,
        args=question_a,
        methods=("GET", "POST"),
        post_data=_question_form,
        extra_outside=question_outside,
    ),
    Entry("training:practice", LEARNERS),
    Entry(
        "training:practice_answer",
        UNDER_COUNTY,
        args=county_question,
        methods=("POST",),
        post_data=lambda t, p: {"value": "1"},
    ),
    Entry("training:wrong_book", LEARNERS),
    Entry("training:exam_list", MANAGERS),
    Entry(
        "training:exam_create", MANAGERS, methods=("GET", "POST"), post_data=lambda t, p: {"title": "测试"}
    ),
    Entry(
        "training:exam_detail",
        OVER_TOWNSHIP_A,
        args=exam_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"version": 1},
        extra_outside=exam_outside,
    ),
    Entry("training:exam_take", MEMBER, args=county_exam, methods=("GET", "POST")),
    Entry("training:sitting", MEMBER, args=sitting_of_member),
    Entry(
        "training:sitting_save",
        MEMBER,
        args=sitting_of_member,
        methods=("POST",),
        post_data=lambda t, p: {"position": 1, "seq": 1, "value": "0"},
    ),
    Entry("training:sitting_submit", MEMBER, args=sitting_of_member, methods=("POST",)),
    Entry("training:sitting_take_over", MEMBER, args=sitting_of_member, methods=("POST",)),
    Entry("training:certificate", MEMBER, args=lambda t, p: sitting_of_member(t, p, passed=True)),
    Entry("training:stats", MANAGERS),
    Entry("training:course_list", MANAGERS),
    Entry("training:required", MANAGERS),
    Entry("api:training_courses", LEARNERS, anonymous=UNAUTHORIZED),
    Entry(
        "api:training_course",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=course_a,
        anonymous=UNAUTHORIZED,
        extra_outside=course_outside,
    ),
    Entry("api:training_my_completions", LEARNERS, anonymous=UNAUTHORIZED),
    Entry("api:training_my_results", LEARNERS, anonymous=UNAUTHORIZED),
    Entry("api:training_stats", MANAGERS, anonymous=UNAUTHORIZED),
    Entry(
        "training:course_create",
        MANAGERS,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"title": "课程", "audience": "all", "year": 2026},
    ),
    # Learners of township A (member_a, township_a) and keepers over it (township_a, county_officer).
    Entry(
        "training:course_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=course_a,
        extra_outside=course_outside,
    ),
    Entry(
        "training:course_complete",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=course_a,
        methods=("POST",),
    ),
    Entry("training:material", frozenset({"member_a", "township_a", "county_officer"}), args=material_a),
    Entry(
        "training:material_learnt",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=material_a,
        methods=("POST",),
    ),
    Entry(
        "training:material_add",
        OVER_TOWNSHIP_A,
        args=course_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"title": "资料", "body": "正文"},
    ),
]


def lecture_a(t, p):
    lecture = services.lecture_create(
        actor=p.township_a,
        topic="村级报账复审要点",
        lecturer="镇纪委书记",
        held_at=timezone.now(),
        location="镇会议室",
        materials="",
        audience="all",
    )
    return [lecture.pk]


def lecture_outside(t, p):
    from jijian.core.models import User

    lecture = services.lecture_create(
        actor=User.objects.get(username="outsider"),
        topic="外",
        lecturer="某",
        held_at=timezone.now(),
        location="",
        materials="",
        audience="all",
    )
    return [lecture.pk]


def lecture_signin_a(t, p):
    [pk] = lecture_a(t, p)
    return [pk, services.Lecture.objects.get(pk=pk).signin_token]


ENTRIES += [
    Entry("training:lecture_list", MANAGERS),
    Entry(
        "training:lecture_create",
        MANAGERS,
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "topic": "讲",
            "lecturer": "某",
            "held_at": "2026-12-05T09:00",
            "audience": "all",
        },
    ),
    Entry("training:lecture_detail", OVER_TOWNSHIP_A, args=lecture_a, extra_outside=lecture_outside),
    # The lecture's keepers add its files (a file is what the page takes; without one the service
    # refuses, 400, nothing added).
    Entry(
        "training:lecture_material_add",
        OVER_TOWNSHIP_A,
        args=lecture_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"title": "讲稿"},
        extra_outside=lecture_outside,
    ),
    # Township A's people (its village member and its committee): the others are outside or not audience.
    Entry(
        "training:lecture_signin",
        frozenset({"member_a", "township_a"}),
        args=lecture_signin_a,
        methods=("GET", "POST"),
    ),
]
