"""API writes of village affairs — record and correct a step, answer a flag or open a clue, sign a
voucher — through the same services as the pages, scoped the same way."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from jijian.petitions.models import PetitionReport
from jijian.villageaffairs import reimbursements
from jijian.villageaffairs.models import DecisionStep, FlagAnswer, Step, VoucherSignature
from tests.villageaffairs.helpers import PARTY_MEMBERS, days_ago, names, png, record, register

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_the_member_records_a_step_and_sees_its_flags(people, login):
    decision = register(people.member_a)
    client = login(people.member_a)
    response = post(
        client,
        f"/api/village/decisions/{decision.pk}/steps",
        {"step": 1, "held_on": days_ago(9).isoformat(), "roll": 7, "attended": 7, "votes_for": 7,
         "minutes": "村党支部提议修缮村部。", "member_present": True, "member_opinion": "程序规范"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["step"]["step"] == 1 and body["step"]["version"] == 1
    assert [f["key"] for f in body["flags"]] == ["late:1"]
    assert DecisionStep.objects.get().recorded_by == people.member_a


def test_a_refused_step_is_a_400_in_chinese_and_nothing_is_kept(people, login):
    decision = register(people.member_a)
    response = post(
        login(people.member_a),
        f"/api/village/decisions/{decision.pk}/steps",
        {
            "step": 1,
            "held_on": days_ago(1).isoformat(),
            "roll": 7,
            "attended": 5,
            "votes_for": 6,
            "minutes": "x",
        },
    )
    assert response.status_code == 400
    assert "表决票数合计（6）不能大于实到人数（5）" in response.json()["error"]["message"]
    assert not DecisionStep.objects.exists()


def test_outsiders_and_other_roles_get_404_and_change_nothing(people, login):
    decision = register(people.member_a)
    data = {
        "step": 1,
        "held_on": days_ago(1).isoformat(),
        "roll": 7,
        "attended": 7,
        "votes_for": 7,
        "minutes": "x",
    }
    for who in ("township_a", "township_b", "county_officer", "outsider"):
        response = post(login(people.__dict__[who]), f"/api/village/decisions/{decision.pk}/steps", data)
        assert response.status_code == 404, who
    assert not DecisionStep.objects.exists()


def test_the_author_corrects_a_step_through_the_api(people, login):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(5))
    record(people.member_a, decision, Step.TWO_COMMITTEES, held_on=days_ago(4))
    step = record(
        people.member_a, decision, Step.PARTY_MEETING, held_on=days_ago(3), attended=15, attendees=names(15),
        votes_for=14, votes_against=1,
    ).step  # fmt: skip
    url = f"/api/village/decisions/{decision.pk}/steps/3/correct"
    data = {
        "version": 1, "reason": "实到人数录错", "held_on": days_ago(3).isoformat(), "roll": PARTY_MEMBERS,
        "attended": 25, "attendees": names(25), "votes_for": 24, "votes_against": 1, "minutes": step.minutes,
        "member_present": True,
    }  # fmt: skip
    assert post(login(people.township_a), url, data).status_code == 404
    response = post(login(people.member_a), url, data)
    assert response.status_code == 200, response.content
    assert response.json()["flags"] == [] and response.json()["step"]["version"] == 2
    assert post(login(people.member_a), url, data).status_code == 400  # stale version


def test_the_township_answers_a_flag_or_opens_a_clue(people, login):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    base = f"/api/village/decisions/{decision.pk}/flags"
    assert (
        post(login(people.member_a), f"{base}/answer", {"flag_key": "late:1", "answer": "x"}).status_code
        == 404
    )
    assert post(login(people.township_b), f"{base}/clue", {"flag_key": "late:1"}).status_code == 404
    township = login(people.township_a)
    response = post(township, f"{base}/clue", {"flag_key": "late:1"})
    assert response.status_code == 200, response.content
    serial = PetitionReport.objects.get().serial_number
    assert response.json()["clue_serial"] == serial
    again = post(township, f"{base}/clue", {"flag_key": "late:1"})
    assert again.status_code == 400 and "已经处理过了" in again.json()["error"]["message"]
    assert PetitionReport.objects.count() == 1 and FlagAnswer.objects.count() == 1


def test_a_voucher_is_signed_through_the_api(people, login):
    voucher = reimbursements.voucher_enter(
        actor=people.member_a, purpose="购买办公用品", amount=Decimal("3200"), spent_on=days_ago(2),
        handler_name="王经手", files=[png("r.png")],
    )  # fmt: skip
    url = f"/api/village/vouchers/{voucher.pk}/sign"
    assert post(login(people.township_b), url, {"version": 1, "signer_name": "李监委"}).status_code == 404
    handler = post(login(people.member_a), url, {"version": 1, "signer_name": "王经手"})
    assert handler.status_code == 400 and "不能在自己经手的凭证上签字" in handler.json()["error"]["message"]
    response = post(login(people.member_a), url, {"version": 1, "signer_name": "李监委", "opinion": "同意"})
    assert response.status_code == 200, response.content
    assert response.json()["next_step"] == "member_recheck"
    assert VoucherSignature.objects.get().signer_name == "李监委"


def test_a_township_step_through_the_api_names_its_signer(people, login):
    from tests.villageaffairs.helpers import enter, walk_village

    voucher = enter(people.member_a, amount="12000")
    walk_village(people, voucher)
    voucher.refresh_from_db()
    url, township = f"/api/village/vouchers/{voucher.pk}/sign", login(people.township_a)
    missing = post(township, url, {"version": voucher.version})
    assert missing.status_code == 400 and "请填写“乡镇领导签批”的签字人" in missing.json()["error"]["message"]
    assert post(township, url, {"version": voucher.version, "signer_name": "刘乡长"}).status_code == 200
    body = post(township, url, {"version": voucher.version + 1, "signer_name": "孙会计"}).json()
    assert body["state"] == "booked"
    signers = [s.signer_name for s in VoucherSignature.objects.filter(voucher=voucher)]
    assert signers[-2:] == ["刘乡长", "孙会计"]
