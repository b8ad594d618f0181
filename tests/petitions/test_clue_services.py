"""The clue state machine (clues.py): registration from each source, propose -> approve / reject, the
letter reply, hold and reopen, close and transfer only through an approval, the signatures, the
time limits, and every refusal leaving the clue as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.core.models import Notification
from jijian.core.orgs.workdays import add_working_days
from jijian.core.roles import Role
from jijian.core.services import ConcurrentEditError
from jijian.petitions import services
from jijian.petitions.clues import services as clues
from jijian.petitions.clues.forms import RegisterForm
from jijian.petitions.models import (
    Clue,
    ClueSource,
    ClueState,
    ClueStep,
    DeadlineKind,
    Form,
    PetitionDeadline,
    PetitionState,
)
from tests.conftest import make_user
from tests.petitions.authz_entries_clues import accepted_report, case_manager, leader, registered_clue
from tests.petitions.triage_helpers import close_approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(tree):
    """The county's case management office and two commission leaders."""

    class Staff:
        cm = case_manager(tree.county, "cm")
        boss = leader(tree.county, "boss")
        deputy = leader(tree.county, "deputy")

    return Staff


def _propose(actor, clue, disposal, **kw):
    return clues.clue_propose(
        actor=actor,
        clue=clue,
        disposal=disposal,
        note=kw.pop("note", "依据初步了解的情况提出"),
        version=clue.version,
        endorse=kw.pop("endorse", True),
        **kw,
    )


def _approve(actor, clue, **kw):
    return clues.clue_approve(actor=actor, clue=clue, version=clue.version, endorse=True, **kw)


def _fresh(clue) -> Clue:
    return Clue.objects.get(pk=clue.pk)


def _open_deadlines(clue, kind):
    return PetitionDeadline.objects.filter(clue=clue, kind=kind, met_at__isnull=True)


# --- registration ---------------------------------------------------------------------------------
def test_a_clue_from_an_accepted_report_is_numbered_signed_and_audited(tree, county):
    report = accepted_report(tree.county, tree.township_a)
    clue = clues.clue_register(actor=county.cm, source=ClueSource.PETITION, report=report, endorse=True)
    year = timezone.localdate().year
    assert clue.number == f"XS-421321-{year}-0001"
    assert clue.state == ClueState.REGISTERED and clue.holder == tree.county
    # The accused and the matter come from the report.
    assert (clue.accused_name, clue.accused_post, clue.matter) == ("王某", "村主任", "integrity")
    assert clue.summary == report.facts
    step = clue.steps.get()
    assert step.action == "register" and step.actor == county.cm
    assert len(step.endorsement_digest) == 64 and step.endorsement_statement == clues.STATEMENTS["register"]
    event = AuditEvent.objects.get(action="clue.register")
    assert event.object_id == str(clue.pk) and event.after["digest"] == step.endorsement_digest
    second = registered_clue(tree.county)
    assert second.number == f"XS-421321-{year}-0002"


@pytest.mark.parametrize("asked", [ClueSource.PETITION, ClueSource.SUPERVISION])
def test_the_source_follows_the_report(tree, county, asked):
    """A report found in supervision (a village risk flag, channel 日常监督发现) gives a clue of that
    source, never one counted as 信访举报; a report received from someone gives 信访举报 whatever the
    caller asked, and the form offers only that one."""
    found = accepted_report(tree.county, tree.township_a)
    found.channel = "supervision"
    found.save(update_fields=["channel"])
    received = accepted_report(tree.county, tree.township_a, accused_name="李某")
    from_flag = clues.clue_register(actor=county.cm, source=asked, report=found, endorse=True)
    from_letter = clues.clue_register(actor=county.cm, source=asked, report=received, endorse=True)
    assert (from_flag.source, from_flag.report_id) == (ClueSource.SUPERVISION, found.pk)
    assert (from_letter.source, from_letter.report_id) == (ClueSource.PETITION, received.pk)
    assert from_flag.get_source_display() == "日常监督发现"
    assert RegisterForm(report=found).fields["source"].choices == [("supervision", "日常监督发现")]
    assert RegisterForm(report=received).fields["source"].choices == [("petition", "信访举报")]


