"""Village affairs (module VILLAGE_AFFAIRS: village members, township committees, the county's party
conduct office). The decision used is in village A: its member records it, township A answers its
flags, the county officer over both reads it; township B, the outsider (another county) and the zone
officer have the module but not the village, and get 404 like everyone without the module. Lists
answer everyone with the module, each with their own villages (tests/villageaffairs/test_pages.py)."""

from datetime import date
from decimal import Decimal

from jijian.villageaffairs.models import MajorDecision, Voucher, VoucherSignature
from tests.authz import ALL, PUBLIC, UNAUTHORIZED, Entry

MODULE = frozenset({"member_a", "township_a", "township_b", "county_officer", "outsider", "zone_officer"})
OFFICERS = MODULE - {"member_a"}


def _decision(village, user):
    return MajorDecision.objects.create(
        village=village,
        category="major_project",
        title="村部维修工程",
        amount=Decimal("80000"),
        rules={"party_members": 30, "representatives": 21, "minutes_late_days": 7, "rules_version": 1},
        created_by=user,
    )


def decision_a(t, p):
    return [_decision(t.village_a, p.member_a).pk]


def decision_c(t, p):
    """A decision of 桃源村 (another county): outside every allowed persona."""
    return [_decision(t.village_c, p.member_a).pk]


def step_a(t, p):
    return [*decision_a(t, p), 1]


def recorded_step_a(t, p):
    from jijian.villageaffairs.models import DecisionStep

    decision = _decision(t.village_a, p.member_a)
    DecisionStep.objects.create(
        decision=decision, step=1, held_on=date(2026, 1, 5), roll=7, attended=7, votes_for=7,
        minutes="会议记录", recorded_by=p.member_a,
    )  # fmt: skip
    return [decision.pk, 1]


def _voucher(village, user):
    return Voucher.objects.create(
        village=village,
        purpose="购买办公用品",
        amount=Decimal("3200"),
        spent_on=date(2026, 1, 5),
        handler_name="王经手",
        chain=["supervision_committee", "member_recheck", "secretary", "chair", "agency_booking"],
        created_by=user,
    )


def voucher_a(t, p):
    return [_voucher(t.village_a, p.member_a).pk]


def voucher_c(t, p):
    return [_voucher(t.village_c, p.member_a).pk]


def _split(village, user) -> None:
    """Two vouchers of one purpose in village A, each under the default 大额资金 threshold and together
    at it: a split-expense flag of the village (reimbursements.split_expenses)."""
    for amount, day in (("24000", 5), ("26000", 9)):
        Voucher.objects.create(
            village=village, purpose="村道硬化材料", amount=Decimal(amount), spent_on=date(2026, 1, day),
            handler_name="王经手", chain=["member_recheck", "agency_booking"], created_by=user,
        )  # fmt: skip


def split_village_a(t, p):
    _split(t.village_a, p.member_a)
    return [t.village_a.pk]


def split_key_a(t, p) -> dict:
    from jijian.villageaffairs.reimbursements import split_expenses

    (flag,) = split_expenses(p.township_a)
    return {"flag_key": flag.key}


def village_c(t, p):
    """桃源村 (another county), with a split-expense flag of its own: outside every allowed persona."""
    _split(t.village_c, p.member_a)
    return [t.village_c.pk]


def objected_voucher_a(t, p):
    voucher = _voucher(t.village_a, p.member_a)
    VoucherSignature.objects.create(
        voucher=voucher, step="supervision_committee", signer_name="李监委", recorded_by=p.member_a,
        is_objection=True, opinion="票据不全",
    )  # fmt: skip
    Voucher.objects.filter(pk=voucher.pk).update(state="objected")
    return [voucher.pk]


