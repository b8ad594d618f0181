"""Training as JSON, scoped like the pages: the courses open to the caller (or kept by a manager),
the caller's own completions and exam results, and the statistics (trained and passed by level,
required courses not completed) of the caller's jurisdiction — managers only, 404 for anyone else.
A course outside the caller's reach is a 404 like a missing one."""

from datetime import datetime

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jijian.core.access import require_module
from jijian.core.api.limits import ApiId, Pagination
from jijian.core.roles import Module

from . import access, selectors
from .required import required_status

router = Router(tags=["学讲练考"])


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度；缺省为本年")


class CourseOut(Schema):
    id: int
    title: str
    org_unit: str
    audience: str
    year: int
    is_required: bool
    completed: bool


class CompletionOut(Schema):
    course_id: int
    title: str
    year: int
    is_required: bool
    completed_at: datetime


class ResultOut(Schema):
    sitting_id: int
    exam_id: int
    exam: str
    attempt: int
    submitted_at: datetime
    score: int | None
    total: int
    percent: int
    passed: bool | None


class LevelCounts(Schema):
    trained: dict[str, int]
    passed: dict[str, int]


class StatsRow(Schema):
    unit: str
    trained: dict[str, int]
    passed: dict[str, int]


class RequiredCourseOut(Schema):
    course_id: int
    title: str
    bound: int
    done: int


class PendingOut(Schema):
    user_id: int
    name: str
    unit: str
    courses: list[str]


class StatsOut(Schema):
    year: int
    unit: str
    total: LevelCounts  # trained (参训): a lecture signed in, a course completed or an exam sat, each person once
    ways: dict[str, int] = Field(
        default_factory=dict,
        description="各方式参训人数：lecture（听课）、course（学完课程）、exam（参加考试）",
    )
    rows: list[StatsRow]
    required_people: int
    required_complete: int
    required_courses: list[RequiredCourseOut]
    required_pending: list[PendingOut]


def _course(c, done: set[int]) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "org_unit": c.org_unit.name,
        "audience": c.audience,
        "year": c.year,
        "is_required": c.is_required,
        "completed": c.pk in done,
    }


@router.get("/courses", response=list[CourseOut], summary="我可学习或管理的课程", url_name="training_courses")
@paginate(Pagination, page_size=100)
def courses(request, filters: Query[YearQuery]):
    require_module(request.auth, Module.TRAINING)
    qs = access.courses_visible_to(request.auth).select_related("org_unit").order_by("-year", "title")
    if filters.year:
        qs = qs.filter(year=filters.year)
    done = selectors.completed_course_ids(request.auth)
    return [_course(c, done) for c in qs]


@router.get("/courses/{course_id}", response=CourseOut, summary="课程", url_name="training_course")
def course(request, course_id: ApiId):
    c = access.get_course_for(request.auth, course_id)
    return _course(c, {c.pk} if selectors.course_completed_by(request.auth, c) else set())


@router.get(
    "/my/completions",
    response=list[CompletionOut],
    summary="我学完的课程",
    url_name="training_my_completions",
)
@paginate(Pagination, page_size=100)
def my_completions(request):
    require_module(request.auth, Module.TRAINING)
    rows = selectors.completions_of(request.auth)
    return [
        {
            "course_id": r.course_id,
            "title": r.course.title,
            "year": r.course.year,
            "is_required": r.course.is_required,
            "completed_at": r.completed_at,
        }
        for r in rows
    ]


@router.get("/my/results", response=list[ResultOut], summary="我的考试成绩", url_name="training_my_results")
@paginate(Pagination, page_size=100)
def my_results(request):
    require_module(request.auth, Module.TRAINING)
    return [
        {
            "sitting_id": s.pk,
            "exam_id": s.exam_id,
            "exam": s.exam.title,
            "attempt": s.attempt,
            "submitted_at": s.submitted_at,
            "score": s.score,
            "total": s.total,
            "percent": s.percent,
            "passed": s.passed,
        }
        for s in selectors.finished_sittings(request.auth)
    ]


@router.get("/stats", response=StatsOut, summary="培训统计（管理者，本辖区）", url_name="training_stats")
def stats(request, filters: Query[YearQuery]):
    if not access.can_manage(request.auth):
        raise Http404
    year = filters.year or timezone.localdate().year
    s = selectors.training_stats(request.auth, year=year)
    req = required_status(request.auth, year=year)
    return {
        "year": year,
        "unit": s.node.name,
        "total": {"trained": s.total.trained, "passed": s.total.passed},
        "ways": s.ways,
        "rows": [{"unit": name, "trained": c.trained, "passed": c.passed} for name, c in s.rows],
        "required_people": req.people,
        "required_complete": req.complete,
        "required_courses": [
            {"course_id": r.course.pk, "title": r.course.title, "bound": r.bound, "done": r.done}
            for r in req.courses
        ],
        "required_pending": [
            {
                "user_id": p.pk,
                "name": p.full_name,
                "unit": p.org_unit.name,
                "courses": [c.title for c in left],
            }
            for p, left in req.pending[:500]
        ],
    }
