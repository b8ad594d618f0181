"""API writes of the cadres app — issue a task, submit and decide a nomination, place a cadre on a
case, report and record it — through the same services as the pages, scoped the same way: a refusal
is a 400 with the service's Chinese message and nothing changes; outsiders and wrong roles get 404."""

from __future__ import annotations

import json
from datetime import date

import pytest

from jijian.audit.models import AuditEvent
from jijian.cadres.models import CasePlacement, GuidanceTask, Nomination, NominationState, PostHolding
from jijian.core.api.limits import NUL_MESSAGE as NUL
from tests.cadres.authz_entries import _placement
from tests.cadres.helpers import candidate, holding, nominate
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def message(response) -> str:
    return response.json()["error"]["message"]


# --- guidance tasks ------------------------------------------------------------------------------
def task_data(people, **extra):
    return {"member": people.member_a.pk, "kind": "dispatch", "title": "核查低保公示", "body": "逐户核对",
            "working_days": 5, **extra}  # fmt: skip


def test_the_township_issues_a_task_through_the_api(tree, people, login):
    response = post(login(people.township_a), "/api/cadres/tasks", task_data(people))
    assert response.status_code == 201, response.content
    body = response.json()
    task = GuidanceTask.objects.get()
    assert body["id"] == task.pk and body["member_id"] == people.member_a.pk
    assert body["village_name"] == tree.village_a.name and body["status"] == "办理中"
    assert body["due_on"] == task.due_on.isoformat() and task.working_days == 5
    assert task.issued_by == people.township_a
    assert AuditEvent.objects.filter(action="guidance_task.issue", actor=people.township_a).count() == 1


def test_a_refused_task_is_a_400_in_chinese_and_nothing_is_issued(tree, people, login):
    township = login(people.township_a)
    response = post(township, "/api/cadres/tasks", task_data(people, working_days=0))
    assert response.status_code == 400
    assert message(response) == "办理时限应为1至60个工作日"
    response = post(township, "/api/cadres/tasks", task_data(people, title="核查\x00低保"))
    # Not a 500 on PostgreSQL: refused at the API's edge (jijian.core.api.limits.TextParser).
    assert response.status_code == 400 and message(response) == NUL
    response = post(township, "/api/cadres/tasks", task_data(people, kind="other"))
    assert response.status_code == 400 and message(response) == "请选择任务类型（派单或点题）"
    response = post(login(people.township_b), "/api/cadres/tasks", task_data(people))
    assert response.status_code == 400
    assert message(response) == "只能向本乡镇（街道）的村（社区）纪检委员派单"
    assert not GuidanceTask.objects.exists()


def test_only_a_township_issues_tasks(tree, people, login):
    for who in ("member_a", "county_officer", "outsider", "city_petition"):
        response = post(login(getattr(people, who)), "/api/cadres/tasks", task_data(people))
        assert response.status_code == 404, who
    assert not GuidanceTask.objects.exists()