ENTRIES = [
    Entry("villageaffairs:decision_list", MODULE),
    Entry(
        "villageaffairs:decision_create",
        frozenset({"member_a"}),
        methods=("GET", "POST"),
        post_data=lambda t, p: {"category": "major_project", "title": "修路", "amount": "60000"},
    ),
    Entry(
        "villageaffairs:decision_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=decision_a,
        extra_outside=decision_c,
    ),
    Entry(
        "villageaffairs:step_record",
        frozenset({"member_a"}),
        args=step_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"held_on": "2026-01-05", "roll": "7", "attended": "7", "votes_for": "7"},
    ),
    Entry(
        "villageaffairs:step_correct",
        frozenset({"member_a"}),
        args=recorded_step_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "held_on": "2026-01-06",
            "roll": "7",
            "attended": "7",
            "votes_for": "7",
            "minutes": "更正后的会议记录",
            "reason": "日期录错",
            "version": "1",
        },
    ),
    Entry(
        "villageaffairs:flag_answer",
        frozenset({"township_a"}),
        args=decision_a,
        methods=("POST",),
        post_data=lambda t, p: {"flag_key": "late:1", "answer": "已提醒"},
    ),
    Entry(
        "villageaffairs:flag_clue",
        frozenset({"township_a"}),
        args=decision_a,
        methods=("POST",),
        post_data=lambda t, p: {"flag_key": "late:1"},
    ),
    Entry("villageaffairs:flag_board", OFFICERS),
    Entry(
        "villageaffairs:split_answer",
        frozenset({"township_a"}),
        args=split_village_a,
        methods=("POST",),
        post_data=lambda t, p: {**split_key_a(t, p), "answer": "已核查"},
        extra_outside=village_c,
    ),
    Entry(
        "villageaffairs:split_clue",
        frozenset({"township_a"}),
        args=split_village_a,
        methods=("POST",),
        post_data=split_key_a,
        extra_outside=village_c,
    ),
    Entry(
        "villageaffairs:rules_edit",
        frozenset({"member_a"}),
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "large_amount": "50000",
            "party_members": "30",
            "minutes_late_days": "7",
            "version": "0",
        },
    ),
    # A village's filed rules, read: its member, its township, the county (an empty page before filing).
    Entry(
        "villageaffairs:rules_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=lambda t, p: [t.village_a.pk],
        extra_outside=village_c,
    ),
    Entry("villageaffairs:voucher_list", MODULE),
    Entry(
        "villageaffairs:voucher_create",
        frozenset({"member_a"}),
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "purpose": "修水渠",
            "amount": "100",
            "spent_on": "2026-01-05",
            "handler_name": "王经手",
        },
    ),
    Entry(
        "villageaffairs:voucher_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=voucher_a,
        extra_outside=voucher_c,
    ),
    Entry(
        "villageaffairs:voucher_sign",
        frozenset({"member_a"}),
        args=voucher_a,
        methods=("POST",),
        post_data=lambda t, p: {"version": "1", "signer_name": "李监委"},
        note="the first step is the village's: the township signs only its own steps (tested in test_reimbursements)",
    ),
    Entry(
        "villageaffairs:voucher_resolve",
        frozenset({"township_a"}),
        args=objected_voucher_a,
        methods=("POST",),
        post_data=lambda t, p: {"version": "1", "resume": "1", "resolution": "已更换票据"},
    ),
    Entry(
        "villageaffairs:chain_edit",
        frozenset({"township_a", "township_b"}),
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "township_approval_from": "10000",
            "objection_working_days": "5",
            "version": "0",
            "order_member_recheck": "1",
        },
    ),
    Entry("villageaffairs:voucher_stats", OFFICERS),
]

ENTRIES += [
    Entry("api:village_decision_list", MODULE, anonymous=UNAUTHORIZED),
    Entry(
        "api:village_decision_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=decision_a,
        anonymous=UNAUTHORIZED,
        extra_outside=decision_c,
    ),
    Entry("api:village_risk_board", MODULE, anonymous=UNAUTHORIZED),
    Entry("api:village_split_board", MODULE, anonymous=UNAUTHORIZED),
    Entry(
        "api:village_split_answer",
        frozenset({"township_a"}),
        args=split_village_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {**split_key_a(t, p), "answer": "已核查"},
        extra_outside=village_c,
    ),
    Entry(
        "api:village_split_clue",
        frozenset({"township_a"}),
        args=split_village_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=split_key_a,
        extra_outside=village_c,
    ),
    Entry("api:village_voucher_list", MODULE, anonymous=UNAUTHORIZED),
    Entry(
        "api:village_voucher_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=voucher_a,
        anonymous=UNAUTHORIZED,
        extra_outside=voucher_c,
    ),
]


def board_a(t, p):
    from jijian.villageaffairs.board import public_board_publish

    public_board_publish(actor=p.member_a, version=0, duties="监督", commitments="公道")
    return [t.village_a.pk]


