"""Builders of village-affairs test data, through the app's own services."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from jijian.villageaffairs import reimbursements as r
from jijian.villageaffairs import services
from jijian.villageaffairs.board import public_board_publish
from jijian.villageaffairs.models import MeetingForm, Step

PARTY_MEMBERS = 30
REPRESENTATIVES = 21  # the 村民代表会议's members
ADULT_VILLAGERS = 1200
HOUSEHOLDS = 400


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def file_rules(member, **overrides):
    fields = {
        "version": 0,
        "large_amount": Decimal("50000"),
        "item_types": "集体土地承包；公益事业建设",
        "party_members": PARTY_MEMBERS,
        "representatives": REPRESENTATIVES,
        "adult_villagers": ADULT_VILLAGERS,
        "households": HOUSEHOLDS,
        "minutes_late_days": 7,
    }
    current = services.village_rules_for(member.org_unit)
    if current is not None:
        fields["version"] = current.version
    fields.update(overrides)
    return services.village_rules_file(actor=member, **fields)


def register(member, title="村部维修工程", **overrides):
    if services.village_rules_for(member.org_unit) is None:
        file_rules(member)
    fields = {"category": "major_project", "title": title, "amount": Decimal("80000")}
    fields.update(overrides)
    return services.major_decision_register(actor=member, **fields)


def names(n: int, prefix: str = "党员") -> str:
    return "、".join(f"{prefix}{i}" for i in range(1, n + 1))


def step_fields(step: int, *, held_on=None, title: str = "村部维修", **overrides) -> dict:
    """A well-formed step: quorate, passed, minutes typed, photos for the notices."""
    fields: dict = {"held_on": held_on or days_ago(1), "member_present": True, "member_opinion": "程序规范"}
    if step in (Step.PROPOSAL, Step.TWO_COMMITTEES):
        fields.update(
            roll=7, attended=7, votes_for=7, minutes=f"{title}：第{step}步会议记录，讨论方案并形成一致意见。"
        )
    elif step == Step.PARTY_MEETING:
        fields.update(
            roll=PARTY_MEMBERS,
            attended=25,
            attendees=names(25),
            votes_for=24,
            votes_against=1,
            minutes=f"党员大会审议{title}方案，与会党员逐项审议，表决通过。",
        )
    elif step == Step.VILLAGERS_MEETING:
        fields.update(
            meeting_form=MeetingForm.REPRESENTATIVES,
            roll=REPRESENTATIVES,
            attended=18,
            attendees=names(18, "代表"),
            votes_for=17,
            votes_abstain=1,
            minutes=f"村民代表会议决议：同意{title}方案，预算八万元。",
        )
    else:
        fields.update(minutes="在村务公开栏公示7天。", files=[png(f"board{step}.png")])
    fields.update(overrides)
    return fields


def record(member, decision, step: int, **overrides):
    return services.decision_step_record(
        actor=member, decision=decision, step=step, **step_fields(step, title=decision.title, **overrides)
    )


def walk(member, decision, *, upto: int = 6):
    """Record steps 1..upto, one day apart, the sixth today: a clean decision, no flag."""
    return [record(member, decision, s, held_on=days_ago(6 - s)) for s in range(1, upto + 1)]


def villagers_meeting(
    member, form, *, attended: int, votes_for: int | None = None, title="村规民约修订", **kw
):
    """A decision walked to the party members' meeting, then resolved by a villagers' decision held in
    `form` (its roll taken from the rules), `attended` present, all of them for unless `votes_for`."""
    decision = register(member, title)
    walk(member, decision, upto=3)
    fields = {
        "meeting_form": form,
        "roll": None,
        "attended": attended,
        "attendees": "",
        "votes_for": attended if votes_for is None else votes_for,
        "votes_abstain": None,
    }
    fields.update(kw)
    record(member, decision, Step.VILLAGERS_MEETING, held_on=days_ago(2), **fields)
    return decision


def png(name="board.png"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 20)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def enter(member, amount="3200", handler="王经手", **kw):
    return r.voucher_enter(
        actor=member,
        purpose=kw.pop("purpose", "购买办公用品"),
        amount=Decimal(amount),
        spent_on=days_ago(2),
        handler_name=handler,
        files=[png("receipt.png")],
        **kw,
    )


def sign(actor, voucher, signer_name="", **kw):
    voucher.refresh_from_db()
    return r.voucher_sign(
        actor=actor, voucher=voucher, version=voucher.version, signer_name=signer_name, **kw
    )


def walk_village(people, voucher):
    sign(people.member_a, voucher, "李监委")  # supervision committee
    sign(people.member_a, voucher)  # the member's own re-check
    sign(people.member_a, voucher, "张书记")
    sign(people.member_a, voucher, "赵主任")


def publish(member, version=0, **kw):
    fields = {
        "duties": "监督“三重一大”决策；复审村级报账",
        "commitments": "公道正派，不徇私情",
        "contact": "村委会 0722-1234567",
    }
    fields.update(kw)
    return public_board_publish(actor=member, version=version, **fields)
