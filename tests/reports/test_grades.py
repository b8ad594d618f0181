"""Annual grades: the proposal rule, the township setting a grade with a reason, the version check,
the audit entry, jurisdiction, and the page."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.services import ConcurrentEditError
from jijian.reports.grades import Grade, annual_grade_set, grade_rows, propose_grade
from jijian.reports.models import AnnualGrade
from tests.reports.helpers import grade_basis as basis
from tests.reports.helpers import year_of_reports as _year

TODAY = date(2026, 1, 20)


@pytest.mark.parametrize(
    ("values", "grade"),
    [
        ({}, Grade.EXCELLENT),
        ({"returns": 2}, Grade.COMPETENT),
        ({"score": None}, Grade.COMPETENT),  # never 优秀 without scores
        ({"on_time": 11}, Grade.COMPETENT),
        ({"score": 80.0}, Grade.COMPETENT),
        ({"submitted": 11, "on_time": 11}, Grade.BASIC),  # one month missing
        ({"on_time": 9}, Grade.BASIC),
        ({"score": 55.0}, Grade.BASIC),
        ({"zero": 7}, Grade.BASIC),
        ({"submitted": 9, "on_time": 9}, Grade.INCOMPETENT),  # three months missing
        ({"expected": 8, "submitted": 5, "on_time": 5}, Grade.INCOMPETENT),  # under 75 % of 6+ months
        ({"expected": 3, "submitted": 2, "on_time": 2}, Grade.BASIC),  # one of three: not 不称职
    ],
)
def test_the_proposal_rule(values, grade):
    assert propose_grade(basis(**values)) == grade


def test_rows_propose_from_the_year(tree, people):
    _year(people.member_a, tree.village_a)
    [row] = grade_rows(people.township_a, year=2025, today=TODAY)
    assert row["member"] == people.member_a and row["basis"]["expected"] == 12
    assert row["basis"]["average_score_pct"] == 92.0 and row["proposed"] == Grade.EXCELLENT
    assert grade_rows(people.township_b, year=2025, today=TODAY) == []


def test_missing_months_lower_the_proposal(tree, people):
    _year(people.member_a, tree.village_a, missing_months=(3, 4, 5))
    [row] = grade_rows(people.township_a, year=2025, today=TODAY)
    assert row["basis"]["missing"] == 3 and row["proposed"] == Grade.INCOMPETENT


def test_months_not_yet_due_do_not_count(tree, people):
    _year(people.member_a, tree.village_a, missing_months=(12,))
    # On 20 December the December report is not due yet: not missing.
    [row] = grade_rows(people.township_a, year=2025, today=date(2025, 12, 20))
    assert row["basis"]["expected"] == 11 and row["basis"]["missing"] == 0


def test_township_sets_a_grade_with_a_reason_and_it_is_audited(tree, people):
    _year(people.member_a, tree.village_a)
    with pytest.raises(ValidationError, match="理由"):
        annual_grade_set(
            actor=people.township_a,
            member=people.member_a,
            year=2025,
            grade="competent",
            reason=" ",
            version=0,
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="等次"):
        annual_grade_set(
            actor=people.township_a,
            member=people.member_a,
            year=2025,
            grade="great",
            reason="x",
            version=0,
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="未来"):
        annual_grade_set(
            actor=people.township_a,
            member=people.member_a,
            year=2027,
            grade="competent",
            reason="x",
            version=0,
            today=TODAY,
        )
    assert not AnnualGrade.objects.exists()
    grade = annual_grade_set(
        actor=people.township_a,
        member=people.member_a,
        year=2025,
        grade="competent",
        reason="群众反映走访次数偏少",
        version=0,
        today=TODAY,
    )
    assert grade.proposed == Grade.EXCELLENT and grade.grade == Grade.COMPETENT and grade.version == 1
    assert grade.set_by == people.township_a and grade.proposal_basis["expected"] == 12
    assert AuditEvent.objects.filter(action="annual_grade.set", object_id=str(grade.pk)).exists()


def test_a_stale_version_is_refused(tree, people):
    _year(people.member_a, tree.village_a)
    kwargs = {"actor": people.township_a, "member": people.member_a, "year": 2025, "today": TODAY}
    annual_grade_set(**kwargs, grade="excellent", reason="全年按时", version=0)
    with pytest.raises(ConcurrentEditError):
        annual_grade_set(**kwargs, grade="basic", reason="另一人看到的是旧页面", version=0)
    updated = annual_grade_set(**kwargs, grade="competent", reason="复核后调整", version=1)
    assert updated.version == 2 and AnnualGrade.objects.get().grade == Grade.COMPETENT


def test_other_township_and_county_cannot_set(tree, people):
    _year(people.member_a, tree.village_a)
    for actor in (people.township_b, people.county_officer):
        with pytest.raises(PermissionDenied):
            annual_grade_set(
                actor=actor,
                member=people.member_a,
                year=2025,
                grade="competent",
                reason="x",
                version=0,
                today=TODAY,
            )


def test_grades_page_lists_and_sets(login, tree, people):
    _year(people.member_a, tree.village_a)
    client = login(people.township_a)
    body = client.get(reverse("reports:review_grades"), {"year": 2025}).content.decode()
    assert people.member_a.full_name in body and "优秀" in body and "保存评定" in body
    # Not the annual evaluation (which sets the allowance): the page says what it is for.
    assert "<h1>2025 年度纪检委员月报等次</h1>" in body and 'id="grade-scope"' in body
    url = reverse("reports:review_grade_set", args=[people.member_a.pk])
    response = client.post(url, {"year": 2025, "grade": "competent", "reason": "", "version": 0}, follow=True)
    assert "评定等次必须填写理由" in response.content.decode() and not AnnualGrade.objects.exists()
    response = client.post(url, {"year": 2025, "grade": "competent", "reason": "全年履职正常", "version": 0})
    assert response["Location"].endswith("?year=2025")
    assert AnnualGrade.objects.get().reason == "全年履职正常"


def test_grades_page_out_of_jurisdiction(login, tree, people):
    _year(people.member_a, tree.village_a)
    client = login(people.township_b)
    assert (
        people.member_a.full_name
        not in client.get(reverse("reports:review_grades"), {"year": 2025}).content.decode()
    )
    url = reverse("reports:review_grade_set", args=[people.member_a.pk])
    assert (
        client.post(url, {"year": 2025, "grade": "competent", "reason": "x", "version": 0}).status_code == 404
    )
    assert not AnnualGrade.objects.exists()
    county = login(people.county_officer)
    body = county.get(reverse("reports:review_grades"), {"year": 2025}).content.decode()
    assert people.member_a.full_name in body and "保存评定" not in body  # read-only


def test_grades_page_query_count_does_not_grow_with_members(login, tree, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jijian.core.models import OrgKind
    from jijian.core.services import org_unit_create
    from tests.conftest import make_user

    def members(start, n):
        for i in range(start, start + n):
            village = org_unit_create(
                actor=None, name=f"考评村{i}", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
            )
            _year(make_user(f"g{i}", village, "village_member"), village)

    client = login(people.township_a)
    url = reverse("reports:review_grades")
    members(0, 2)
    client.get(url, {"year": 2025})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": 2025})
    members(10, 6)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url, {"year": 2025}).content.decode()
    assert "考评村15" in body
    assert len(many) == len(few)