@pytest.mark.parametrize(
    "state",
    [PetitionState.RECEIVED, PetitionState.NOT_ACCEPTED, PetitionState.FORWARDED, PetitionState.CLOSED],
)
def test_a_report_that_is_not_accepted_cannot_become_a_clue(tree, county, state):
    report = accepted_report(tree.county, state=state)
    with pytest.raises(ValidationError, match="只有已受理的举报件"):
        clues.clue_register(actor=county.cm, source=ClueSource.PETITION, report=report, endorse=True)
    assert not Clue.objects.exists() and not ClueStep.objects.exists()


def test_a_report_outside_the_jurisdiction_cannot_become_a_clue(tree, county):
    report = accepted_report(tree.other_county)
    with pytest.raises(ValidationError, match="不在本机关管辖范围内"):
        clues.clue_register(actor=county.cm, source=ClueSource.PETITION, report=report, endorse=True)
    assert not Clue.objects.exists()


def test_only_the_case_management_office_registers(tree, people):
    with pytest.raises(ValidationError, match="案件监督管理室统一登记"):
        clues.clue_register(
            actor=people.township_a,
            source=ClueSource.SUPERVISION,
            accused_name="王某",
            summary="x",
            endorse=True,
        )
    assert not Clue.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accused_name": "", "summary": "x"}, "被反映人姓名"),
        ({"accused_name": "王某", "summary": "  "}, "主要问题"),
        ({"accused_name": "王某", "summary": "x", "endorse": False}, "签字背书"),
        ({"accused_name": "王某", "summary": "x", "source": ClueSource.OTHER_BODY}, "来源说明"),
        ({"accused_name": "王某", "summary": "x", "source": ClueSource.PETITION}, "来源举报件"),
        ({"accused_name": "王某", "summary": "x", "source": ClueSource.DUTY_RECORD}, "履职纪实"),
    ],
)
def test_registration_needs_its_facts(tree, county, kwargs, message):
    args = {"source": ClueSource.SUPERVISION, "endorse": True, **kwargs}
    with pytest.raises(ValidationError, match=message):
        clues.clue_register(actor=county.cm, **args)
    assert not Clue.objects.exists()


def _duty_record(member, year):
    from jijian.reports import services as report_services

    duty_type = report_services.duty_types_for(year).get(code=clues.CLUE_DUTY_TYPE)
    return report_services.duty_record_create(
        actor=member,
        duty_type=duty_type,
        occurred_on=timezone.localdate(),
        data={"matter": "村会计报销单据不全", "handed_to": "镇纪委"},
    )


def test_a_clue_from_a_village_members_duty_record(tree, people, county):
    record = _duty_record(people.member_a, timezone.localdate().year)
    assert list(clues.duty_records_for_clues(county.cm)) == [record]
    clue = clues.clue_register(
        actor=county.cm,
        source=ClueSource.DUTY_RECORD,
        duty_record=record,
        accused_name="赵会计",
        summary="村会计报销单据不全",
        endorse=True,
    )
    assert clue.duty_record_id == record.pk and clue.report is None
    # Another county's case management office does not see the record and cannot use it.
    other = case_manager(tree.other_county, "cm_other")
    assert not clues.duty_records_for_clues(other).exists()
    with pytest.raises(ValidationError, match="履职纪实不在本机关管辖范围内"):
        clues.clue_register(
            actor=other,
            source=ClueSource.DUTY_RECORD,
            duty_record=record,
            accused_name="赵会计",
            summary="x",
            endorse=True,
        )


