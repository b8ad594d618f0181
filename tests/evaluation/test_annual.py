"""The annual evaluation on constructed years: the parts read through the ports (monthly reports,
training), the rubric's weights and grades, guidance "未接入" without the cadres app, a rubric
edited while in use (the evaluation keeps its version), and refusals that change nothing."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jijian.cadres.models import GuidanceTask, TaskKind
from jijian.core import links
from jijian.core.roles import Role
from jijian.evaluation import services
from jijian.evaluation.models import Evaluation, EvaluationRubric
from jijian.reports.models import MonthlyReport
from jijian.training import services as training
from jijian.training.models import CourseCompletion, Exam, Sitting
from tests.conftest import make_user
from tests.evaluation.factories import rubric
from tests.reports.helpers import year_of_reports

YEAR = 2025


def constructed_year(tree, people):
    """member_a in 2025: 10 of 12 months submitted with a score of 80; one of two required courses
    completed; best exam 45 of 50 (90 %)."""
    year_of_reports(people.member_a, tree.village_a, missing_months=(3, 4), score=Decimal("80"))
    assert MonthlyReport.objects.filter(member=people.member_a, score=80).count() == 10
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
    exam = Exam.objects.create(
        org_unit=tree.county,
        title="年度考试",
        audience="village_members",
        opens_at=timezone.now(),
        closes_at=timezone.now(),
        duration_minutes=30,
        is_published=True,
    )
    at = timezone.make_aware(datetime(YEAR, 11, 1))
    Sitting.objects.create(
        exam=exam, user=people.member_a, deadline=at, submitted_at=at, score=45, total=50, passed=True
    )
    Sitting.objects.create(
        exam=exam,
        user=people.member_a,
        attempt=2,
        deadline=at,
        submitted_at=at,
        score=20,
        total=50,
        passed=False,
    )


@pytest.fixture
def no_cadres():
    """As if the cadres app (the provider of guidance_task_counts) were not installed."""
    provider, links.guidance_task_counts.provider = links.guidance_task_counts.provider, None
    yield
    links.guidance_task_counts.provider = provider


def test_a_constructed_year_without_guidance_tasks_connected(tree, people, no_cadres):
    constructed_year(tree, people)
    rubric(people.county_officer, year=YEAR)
    e = services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    e = services.evaluation_assess(
        actor=people.township_a, evaluation=e, township_score=85, comment="认真", version=1
    )
    parts = e.basis["parts"]
    # 80 % × 10/12 months; (1/2 required × 100 + 90) / 2; guidance not connected; the township's 85.
    assert parts == {"reports": "66.7", "training": "70.0", "guidance": None, "township": "85.0"}
    assert e.basis["guidance_connected"] is False
    # Weights 40/20/—/30 scaled to 90: (40×66.7 + 20×70 + 30×85) / 90 = 73.5 → 基本称职 (60–75), ×0.80.
    assert e.total == Decimal("73.5") and e.grade_label == "基本称职" and e.coefficient == Decimal("0.80")
    assert e.basis["training"]["required"] == 2 and e.basis["training"]["required_done"] == 1


def test_guidance_tasks_count_through_the_cadres_app(tree, people):
    """The township's tasks of the year (jijian.cadres, through its port): 4 issued, 3 answered on
    time, 1 answered late."""
    constructed_year(tree, people)
    rubric(people.county_officer, year=YEAR)
    for n, answered in enumerate([date(YEAR, 3, 2), date(YEAR, 4, 1), date(YEAR, 5, 6), date(YEAR, 7, 20)]):
        GuidanceTask.objects.create(
            org_unit=tree.township_a,
            member=people.member_a,
            village=tree.village_a,
            kind=TaskKind.choices[0][0],
            title=f"任务{n}",
            issued_on=date(YEAR, 3 + n, 1),
            working_days=5,
            due_on=date(YEAR, 3 + n, 8) if n < 3 else date(YEAR, 7, 8),
            answer="已办",
            answered_on=answered,
            issued_by=people.township_a,
        )
    e = services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    e = services.evaluation_assess(
        actor=people.township_a, evaluation=e, township_score=85, comment="", version=1
    )
    assert e.basis["guidance_connected"] is True
    assert e.basis["parts"]["guidance"] == "75.0"
    # (40×66.7 + 20×70 + 10×75 + 30×85) / 100 = 73.68
    assert e.total == Decimal("73.7")


def test_the_rubric_s_grades_and_coefficients_are_the_city_s(tree, people, no_cadres):
    constructed_year(tree, people)
    grades = [
        {"grade": "a", "label": "好", "min": 70, "coefficient": "1.5"},
        {"grade": "b", "label": "一般", "min": 0, "coefficient": "0.5"},
    ]
    rubric(people.county_officer, year=YEAR, grades=grades)
    e = services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    e = services.evaluation_assess(
        actor=people.township_a, evaluation=e, township_score=85, comment="", version=1
    )
    assert e.total == Decimal("73.5") and e.grade_label == "好" and e.coefficient == Decimal("1.50")
    e = services.evaluation_assess(
        actor=people.township_a, evaluation=e, township_score=40, comment="", version=2
    )
    # (40×66.7 + 20×70 + 30×40) / 90 = 58.5
    assert e.total == Decimal("58.5") and e.grade_label == "一般" and e.coefficient == Decimal("0.50")


def test_editing_a_rubric_in_use_makes_a_new_version_and_the_evaluation_keeps_its_own(
    tree, people, no_cadres
):
    constructed_year(tree, people)
    first = rubric(people.county_officer, year=YEAR)
    # Not yet used: edited in place.
    same = services.evaluation_rubric_save(
        actor=people.county_officer,
        rubric=first,
        name="细则",
        year=YEAR,
        weights={"reports": 40, "training": 20, "guidance": 10, "township": 30},
        grades=first.grades,
        version=1,
    )
    assert same.pk == first.pk and same.number == 1 and EvaluationRubric.objects.count() == 1
    e = services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    second = services.evaluation_rubric_save(
        actor=people.county_officer,
        rubric=same,
        name="细则",
        year=YEAR,
        weights={"reports": 10, "training": 10, "guidance": 10, "township": 70},
        grades=first.grades,
        version=2,
    )
    assert second.pk != first.pk and second.number == 2 and second.family == first.pk
    e = services.evaluation_assess(
        actor=people.township_a, evaluation=e, township_score=85, comment="", version=1
    )
    assert e.rubric_id == first.pk and e.basis["weights"]["township"] == 30 and e.total == Decimal("73.5")
    # A new evaluation starts with the current version.

    other = make_user("member_a2", tree.village_a2, "village_member")
    assert Role.VILLAGE_MEMBER
    assert services.evaluation_start(actor=people.township_a, member=other, year=YEAR).rubric_id == second.pk
    with pytest.raises(ValidationError, match="已有新版本"):
        services.evaluation_rubric_save(
            actor=people.county_officer,
            rubric=first,
            name="细则",
            year=YEAR,
            weights={"reports": 40, "training": 20, "guidance": 10, "township": 30},
            grades=first.grades,
            version=2,
        )


def test_bad_rubrics_and_out_of_reach_evaluations_are_refused_and_change_nothing(tree, people):
    with pytest.raises(ValidationError, match="权重之和须为 100"):
        rubric(people.county_officer, weights={"reports": 50, "training": 20, "guidance": 10, "township": 30})
    with pytest.raises(ValidationError, match="最低一档"):
        rubric(people.county_officer, grades=[{"grade": "a", "label": "好", "min": 50, "coefficient": 1}])
    assert not EvaluationRubric.objects.exists()
    with pytest.raises(ValidationError, match="尚未制定"):
        services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    rubric(people.county_officer, year=YEAR)
    with pytest.raises(PermissionDenied):
        services.evaluation_start(actor=people.township_b, member=people.member_a, year=YEAR)
    e = services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    with pytest.raises(ValidationError, match="已经开始"):
        services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    with pytest.raises(ValidationError, match="0～100"):
        services.evaluation_assess(
            actor=people.township_a, evaluation=e, township_score=101, comment="", version=1
        )
    with pytest.raises(ValidationError, match="请先填写乡镇评价"):
        services.evaluation_confirm(actor=people.township_a, evaluation=e, version=1)
    assert Evaluation.objects.get().township_score is None and Evaluation.objects.count() == 1


def test_pages_start_show_the_basis_and_export(client, login, tree, people, no_cadres):
    constructed_year(tree, people)
    rubric(people.county_officer, year=YEAR)
    for outsider in (people.township_b, people.outsider):
        login(outsider)
        response = client.post("/evaluation/annual/", {"member": people.member_a.pk, "year": YEAR})
        assert response.status_code == 404
    assert not Evaluation.objects.exists()
    login(people.township_a)
    response = client.post("/evaluation/annual/", {"member": people.member_a.pk, "year": YEAR})
    e = Evaluation.objects.get()
    assert response["Location"] == f"/evaluation/annual/{e.pk}/"
    page = client.get(f"/evaluation/annual/{e.pk}/").content.decode()
    assert "派单情况：未接入" in page and "应报 12 个月，已报 10 个月" in page
    client.post(f"/evaluation/annual/{e.pk}/", {"township_score": 85, "comment": "认真", "version": 1})
    client.post(f"/evaluation/annual/{e.pk}/", {"action": "confirm", "version": 2})
    e.refresh_from_db()
    assert e.state == "final" and e.total == Decimal("73.5")
    login(people.county_officer)
    export = client.get(f"/evaluation/annual/export.xlsx?year={YEAR}")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(export.content)).active
    rows = list(ws.iter_rows(values_only=True))
    header, row = rows[1], rows[2]
    assert row[header.index("总分")] == "73.5" and row[header.index("等次")] == "基本称职"
    assert row[header.index("派单办理得分")] == "未接入" and row[header.index("补贴系数")] == "0.80"


def test_confirming_with_a_score_changed_on_the_page_fixes_that_score_not_the_stored_one(
    client, login, tree, people
):
    rubric(people.county_officer, year=YEAR)
    rubric(people.county_officer, year=YEAR - 1)
    e = services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR)
    login(people.township_a)
    page = client.get(f"/evaluation/annual/{e.pk}/").content.decode()
    assert 'value="confirm"' in page and 'name="township_score"' in page
    # First time: the score typed and 确定 pressed at once.
    client.post(
        f"/evaluation/annual/{e.pk}/",
        {"action": "confirm", "township_score": 85, "comment": "认真", "version": 1},
    )
    e.refresh_from_db()
    assert e.state == "final" and e.township_score == 85 and e.township_comment == "认真"

    other = services.evaluation_start(actor=people.township_a, member=people.member_a, year=YEAR - 1)
    services.evaluation_assess(
        actor=people.township_a, evaluation=other, township_score=85, comment="", version=1
    )
    # 85 stored; the page now says 60 and 确定 is pressed without 保存 first.
    client.post(
        f"/evaluation/annual/{other.pk}/",
        {"action": "confirm", "township_score": 60, "comment": "", "version": 2},
    )
    other.refresh_from_db()
    assert other.state == "final" and other.township_score == 60
