"""After acceptance (issue 16, item 16): an approved extension of the three-month conclusion limit,
the leader's approval of the 办结 report (a rejection returns it with the reason), and 催办/督办 of
overdue limits, recorded on the report and marked on the deadline board. Each view answers 404 to
those outside it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.models import Notification
from jijian.core.roles import Role
from jijian.petitions import services
from jijian.petitions.deadlines.limits import conclusion_due, extension_latest
from jijian.petitions.deadlines.reminders import deadline_reminders_send
from jijian.petitions.handling import conclusion
from jijian.petitions.models import (
    ApprovalKind,
    ApprovalState,
    DeadlineKind,
    PetitionDeadline,
    PetitionState,
    PetitionUrging,
)
from tests.conftest import make_user, sign_in
from tests.petitions.triage_helpers import fresh, leader_of, officer, register, set_today

pytestmark = pytest.mark.django_db

ACCEPTED_ON = date(2026, 7, 6)  # a Monday


@pytest.fixture
def office(tree):
    return officer("county_petition", tree.county)


@pytest.fixture
def boss(tree):
    return leader_of(tree.county)


@pytest.fixture
def accepted(tree, office, monkeypatch):
    set_today(monkeypatch, ACCEPTED_ON)
    report = register(office, tree.township_a)
    return services.petition_route(
        actor=office, report=report, managing=tree.county, about_own_head=False, version=report.version
    )


def _limit(report) -> PetitionDeadline:
    return PetitionDeadline.objects.get(report=report, kind=DeadlineKind.CONCLUSION)


def _as(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _titles(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# --- extension of the conclusion limit -------------------------------------------------------------
def test_an_extension_asked_with_a_reason_and_approved_by_a_leader_moves_the_limit(
    tree, office, boss, accepted, monkeypatch, django_capture_on_commit_callbacks
):
    due = _limit(accepted).due_date
    assert due == conclusion_due(ACCEPTED_ON)
    new_due = due + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        approval = conclusion.petition_extension_request(
            actor=office, report=fresh(accepted), new_due_date=new_due, reason="需调取银行流水", version=2
        )
    assert approval.state == ApprovalState.PENDING and approval.old_due_date == due
    assert _limit(accepted).due_date == due  # nothing moves before the leader decides
    [asked] = Notification.objects.filter(recipient=boss)
    assert "申请延长办结期限" in asked.title and asked.link == f"/petitions/{accepted.pk}/#approvals"
    # The one who asked cannot decide, nor can the petition office.
    with pytest.raises(PermissionDenied):
        conclusion.petition_approval_decide(
            actor=office, approval=approval, approve=True, note="", version=fresh(accepted).version
        )
    with django_capture_on_commit_callbacks(execute=True):
        conclusion.petition_approval_decide(
            actor=boss, approval=approval, approve=True, note="同意", version=fresh(accepted).version
        )
    limit = _limit(accepted)
    assert (limit.due_date, limit.extended_from, limit.met_at) == (new_due, due, None)
    assert f"办结期限已延长至 {new_due:%Y-%m-%d}" in _titles(office)[-1]
    events = AuditEvent.objects.filter(action__startswith="petition.extension_").order_by("pk")
    assert [e.action for e in events] == ["petition.extension_request", "petition.extension_approve"]
    assert events[1].actor_id == boss.pk and events[1].after["due_date"] == f"{new_due:%Y-%m-%d}"
    actions = list(fresh(accepted).transitions.values_list("action", flat=True))
    assert actions[-2:] == ["extension_request", "extension_approve"]
    # The board and the report page show the new limit with the old one.
    board = _as(office).get(reverse("petitions_board:board")).content.decode()
    assert f"{new_due:%Y-%m-%d}" in board and f"已延期，原 {due:%Y-%m-%d}" in board
    page = _as(office).get(reverse("petitions_staff:detail", args=[accepted.pk])).content.decode()
    assert f"经批准延长，原期限 {due:%Y-%m-%d}" in page


def test_an_extended_limit_is_reminded_again_with_its_new_date(tree, office, boss, accepted, monkeypatch):
    due = _limit(accepted).due_date
    set_today(monkeypatch, due + timedelta(days=1))
    deadline_reminders_send()
    reminded = Notification.objects.filter(recipient=office, title__contains="办结期限").count()
    assert reminded == 1
    new_due = due + timedelta(days=40)
    approval = conclusion.petition_extension_request(
        actor=office, report=fresh(accepted), new_due_date=new_due, reason="案情复杂", version=2
    )
    conclusion.petition_approval_decide(
        actor=boss, approval=approval, approve=True, note="", version=fresh(accepted).version
    )
    set_today(monkeypatch, new_due + timedelta(days=1))
    deadline_reminders_send()
    latest = Notification.objects.filter(recipient=office, title__contains="办结期限").order_by("-pk").first()
    assert reminded + 1 == Notification.objects.filter(recipient=office, title__contains="办结期限").count()
    assert f"{new_due:%Y-%m-%d}" in latest.body and f"原期限 {due:%Y-%m-%d}" in latest.body


def test_an_extension_needs_a_reason_a_later_date_within_three_months_and_a_rejection_its_reason(
    tree, office, boss, accepted
):
    due = _limit(accepted).due_date
    v = fresh(accepted).version
    ask = conclusion.petition_extension_request
    with pytest.raises(ValidationError, match="理由"):
        ask(actor=office, report=fresh(accepted), new_due_date=due + timedelta(days=9), reason=" ", version=v)
    with pytest.raises(ValidationError, match="须晚于现期限"):
        ask(actor=office, report=fresh(accepted), new_due_date=due, reason="复杂", version=v)
    with pytest.raises(ValidationError, match="累计不得超过三个月"):
        ask(
            actor=office,
            report=fresh(accepted),
            new_due_date=extension_latest(due) + timedelta(days=1),
            reason="复杂",
            version=v,
        )
    approval = ask(
        actor=office, report=fresh(accepted), new_due_date=extension_latest(due), reason="复杂", version=v
    )
    with pytest.raises(ValidationError, match="待领导审批"):
        ask(
            actor=office,
            report=fresh(accepted),
            new_due_date=due + timedelta(days=5),
            reason="复杂",
            version=fresh(accepted).version,
        )
    with pytest.raises(ValidationError, match="退回须写明理由"):
        conclusion.petition_approval_decide(
            actor=boss, approval=approval, approve=False, note="", version=fresh(accepted).version
        )
    conclusion.petition_approval_decide(
        actor=boss,
        approval=approval,
        approve=False,
        note="证据已足，按期办结",
        version=fresh(accepted).version,
    )
    assert _limit(accepted).due_date == due and _limit(accepted).extended_from is None
    assert fresh(accepted).approvals.get().state == ApprovalState.REJECTED


# --- the leader's approval of the 办结 report -------------------------------------------------------
def test_a_conclusion_is_closed_only_once_a_leader_approves_and_a_rejection_returns_it(
    tree, office, boss, accepted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.petition_close(actor=office, report=fresh(accepted), result="初步结果", version=2)
    assert report.state == PetitionState.ACCEPTED and report.closed_at is None
    assert _limit(accepted).met_at is None
    first = report.approvals.get(kind=ApprovalKind.CONCLUSION)
    assert "办结报告待您审批" in _titles(boss)[-1]
    with pytest.raises(ValidationError, match="已报领导审批"):
        services.petition_close(
            actor=office, report=fresh(accepted), result="又一份", version=fresh(accepted).version
        )
    with django_capture_on_commit_callbacks(execute=True):
        conclusion.petition_approval_decide(
            actor=boss,
            approval=first,
            approve=False,
            note="未核实补贴发放名单",
            version=fresh(accepted).version,
        )
    report = fresh(accepted)
    assert report.state == PetitionState.ACCEPTED and not report.result
    assert "办结报告被退回" in _titles(office)[-1]
    assert Notification.objects.filter(recipient=office, body__contains="未核实补贴发放名单").exists()
    assert report.transitions.last().action == "close_reject"
    # Filed again (with an extension asked meanwhile), approved: closed, the limit met, the result
    # notice owed, and the extension has nothing left to extend.
    conclusion.petition_extension_request(
        actor=office,
        report=report,
        new_due_date=_limit(accepted).due_date + timedelta(days=10),
        reason="等待函询回复",
        version=report.version,
    )
    report = fresh(accepted)
    services.petition_close(actor=office, report=report, result="经核实，给予诫勉", version=report.version)
    second = fresh(accepted).approvals.get(state=ApprovalState.PENDING, kind=ApprovalKind.CONCLUSION)
    conclusion.petition_approval_decide(
        actor=boss, approval=second, approve=True, note="", version=fresh(accepted).version
    )
    report = fresh(accepted)
    assert report.state == PetitionState.CLOSED and report.result == "经核实，给予诫勉"
    assert _limit(accepted).met_at is not None
    assert report.deadlines.filter(kind=DeadlineKind.RESULT_NOTICE, met_at__isnull=True).exists()
    extension = report.approvals.get(kind=ApprovalKind.EXTENSION)
    assert extension.state == ApprovalState.REJECTED and extension.decision_note == "该件已办结，无需延长"
    close = report.transitions.get(action="close")
    assert close.actor_id == boss.pk
    assert AuditEvent.objects.filter(action="petition.close", actor=boss).exists()


def test_a_leader_cannot_approve_their_own_conclusion(tree, boss, accepted):
    report = services.petition_close(actor=boss, report=fresh(accepted), result="结果", version=2)
    with pytest.raises(ValidationError, match="不能审批本人"):
        conclusion.petition_approval_decide(
            actor=boss, approval=report.approvals.get(), approve=True, note="", version=report.version
        )
    assert fresh(accepted).state == PetitionState.ACCEPTED


def test_the_pages_file_and_decide_the_conclusion(tree, office, boss, accepted):
    detail = reverse("petitions_staff:detail", args=[accepted.pk])
    county = _as(office)
    county.post(reverse("petitions_staff:close", args=[accepted.pk]), {"version": 2, "result": "给予诫勉"})
    page = county.get(detail).content.decode()
    assert (
        "办结报告" in page
        and "待领导审批" in page
        and f'action="/petitions/{accepted.pk}/close/"' not in page
    )
    assert "提交办结报告，报领导审批" in page  # the step in the report's history
    leader = _as(boss)
    listing = leader.get(reverse("petitions_staff:approvals")).content.decode()
    assert accepted.serial_number in listing and "给予诫勉" in listing
    approval = fresh(accepted).approvals.get()
    decide = reverse("petitions_staff:approval_decide", args=[accepted.pk, approval.pk])
    assert f'action="{decide}"' in leader.get(detail).content.decode()
    assert f'action="{decide}"' not in page  # the one who filed it is offered no decision
    refused = leader.post(decide, {"version": fresh(accepted).version, "decision": "reject"}, follow=True)
    assert "退回须写明理由" in refused.content.decode()
    leader.post(decide, {"version": fresh(accepted).version, "decision": "approve"})
    assert fresh(accepted).state == PetitionState.CLOSED


def test_a_limit_waiting_on_the_leader_is_marked_on_the_board_and_reminds_the_leader_not_the_holder(
    tree, office, boss, accepted, monkeypatch
):
    import csv
    import io

    services.petition_close(actor=office, report=fresh(accepted), result="经核实，给予诫勉", version=2)
    limit = _limit(accepted)
    set_today(monkeypatch, limit.due_date - timedelta(days=1))  # yellow: due within the warning days
    deadline_reminders_send()
    [asked] = Notification.objects.filter(recipient=boss, title__contains="办结期限")
    assert asked.title.startswith("【临近到期】") and asked.title.endswith("待您审批")
    assert "承办单位已报批“办结报告”，请尽快审批" in asked.body
    assert asked.link == f"/petitions/{accepted.pk}/#approvals"
    assert not Notification.objects.filter(recipient=office, title__contains="办结期限").exists()
    # The board (the county's office) marks the row, linked to the approval; so does the export.
    county = _as(office)
    board = county.get(reverse("petitions_board:board")).content.decode()
    row = board[board.index(f'id="deadline-{limit.pk}"') :].split("</tr>", 1)[0]
    assert f'href="/petitions/{accepted.pk}/#approvals"' in row and "待领导审批</a>" in row
    export = b"".join(county.get(reverse("petitions_board:board_export")).streaming_content)
    lines = list(csv.reader(io.StringIO(export.decode("utf-8-sig"))))
    assert lines[0][-1] == "领导审批"
    [mark] = [line[-1] for line in lines[1:] if line[3] == str(DeadlineKind.CONCLUSION.label)]
    assert mark == "待领导审批"
    # The report page's table of limits and the API's say so too.
    page = county.get(reverse("petitions_staff:detail", args=[accepted.pk])).content.decode()
    assert 'href="#approvals" title="承办单位已报批，待领导审批后期限才算完成">待领导审批</a>' in page
    limits = county.get(reverse("api:petition_report_deadlines", args=[accepted.pk])).json()
    assert {d["kind"]: d["awaiting_leader"] for d in limits}[DeadlineKind.CONCLUSION] is True
    # Returned: the limit is the holder's again, unmarked, and its red reminder goes to the office.
    conclusion.petition_approval_decide(
        actor=boss,
        approval=fresh(accepted).approvals.get(),
        approve=False,
        note="未核实补贴发放名单",
        version=fresh(accepted).version,
    )
    row = county.get(reverse("petitions_board:board")).content.decode()
    row = row[row.index(f'id="deadline-{limit.pk}"') :].split("</tr>", 1)[0]
    assert "待领导审批" not in row
    set_today(monkeypatch, limit.due_date + timedelta(days=1))
    deadline_reminders_send()
    [overdue] = Notification.objects.filter(recipient=office, title__contains="办结期限")
    assert overdue.title.startswith("【已逾期】") and overdue.body.endswith("请立即办理。")
    assert "待您审批" not in overdue.title


def test_a_township_limit_waiting_on_a_leader_reminds_the_leaders_of_the_county_above(tree, monkeypatch):
    set_today(monkeypatch, ACCEPTED_ON)
    county_leader = leader_of(tree.township_a)  # a township has no leader: the county's decide
    township = officer("tw_a", tree.township_a, Role.TOWNSHIP_COMMITTEE)
    report = register(township, tree.township_a)
    report = services.petition_route(
        actor=township, report=report, managing=tree.township_a, about_own_head=False, version=report.version
    )
    assert report.holder_id == tree.township_a.pk
    services.petition_close(
        actor=township, report=fresh(report), result="结果", version=fresh(report).version
    )
    limit = _limit(report)
    set_today(monkeypatch, limit.due_date + timedelta(days=1))
    deadline_reminders_send()
    assert county_leader.org_unit_id == tree.county.pk
    [asked] = Notification.objects.filter(recipient=county_leader, title__contains="办结期限")
    assert asked.title.startswith("【已逾期】") and asked.title.endswith("待您审批")
    assert not Notification.objects.filter(recipient=township, title__contains="办结期限").exists()


# --- 催办/督办 ------------------------------------------------------------------------------------
def test_an_overdue_limit_is_urged_then_supervised_recorded_linked_and_marked_on_the_board(
    tree, office, accepted, monkeypatch, django_capture_on_commit_callbacks
):
    # Forwarded down to township A: the county petition office supervises the township.
    township = make_user("committee_a", tree.township_a, Role.TOWNSHIP_COMMITTEE)
    report = register(office, tree.township_a, accused_name="张某")
    report = services.petition_route(
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    forward = report.forwards.get()
    services.petition_forward_answer(actor=township, forward=forward, answer="accepted")
    limit = _limit(report)
    urge = conclusion.petition_urge
    with pytest.raises(ValidationError, match="尚未逾期"):
        urge(actor=office, report=fresh(report), deadline=limit, kind="urge", note="")
    set_today(monkeypatch, limit.due_date + timedelta(days=3))
    with pytest.raises(ValidationError, match="请先催办"):
        urge(actor=office, report=fresh(report), deadline=limit, kind="supervise", note="十日内办结")
    with django_capture_on_commit_callbacks(execute=True):
        urge(actor=office, report=fresh(report), deadline=limit, kind="urge", note="")
    [notice] = Notification.objects.filter(recipient=township)
    assert notice.title.startswith("【催办】") and notice.link == f"/petitions/{report.pk}/#urgings"
    assert _limit(report).escalation == "urge"
    with pytest.raises(ValidationError, match="督办须写明"):
        urge(actor=office, report=fresh(report), deadline=limit, kind="supervise", note="")
    county_leader = leader_of(tree.township_a)  # a township's leaders are the county's
    with django_capture_on_commit_callbacks(execute=True):
        urge(actor=office, report=fresh(report), deadline=limit, kind="supervise", note="十日内办结并报告")
    assert _limit(report).escalation == "supervise"
    assert Notification.objects.filter(recipient=county_leader, title__startswith="【督办】").exists()
    urgings = PetitionUrging.objects.filter(report=report)
    assert [(u.kind, u.from_unit_id, u.to_unit_id) for u in urgings] == [
        ("urge", tree.county.pk, tree.township_a.pk),
        ("supervise", tree.county.pk, tree.township_a.pk),
    ]
    assert [
        e.action
        for e in AuditEvent.objects.filter(action__in=("petition.urge", "petition.supervise")).order_by("pk")
    ] == [
        "petition.urge",
        "petition.supervise",
    ]
    # On the board (both the county and the township see it) and on the report page, with links.
    board = _as(office).get(reverse("petitions_board:board") + "?colour=red").content.decode()
    assert f'href="/petitions/{report.pk}/#urgings">已督办</a>' in board
    page = _as(township).get(reverse("petitions_staff:detail", args=[report.pk])).content.decode()
    assert 'id="urgings"' in page and "十日内办结并报告" in page
    assert f'action="/petitions/{report.pk}/urge/"' not in page  # the township does not urge
    export = b"".join(_as(office).get(reverse("petitions_board:board_export")).streaming_content).decode()
    assert "已督办" in export


def test_the_urge_page_form_sends_and_refuses_in_chinese(tree, office, accepted, monkeypatch):
    limit = _limit(accepted)
    set_today(monkeypatch, limit.due_date + timedelta(days=1))
    client = _as(office)
    url = reverse("petitions_staff:urge", args=[accepted.pk])
    refused = client.post(
        url, {"deadline": limit.pk, "kind": "supervise", "note": "限期办结"}, follow=True
    ).content.decode()
    assert "请先催办" in refused
    response = client.post(url, {"deadline": limit.pk, "kind": "urge", "note": "请本周内报告进展"})
    assert response.status_code == 302 and response["Location"].endswith("#urgings")
    assert PetitionUrging.objects.get().note == "请本周内报告进展"


# --- outsiders: 404 -------------------------------------------------------------------------------
def test_every_new_view_is_404_outside_the_jurisdiction_or_role(tree, office, accepted, monkeypatch):
    other_leader = leader_of(tree.other_county)
    other_office = officer("po_other", tree.other_county)
    report = services.petition_close(actor=office, report=fresh(accepted), result="结果", version=2)
    approval = report.approvals.get()
    set_today(monkeypatch, _limit(accepted).due_date + timedelta(days=1))
    urls = {
        "extension": reverse("petitions_staff:extension_request", args=[accepted.pk]),
        "decide": reverse("petitions_staff:approval_decide", args=[accepted.pk, approval.pk]),
        "urge": reverse("petitions_staff:urge", args=[accepted.pk]),
    }
    for user in (other_leader, other_office):
        client = _as(user)
        for url in urls.values():
            assert (
                client.post(
                    url, {"version": report.version, "decision": "approve", "kind": "urge"}
                ).status_code
                == 404
            )
        assert "结果" not in client.get(reverse("petitions_staff:approvals")).content.decode()
    # The other county's leader sees an empty list; a petition office has no list at all.
    assert _as(other_leader).get(reverse("petitions_staff:approvals")).status_code == 200
    assert _as(other_office).get(reverse("petitions_staff:approvals")).status_code == 404
    # The approval of another report is not reachable through this one.
    other_report = register(other_office, tree.township_c)
    wrong = reverse("petitions_staff:approval_decide", args=[other_report.pk, approval.pk])
    assert _as(other_leader).post(wrong, {"version": 1, "decision": "approve"}).status_code == 404
    assert fresh(accepted).state == PetitionState.ACCEPTED and not PetitionUrging.objects.exists()
    assert fresh(accepted).approvals.get().state == ApprovalState.PENDING


# --- the API: extension, the leaders' list and decision, 催办/督办 -----------------------------------
def _post(user, name: str, args: list, data: dict):
    return _as(user).post(reverse(name, args=args), data, content_type="application/json")


def _message(response) -> str:
    return response.json()["error"]["message"]


def test_the_api_asks_an_extension_and_the_leader_lists_and_decides_it(tree, office, boss, accepted):
    due = _limit(accepted).due_date
    new_due = due + timedelta(days=20)
    args = [accepted.pk]
    too_late = _post(
        office,
        "api:petition_report_extension",
        args,
        {
            "new_due_date": f"{extension_latest(due) + timedelta(days=1):%Y-%m-%d}",
            "reason": "复杂",
            "version": 2,
        },
    )
    assert too_late.status_code == 400 and "不得超过三个月" in _message(too_late)
    asked = _post(
        office,
        "api:petition_report_extension",
        args,
        {"new_due_date": f"{new_due:%Y-%m-%d}", "reason": "需调取银行流水", "version": 2},
    )
    assert asked.status_code == 200, asked.content
    [approval] = asked.json()["approvals"]
    assert (approval["kind_display"], approval["state_display"]) == ("延长办结期限", "待领导审批")
    assert (approval["kind"], approval["state"], approval["new_due_date"]) == (
        "extension",
        "pending",
        f"{new_due:%Y-%m-%d}",
    )
    # Only a leader has the list and the decision; the petition office gets 404 on both.
    listing = _as(boss).get(reverse("api:petition_approvals_pending"))
    assert listing.status_code == 200
    [item] = listing.json()["items"]
    assert (item["kind_display"], item["report_state"]) == ("延长办结期限", "accepted")
    assert item["limit_due"] == f"{due:%Y-%m-%d}"  # the limit the extension would move
    assert (item["id"], item["serial_number"], item["holder_name"], item["requested_by_name"]) == (
        approval["id"],
        accepted.serial_number,
        tree.county.name,
        office.full_name,
    )
    assert _as(office).get(reverse("api:petition_approvals_pending")).status_code == 404
    decide = [accepted.pk, approval["id"]]
    version = asked.json()["version"]
    assert (
        _post(
            office, "api:petition_approval_decide", decide, {"decision": "approve", "version": version}
        ).status_code
        == 404
    )
    bad = _post(boss, "api:petition_approval_decide", decide, {"decision": "yes", "version": version})
    assert bad.status_code == 400 and _message(bad) == "请选择批准或退回"
    no_reason = _post(
        boss, "api:petition_approval_decide", decide, {"decision": "reject", "version": version}
    )
    assert no_reason.status_code == 400 and _message(no_reason) == "退回须写明理由"
    stale = _post(
        boss, "api:petition_approval_decide", decide, {"decision": "approve", "version": version - 1}
    )
    assert stale.status_code == 409
    assert _limit(accepted).due_date == due  # nothing refused changed anything
    done = _post(
        boss,
        "api:petition_approval_decide",
        decide,
        {"decision": "approve", "note": "同意", "version": version},
    )
    assert done.status_code == 200, done.content
    assert done.json()["approvals"][0]["state"] == "approved" and _limit(accepted).due_date == new_due
    assert _as(boss).get(reverse("api:petition_approvals_pending")).json()["items"] == []


def test_the_api_decision_is_404_to_a_leader_outside_and_their_list_is_empty(tree, office, accepted):
    report = services.petition_close(actor=office, report=fresh(accepted), result="结果", version=2)
    approval = report.approvals.get()
    other = leader_of(tree.other_county)
    assert _as(other).get(reverse("api:petition_approvals_pending")).json()["items"] == []
    response = _post(
        other,
        "api:petition_approval_decide",
        [accepted.pk, approval.pk],
        {"decision": "approve", "version": 3},
    )
    assert response.status_code == 404
    # Another report's approval is not reachable through a report the leader does see.
    own = register(officer("po_other", tree.other_county), tree.township_c)
    response = _post(
        other, "api:petition_approval_decide", [own.pk, approval.pk], {"decision": "approve", "version": 1}
    )
    assert response.status_code == 404
    assert fresh(accepted).approvals.get().state == ApprovalState.PENDING


def test_the_api_urges_an_overdue_limit_and_refuses_in_chinese(tree, office, accepted, monkeypatch):
    limit = _limit(accepted)
    args = [accepted.pk]
    early = _post(office, "api:petition_report_urge", args, {"deadline_id": limit.pk, "kind": "urge"})
    assert early.status_code == 400 and "未逾期" in _message(early)
    set_today(monkeypatch, limit.due_date + timedelta(days=1))
    supervise_first = _post(
        office,
        "api:petition_report_urge",
        args,
        {"deadline_id": limit.pk, "kind": "supervise", "note": "限期"},
    )
    assert supervise_first.status_code == 400 and "请先催办" in _message(supervise_first)
    assert not PetitionUrging.objects.exists()
    sent = _post(
        office,
        "api:petition_report_urge",
        args,
        {"deadline_id": limit.pk, "kind": "urge", "note": "本周内报告"},
    )
    assert sent.status_code == 201, sent.content
    assert (sent.json()["kind"], sent.json()["deadline_id"], sent.json()["note"]) == (
        "urge",
        limit.pk,
        "本周内报告",
    )
    assert PetitionUrging.objects.get().sent_by_id == office.pk
    # Outside the jurisdiction, or a role that does not urge: 404, nothing sent.
    for user in (
        officer("po_other", tree.other_county),
        make_user("tw_a", tree.township_a, Role.TOWNSHIP_COMMITTEE),
    ):
        response = _post(user, "api:petition_report_urge", args, {"deadline_id": limit.pk, "kind": "urge"})
        assert response.status_code == 404
    assert PetitionUrging.objects.count() == 1


def test_the_migration_marks_the_limits_of_approvals_already_pending(tree, office, accepted):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("jijian.petitions.migrations.0018_deadline_awaiting_leader")
    services.petition_close(actor=office, report=fresh(accepted), result="结果", version=2)
    PetitionDeadline.objects.update(awaiting_leader=False)  # as the rows were before the field came
    migration.mark_pending(apps, None)
    marked = set(PetitionDeadline.objects.filter(awaiting_leader=True).values_list("report_id", "kind"))
    assert marked == {(accepted.pk, DeadlineKind.CONCLUSION)}


def test_the_leaders_list_shows_the_limit_each_request_holds_up(tree, office, boss, accepted, monkeypatch):
    due = _limit(accepted).due_date
    conclusion.petition_extension_request(
        actor=office, report=fresh(accepted), new_due_date=due + timedelta(days=9), reason="复杂", version=2
    )
    services.petition_close(
        actor=office, report=fresh(accepted), result="结果", version=fresh(accepted).version
    )
    listing = _as(boss).get(reverse("petitions_staff:approvals")).content.decode()
    cells = re.findall(r'<td class="limit-due"[^>]*>(.*?)</td>', listing)
    assert cells == [f"{due:%Y-%m-%d} 到期"] * 2  # the extension's current limit; the 办结 report's limit
    set_today(monkeypatch, due + timedelta(days=1))
    listing = _as(boss).get(reverse("petitions_staff:approvals")).content.decode()
    assert listing.count(f'<strong class="overdue">{due:%Y-%m-%d} 已逾期</strong>') == 2