# --- the disposal path ----------------------------------------------------------------------------
def test_talk_or_letter_then_close_with_every_step_approved(tree, county, django_capture_on_commit_callbacks):
    clue = registered_clue(tree.county)
    with django_capture_on_commit_callbacks(execute=True):
        clue = _propose(county.cm, clue, "talk_or_letter")
    assert clue.state == ClueState.PENDING_APPROVAL and clue.pending_from_state == ClueState.REGISTERED
    assert clue.disposal == ""  # nothing applies before the approval
    # Both leaders are asked to approve, once (dedup by step).
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"boss", "deputy"}

    with django_capture_on_commit_callbacks(execute=True):
        clue = _approve(county.boss, clue)
    assert clue.state == ClueState.TALK_OR_LETTER and clue.disposal == "talk_or_letter"
    assert Notification.objects.filter(recipient=county.cm, title__contains="已批准").count() == 1
    letter = _open_deadlines(clue, DeadlineKind.LETTER_REPLY).get()
    today = timezone.localdate()
    assert letter.due_date == add_working_days(today, 15) and letter.holder == tree.county

    # The next disposal waits for the reply.
    with pytest.raises(ValidationError, match="函询回复尚未登记"):
        _propose(county.cm, clue, "close")
    with pytest.raises(ValidationError, match="签字背书的被反映人所在单位主要负责人"):
        clues.clue_letter_reply(
            actor=county.cm,
            clue=clue,
            reply="已如实说明情况",
            endorser=" ",
            version=clue.version,
            endorse=True,
        )
    clue = clues.clue_letter_reply(
        actor=county.cm,
        clue=clue,
        reply="已如实说明情况",
        endorser="李某 神农村党支部书记",
        version=clue.version,
        endorse=True,
    )
    assert not _open_deadlines(clue, DeadlineKind.LETTER_REPLY).exists()
    reply = clue.steps.get(action="letter_reply")
    assert reply.endorser == "李某 神农村党支部书记" and reply.note == "已如实说明情况"
    with pytest.raises(ValidationError, match="已登记"):
        clues.clue_letter_reply(
            actor=county.cm, clue=clue, reply="再次", endorser="李某", version=clue.version, endorse=True
        )
    # Talk or letter cannot be proposed again from talk or letter.
    with pytest.raises(ValidationError, match="不能拟"):
        _propose(county.cm, clue, "talk_or_letter")

    clue = _propose(county.cm, clue, "close", sanction="warning", sanction_decided_on=timezone.localdate())
    assert clue.state == ClueState.PENDING_APPROVAL and clue.closed_at is None
    clue = _approve(county.deputy, clue)
    assert clue.state == ClueState.CLOSED and clue.disposal == "close"
    assert clue.outcome_sanction == "warning" and clue.outcome_form == Form.FORM_2
    assert clue.closed_at is not None
    assert list(clue.steps.values_list("action", flat=True)) == [
        "register",
        "propose",
        "approve",
        "letter_reply",
        "propose",
        "approve",
    ]
    assert AuditEvent.objects.filter(action__startswith="clue.").count() == 6
    # A closed clue takes no further proposal.
    with pytest.raises(ValidationError, match="不能再提出处置意见"):
        _propose(county.cm, clue, "transfer")


def test_preliminary_check_uses_the_configured_duration_and_transfer_ends_it(tree, county, settings):
    settings.PETITION_PRELIMINARY_CHECK_WORKING_DAYS = 20
    clue = _approve(county.boss, _propose(county.cm, registered_clue(tree.county), "preliminary_check"))
    assert clue.state == ClueState.PRELIMINARY_CHECK
    check = _open_deadlines(clue, DeadlineKind.PRELIMINARY_CHECK).get()
    assert check.due_date == add_working_days(timezone.localdate(), 20)
    with pytest.raises(ValidationError, match="不能拟"):
        _propose(county.cm, clue, "talk_or_letter")
    clue = _propose(county.cm, clue, "transfer")
    # Still checking while the transfer waits: the limit stays open until approved.
    assert _open_deadlines(clue, DeadlineKind.PRELIMINARY_CHECK).exists()
    clue = _approve(county.boss, clue)
    assert clue.state == ClueState.TRANSFERRED
    assert not _open_deadlines(clue, DeadlineKind.PRELIMINARY_CHECK).exists()
    assert PetitionDeadline.objects.get(clue=clue).met_at is not None


