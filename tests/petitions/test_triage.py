"""The report state machine and triage services: every illegal transition refused with a message and
nothing changed; stale versions refused; one forward at a time; repeats linked, not duplicated;
forward answers; 案管室 informed on acceptance; the restricted path upwards."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.models import Notification
from jijian.core.notify import notify
from jijian.core.roles import Role
from jijian.core.services import ConcurrentEditError
from jijian.petitions import services
from jijian.petitions.access import get_petition_for, petitions_visible_to
from jijian.petitions.models import (
    DeadlineKind,
    ForwardAnswer,
    PetitionDeadline,
    PetitionForward,
    PetitionReport,
    PetitionState,
    RouteKind,
)
from tests.petitions.triage_helpers import (
    close_approved,
    fresh,
    national_day_2026,
    officer,
    register,
    set_today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(tree):
    return officer("county_petition", tree.county)


def snapshot(report):
    r = fresh(report)
    return (
        r.state,
        r.version,
        r.holder_id,
        r.repeat_of_id,
        r.acceptance_notified_on,
        r.result_notified_on,
        r.route,
        r.transitions.count(),
        r.forwards.count(),
        r.messages.count(),
        sorted(r.deadlines.filter(met_at__isnull=True).values_list("kind", flat=True)),
        AuditEvent.objects.count(),
    )


# --- states and actions -----------------------------------------------------------------------------
def _in_state(state, office, tree):
    report = register(office, tree.township_a)
    if state == PetitionState.RECEIVED:
        return report
    if state == PetitionState.NOT_ACCEPTED:
        return services.petition_not_accept(
            actor=office, report=report, reason="other_body", reply="请向县农业农村局反映。", version=1
        )
    if state == PetitionState.FORWARDED:
        return services.petition_route(
            actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
        )
    report = services.petition_route(
        actor=office, report=report, managing=tree.county, about_own_head=False, version=1
    )
    if state == PetitionState.ACCEPTED:
        return report
    return close_approved(office, report)


ACTIONS = {
    "route": lambda a, r, t, o: services.petition_route(
        actor=a, report=r, managing=t.county, about_own_head=False, version=r.version
    ),
    "not_accept": lambda a, r, t, o: services.petition_not_accept(
        actor=a, report=r, reason="no_substance", reply="答复", version=r.version
    ),
    "mark_repeat": lambda a, r, t, o: services.petition_mark_repeat(
        actor=a, report=r, original=o, version=r.version
    ),
    "acceptance_notify": lambda a, r, t, o: services.petition_acceptance_notify(
        actor=a, report=r, text="已受理", version=r.version
    ),
    "close": lambda a, r, t, o: services.petition_close(actor=a, report=r, result="结果", version=r.version),
    "result_notify": lambda a, r, t, o: services.petition_result_notify(
        actor=a, report=r, text="结果告知", version=r.version
    ),
}
LEGAL = {
    PetitionState.RECEIVED: {"route", "not_accept", "mark_repeat"},
    PetitionState.ACCEPTED: {"acceptance_notify", "close"},
    PetitionState.FORWARDED: set(),  # only the receiving body's answer (petition_forward_answer)
    PetitionState.NOT_ACCEPTED: set(),
    PetitionState.CLOSED: {"acceptance_notify", "result_notify"},
}
ILLEGAL = [(state, action) for state in LEGAL for action in ACTIONS if action not in LEGAL[state]]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_every_illegal_transition_is_refused_and_changes_nothing(tree, office, state, action):
    original = register(office, tree.township_a)
    report = _in_state(state, office, tree)
    before = snapshot(report)
    with pytest.raises(ValidationError) as refused:
        ACTIONS[action](office, fresh(report), tree, original)
    assert "不能进行此操作" in refused.value.messages[0]
    assert snapshot(report) == before


@pytest.mark.parametrize(
    ("state", "action"),
    [(s, a) for s in LEGAL for a in sorted(LEGAL[s])],
)
def test_every_legal_transition_goes_through(tree, office, state, action):
    original = register(office, tree.township_a)
    report = _in_state(state, office, tree)
    version = fresh(report).version
    ACTIONS[action](office, fresh(report), tree, original)
    assert fresh(report).version == version + 1


def test_a_stale_version_is_refused_and_changes_nothing(tree, office):
    report = register(office, tree.township_a)
    seen_by_second_officer = fresh(report)
    services.petition_route(
        actor=office, report=report, managing=tree.county, about_own_head=False, version=1
    )
    before = snapshot(report)
    with pytest.raises(ConcurrentEditError):
        services.petition_close(actor=office, report=seen_by_second_officer, result="结果", version=1)
    assert snapshot(report) == before


def test_two_officers_on_the_same_page_cannot_both_triage(tree, office):
    report = register(office, tree.township_a)
    other = officer("county_petition_2", tree.county)
    services.petition_route(
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    before = snapshot(report)
    with pytest.raises(ConcurrentEditError):
        services.petition_not_accept(actor=other, report=report, reason="no_substance", reply="x", version=1)
    assert snapshot(report) == before


def test_a_second_forward_is_refused(tree, office):
    report = register(office, tree.township_a)
    report = services.petition_route(
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    before = snapshot(report)
    with pytest.raises(ValidationError) as refused:
        services.petition_route(
            actor=office,
            report=report,
            managing=tree.township_b,
            about_own_head=False,
            version=report.version,
        )
    assert "已转办" in refused.value.messages[0]
    assert snapshot(report) == before
    assert PetitionForward.objects.count() == 1


def test_the_case_management_office_cannot_triage(tree, office):
    report = register(office, tree.township_a)
    manager = officer("county_cases", tree.county, Role.CASE_MANAGEMENT)
    before = snapshot(report)
    with pytest.raises(PermissionDenied):
        services.petition_route(
            actor=manager, report=report, managing=tree.county, about_own_head=False, version=1
        )
    assert snapshot(report) == before


def test_not_accepting_a_real_name_report_needs_a_reply(tree, office):
    report = register(office, tree.township_a)
    before = snapshot(report)
    with pytest.raises(ValidationError) as refused:
        services.petition_not_accept(
            actor=office, report=report, reason="legal_procedure", reply=" ", version=1
        )
    assert "答复" in refused.value.messages[0]
    assert snapshot(report) == before
    report = services.petition_not_accept(
        actor=office, report=report, reason="legal_procedure", reply="请通过行政复议途径解决。", version=1
    )
    assert report.state == PetitionState.NOT_ACCEPTED and report.acceptance_notice
    notice = PetitionDeadline.objects.get(report=report, kind=DeadlineKind.ACCEPTANCE_NOTICE)
    assert notice.met_at is not None and not notice.waived


def test_an_anonymous_report_may_be_refused_without_a_reply(tree, office):
    report = register(office, tree.township_a, anonymous=True)
    report = services.petition_not_accept(
        actor=office, report=report, reason="no_substance", reply="", version=1
    )
    assert report.state == PetitionState.NOT_ACCEPTED
    assert not PetitionDeadline.objects.filter(report=report, met_at__isnull=True).exists()


# --- repeats ----------------------------------------------------------------------------------------
def test_a_repeat_is_linked_not_duplicated_and_owes_no_acceptance_notice(tree, office):
    first = register(office, tree.township_a)
    second = register(office, tree.township_a)
    second = services.petition_mark_repeat(actor=office, report=second, original=first, version=1)
    assert second.repeat_of_id == first.pk and second.state == PetitionState.RECEIVED
    assert PetitionReport.objects.count() == 2  # kept, both registered
    notice = PetitionDeadline.objects.get(report=second, kind=DeadlineKind.ACCEPTANCE_NOTICE)
    assert notice.met_at is not None and notice.waived
    assert list(second.deadlines.filter(met_at__isnull=True).values_list("kind", flat=True)) == [
        DeadlineKind.ROUTE
    ]
    # The original still owes its notice.
    assert PetitionDeadline.objects.get(report=first, kind=DeadlineKind.ACCEPTANCE_NOTICE).met_at is None
    assert AuditEvent.objects.filter(action="petition.mark_repeat").count() == 1


def test_a_repeat_of_a_repeat_links_to_the_first_report(tree, office):
    first = register(office, tree.township_a)
    second = register(office, tree.township_a)
    third = register(office, tree.township_a)
    services.petition_mark_repeat(actor=office, report=second, original=first, version=1)
    third = services.petition_mark_repeat(actor=office, report=third, original=fresh(second), version=1)
    assert third.repeat_of_id == first.pk


def test_a_report_cannot_repeat_itself(tree, office):
    report = register(office, tree.township_a)
    before = snapshot(report)
    with pytest.raises(ValidationError):
        services.petition_mark_repeat(actor=office, report=report, original=report, version=1)
    first = register(office, tree.township_a)
    services.petition_mark_repeat(actor=office, report=first, original=report, version=1)
    before = snapshot(report)
    with pytest.raises(ValidationError) as refused:  # report <- first: linking report to first loops
        services.petition_mark_repeat(actor=office, report=report, original=fresh(first), version=1)
    assert "循环" in refused.value.messages[0]
    assert snapshot(report) == before


# --- forwards and their answers ---------------------------------------------------------------------
@pytest.fixture
def forwarded(tree, office):
    report = register(office, tree.township_a)
    services.petition_route(
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    return fresh(report)


def test_the_lower_body_accepts_within_five_working_days(tree, people, forwarded):
    forward = forwarded.forwards.get()
    deadline = PetitionDeadline.objects.get(report=forwarded, kind=DeadlineKind.FORWARD_ANSWER)
    assert deadline.holder == tree.township_a and deadline.met_at is None
    services.petition_forward_answer(actor=people.township_a, forward=forward, answer=ForwardAnswer.ACCEPTED)
    report = fresh(forwarded)
    assert (report.state, report.holder, report.route) == (
        PetitionState.ACCEPTED,
        tree.township_a,
        RouteKind.THIS_LEVEL,
    )
    deadline.refresh_from_db()
    assert deadline.met_at is not None and not deadline.waived
    assert deadline.met_at.date() <= deadline.due_date
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.ACCEPTED and forward.answered_by == people.township_a
    with pytest.raises(ValidationError) as refused:
        services.petition_forward_answer(
            actor=people.township_a, forward=forward, answer=ForwardAnswer.ACCEPTED
        )
    assert "已答复" in refused.value.messages[0]


def test_the_lower_body_transfers_it_up_on_the_restricted_path(tree, people, office, forwarded):
    forward = forwarded.forwards.get()
    services.petition_forward_answer(
        actor=people.township_a,
        forward=forward,
        answer=ForwardAnswer.TRANSFERRED,
        managing=tree.city,
        note="被反映人系市管干部",
    )
    report = fresh(forwarded)
    assert (report.state, report.holder, report.restricted) == (PetitionState.FORWARDED, tree.city, True)
    assert PetitionDeadline.objects.get(
        report=report, holder=tree.township_a, kind=DeadlineKind.FORWARD_ANSWER
    ).met_at
    onward = report.forwards.get(from_unit=tree.township_a)
    assert (onward.to_unit, onward.kind, onward.answer) == (
        tree.city,
        RouteKind.HIGHER,
        ForwardAnswer.PENDING,
    )
    assert (
        PetitionDeadline.objects.get(report=report, holder=tree.city, kind=DeadlineKind.FORWARD_ANSWER).met_at
        is None
    )
    # Neither the township nor the county that first received it lists it any more.
    assert not petitions_visible_to(people.township_a).filter(pk=report.pk).exists()
    assert not petitions_visible_to(office).filter(pk=report.pk).exists()
    assert petitions_visible_to(people.city_petition).filter(pk=report.pk).exists()


def test_a_transfer_to_the_body_itself_is_refused(tree, people, forwarded):
    forward = forwarded.forwards.get()
    before = snapshot(forwarded)
    for managing, message in ((tree.village_a, "接收办理"), (None, "管理机关")):
        with pytest.raises(ValidationError) as refused:
            services.petition_forward_answer(
                actor=people.township_a, forward=forward, answer=ForwardAnswer.TRANSFERRED, managing=managing
            )
        assert message in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.petition_forward_answer(actor=people.township_a, forward=forward, answer="maybe")
    assert snapshot(forwarded) == before
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.PENDING


def test_a_township_committee_is_told_of_a_forward(tree, people, office, django_capture_on_commit_callbacks):
    report = register(office, tree.township_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_route(
            actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
        )
    note = Notification.objects.get(recipient=people.township_a)
    assert report.serial_number in note.title and note.link == f"/petitions/{report.pk}/"
    assert not Notification.objects.filter(recipient=people.township_b).exists()


# --- acceptance here --------------------------------------------------------------------------------
def test_the_case_management_office_is_informed_once_on_acceptance(
    tree, people, office, django_capture_on_commit_callbacks
):
    manager = officer("county_cases", tree.county, Role.CASE_MANAGEMENT)
    elsewhere = officer("gs_cases", tree.other_county, Role.CASE_MANAGEMENT)
    report = register(office, tree.township_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_route(
            actor=office, report=report, managing=tree.county, about_own_head=False, version=1
        )
    note = Notification.objects.get(recipient=manager)
    assert report.serial_number in note.title and note.link == f"/petitions/{report.pk}/"
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    # Delivered again (a retried task, a second commit hook): still one.
    assert notify(recipient=manager, title=note.title, dedup_key=note.dedup_key) is None
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert fresh(report).state == PetitionState.ACCEPTED


@pytest.mark.parametrize(
    ("managing", "own_head", "kind", "holder"),
    [
        ("city", False, RouteKind.HIGHER, "city"),
        ("county", True, RouteKind.OWN_HEAD, "city"),
    ],
)
def test_higher_matters_leave_the_register_of_the_receiving_body(
    tree, people, office, managing, own_head, kind, holder
):
    report = register(office, tree.township_a)
    services.petition_route(
        actor=office, report=report, managing=getattr(tree, managing), about_own_head=own_head, version=1
    )
    report = fresh(report)
    assert (report.route, report.holder, report.restricted, report.state) == (
        kind,
        getattr(tree, holder),
        True,
        PetitionState.FORWARDED,
    )
    assert not petitions_visible_to(office).filter(pk=report.pk).exists()
    assert get_petition_for(people.city_petition, report.pk) == report
    # What the county keeps is the forward record (tracked until answered), not the report.
    assert PetitionForward.objects.get(report=report).from_unit == tree.county


def test_the_city_cannot_send_its_own_head_anywhere(tree, people):
    report = register(people.city_petition, tree.township_a)
    before = snapshot(report)
    with pytest.raises(ValidationError) as refused:
        services.petition_route(
            actor=people.city_petition, report=report, managing=tree.city, about_own_head=True, version=1
        )
    assert "线下报送" in refused.value.messages[0]
    assert snapshot(report) == before


def test_closing_waits_for_open_clues(tree, office):
    report = register(office, tree.township_a)
    report = services.petition_route(
        actor=office, report=report, managing=tree.county, about_own_head=False, version=1
    )
    from jijian.petitions.models import Clue

    Clue.objects.create(
        number="XS-1",
        holder=tree.county,
        source="petition",
        report=report,
        accused_name="王某",
        summary="线索",
        registered_by=office,
    )
    before = snapshot(report)
    with pytest.raises(ValidationError) as refused:
        services.petition_close(actor=office, report=report, result="结果", version=report.version)
    assert "线索" in refused.value.messages[0]
    assert snapshot(report) == before


# --- the three-month conclusion limit ---------------------------------------------------------------
def test_an_accepted_report_must_be_concluded_within_three_months_and_closing_meets_it(
    tree, office, monkeypatch, login
):
    from jijian.petitions.deadlines.limits import conclusion_due
    from jijian.petitions.models import DeadlineKind

    set_today(monkeypatch, date(2026, 7, 6))  # a Monday
    national_day_2026()
    report = register(office, tree.township_a)
    report = services.petition_route(
        actor=office, report=report, managing=tree.county, about_own_head=False, version=report.version
    )
    limit = fresh(report).deadlines.get(kind=DeadlineKind.CONCLUSION)
    assert (limit.starts_on, limit.due_date, limit.holder_id) == (
        date(2026, 7, 6),
        date(2026, 10, 8),
        tree.county.pk,
    )
    # (6 October is in the Golden Week: the next working day, 8 October)
    assert conclusion_due(date(2026, 7, 6)) == date(2026, 10, 8)
    assert conclusion_due(date(2026, 11, 30)) == date(2027, 3, 1)  # 28 Feb 2027 is a Sunday
    board = login(office).get(reverse("petitions_board:board")).content.decode()
    assert f'id="deadline-{limit.pk}"' in board and "办结期限（受理后3个月）" in board
    close_approved(office, fresh(report))
    limit.refresh_from_db()
    assert limit.met_at is not None


def test_a_report_not_accepted_here_owes_no_conclusion_limit(tree, office):
    from jijian.petitions.models import DeadlineKind

    report = register(office, tree.township_a)
    services.petition_route(
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=report.version
    )
    assert not fresh(report).deadlines.filter(kind=DeadlineKind.CONCLUSION, holder=tree.county).exists()