# --- nominations ---------------------------------------------------------------------------------
def test_the_township_submits_a_nomination_vetted_at_once(tree, people, login):
    person = candidate(tree.village_a)
    data = {"village": tree.village_a.pk, "candidate": person.pk, "reason": "党员，熟悉村务",
            "committee": "王德明\n李春燕"}  # fmt: skip
    response = post(login(people.township_a), "/api/cadres/nominations", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["candidate_name"] == "陈思远"
    assert body["vetting"]["verdict_label"] == "档案中未查到"
    assert body["away_from_home"] is False
    assert Nomination.objects.get().nominated_by == people.township_a


def test_a_refused_nomination_is_a_400_and_nothing_is_submitted(tree, people, login):
    township = login(people.township_a)
    person = candidate(tree.village_a2)  # from another village: away from home needs its reason
    data = {"village": tree.village_a.pk, "candidate": person.pk, "reason": "党员"}
    response = post(township, "/api/cadres/nominations", data)
    assert response.status_code == 400 and message(response) == "请填写异地任职说明"
    response = post(
        township, "/api/cadres/nominations", {**data, "away_reason": "本村无合适人选", "committee": "王\x00"}
    )
    assert response.status_code == 400 and message(response) == NUL
    outside = candidate(tree.village_b, username="hx_b", name="刘晓琳")
    response = post(township, "/api/cadres/nominations", {**data, "candidate": outside.pk})
    assert response.status_code == 400
    assert message(response) == "候选人须为本乡镇（街道）村（社区）的在册人员"
    response = post(
        login(people.township_b), "/api/cadres/nominations", {**data, "away_reason": "本村无合适人选"}
    )
    assert response.status_code == 400 and message(response) == "只能为本乡镇（街道）的村（社区）提名"
    for who in ("member_a", "county_officer"):
        assert post(login(getattr(people, who)), "/api/cadres/nominations", data).status_code == 404, who
    assert not Nomination.objects.exists()


def test_the_county_decides_a_nomination_through_the_api(tree, people, login):
    before = holding(tree.village_a, people.member_a, people.county_officer, date(2021, 1, 1))
    person = candidate(tree.village_a)
    n = nominate(people.township_a, tree.village_a, person)
    url = f"/api/cadres/nominations/{n.pk}/decide"
    data = {"approve": True, "starts_on": "2026-03-01", "version": n.version}
    for who in ("township_a", "township_b", "outsider", "zone_officer", "member_a"):
        assert post(login(getattr(people, who)), url, data).status_code == 404, who
    response = post(login(people.county_officer), url, data)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "approved" and body["starts_on"] == "2026-03-01"
    assert body["version"] == n.version + 1
    before.refresh_from_db()
    assert before.ended_on == date(2026, 2, 28)
    assert PostHolding.objects.get(ended_on__isnull=True).holder == person


def test_a_refused_decision_is_a_400_and_changes_nothing(tree, people, login):
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    url = f"/api/cadres/nominations/{n.pk}/decide"
    county = login(people.county_officer)
    response = post(county, url, {"approve": False, "version": n.version})
    assert response.status_code == 400 and message(response) == "请填写审批意见"
    response = post(county, url, {"approve": True, "version": n.version + 5})
    assert response.status_code == 400 and "已被他人修改" in message(response)
    n.refresh_from_db()
    assert n.state == NominationState.SUBMITTED and n.decided_by is None
    assert not PostHolding.objects.exists()
    response = post(county, url, {"approve": False, "note": "群众基础不足", "version": n.version})
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    again = post(county, url, {"approve": True, "version": response.json()["version"]})
    assert again.status_code == 400 and message(again) == "该提名已审批"
    assert not PostHolding.objects.exists()


# --- 跟案学习 ------------------------------------------------------------------------------------
def placement_data(people, **extra):
    return {"cadre": people.township_a.pk, "mentor": people.county_officer.pk, "case_name": "某所长挪用公款案",
            "starts_on": "2026-01-05", "ends_on": "2026-03-05", **extra}  # fmt: skip


def test_the_county_places_a_cadre_through_the_api(tree, people, login):
    response = post(login(people.county_officer), "/api/cadres/placements", placement_data(people))
    assert response.status_code == 201, response.content
    body = response.json()
    placement = CasePlacement.objects.get()
    assert body["id"] == placement.pk and body["cadre_name"] == people.township_a.full_name
    assert body["mentor_name"] == people.county_officer.full_name
    assert placement.org_unit == tree.county and placement.placed_by == people.county_officer


def test_a_refused_placement_is_a_400_and_nothing_is_placed(tree, people, login):
    county = login(people.county_officer)
    response = post(county, "/api/cadres/placements", placement_data(people, ends_on="2026-01-01"))
    assert response.status_code == 400 and message(response) == "结束日期不能早于开始日期"
    colleague_elsewhere = make_user("mentor_x", tree.township_a, "township_committee")
    response = post(county, "/api/cadres/placements", placement_data(people, mentor=colleague_elsewhere.pk))
    assert response.status_code == 400 and message(response) == "带教导师须为本单位的干部"
    response = post(login(people.outsider), "/api/cadres/placements", placement_data(people))
    assert response.status_code == 400 and message(response) == "跟案干部须为本辖区乡镇（街道）的干部"
    for who in ("township_a", "member_a", "city_petition"):
        response = post(login(getattr(people, who)), "/api/cadres/placements", placement_data(people))
        assert response.status_code == 404, who
    assert not CasePlacement.objects.exists()


def test_the_cadre_reports_and_the_county_records_through_the_api(tree, people, login):
    placement = _placement(people.township_a, tree.county, people.county_officer)
    report_url = f"/api/cadres/placements/{placement.pk}/report"
    record_url = f"/api/cadres/placements/{placement.pk}/record"
    county = login(people.county_officer)
    early = post(county, record_url, {"assessment": "认真", "version": placement.version})
    assert early.status_code == 400 and message(early) == "跟案干部尚未提交学习报告"
    for who in ("county_officer", "township_b", "member_a"):
        response = post(login(getattr(people, who)), report_url, {"report": "x", "version": 1})
        assert response.status_code == 404, who
    response = post(login(people.township_a), report_url, {"report": "学会了调取账目", "version": 1})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "待县级记录" and response.json()["version"] == 2
    for who in ("township_a", "outsider", "zone_officer"):
        response = post(login(getattr(people, who)), record_url, {"assessment": "认真", "version": 2})
        assert response.status_code == 404, who
    response = post(login(people.county_officer), record_url, {"assessment": "认真细致", "version": 2})
    assert response.status_code == 200, response.content
    assert response.json()["assessment"] == "认真细致" and response.json()["stage"] == "已记录"
    late = post(login(people.township_a), report_url, {"report": "补充", "version": 3})
    assert late.status_code == 400 and message(late) == "县级已记录，学习报告不能再修改"
    placement.refresh_from_db()
    assert placement.report == "学会了调取账目" and placement.recorded_by == people.county_officer


def test_a_report_before_the_period_ends_is_refused_and_not_kept(tree, people, login):
    placement = _placement(people.township_a, tree.county, people.county_officer, ended=False)
    response = post(
        login(people.township_a),
        f"/api/cadres/placements/{placement.pk}/report",
        {"report": "x", "version": 1},
    )
    assert response.status_code == 400 and "期满后提交学习报告" in message(response)
    placement.refresh_from_db()
    assert placement.report == "" and placement.reported_at is None and placement.version == 1
