"""Village affairs API: the village's rules (read by the village, its township and the county; filed by
its member), a decision registered and a voucher entered (the member), an objection resolved (the
township over the village). Everyone else — township B, the outsider of another county, the zone
officer, roles without the module — gets 404, as for a missing record."""

from decimal import Decimal

from jijian.villageaffairs.models import VillageRules
from tests.authz import UNAUTHORIZED, Entry
from tests.villageaffairs.authz_entries import objected_voucher_a


def rules_filed_a(t, p):
    """Village A's rules filed (a decision may be registered): no URL argument."""
    VillageRules.objects.create(
        village=t.village_a, large_amount=Decimal("50000"), party_members=30, representatives=21,
        filed_by=p.member_a,
    )  # fmt: skip
    return []


def receipts(t, p):
    from tests.villageaffairs.helpers import png

    return {
        "purpose": "购买办公用品",
        "amount": "320",
        "spent_on": "2026-01-05",
        "handler_name": "王经手",
        "receipts": png("收据.png"),
    }


ENTRIES = [
    Entry(
        "api:village_rules_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=lambda t, p: [t.village_a.pk],
        anonymous=UNAUTHORIZED,
        extra_outside=lambda t, p: [t.village_c.pk],
    ),
    Entry(
        "api:village_rules_file",
        frozenset({"member_a"}),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 0, "large_amount": "50000", "party_members": 30},
        note="the member files their own village's rules: no village in the path",
    ),
    Entry(
        "api:village_decision_register",
        frozenset({"member_a"}),
        args=rules_filed_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"category": "major_project", "title": "修路", "amount": "60000"},
    ),
    Entry(
        "api:village_voucher_enter",
        frozenset({"member_a"}),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=receipts,
        multipart=True,
        note="multipart/form-data: the voucher with its receipt photos",
    ),
    Entry(
        "api:village_voucher_resolve",
        frozenset({"township_a"}),
        args=objected_voucher_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"version": 1, "resume": True, "resolution": "已更换票据"},
    ),
]