def test_hold_then_reopen_on_new_evidence(tree, county):
    clue = _approve(county.boss, _propose(county.cm, registered_clue(tree.county), "hold"))
    assert clue.state == ClueState.HELD
    with pytest.raises(ValidationError, match="重新启用"):
        _propose(county.cm, clue, "close")
    with pytest.raises(ValidationError, match="新的证据"):
        clues.clue_reopen(actor=county.cm, clue=clue, note="", version=clue.version, endorse=True)
    clue = clues.clue_reopen(
        actor=county.cm, clue=clue, note="群众再次来信，提供了转账记录", version=clue.version, endorse=True
    )
    assert clue.state == ClueState.REGISTERED and clue.disposal == ""
    clue = _propose(county.cm, clue, "preliminary_check")
    assert clue.state == ClueState.PENDING_APPROVAL
    with pytest.raises(ValidationError, match="只有暂存待查"):
        clues.clue_reopen(actor=county.cm, clue=clue, note="x", version=clue.version, endorse=True)


def test_a_rejected_proposal_returns_to_where_it_came_from(tree, county, django_capture_on_commit_callbacks):
    clue = _approve(county.boss, _propose(county.cm, registered_clue(tree.county), "preliminary_check"))
    clue = _propose(county.cm, clue, "close", sanction="cleared")
    with pytest.raises(ValidationError, match="须填写理由"):
        clues.clue_reject(actor=county.boss, clue=clue, reason=" ", version=clue.version, endorse=True)
    with django_capture_on_commit_callbacks(execute=True):
        clue = clues.clue_reject(
            actor=county.boss, clue=clue, reason="核实不充分", version=clue.version, endorse=True
        )
    assert clue.state == ClueState.PRELIMINARY_CHECK and clue.pending_disposal == ""
    assert clue.disposal == "preliminary_check" and clue.closed_at is None
    assert Notification.objects.filter(recipient=county.cm, title__contains="核实不充分").exists()
    # The check goes on: its limit is still open.
    assert _open_deadlines(clue, DeadlineKind.PRELIMINARY_CHECK).exists()
    assert clue.steps.last().action == "reject" and clue.steps.last().note == "核实不充分"


# --- refusals -------------------------------------------------------------------------------------
def _unchanged(clue, before: Clue):
    now = _fresh(clue)
    assert (now.state, now.version, now.disposal, now.closed_at) == (
        before.state,
        before.version,
        before.disposal,
        before.closed_at,
    )


def test_a_leader_cannot_approve_their_own_proposal(tree, county):
    both = make_user("both", tree.county, Role.CASE_MANAGEMENT, Role.COMMISSION_LEADER)
    clue = _propose(both, registered_clue(tree.county), "close")
    with pytest.raises(ValidationError, match="不能审批本人提出的处置意见"):
        _approve(both, clue)
    _unchanged(clue, clue)
    assert _approve(county.boss, clue).state == ClueState.CLOSED


def test_approval_needs_a_leader_at_or_above_the_holder(tree, county):
    clue = _propose(county.cm, registered_clue(tree.county), "close")
    other_cm = case_manager(tree.county, "cm2")
    with pytest.raises(ValidationError, match="您没有审批权限"):
        _approve(other_cm, clue)
    township_leader = leader(tree.township_a, "tl")
    with pytest.raises(ValidationError, match="承办机关或上级"):
        _approve(township_leader, clue)
    other_county_leader = leader(tree.other_county, "ol")
    with pytest.raises(ValidationError, match="承办机关或上级"):
        clues.clue_reject(
            actor=other_county_leader, clue=clue, reason="x", version=clue.version, endorse=True
        )
    _unchanged(clue, clue)
    city_leader = leader(tree.city, "cl")
    assert _approve(city_leader, clue).state == ClueState.CLOSED


