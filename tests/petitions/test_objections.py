"""The real-name reporter's objection to the result (异议; handling/objections.py): recorded by staff or
raised on the follow page, answered within the working-day limit by upholding the result (a notice
to the reporter) or reopening the report (back to 已受理: a new result needs the leader again)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.orgs.workdays import add_working_days
from jijian.core.roles import Role
from jijian.core.services import ConcurrentEditError
from jijian.petitions import services
from jijian.petitions.handling import objections
from jijian.petitions.models import (
    ApprovalKind,
    DeadlineKind,
    PetitionApproval,
    PetitionDeadline,
    PetitionObjection,
    PetitionState,
)
from tests.conftest import make_user, sign_in
from tests.petitions.helpers import real_name, receipt_from, submit
from tests.petitions.triage_helpers import close_approved, fresh, leader_of, officer, register, set_today

pytestmark = pytest.mark.django_db

CLOSED_ON = date(2026, 9, 21)  # a Monday
NATIONAL_DAY_EVE = date(2026, 9, 30)


@pytest.fixture
def office(tree):
    return officer("county_petition", tree.county)


def _closed(
    office, tree, *, anonymous=False, notified=True, result_notice="经核实，问题部分属实，已给予王某诫勉。"
):
    report = register(office, tree.township_a, anonymous=anonymous)
    report = services.petition_route(
        actor=office, report=report, managing=tree.county, about_own_head=False, version=report.version
    )
    report = close_approved(office, fresh(report), result="内部办结报告：经查王某违规发放补贴属实。")
    if notified:
        report = services.petition_result_notify(
            actor=office, report=report, text=result_notice, version=report.version
        )
    return fresh(report)


@pytest.fixture
def closed(tree, office, monkeypatch):
    set_today(monkeypatch, CLOSED_ON)
    return _closed(office, tree)


def _record(office, report, **kw):
    data = {"channel": "letter", "received_on": CLOSED_ON, "text": "对处理结果不服，认为处理过轻。"}
    data.update(kw)
    return objections.objection_record(actor=office, report=report, version=fresh(report).version, **data)


def _as(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


# --- services -------------------------------------------------------------------------------------
def test_a_recorded_objection_opens_a_limit_in_working_days_a_transition_and_an_audit_event(
    tree, office, closed, monkeypatch
):
    from tests.petitions.triage_helpers import national_day_2026

    national_day_2026()
    set_today(monkeypatch, NATIONAL_DAY_EVE)
    version = closed.version
    objection = _record(office, closed, received_on=NATIONAL_DAY_EVE)
    report = fresh(closed)
    assert report.version == version + 1 and report.state == PetitionState.CLOSED
    assert objection.is_open and objection.recorded_by == office
    assert objection.objected_result.startswith("内部办结报告")
    limit = PetitionDeadline.objects.get(report=report, kind=DeadlineKind.OBJECTION_ANSWER)
    # 15 working days from Sep 30 over the Golden Week (Oct 1–7 off, Oct 10 a make-up day).
    assert limit.starts_on == NATIONAL_DAY_EVE and limit.holder == report.holder
    assert limit.due_date == add_working_days(NATIONAL_DAY_EVE, 15) == date(2026, 10, 27)
    assert report.transitions.last().action == "objection"
    event = AuditEvent.objects.get(action="petition.objection")
    assert event.actor_id == office.pk and "对处理结果不服" not in str(event.after)


def test_the_answer_limit_is_configurable(tree, office, closed, settings):
    settings.PETITION_OBJECTION_ANSWER_WORKING_DAYS = 5
    _record(office, closed)
    limit = PetitionDeadline.objects.get(report=closed, kind=DeadlineKind.OBJECTION_ANSWER)
    assert limit.due_date == add_working_days(CLOSED_ON, 5) == date(2026, 9, 28)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("anonymous", "匿名举报不适用异议程序"),
        ("not_notified", "尚未告知办理结果"),
        ("accepted", "办结并告知结果后方可提出异议"),
    ],
)
def test_an_objection_is_refused_before_the_result_was_told_or_for_an_anonymous_report(
    tree, office, monkeypatch, setup, message
):
    set_today(monkeypatch, CLOSED_ON)
    if setup == "accepted":
        report = register(office, tree.township_a)
        report = services.petition_route(
            actor=office, report=report, managing=tree.county, about_own_head=False, version=report.version
        )
    else:
        report = _closed(office, tree, anonymous=setup == "anonymous", notified=setup != "not_notified")
    with pytest.raises(ValidationError, match=message):
        _record(office, report)
    assert not PetitionObjection.objects.exists()
    assert not PetitionDeadline.objects.filter(kind=DeadlineKind.OBJECTION_ANSWER).exists()


def test_bad_input_is_refused_and_nothing_is_saved(tree, office, closed):
    for kw, message in [
        ({"channel": "online"}, "请选择异议的提出方式"),
        ({"text": "  "}, "请填写异议内容"),
        ({"received_on": date(2026, 9, 22)}, "收到日期不能晚于今天"),
        ({"received_on": date(2026, 9, 1)}, "收到日期不能早于结果告知日期"),
    ]:
        with pytest.raises(ValidationError, match=message):
            _record(office, closed, **kw)
    assert not PetitionObjection.objects.exists() and fresh(closed).version == closed.version


def test_a_second_objection_while_one_is_open_is_refused(tree, office, closed):
    _record(office, closed)
    with pytest.raises(ValidationError, match="已有异议正在答复中"):
        _record(office, closed, channel="phone")
    assert PetitionObjection.objects.count() == 1


def test_a_stale_version_is_refused_and_a_reader_cannot_record(tree, office, closed):
    with pytest.raises(ConcurrentEditError):
        objections.objection_record(
            actor=office,
            report=closed,
            channel="letter",
            received_on=CLOSED_ON,
            text="不服",
            version=closed.version - 1,
        )
    reader = make_user("case_review", tree.county, Role.CASE_REVIEW)
    with pytest.raises(PermissionDenied):
        objections.objection_record(
            actor=reader,
            report=closed,
            channel="letter",
            received_on=CLOSED_ON,
            text="不服",
            version=closed.version,
        )
    assert not PetitionObjection.objects.exists()


def decide_uphold(report, *, approve=True, note=""):
    """A leader of the holder decides the answer upholding the result (the second step of 维持原结论)."""
    from jijian.petitions.handling import conclusion

    approval = report.approvals.get(kind=ApprovalKind.OBJECTION_UPHELD, state="pending")
    conclusion.petition_approval_decide(
        actor=leader_of(report.holder),
        approval=approval,
        approve=approve,
        note=note,
        version=fresh(report).version,
    )
    return fresh(report)


def test_upholding_waits_on_a_leader_then_answers_the_reporter_and_a_new_objection_needs_new_facts(
    tree, office, closed
):
    from jijian.petitions.handling import conclusion

    _record(office, closed)
    stale = fresh(closed).version
    objection = objections.objection_answer(
        actor=office,
        report=closed,
        outcome="upheld",
        answer="经复查，原处理结论适当，予以维持。",
        version=stale,
    )
    # Reported to the leaders: the objection stays open and its limit runs on.
    report = fresh(closed)
    assert PetitionObjection.objects.get(pk=objection.pk).is_open and report.state == PetitionState.CLOSED
    approval = report.approvals.get(kind=ApprovalKind.OBJECTION_UPHELD)
    assert (approval.state, approval.text, approval.requested_by) == (
        "pending",
        "经复查，原处理结论适当，予以维持。",
        office,
    )
    assert PetitionDeadline.objects.get(kind=DeadlineKind.OBJECTION_ANSWER).met_at is None
    assert report.transitions.last().action == "objection_upheld_request"
    assert AuditEvent.objects.filter(action="petition.objection_upheld_request").count() == 1
    assert not AuditEvent.objects.filter(action="petition.objection_upheld").exists()
    # While it waits, nobody answers again (the same answer twice, or a reopening beside it).
    with pytest.raises(ConcurrentEditError):
        objections.objection_answer(
            actor=office, report=closed, outcome="upheld", answer="再次", version=stale
        )
    for outcome in ("upheld", "reopened"):
        with pytest.raises(ValidationError, match="已报领导审批"):
            objections.objection_answer(
                actor=office, report=closed, outcome=outcome, answer="再次", version=report.version
            )
    assert fresh(closed).state == PetitionState.CLOSED
    assert report.approvals.filter(kind=ApprovalKind.OBJECTION_UPHELD).count() == 1
    # The drafter is no leader; a leader of the holder decides.
    with pytest.raises(PermissionDenied):
        conclusion.petition_approval_decide(
            actor=office, approval=approval, approve=True, note="", version=report.version
        )
    report = decide_uphold(report)
    objection = PetitionObjection.objects.get(pk=objection.pk)
    assert objection.outcome == "upheld" and objection.answered_by == office
    assert objection.answer == "经复查，原处理结论适当，予以维持。"
    assert report.state == PetitionState.CLOSED and report.result_notice.startswith("经核实")
    assert PetitionDeadline.objects.get(kind=DeadlineKind.OBJECTION_ANSWER).met_at is not None
    last = report.transitions.last()
    assert (last.action, last.actor) == ("objection_upheld", leader_of(report.holder))
    assert AuditEvent.objects.filter(action="petition.objection_upheld").count() == 1
    # The trail of every step reads in Chinese (each snapshot key has its name).
    from jijian.core.audit_reader.labels import readable

    keys = {
        key
        for e in AuditEvent.objects.filter(action__startswith="petition.objection")
        for snapshot in (e.before, e.after)
        for key, _value in readable(e.object_type, snapshot)
    }
    assert keys and all(re.search("[\u4e00-\u9fff]", key) for key in keys), keys
    with pytest.raises(ValidationError, match="没有待答复的异议"):
        objections.objection_answer(
            actor=office, report=closed, outcome="upheld", answer="再次", version=report.version
        )
    with pytest.raises(ValidationError, match="须说明新的事实或理由"):
        _record(office, closed)
    again = _record(office, closed, new_facts="新发现王某亲属亦领取了补贴。")
    assert again.is_open and PetitionObjection.objects.count() == 2


def test_a_returned_uphold_leaves_the_objection_open_to_answer_again(tree, office, closed):
    from jijian.petitions.handling import conclusion

    objection = _record(office, closed)
    objections.objection_answer(
        actor=office, report=closed, outcome="upheld", answer="维持。", version=fresh(closed).version
    )
    approval = fresh(closed).approvals.get(kind=ApprovalKind.OBJECTION_UPHELD)
    with pytest.raises(ValidationError, match="退回须写明理由"):
        conclusion.petition_approval_decide(
            actor=leader_of(closed.holder),
            approval=approval,
            approve=False,
            note="",
            version=fresh(closed).version,
        )
    assert PetitionApproval.objects.get(pk=approval.pk).state == "pending"
    report = decide_uphold(fresh(closed), approve=False, note="答复过于简单，请逐项说明复查情况。")
    assert PetitionApproval.objects.get(pk=approval.pk).state == "rejected"
    assert PetitionObjection.objects.get(pk=objection.pk).is_open
    assert PetitionDeadline.objects.get(kind=DeadlineKind.OBJECTION_ANSWER).met_at is None
    assert report.transitions.last().action == "objection_upheld_reject"
    assert AuditEvent.objects.filter(action="petition.objection_upheld_reject").count() == 1
    # Answered again: this time by reopening, which needs no leader (the new result will).
    objections.objection_answer(
        actor=office, report=report, outcome="reopened", answer="异议有理，重新办理。", version=report.version
    )
    assert fresh(closed).state == PetitionState.ACCEPTED
    assert PetitionObjection.objects.get(pk=objection.pk).outcome == "reopened"


def test_an_objection_answer_waiting_on_the_leader_reminds_the_leader_not_the_holder(
    tree, office, closed, monkeypatch
):
    from jijian.core.models import Notification
    from jijian.petitions.deadlines.reminders import deadline_reminders_send

    _record(office, closed)
    objections.objection_answer(
        actor=office, report=closed, outcome="upheld", answer="维持。", version=fresh(closed).version
    )
    limit = PetitionDeadline.objects.get(kind=DeadlineKind.OBJECTION_ANSWER)
    set_today(monkeypatch, limit.due_date + date.resolution)  # overdue while the leader has not decided
    deadline_reminders_send()
    leader = leader_of(closed.holder)
    [asked] = Notification.objects.filter(recipient=leader, title__contains="答复举报人异议")
    assert asked.title.startswith("【已逾期】") and "待您审批" in asked.title
    assert "承办单位已报批“异议答复（维持原结论）”" in asked.body
    assert not Notification.objects.filter(recipient=office, title__contains="答复举报人异议").exists()


def test_a_leader_outside_the_holders_jurisdiction_cannot_see_or_decide_the_uphold(tree, office, closed):
    from jijian.petitions.access import approvals_pending_for

    _record(office, closed)
    objections.objection_answer(
        actor=office, report=closed, outcome="upheld", answer="维持。", version=fresh(closed).version
    )
    approval = fresh(closed).approvals.get(kind=ApprovalKind.OBJECTION_UPHELD)
    stranger = leader_of(tree.other_county)
    client = _as(stranger)
    response = client.post(
        reverse("petitions_staff:approval_decide", args=[closed.pk, approval.pk]),
        {"version": fresh(closed).version, "decision": "approve", "note": ""},
    )
    assert response.status_code == 404
    assert closed.serial_number not in client.get(reverse("petitions_staff:approvals")).content.decode()
    assert PetitionApproval.objects.get(pk=approval.pk).state == "pending"
    assert not approvals_pending_for(stranger).exists()
    assert list(approvals_pending_for(leader_of(closed.holder))) == [approval]


def test_an_answer_needs_its_outcome_and_text(tree, office, closed):
    _record(office, closed)
    for kw, message in [
        ({"outcome": "", "answer": "x"}, "请选择答复结论"),
        ({"outcome": "upheld", "answer": ""}, "请填写答复内容"),
    ]:
        with pytest.raises(ValidationError, match=message):
            objections.objection_answer(actor=office, report=closed, version=fresh(closed).version, **kw)
    assert PetitionObjection.objects.get().is_open


def test_reopening_returns_the_report_to_accepted_and_a_new_result_needs_the_leader_again(
    tree, office, closed
):
    _record(office, closed)
    objections.objection_answer(
        actor=office,
        report=closed,
        outcome="reopened",
        answer="异议有理，重新办理。",
        version=fresh(closed).version,
    )
    report = fresh(closed)
    assert report.state == PetitionState.ACCEPTED
    assert (report.result, report.closed_at, report.result_notice, report.result_notified_on) == (
        "",
        None,
        "",
        None,
    )
    objection = PetitionObjection.objects.get()
    assert objection.objected_notice.startswith("经核实") and objection.objected_result.startswith(
        "内部办结报告"
    )
    last = report.transitions.last()
    assert (last.action, last.from_state, last.to_state) == ("objection_reopen", "closed", "accepted")
    assert PetitionDeadline.objects.filter(
        report=report, kind=DeadlineKind.CONCLUSION, met_at__isnull=True
    ).exists()
    # Closing again is a 办结 report for a leader: nothing closes it directly.
    report = services.petition_close(
        actor=office, report=report, result="重新核实后的结果", version=report.version
    )
    assert fresh(report).state == PetitionState.ACCEPTED
    assert report.approvals.filter(kind=ApprovalKind.CONCLUSION, state="pending").exists()
    report = close_approved_pending(report)
    assert report.state == PetitionState.CLOSED and report.result == "重新核实后的结果"
    # The new result is owed to the reporter and can be told; then objected to again only with new facts.
    assert PetitionDeadline.objects.filter(
        report=report, kind=DeadlineKind.RESULT_NOTICE, met_at__isnull=True
    ).exists()
    report = services.petition_result_notify(
        actor=office, report=report, text="重新办理结果", version=report.version
    )
    assert objections.may_object(report) and objections.needs_new_facts(report)


def close_approved_pending(report):
    from jijian.petitions.handling import conclusion

    approval = report.approvals.get(kind="conclusion", state="pending")
    conclusion.petition_approval_decide(
        actor=leader_of(report.holder),
        approval=approval,
        approve=True,
        note="",
        version=fresh(report).version,
    )
    return fresh(report)


# --- staff pages ----------------------------------------------------------------------------------
def test_the_report_page_records_and_answers_an_objection(tree, office, closed):
    client = _as(office)
    url = reverse("petitions_staff:detail", args=[closed.pk])
    assert "登记举报人异议" in client.get(url).content.decode()
    response = client.post(
        reverse("petitions_staff:objection", args=[closed.pk]),
        {"version": closed.version, "channel": "visit", "received_on": "2026-09-21", "text": "处理过轻"},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "处理过轻" in page and "来访" in page and "答复异议" in page and "登记举报人异议（" not in page
    answer_url = reverse("petitions_staff:objection_answer", args=[closed.pk])
    response = client.post(
        answer_url,
        {"version": fresh(closed).version, "outcome": "upheld", "answer": "维持原结论的理由"},
        follow=True,
    )
    page = response.content.decode()
    assert "维持原结论的答复已报领导审批，批准后告知举报人" in page  # the message after the post
    assert 'id="objection-uphold-pending"' in page and f'action="{answer_url}"' not in page
    assert (
        "，拟答复：维持原结论的理由" in page
        and 'href="#objections"' in page
        and "维持原结论待领导审批" in page
    )
    # The leader finds it in the approvals list and decides it on the report's page.
    lead = _as(leader_of(closed.holder))
    listing = lead.get(reverse("petitions_staff:approvals")).content.decode()
    assert "异议答复（维持原结论）" in listing and closed.serial_number in listing
    approval = fresh(closed).approvals.get(kind=ApprovalKind.OBJECTION_UPHELD)
    decide_url = reverse("petitions_staff:approval_decide", args=[closed.pk, approval.pk])
    assert f'action="{decide_url}"' in lead.get(url).content.decode()
    assert f'action="{decide_url}"' not in client.get(url).content.decode()
    response = lead.post(
        decide_url, {"version": fresh(closed).version, "decision": "approve", "note": ""}, follow=True
    )
    page = response.content.decode()
    assert "已批准维持原结论，答复已告知举报人" in page
    assert "维持原结论的理由" in page and "答复异议：维持原结论" in page
    assert 'id="objection-uphold-pending"' not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"channel": "", "received_on": "2026-09-21", "text": "x"}, "请选择异议的提出方式"),
        ({"channel": "letter", "received_on": "2026-09-21", "text": ""}, "请填写异议内容"),
        ({"channel": "letter", "received_on": "2026-13-01", "text": "x"}, "收到日期格式不正确"),
        ({"channel": "letter", "received_on": "2026-12-01", "text": "x"}, "收到日期不能晚于今天"),
        ({"channel": "letter", "received_on": "2026-09-21", "text": "x", "version": "1"}, "已被他人修改"),
    ],
)
def test_a_refused_objection_answers_400_with_the_message_and_saves_nothing(
    tree, office, closed, data, message
):
    response = _as(office).post(
        reverse("petitions_staff:objection", args=[closed.pk]), {"version": closed.version, **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PetitionObjection.objects.exists() and fresh(closed).version == closed.version


def test_a_refused_answer_answers_400_and_saves_nothing(tree, office, closed):
    _record(office, closed)
    response = _as(office).post(
        reverse("petitions_staff:objection_answer", args=[closed.pk]),
        {"version": fresh(closed).version, "outcome": "upheld", "answer": ""},
    )
    assert response.status_code == 400 and "请填写答复内容" in response.content.decode()
    assert PetitionObjection.objects.get().is_open


def test_an_overdue_answer_on_a_closed_report_is_urged_from_its_page(tree, office, closed, monkeypatch):
    from datetime import timedelta

    from jijian.petitions.models import PetitionUrging

    _record(office, closed)
    limit = PetitionDeadline.objects.get(kind=DeadlineKind.OBJECTION_ANSWER)
    set_today(monkeypatch, limit.due_date + timedelta(days=1))
    city = _as(officer("city_petition", tree.city))  # the petition office above the holder
    url = reverse("petitions_staff:detail", args=[closed.pk])
    urge_url = reverse("petitions_staff:urge", args=[closed.pk])
    page = city.get(url).content.decode()
    assert f'action="{urge_url}"' in page and "答复举报人异议" in page
    response = city.post(urge_url, {"deadline": limit.pk, "kind": "urge", "note": "请五日内答复举报人"})
    assert response.status_code == 302 and response["Location"].endswith("#urgings")
    urging = PetitionUrging.objects.get()
    assert (urging.deadline, urging.to_unit, fresh(closed).state) == (
        limit,
        closed.holder,
        PetitionState.CLOSED,
    )
    assert "请五日内答复举报人" in _as(office).get(url).content.decode()


def test_the_deadline_board_lists_the_answer_limit(tree, office, closed):
    _record(office, closed)
    board = _as(office).get(reverse("petitions_board:board")).content.decode()
    assert "答复举报人异议" in board


def test_an_outsider_gets_404_on_the_new_pages(tree, office, closed):
    outsider = make_user("po_other", tree.other_county, Role.PETITION_OFFICE)
    client = _as(outsider)
    for name in ("objection", "objection_answer"):
        response = client.post(
            reverse(f"petitions_staff:{name}", args=[closed.pk]), {"version": closed.version}
        )
        assert response.status_code == 404
    assert (
        client.post(
            reverse("api:petition_report_objection", args=[closed.pk]),
            {"channel": "letter", "received_on": "2026-09-21", "text": "x", "version": closed.version},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert not PetitionObjection.objects.exists()


# --- API ------------------------------------------------------------------------------------------
def test_the_api_records_answers_and_shows_objections(tree, office, closed):
    client = _as(office)
    response = client.post(
        reverse("api:petition_report_objection", args=[closed.pk]),
        {"channel": "phone", "received_on": "2026-09-21", "text": "不服", "version": closed.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    [o] = response.json()["objections"]
    assert (o["channel"], o["outcome"], o["recorded_by_name"]) == ("phone", "", office.full_name)
    again = client.post(
        reverse("api:petition_report_objection", args=[closed.pk]),
        {
            "channel": "phone",
            "received_on": "2026-09-21",
            "text": "不服",
            "version": response.json()["version"],
        },
        content_type="application/json",
    )
    assert again.status_code == 400 and "已有异议正在答复中" in again.json()["error"]["message"]
    stale = client.post(
        reverse("api:petition_report_objection_answer", args=[closed.pk]),
        {"outcome": "reopened", "answer": "重新办理", "version": closed.version},
        content_type="application/json",
    )
    assert stale.status_code == 409
    answered = client.post(
        reverse("api:petition_report_objection_answer", args=[closed.pk]),
        {"outcome": "reopened", "answer": "重新办理", "version": response.json()["version"]},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "accepted"
    assert answered.json()["objections"][0]["outcome"] == "reopened"


def test_the_api_sends_an_uphold_to_the_leader_and_shows_it_waiting(tree, office, closed):
    _record(office, closed)
    response = _as(office).post(
        reverse("api:petition_report_objection_answer", args=[closed.pk]),
        {"outcome": "upheld", "answer": "经复查维持", "version": fresh(closed).version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "closed" and body["objections"][0]["outcome"] == ""
    [waiting] = [a for a in body["approvals"] if a["kind"] == "objection_upheld"]
    assert (waiting["state"], waiting["text"]) == ("pending", "经复查维持")
    again = _as(office).post(
        reverse("api:petition_report_objection_answer", args=[closed.pk]),
        {"outcome": "reopened", "answer": "重新办理", "version": body["version"]},
        content_type="application/json",
    )
    assert again.status_code == 400 and "已报领导审批" in again.json()["error"]["message"]
    assert fresh(closed).state == PetitionState.CLOSED


# --- the reporter on the follow page --------------------------------------------------------------
def _online_closed(client, tree, monkeypatch, *, anonymous=False):
    set_today(monkeypatch, CLOSED_ON)
    data = real_name(tree) if not anonymous else {**real_name(tree), "is_anonymous": "1"}
    code = receipt_from(submit(client, data))
    from jijian.petitions.models import PetitionReport

    report = PetitionReport.objects.get()
    office = officer("po_online", report.holder)
    report = services.petition_route(
        actor=office, report=report, managing=report.holder, about_own_head=False, version=report.version
    )
    report = close_approved(office, fresh(report), result="内部：经查属实，承办人张某建议诫勉。")
    report = services.petition_result_notify(
        actor=office, report=report, text="您反映的问题经核实部分属实，已作处理。", version=report.version
    )
    client.post(reverse("petitions:follow"), {"code": code})
    return office, fresh(report)


def test_the_reporter_objects_on_the_follow_page_and_reads_the_answer_without_identities(
    client, tree, monkeypatch
):
    office, report = _online_closed(client, tree, monkeypatch)
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "对办理结果有异议" in page and "new_facts" not in page
    response = client.post(
        reverse("petitions:follow_objection"), {"version": report.version, "text": "处理太轻，我不认可。"}
    )
    assert response.status_code == 302
    objection = PetitionObjection.objects.get()
    assert (objection.channel, objection.recorded_by, objection.received_on) == ("online", None, CLOSED_ON)
    event = AuditEvent.objects.get(action="petition.objection")
    assert event.actor_id is None and event.ip_address == ""
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "处理太轻，我不认可。" in page and "办理机关正在答复" in page and "对办理结果有异议" not in page
    # A second one while it is open: refused with the message, nothing saved.
    response = client.post(
        reverse("petitions:follow_objection"), {"version": fresh(report).version, "text": "再提"}
    )
    assert response.status_code == 400 and "已有异议正在答复中" in response.content.decode()
    assert PetitionObjection.objects.count() == 1
    objections.objection_answer(
        actor=office,
        report=report,
        outcome="upheld",
        answer="经复查维持原结论。",
        version=fresh(report).version,
    )
    # Not shown before a leader approves it.
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "经复查维持原结论。" not in page and "办理机关正在答复" in page
    decide_uphold(fresh(report))
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "经复查维持原结论。" in page and "维持原结论" in page
    # Never the reporter's identity, the staff's names or the body's internal result.
    for secret in ("李举报", "13800138000", "138****8000", office.full_name, "内部：经查属实", "张某"):
        assert secret not in page
    # A new objection now needs new facts: the form asks for them.
    assert 'name="new_facts"' in page
    response = client.post(
        reverse("petitions:follow_objection"), {"version": fresh(report).version, "text": "仍不服"}
    )
    assert response.status_code == 400 and "须说明新的事实或理由" in response.content.decode()
    assert PetitionObjection.objects.count() == 1


def test_a_bad_online_objection_answers_400_and_saves_nothing(client, tree, monkeypatch):
    _office, report = _online_closed(client, tree, monkeypatch)
    response = client.post(reverse("petitions:follow_objection"), {"version": report.version, "text": ""})
    assert response.status_code == 400 and "请填写异议内容" in response.content.decode()
    stale = client.post(
        reverse("petitions:follow_objection"), {"version": report.version - 1, "text": "不服"}
    )
    assert stale.status_code == 400
    assert not PetitionObjection.objects.exists()


def test_an_anonymous_reporter_is_offered_no_objection_and_cannot_post_one(client, tree, monkeypatch):
    _office, report = _online_closed(client, tree, monkeypatch, anonymous=True)
    assert report.is_anonymous
    page = client.get(reverse("petitions:follow")).content.decode()
    assert "对办理结果有异议" not in page
    response = client.post(reverse("petitions:follow_objection"), {"version": report.version, "text": "不服"})
    assert response.status_code == 400
    assert not PetitionObjection.objects.exists()


def test_online_objections_are_rate_limited_like_the_other_posts(client, tree, monkeypatch, settings):
    settings.PETITION_SUBMIT_PER_MINUTE = 1
    _office, report = _online_closed(client, tree, monkeypatch)
    client.post(reverse("petitions:follow_objection"), {"version": report.version, "text": ""})
    response = client.post(reverse("petitions:follow_objection"), {"version": report.version, "text": "不服"})
    assert response.status_code == 429 and response.has_header("Retry-After")
    assert not PetitionObjection.objects.exists()


def test_without_a_follow_session_the_post_goes_back_to_the_lookup(client, tree):
    response = client.post(reverse("petitions:follow_objection"), {"version": 1, "text": "不服"})
    assert response.status_code == 302 and response["Location"] == reverse("petitions:follow")
    assert not PetitionObjection.objects.exists()


def test_an_open_objection_waits_on_the_holders_home_page_until_answered(tree, office, closed):
    from jijian.core.todos import todos_for
    from jijian.petitions.models import ObjectionOutcome

    def waiting(user) -> int:
        return {t["title"]: t["count"] for t in todos_for(user)}.get("待答复的举报人异议", 0)

    objection = _record(office, closed)
    assert waiting(office) == 1
    assert waiting(officer("other_petition", tree.other_county)) == 0
    page = _as(office).get(reverse("core:home")).content.decode()
    assert "待答复的举报人异议" in page and "?kind=objection_answer" in page
    objections.objection_answer(
        actor=office,
        report=fresh(closed),
        version=fresh(closed).version,
        outcome=ObjectionOutcome.UPHELD,
        answer="经复核，原处理结论适当。",
    )
    # Its answer waits on the leader now: off the holder's list, on the leader's.
    leader = leader_of(closed.holder)

    def approvals(user) -> int:
        return {t["title"]: t["count"] for t in todos_for(user)}.get("待审批的办理事项", 0)

    assert waiting(office) == 0 and approvals(leader) == 1
    decide_uphold(fresh(closed))
    assert not PetitionObjection.objects.filter(pk=objection.pk, outcome=ObjectionOutcome.PENDING).exists()
    assert waiting(office) == 0 and approvals(leader) == 0