ENTRIES += [
    Entry(
        "villageaffairs:board_edit",
        frozenset({"member_a"}),
        methods=("GET", "POST"),
        post_data=lambda t, p: {"duties": "监督", "commitments": "公道", "version": "0"},
    ),
    Entry(
        "villageaffairs:board_posters",
        frozenset({"member_a", "township_a", "township_b"}),
        get_ok=(200, 302),
        note="a PDF, or back to the page with a message when no village of the caller has a board",
    ),
    Entry("villageaffairs:board_public", ALL, args=board_a, anonymous=PUBLIC, note="the public 四亮 page"),
]


def board_photo_a(t, p):
    from jijian.villageaffairs.board import public_board_photo_set
    from tests.villageaffairs.helpers import png

    village = board_a(t, p)
    public_board_photo_set(actor=p.member_a, village_id=t.village_a.pk, file=png())
    return village


ENTRIES += [
    Entry("villageaffairs:board_villages", frozenset({"township_a", "township_b"})),
    Entry(
        "villageaffairs:board_photo",
        ALL,
        args=board_photo_a,
        anonymous=PUBLIC,
        note="the member's photo on the public 四亮 page",
    ),
    Entry(
        "villageaffairs:board_photo_upload",
        frozenset({"member_a", "township_a"}),
        args=board_a,
        methods=("POST",),
        post_data=lambda t, p: {},
        note="a post without a file is answered with a message (redirect); outsiders get 404",
    ),
]


def flagged_decision_a(t, p):
    """A decision of village A whose first step was recorded late (flag late:1)."""
    from jijian.villageaffairs.models import DecisionStep

    decision = _decision(t.village_a, p.member_a)
    DecisionStep.objects.create(
        decision=decision, step=1, held_on=date(2026, 1, 5), roll=7, attended=7, votes_for=7,
        minutes="会议记录", recorded_by=p.member_a,
    )  # fmt: skip
    return [decision.pk]


ENTRIES += [
    Entry(
        "api:village_step_record",
        frozenset({"member_a"}),
        args=decision_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {
            "step": 1,
            "held_on": "2026-01-05",
            "roll": 7,
            "attended": 7,
            "votes_for": 7,
            "minutes": "会议记录",
        },  # fmt: skip
        extra_outside=decision_c,
    ),
    Entry(
        "api:village_step_correct",
        frozenset({"member_a"}),
        args=recorded_step_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {
            "version": 1,
            "reason": "日期录错",
            "held_on": "2026-01-06",
            "roll": 7,
            "attended": 7,
            "votes_for": 7,
            "minutes": "会议记录",
        },  # fmt: skip
    ),
    Entry(
        "api:village_flag_answer",
        frozenset({"township_a"}),
        args=flagged_decision_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"flag_key": "late:1", "answer": "已提醒"},
        extra_outside=decision_c,
    ),
    Entry(
        "api:village_flag_clue",
        frozenset({"township_a"}),
        args=flagged_decision_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"flag_key": "late:1"},
        extra_outside=decision_c,
    ),
    Entry(
        "api:village_voucher_sign",
        frozenset({"member_a"}),
        args=voucher_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 1, "signer_name": "李监委"},
        extra_outside=voucher_c,
    ),
]


def meetings_done_a(t, p):
    """A decision of village A with its four meetings recorded: the next step is 决议公开."""
    from jijian.villageaffairs.models import DecisionStep

    decision = _decision(t.village_a, p.member_a)
    for step in (1, 2, 3, 4):
        DecisionStep.objects.create(
            decision=decision, step=step, held_on=date(2026, 1, step), roll=7, attended=7, votes_for=7,
            minutes="会议记录", recorded_by=p.member_a,
        )  # fmt: skip
    return [decision.pk]


def notice_with_photo(t, p):
    from tests.villageaffairs.helpers import png

    return {"step": 5, "held_on": "2026-01-05", "minutes": "公开栏公示7天", "photos": png("公开栏.png")}


ENTRIES += [
    Entry(
        "api:village_notice_record",
        frozenset({"member_a"}),
        args=meetings_done_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=notice_with_photo,
        multipart=True,
        extra_outside=decision_c,
        note="multipart/form-data: the public-notice steps with their board photos",
    ),
]
