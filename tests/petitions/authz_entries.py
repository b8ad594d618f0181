"""The public report portal (no account: everyone, signed in or not, gets the same answer) and the
staff register, registration, report page, reveal and triage actions (module PETITIONS over the body
that holds the report: the city petition office and the township committees among the personas; the
report used here is held by township A, so township B gets 404). Revealing the reporter is for the
petition office, leaders and township committee of the body that received it (core.reveal policy:
township A registered this letter itself); the triage actions for the petition office and township
committees (services.can_handle)."""

from jijian.core.roles import Role
from jijian.petitions import services
from tests.authz import ALL, PUBLIC, Entry
from tests.conftest import make_user

STAFF = frozenset({"city_petition", "township_a", "township_b"})
SEE_A = frozenset({"city_petition", "township_a"})


def _register(actor, region):
    return services.petition_register(
        actor=actor,
        channel="letter",
        category="accusation",
        region=region,
        facts="来信反映村干部在危房改造补贴中优亲厚友。",
        is_anonymous=False,
        reporter_name="李举报",
        reporter_phone="13800138000",
        accused_name="王某",
        accused_level="village",
        matter="integrity",
    )


def report_a(t, p):
    """A letter registered by township A's committee: held by township A."""
    return [_register(p.township_a, t.township_a).pk]


def report_elsewhere(t, p):
    """A letter registered by the petition office of 广水市: outside township A and B."""
    officer = make_user("petition_gs", t.other_county, Role.PETITION_OFFICE)
    return [_register(officer, t.township_c).pk]


def reveal_a(t, p):
    return [*report_a(t, p), "reporter_phone"]


def _action(name, post_data):
    return Entry(
        f"petitions_staff:{name}",
        SEE_A,
        args=report_a,
        methods=("POST",),
        post_data=post_data,
        note="an allowed persona is sent back to the report page (with a message when refused)",
    )


ENTRIES = [
    Entry("petitions:home", ALL, anonymous=PUBLIC),
    Entry(
        "petitions:submit",
        ALL,
        anonymous=PUBLIC,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"category": "accusation", "facts": "缺少防刷验证的提交"},
        note="a POST without proof of work is answered with the form and its message",
    ),
    Entry(
        "petitions:follow",
        ALL,
        anonymous=PUBLIC,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"code": "123"},
    ),
    Entry(
        "petitions:follow_reply",
        ALL,
        anonymous=PUBLIC,
        methods=("POST",),
        post_data=lambda t, p: {"body": "x"},
    ),
    Entry(
        "petitions:follow_objection",
        ALL,
        anonymous=PUBLIC,
        methods=("POST",),
        post_data=lambda t, p: {"text": "x", "version": 1},
        note="without a follow session: back to the lookup page",
    ),
    Entry("petitions:follow_end", ALL, anonymous=PUBLIC, methods=("POST",)),
    Entry("petitions_staff:list", STAFF),
    Entry(
        "petitions_staff:register",
        STAFF,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"channel": "letter", "facts": ""},
        note="an invalid POST is answered with the form and its messages",
    ),
    Entry("petitions_staff:detail", SEE_A, args=report_a, extra_outside=report_elsewhere),
    Entry(
        "petitions_staff:reveal",
        frozenset({"city_petition", "township_a"}),
        args=reveal_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"reason": "核实举报人身份以便告知受理情况"},
        note="township A received the letter itself; the city's petition office is above it",
        extra_outside=lambda t, p: [*report_elsewhere(t, p), "reporter_phone"],
    ),
    _action("mark_repeat", lambda t, p: {"version": 1, "original": ""}),
    _action("not_accept", lambda t, p: {"version": 1, "reason": "no_substance", "reply": "请补充具体事实"}),
    _action("route", lambda t, p: {"version": 1, "managing": t.township_a.pk}),
    Entry(
        "petitions_staff:commission_search",
        SEE_A,
        args=report_a,
        query="?managing_q=lsz",
        note="the <option>s of the managing-commission select, for those who may act on the report",
        extra_outside=report_elsewhere,
    ),
    _action("acceptance_notify", lambda t, p: {"version": 1, "text": "已受理"}),
    _action("close", lambda t, p: {"version": 1, "result": "经核实，问题属实"}),
    _action("result_notify", lambda t, p: {"version": 1, "text": "办理结果"}),
    _action("message", lambda t, p: {"body": "请补充材料"}),
    _action(
        "objection",
        lambda t, p: {"version": 1, "channel": "letter", "received_on": "2026-01-05", "text": "对结果不服"},
    ),
    _action("objection_answer", lambda t, p: {"version": 1, "outcome": "upheld", "answer": "维持"}),
    _action("link_archive", lambda t, p: {"version": 1, "archive": 1}),
    _action("unlink_archive", lambda t, p: {"version": 1}),
]
