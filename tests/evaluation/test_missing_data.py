"""Missing data is not a zero (scoring.py): constructed years in which the township approved reports
without scoring them, no exam was open to the member, or a guidance task was not yet due — each part
scored on what the member could be judged on, the grade that follows, and the 计分说明 the page, the
export and the API show. Beside each case, its counterpart that still counts against the member
(an exam open and not sat, a task past its deadline)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jijian.cadres.models import GuidanceTask, TaskKind
from jijian.core import links
from jijian.core.roles import Role
from jijian.evaluation import services
from jijian.evaluation.scoring import note_texts, score_parts
from jijian.reports.models import MonthlyReport
from jijian.training import services as training
from jijian.training.models import CourseCompletion, Exam, Sitting
from tests.conftest import make_user
from tests.evaluation.factories import rubric
from tests.reports.helpers import year_of_reports

YEAR = 2025


@pytest.fixture
def no_cadres():
    """As if the cadres app (the provider of guidance_task_counts) were not installed: the weights
    40/20/—/30 of the default rubric are scaled to 90."""
    provider, links.guidance_task_counts.provider = links.guidance_task_counts.provider, None
    yield
    links.guidance_task_counts.provider = provider


def evaluate(people, member, *, township_score=85):
    e = services.evaluation_start(actor=people.township_a, member=member, year=YEAR)
    return services.evaluation_assess(
        actor=people.township_a, evaluation=e, township_score=township_score, comment="", version=e.version
    )


def reassess(people, e, *, township_score=85):
    return services.evaluation_assess(
        actor=people.township_a, evaluation=e, township_score=township_score, comment="", version=e.version
    )


def aware(*args):
    return timezone.make_aware(datetime(*args))


def exam(unit, *, opens, closes, audience="village_members", published=True, title="年度考试"):
    return Exam.objects.create(
        org_unit=unit,
        title=title,
        audience=audience,
        opens_at=opens,
        closes_at=closes,
        duration_minutes=30,
        is_published=published,
    )


# --- 月报履职 ----------------------------------------------------------------------------------------
def test_reports_approved_but_never_scored_count_by_the_submitted_share(
    client, login, tree, people, no_cadres
):
    """member_a: all 12 months submitted and approved, none scored; member_a2: 10 of 12, none scored.
    Nothing was required and no exam was open (training 100); the township's 85."""
    year_of_reports(people.member_a, tree.village_a, score=None)
    member_a2 = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    year_of_reports(member_a2, tree.village_a2, missing_months=(3, 4), score=None)
    assert not MonthlyReport.objects.filter(score__isnull=False).exists()
    rubric(people.county_officer, year=YEAR)

    full = evaluate(people, people.member_a)
    # 100 % of 12 months (not 0); training 100 with nothing to judge; (40×100 + 20×100 + 30×85) / 90.
    assert full.basis["parts"] == {
        "reports": "100.0",
        "training": "100.0",
        "guidance": None,
        "township": "85.0",
    }
    assert full.basis["notes"] == {"reports": "unscored", "training": "no_exam_no_course"}
    assert (
        full.total == Decimal("95.0") and full.grade_label == "优秀" and full.coefficient == Decimal("1.20")
    )

    partial = evaluate(people, member_a2)
    # 10 of 12 months: 83.3; (40×83.3 + 20×100 + 30×85) / 90 = 87.58.
    assert partial.basis["parts"]["reports"] == "83.3"
    assert partial.total == Decimal("87.6") and partial.grade_label == "称职"
    assert (
        note_texts(partial.basis)["reports"] == "各月月报均未评分，按报送率计（已报 10 个月 ÷ 应报 12 个月）"
    )

    # The page, the export and the API say why.
    login(people.township_a)
    page = client.get(f"/evaluation/annual/{partial.pk}/").content.decode()
    assert "计分说明：各月月报均未评分，按报送率计（已报 10 个月 ÷ 应报 12 个月）" in page
    assert "本年度既无必修课程，也没有向其开放的考试，本项按满分计" in page
    ws = load_workbook(BytesIO(client.get(f"/evaluation/annual/export.xlsx?year={YEAR}").content)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[1]
    notes = {row[header.index("姓名")]: row[header.index("计分说明")] for row in rows[2:]}
    assert notes["测试member_a2"].startswith("月报履职：各月月报均未评分，按报送率计（已报 10 个月")
    assert "学习考试：本年度既无必修课程" in notes["测试member_a2"]
    api = client.get(f"/api/evaluation/evaluations/{partial.pk}").json()
    assert api["notes"]["reports"].startswith("各月月报均未评分，按报送率计")
    assert api["basis"]["notes"] == {"reports": "unscored", "training": "no_exam_no_course"}


def test_some_months_scored_the_unscored_ones_count_in_full(tree, people, no_cadres):
    """11 of 12 months submitted; only January to March scored (70, 80, 90 of a rubric of 100)."""
    year_of_reports(people.member_a, tree.village_a, missing_months=(12,), score=None)
    for month, score in ((1, 70), (2, 80), (3, 90)):
        MonthlyReport.objects.filter(member=people.member_a, month=date(YEAR, month, 1)).update(score=score)
    rubric(people.county_officer, year=YEAR)
    e = evaluate(people, people.member_a)
    # (70 + 80 + 90 + 8 unscored months × 100 + December missing × 0) / 12 = 86.7;
    # (40×86.7 + 20×100 + 30×85) / 90 = 89.09.
    assert e.basis["parts"]["reports"] == "86.7"
    assert e.basis["notes"]["reports"] == "partly_scored"
    assert e.total == Decimal("89.1") and e.grade_label == "称职"
    assert note_texts(e.basis)["reports"] == "已报 11 个月中 3 个月已评分，未评分的月份未扣分、按满分计"
    # Every month scored: no note.
    MonthlyReport.objects.filter(member=people.member_a, score__isnull=True).exclude(
        month=date(YEAR, 12, 1)
    ).update(score=80)
    e = reassess(people, e)
    assert e.basis["parts"]["reports"] == "73.3" and "reports" not in e.basis["notes"]


# --- 学习考试 ----------------------------------------------------------------------------------------
def test_without_an_exam_open_the_training_part_is_the_required_share_but_an_exam_missed_is_zero(
    tree, people, no_cadres
):
    """Reports: 12 months scored 90. Two required courses, one completed. First no exam open to
    member_a in the year; then one opens and closes unsat; then a failed sitting."""
    year_of_reports(people.member_a, tree.village_a, score=Decimal("90"))
    done, _ = (
        training.course_create(
            actor=people.county_officer,
            title=title,
            description="",
            audience="village_members",
            year=YEAR,
            is_required=True,
        )
        for title in ("廉洁履职必修课", "村务监督必修课")
    )
    CourseCompletion.objects.create(user=people.member_a, course=done)
    # Exams that were not open to member_a in 2025: unpublished, for township cadres, another
    # county's, last year's, and one whose window is still open (it can still be sat).
    exam(tree.county, opens=aware(YEAR, 5, 1), closes=aware(YEAR, 5, 31), published=False)
    exam(tree.county, opens=aware(YEAR, 5, 1), closes=aware(YEAR, 5, 31), audience="township_cadres")
    exam(tree.other_county, opens=aware(YEAR, 5, 1), closes=aware(YEAR, 5, 31))
    exam(tree.county, opens=aware(YEAR - 1, 5, 1), closes=aware(YEAR - 1, 5, 31))
    exam(tree.county, opens=aware(YEAR, 12, 1), closes=timezone.now() + timedelta(days=10))
    rubric(people.county_officer, year=YEAR)

    e = evaluate(people, people.member_a)
    assert e.basis["training"]["exams_open"] == 0 and e.basis["training"]["exams_sat"] == 0
    # No exam to sit: the required share alone, 1 of 2 = 50 (not (50 + 0) / 2 = 25).
    assert e.basis["parts"]["training"] == "50.0" and e.basis["notes"] == {"training": "no_exam"}
    # (40×90 + 20×50 + 30×85) / 90 = 79.44
    assert e.total == Decimal("79.4") and e.grade_label == "称职"
    assert note_texts(e.basis)["training"] == "本年度没有向其开放的考试，本项按必修课程完成率计"

    # The county's exam of June, open to member_a, closed without a sitting: the exam half is 0.
    june = exam(tree.county, opens=aware(YEAR, 6, 1), closes=aware(YEAR, 6, 30), title="六月考试")
    e = reassess(people, e)
    assert e.basis["training"]["exams_open"] == 1
    assert e.basis["parts"]["training"] == "25.0" and e.basis["notes"] == {"training": "exam_missed"}
    # (40×90 + 20×25 + 30×85) / 90 = 73.89: 基本称职.
    assert e.total == Decimal("73.9") and e.grade_label == "基本称职"
    assert note_texts(e.basis)["training"] == "本年度向其开放考试 1 场，未参加，考试成绩按 0 分计"

    # Sat and failed (20 of 50, 40 %): the result stands, no note.
    at = aware(YEAR, 6, 10)
    Sitting.objects.create(
        exam=june, user=people.member_a, deadline=at, submitted_at=at, score=20, total=50, passed=False
    )
    e = reassess(people, e)
    assert e.basis["parts"]["training"] == "45.0" and e.basis["notes"] == {}
    # (40×90 + 20×45 + 30×85) / 90 = 78.33
    assert e.total == Decimal("78.3") and e.grade_label == "称职"


# --- 派单办理 ----------------------------------------------------------------------------------------
def task(tree, people, member, n, *, issued, due, answered=None):
    return GuidanceTask.objects.create(
        org_unit=tree.township_a,
        member=member,
        village=member.org_unit,
        kind=TaskKind.choices[0][0],
        title=f"任务{n}",
        issued_on=issued,
        working_days=5,
        due_on=due,
        answer="已办" if answered else "",
        answered_on=answered,
        issued_by=people.township_a,
    )


def test_a_guidance_task_not_yet_due_is_left_out_one_past_its_deadline_counts(tree, people):
    """Reports: 12 months scored 90; nothing to learn (training 100). Tasks of 2025: two answered on
    time, one left past its deadline, one issued at the end of December and not yet due today."""
    year_of_reports(people.member_a, tree.village_a, score=Decimal("90"))
    rubric(people.county_officer, year=YEAR)
    today = timezone.localdate()
    task(
        tree,
        people,
        people.member_a,
        1,
        issued=date(YEAR, 3, 1),
        due=date(YEAR, 3, 8),
        answered=date(YEAR, 3, 5),
    )
    task(
        tree,
        people,
        people.member_a,
        2,
        issued=date(YEAR, 4, 1),
        due=date(YEAR, 4, 8),
        answered=date(YEAR, 4, 7),
    )
    task(tree, people, people.member_a, 3, issued=date(YEAR, 5, 1), due=date(YEAR, 5, 8))
    pending = task(
        tree, people, people.member_a, 4, issued=date(YEAR, 12, 28), due=today + timedelta(days=10)
    )

    e = evaluate(people, people.member_a)
    assert e.basis["guidance"] == {"issued": 4, "answered": 2, "on_time": 2, "overdue": 1}
    # 2 on time of the 3 that can be judged (not 2 of 4 = 50): 66.7.
    assert e.basis["parts"]["guidance"] == "66.7" and e.basis["notes"]["guidance"] == "not_due"
    # (40×90 + 20×100 + 10×66.7 + 30×85) / 100 = 88.17
    assert e.total == Decimal("88.2") and e.grade_label == "称职"
    assert note_texts(e.basis)["guidance"] == "另有 1 件派单未到办理期限、尚未办结，不计入本项"

    # Answered before its deadline: it counts, on time: 3 of 4.
    GuidanceTask.objects.filter(pk=pending.pk).update(answer="已办", answered_on=today)
    e = reassess(people, e)
    assert e.basis["parts"]["guidance"] == "75.0" and "guidance" not in e.basis["notes"]


def test_only_tasks_not_yet_due_score_as_none_issued(tree, people):
    member_a2 = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    year_of_reports(member_a2, tree.village_a2, score=Decimal("90"))
    rubric(people.county_officer, year=YEAR)
    task(tree, people, member_a2, 1, issued=date(YEAR, 12, 29), due=timezone.localdate() + timedelta(days=3))
    e = evaluate(people, member_a2)
    assert e.basis["parts"]["guidance"] == "100.0" and e.basis["notes"]["guidance"] == "none_due"
    # (40×90 + 20×100 + 10×100 + 30×85) / 100 = 91.5
    assert e.total == Decimal("91.5") and e.grade_label == "优秀"
    assert note_texts(e.basis)["guidance"] == "1 件派单均未到办理期限、尚未办结，本项按满分计"


# --- the arithmetic alone ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reports", "training", "guidance", "expected", "notes"),
    [
        # Nothing at all: no month counts (0), nothing to learn (100), no task (100).
        (None, None, None, ("0.0", "100.0", "100.0"), {"training": "no_exam_no_course"}),
        (
            {"expected": 12, "submitted": 12, "scored": 0, "average_score_pct": None},
            {"required": 0, "exams_open": 2, "exams_sat": 0, "best_percent": None},
            {"issued": 2, "on_time": 0, "overdue": 2},
            ("100.0", "50.0", "0.0"),
            {"reports": "unscored", "training": "exam_missed"},
        ),
        # One weak month scored among unscored ones costs that month only: (11 × 100 + 50) / 12.
        (
            {"expected": 12, "submitted": 12, "scored": 1, "average_score_pct": 50.0},
            {"required": 1, "required_done": 1, "exams_open": 0, "exams_sat": 0, "best_percent": None},
            {"issued": 0, "on_time": 0, "overdue": 0},
            ("95.8", "100.0", "100.0"),
            {"reports": "partly_scored", "training": "no_exam"},
        ),
        (
            {"expected": 12, "submitted": 6, "scored": 6, "average_score_pct": 90.0},
            {"required": 4, "required_done": 3, "exams_open": 0, "exams_sat": 1, "best_percent": 80},
            {"issued": 3, "on_time": 1, "overdue": 1},
            ("45.0", "77.5", "50.0"),
            {"guidance": "not_due"},
        ),
    ],
)
def test_score_parts(reports, training, guidance, expected, notes):
    scores, got = score_parts(
        reports=reports, training=training, guidance=guidance, guidance_connected=True, township=None
    )
    assert (str(scores["reports"]), str(scores["training"]), str(scores["guidance"])) == expected
    assert got == notes


def test_an_evaluation_computed_before_notes_were_kept_shows_none():
    assert note_texts({"parts": {"reports": "0.0"}, "reports": {"expected": 12}}) == {}