def test_nothing_closes_or_transfers_without_an_approval(tree, county):
    clue = registered_clue(tree.county)
    for disposal in ("close", "transfer"):
        proposed = _propose(county.cm, clue, disposal)
        assert proposed.state == ClueState.PENDING_APPROVAL and proposed.closed_at is None
        with pytest.raises(ValidationError, match="已有处置意见待审批"):
            _propose(county.cm, proposed, disposal)
        clue = clues.clue_reject(
            actor=county.boss, clue=proposed, reason="再研究", version=proposed.version, endorse=True
        )
        assert clue.state == ClueState.REGISTERED
    with pytest.raises(ValidationError, match="没有待审批的处置意见"):
        _approve(county.boss, clue)
    assert not Clue.objects.filter(state__in=clues.TERMINAL_STATES).exists()


def test_a_stale_version_is_refused(tree, county):
    clue = registered_clue(tree.county)
    shown = clue.version
    _propose(county.cm, clue, "hold")
    with pytest.raises(ConcurrentEditError):
        clues.clue_approve(actor=county.boss, clue=clue, version=shown, endorse=True)
    with pytest.raises(ConcurrentEditError):
        clues.clue_propose(
            actor=county.cm, clue=clue, disposal="close", note="x", version=shown, endorse=True
        )
    assert _fresh(clue).state == ClueState.PENDING_APPROVAL


def test_every_step_needs_the_signers_endorsement(tree, county):
    clue = registered_clue(tree.county)
    with pytest.raises(ValidationError, match="签字背书"):
        _propose(county.cm, clue, "hold", endorse=False)
    clue = _propose(county.cm, clue, "hold")
    with pytest.raises(ValidationError, match="签字背书"):
        clues.clue_approve(actor=county.boss, clue=clue, version=clue.version, endorse=False)
    assert _fresh(clue).state == ClueState.PENDING_APPROVAL


def test_a_sanction_only_goes_with_an_ending_disposal(tree, county):
    clue = registered_clue(tree.county)
    with pytest.raises(ValidationError, match="处理结果"):
        _propose(county.cm, clue, "hold", sanction="warning")
    with pytest.raises(ValidationError, match="处理结果不正确"):
        _propose(county.cm, clue, "close", sanction="beheading")


def test_someone_of_another_commission_cannot_handle_the_clue(tree, people, county):
    clue = registered_clue(tree.county)
    # township_a sees nothing of the county's clue; a city petition officer sees it but does not hold it.
    with pytest.raises(ValidationError, match="只有承办机关"):
        _propose(people.city_petition, clue, "hold")
    with pytest.raises(ValidationError, match="只有承办机关"):
        _propose(people.township_a, clue, "hold")


# --- signatures -----------------------------------------------------------------------------------
def test_the_digest_covers_the_clue_content_and_the_step(tree, county):
    clue = _propose(county.cm, registered_clue(tree.county), "hold", note="暂无可查证据")
    step = clue.steps.get(action="propose")
    payload = clues.step_signed_payload(step, clue)
    assert clues.clue_digest(clue, payload) == step.endorsement_digest
    changed = Clue.objects.get(pk=clue.pk)
    changed.summary += "（篡改）"
    assert clues.clue_digest(changed, payload) != step.endorsement_digest
    assert clues.clue_digest(clue, {**payload, "note": "另一意见"}) != step.endorsement_digest
    assert clues.clue_digest(clue, {**payload, "actor": county.boss.pk}) != step.endorsement_digest
    digests = list(ClueStep.objects.values_list("endorsement_digest", flat=True))
    assert len(set(digests)) == len(digests) == 2


