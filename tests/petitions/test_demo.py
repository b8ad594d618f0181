"""The Suizhou demo includes petitions: the printed receipt code opens its report, the routing table
was applied (a division-level matter went up to the city on the restricted path, a village matter
down to the township), and the deadline board has open limits."""

from django.core.management import call_command

from jijian.audit.services import audit_verify
from jijian.core.models import OrgKind
from jijian.petitions import services
from jijian.petitions.deadlines.limits import LEADER_APPROVALS
from jijian.petitions.demo import DEMO_RECEIPT_CODE
from jijian.petitions.models import (
    ApprovalKind,
    ApprovalState,
    Clue,
    ClueState,
    PetitionApproval,
    PetitionDeadline,
    PetitionReport,
    PetitionState,
    RouteKind,
)


def test_demo_petitions_are_routed_and_the_printed_code_opens_one(db, capsys):
    call_command("setup")
    out = capsys.readouterr().out
    assert "演示举报查询码" in out and DEMO_RECEIPT_CODE[:4] in out
    report = services.petition_find_by_receipt(code=DEMO_RECEIPT_CODE)
    assert report is not None and report.accused_name == "王某"
    assert report.repeats.count() == 1  # a letter about the same accused and matter is linked to it
    up = PetitionReport.objects.get(route=RouteKind.HIGHER)
    assert up.restricted and up.holder.kind == OrgKind.CITY and up.state == PetitionState.FORWARDED
    down = PetitionReport.objects.get(route=RouteKind.LOWER)
    assert down.holder.kind == OrgKind.TOWN and not down.restricted
    assert PetitionReport.objects.filter(state=PetitionState.NOT_ACCEPTED).count() == 1
    assert PetitionReport.objects.filter(state=PetitionState.ACCEPTED).count() == 2
    # After acceptance: an extension and a 办结 report wait on a leader; after 办结, an answer upholding
    # the result against the real-name reporter's objection.
    pending = PetitionApproval.objects.filter(state=ApprovalState.PENDING)
    assert sorted(pending.values_list("kind", flat=True)) == [
        ApprovalKind.CONCLUSION,
        ApprovalKind.EXTENSION,
        ApprovalKind.OBJECTION_UPHELD,
    ]
    objected = pending.get(kind=ApprovalKind.OBJECTION_UPHELD).report
    assert objected.state == PetitionState.CLOSED and objected.result_notified_on is not None
    assert objected.objections.get().channel == "online" and objected.objections.get().is_open
    assert PetitionDeadline.objects.filter(met_at__isnull=True).count() >= 5
    # The limits marked as waiting on a leader are exactly those the pending approvals hold up (the
    # demo also has approvals decided, whose marks were cleared).
    held_up = {
        (a.report_id, limit) for a in pending for limit, kind in LEADER_APPROVALS.items() if kind == a.kind
    }
    marked = set(PetitionDeadline.objects.filter(awaiting_leader=True).values_list("report_id", "kind"))
    assert marked == held_up and len(marked) == 2
    assert PetitionApproval.objects.filter(
        state=ApprovalState.APPROVED, kind=ApprovalKind.CONCLUSION
    ).exists()
    clue = Clue.objects.get()
    assert clue.report.route == RouteKind.THIS_LEVEL and clue.state == ClueState.TALK_OR_LETTER
    assert [s.action for s in clue.steps.all()] == ["register", "propose", "approve"]
    assert audit_verify().ok
