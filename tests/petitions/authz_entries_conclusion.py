"""After acceptance (handling/conclusion.py): the extension request (for those who handle the report:
the city petition office and township A, which holds it), the leader's decision on an extension or a
办结 report and the leaders' list of what waits on them (commission leaders only: no persona of the
matrix is one, so every persona gets 404; test_conclusion.py signs in leaders in and out of the
jurisdiction), and 催办/督办 (the petition office or a leader over the holder: the city petition
office)."""

from jijian.petitions import services
from tests.authz import UNAUTHORIZED, Entry
from tests.petitions.authz_entries import report_a

SEE_A = frozenset({"city_petition", "township_a"})


def accepted_a(t, p):
    """A letter held and accepted by township A (its own jurisdiction)."""
    [pk] = report_a(t, p)
    report = services.PetitionReport.objects.get(pk=pk)
    services.petition_route(
        actor=p.township_a, report=report, managing=t.township_a, about_own_head=False, version=1
    )
    return [pk]


def close_pending_a(t, p):
    """Township A's accepted letter with its 办结 report waiting on a leader."""
    [pk] = accepted_a(t, p)
    report = services.PetitionReport.objects.get(pk=pk)
    services.petition_close(
        actor=p.township_a, report=report, result="经核实，问题属实。", version=report.version
    )
    return [pk, report.approvals.get().pk]


ENTRIES = [
    Entry(
        "petitions_staff:extension_request",
        SEE_A,
        args=accepted_a,
        methods=("POST",),
        post_data=lambda t, p: {"version": 2, "new_due_date": "2099-01-01", "reason": "需调取银行流水"},
        note="an allowed persona is sent back to the report page (with a message when refused)",
    ),
    Entry(
        "petitions_staff:approval_decide",
        frozenset(),
        args=close_pending_a,
        methods=("POST",),
        post_data=lambda t, p: {"version": 3, "decision": "approve"},
        note="commission leaders only (none among the personas)",
    ),
    Entry(
        "petitions_staff:urge",
        frozenset({"city_petition"}),
        args=accepted_a,
        methods=("POST",),
        post_data=lambda t, p: {"kind": "urge", "deadline": ""},
        note="the petition office over the holder; a township committee does not urge",
    ),
    Entry("petitions_staff:approvals", frozenset(), note="commission leaders only (none among the personas)"),
    # The same on the API.
    Entry(
        "api:petition_report_extension",
        SEE_A,
        args=accepted_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 2, "new_due_date": "2099-01-01", "reason": "需调取银行流水"},
        note="beyond three months: 400 with the message",
    ),
    Entry(
        "api:petition_approval_decide",
        frozenset(),
        args=close_pending_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 3, "decision": "approve"},
        note="commission leaders only (none among the personas)",
    ),
    Entry(
        "api:petition_report_urge",
        frozenset({"city_petition"}),
        args=accepted_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"deadline_id": 1, "kind": "urge"},
        note="nothing overdue: 400 with the message",
    ),
    Entry(
        "api:petition_approvals_pending",
        frozenset(),
        anonymous=UNAUTHORIZED,
        note="commission leaders only (none among the personas)",
    ),
]