# --- the report it came from ----------------------------------------------------------------------
def test_the_report_cannot_be_closed_while_its_clue_is_open(tree, county):
    report = accepted_report(tree.county)
    clue = clues.clue_register(actor=county.cm, source=ClueSource.PETITION, report=report, endorse=True)
    petition_staff = make_user("po", tree.county, Role.PETITION_OFFICE)
    with pytest.raises(ValidationError, match="问题线索尚未处置完毕"):
        services.petition_close(actor=petition_staff, report=report, result="已查处", version=report.version)
    _approve(county.boss, _propose(county.cm, clue, "close", sanction="criticism"))
    report.refresh_from_db()
    closed = close_approved(petition_staff, report, "已查处", leader=county.boss)
    assert closed.state == PetitionState.CLOSED
    # Closing the clue did nothing to the report by itself.
    assert _fresh(clue).report_id == report.pk


def test_the_holder_without_leaders_asks_the_commission_above(tree, django_capture_on_commit_callbacks):
    cm = case_manager(tree.township_a, "cm_ta")
    county_leader = leader(tree.county, "boss")
    clue = registered_clue(tree.township_a)
    assert clue.holder == tree.township_a
    with django_capture_on_commit_callbacks(execute=True):
        clue = _propose(cm, clue, "hold")
    assert list(Notification.objects.values_list("recipient", flat=True)) == [county_leader.pk]
    assert _approve(county_leader, clue).state == ClueState.HELD


def test_the_letter_limit_counts_across_a_holiday(tree, county):
    from jijian.core.models import CalendarDay

    today = timezone.localdate()
    plain = add_working_days(today, 15)
    expected = add_working_days(plain, 3)
    weekdays = [d for d in (today + timedelta(days=i) for i in range(1, 10)) if d.weekday() < 5][:3]
    for day in weekdays:
        CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": False, "name": "假日"})
    clue = _approve(county.boss, _propose(county.cm, registered_clue(tree.county), "talk_or_letter"))
    letter = _open_deadlines(clue, DeadlineKind.LETTER_REPLY).get()
    assert letter.due_date == expected != plain


def test_a_signed_outcome_can_be_checked_from_the_stored_step_alone(tree, county):
    today = timezone.localdate()
    clue = _propose(
        county.cm, registered_clue(tree.county), "close", sanction="admonishment", sanction_decided_on=today
    )
    step = clue.steps.get(action="propose")
    assert step.sanction == "admonishment"
    assert clues.clue_digest(clue, clues.step_signed_payload(step, clue)) == step.endorsement_digest
    forged = ClueStep.objects.get(pk=step.pk)
    forged.sanction = "talk_reminder"
    assert clues.clue_digest(clue, clues.step_signed_payload(forged, clue)) != step.endorsement_digest
    # The decision date is signed with it, by the proposer and by the approver.
    forged = ClueStep.objects.get(pk=step.pk)
    forged.sanction_decided_on = today - timedelta(days=1)
    assert clues.clue_digest(clue, clues.step_signed_payload(forged, clue)) != step.endorsement_digest
    clue = _approve(county.boss, clue)
    approve = clue.steps.get(action="approve")
    assert (approve.sanction, approve.sanction_decided_on) == ("admonishment", today)
    assert clues.clue_digest(clue, clues.step_signed_payload(approve, clue)) == approve.endorsement_digest


def test_a_step_signed_without_a_decision_date_still_verifies(tree, county):
    clue = _approve(
        county.boss, _propose(county.cm, registered_clue(tree.county), "close", sanction="cleared")
    )
    for step in clue.steps.all():
        assert step.sanction_decided_on is None
        assert "sanction_decided_on" not in clues.step_signed_payload(step, clue)
        assert clues.clue_digest(clue, clues.step_signed_payload(step, clue)) == step.endorsement_digest
