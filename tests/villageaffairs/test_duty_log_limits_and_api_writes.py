"""三重一大 through 四议两公开, the reimbursement co-sign chain and the duty log:

1. a voucher's re-check signed again after an objection is one duty record, not two;
2. typed text longer than its field is refused with a Chinese message (page, API, service), never cut;
3. a supervision opinion given on a step without attending it is a duty record too (once per step);
4. the API writes of the rules, a decision, a voucher and an objection's answer, through the pages'
   services, with their refusals and 404 for anyone outside;
5. a village's own (shorter) 环节停滞 limits, filed with its rules."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jijian.attachments.models import Attachment
from jijian.audit.models import AuditEvent
from jijian.reports.models import DutyRecord
from jijian.reports.services import month_counts, month_start
from jijian.villageaffairs import reimbursements as r
from jijian.villageaffairs import services
from jijian.villageaffairs.models import (
    DecisionStep,
    FlagAnswer,
    MajorDecision,
    Step,
    VillageRules,
    Voucher,
    VoucherSignature,
    VoucherState,
)
from jijian.villageaffairs.selectors import decision_flags_for
from tests.villageaffairs.helpers import days_ago, file_rules, png, record, register, step_fields

pytestmark = pytest.mark.django_db


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return "；".join(info.value.messages)


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


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


def resolve(actor, voucher, *, resume=True, resolution="已补齐票据"):
    voucher.refresh_from_db()
    return r.voucher_resolve(
        actor=actor, voucher=voucher, version=voucher.version, resume=resume, resolution=resolution
    )


def objected_at_recheck(people) -> Voucher:
    """A voucher whose member objected at the re-check (票据不全), the chain stopped."""
    voucher = enter(people.member_a)
    sign(people.member_a, voucher, "李监委")  # 村务监督委员会审核
    sign(people.member_a, voucher, objection=True, opinion="票据不全")  # the member's re-check
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.OBJECTED
    return voucher


def rechecks(member) -> int:
    return DutyRecord.objects.filter(member=member, duty_type__code="reimbursement_check").count()


# --- 1. one voucher re-check, one duty record ----------------------------------------------------------
def test_a_recheck_signed_again_after_an_objection_is_one_duty_record(people):
    voucher = objected_at_recheck(people)
    assert rechecks(people.member_a) == 1
    resolve(people.township_a, voucher)
    outcome = sign(people.member_a, voucher)  # the re-check signed again, the chain resumes
    assert not outcome.signature.is_objection and outcome.duty_log_note == ""
    assert VoucherSignature.objects.filter(voucher=voucher, step="member_recheck").count() == 2
    (duty,) = DutyRecord.objects.filter(member=people.member_a)
    assert duty.data == {"count": 1, "amount": "3200.00", "objections": 1}  # the re-check objected once
    assert month_counts(village=voucher.village, month=month_start(duty.occurred_on)) == {
        "reimbursement_check": 1
    }


def test_two_vouchers_rechecked_are_still_two_duty_records(people):
    for handler in ("王经手", "刘经手"):
        voucher = enter(people.member_a, handler=handler)
        sign(people.member_a, voucher, "李监委")
        sign(people.member_a, voucher)
    assert rechecks(people.member_a) == 2


# --- 2. typed text too long is refused, never cut --------------------------------------------------------
def test_a_signer_name_longer_than_fifty_characters_is_refused_and_nothing_changes(people):
    voucher = enter(people.member_a)
    long_name = "李" * 51
    message = refused(sign, people.member_a, voucher, long_name)
    assert "签字人姓名最多50字（现有51字）" in message
    voucher.refresh_from_db()
    assert voucher.version == 1 and not VoucherSignature.objects.exists()
    assert not AuditEvent.objects.filter(action="voucher.sign").exists()
    sign(people.member_a, voucher, "李" * 50)  # at the limit: kept whole
    assert VoucherSignature.objects.get().signer_name == "李" * 50


def test_a_too_long_signer_name_through_the_api_is_a_400_in_the_error_format(people, login):
    voucher = enter(people.member_a)
    response = post(
        login(people.member_a),
        f"/api/village/vouchers/{voucher.pk}/sign",
        {"version": 1, "signer_name": "李" * 51},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "rejected" and "签字人姓名最多50字（现有51字）" in error["message"]
    assert not VoucherSignature.objects.exists() and Voucher.objects.get().version == 1


def test_a_too_long_signer_name_on_the_page_says_which_field(people, login):
    voucher = enter(people.member_a)
    response = login(people.member_a).post(
        reverse("villageaffairs:voucher_sign", args=[voucher.pk]),
        {"version": "1", "signer_name": "李" * 51},
        follow=True,
    )
    page = response.content.decode()
    assert "签字人：" in page and "50" in page
    assert not VoucherSignature.objects.exists()


def test_every_typed_text_of_a_voucher_is_refused_when_too_long(people):
    assert "用途最多120字" in refused(enter, people.member_a, purpose="修" * 121)
    assert "经手人最多50字" in refused(enter, people.member_a, handler="王" * 51)
    assert not Voucher.objects.exists()
    voucher = enter(people.member_a)
    assert "意见最多500字" in refused(sign, people.member_a, voucher, "李监委", opinion="好" * 501)
    assert not VoucherSignature.objects.exists()
    voucher = objected_at_recheck(people)
    assert "处理意见最多500字" in refused(resolve, people.township_a, voucher, resolution="准" * 501)
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.OBJECTED
    assert not VoucherSignature.objects.filter(resolved_at__isnull=False).exists()


def test_every_typed_text_of_a_decision_is_refused_when_too_long(people):
    file_rules(people.member_a)
    assert "“三重一大”事项范围最多5000字" in refused(file_rules, people.member_a, item_types="范" * 5001)
    assert VillageRules.objects.get().version == 1
    assert "事项说明最多5000字" in refused(register, people.member_a, description="说" * 5001)
    assert not MajorDecision.objects.exists()
    decision = register(people.member_a)
    for field, length, label in (
        ("member_opinion", 5001, "监督意见最多5000字"),
        ("minutes", 20001, "会议记录最多20000字"),
    ):
        message = refused(record, people.member_a, decision, Step.PROPOSAL, **{field: "字" * length})
        assert label in message, field
    message = refused(
        record, people.member_a, decision, Step.PARTY_MEETING, out_of_sequence_reason="因" * 256
    )
    assert "未按顺序登记的说明最多255字" in message
    assert not DecisionStep.objects.exists() and not DutyRecord.objects.exists()


def test_a_correction_with_a_too_long_opinion_changes_nothing(people):
    decision = register(people.member_a)
    step = record(people.member_a, decision, Step.PROPOSAL).step
    fields = {k: v for k, v in step_fields(Step.PROPOSAL).items() if k in services.CORRECTABLE}
    fields["member_opinion"] = "意" * 5001
    message = refused(
        services.decision_step_correct, actor=people.member_a, record=step, version=1, reason="补充意见",
        **fields,
    )  # fmt: skip
    assert "监督意见最多5000字" in message
    step.refresh_from_db()
    assert step.version == 1 and step.member_opinion == "程序规范"


def test_a_clue_note_too_long_is_refused_and_no_clue_is_opened(people):
    from jijian.petitions.models import PetitionReport

    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))  # late:1
    message = refused(
        services.flag_open_clue, actor=people.township_a, decision=decision, flag_key="late:1",
        facts="意" * 5001,
    )  # fmt: skip
    assert "乡镇纪委意见最多5000字" in message
    assert not PetitionReport.objects.exists() and not FlagAnswer.objects.exists()


def test_a_long_opinion_is_kept_whole_on_the_step_and_abridged_in_the_duty_log(people):
    decision = register(people.member_a)
    opinion = "程序规范" * 700  # 2800 characters: the step takes 5000, the duty log's field 2000
    outcome = record(people.member_a, decision, Step.PROPOSAL, member_opinion=opinion)
    assert outcome.step.member_opinion == opinion and outcome.duty_log_note == ""
    duty = DutyRecord.objects.get()
    assert len(duty.data["opinion"]) == 2000 and duty.data["opinion"].endswith("…")


# --- 3. an opinion given without attending is a duty record too -----------------------------------------
def test_an_opinion_given_without_attending_becomes_a_duty_record(people):
    decision = register(people.member_a)
    outcome = record(
        people.member_a, decision, Step.PROPOSAL, held_on=days_ago(3), member_present=False,
        member_opinion="审阅会议记录：表决票数与到会人数一致",
    )  # fmt: skip
    duty = DutyRecord.objects.get()
    assert outcome.step.duty_record_id == duty.pk and outcome.duty_log_note == ""
    assert duty.duty_type.code == "decision_meeting"
    assert duty.occurred_on == timezone.localdate()  # the day the opinion was given
    assert "未到场" in duty.notes
    assert duty.data["opinion"] == "审阅会议记录：表决票数与到会人数一致"
    assert duty.data["deliberations"] == ["党支部提议"]


def test_attended_and_commented_is_one_duty_record(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, member_present=True, member_opinion="程序规范")
    assert DutyRecord.objects.count() == 1


def test_a_step_neither_attended_nor_commented_is_no_duty_record(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, member_present=False, member_opinion="  ")
    assert not DutyRecord.objects.exists()


def test_an_opinion_added_by_a_correction_is_counted_once(people):
    decision = register(people.member_a)
    step = record(people.member_a, decision, Step.PROPOSAL, member_present=False, member_opinion="").step
    assert not DutyRecord.objects.exists()
    fields = {k: v for k, v in step_fields(Step.PROPOSAL).items() if k in services.CORRECTABLE}
    fields.update(member_present=False, member_opinion="补记：审阅会议记录，程序规范")
    outcome = services.decision_step_correct(
        actor=people.member_a, record=step, version=1, reason="补记监督意见", **fields
    )
    assert outcome.step.duty_record_id == DutyRecord.objects.get().pk
    fields.update(member_opinion="补记：审阅会议记录，程序规范，无异议")
    services.decision_step_correct(
        actor=people.member_a, record=outcome.step, version=2, reason="补充", **fields
    )
    assert DutyRecord.objects.count() == 1


# --- 4. API writes ------------------------------------------------------------------------------------
OUTSIDE = ("township_b", "outsider", "zone_officer", "city_petition")


def rules_data(**overrides) -> dict:
    data = {"version": 0, "large_amount": "50000", "item_types": "集体土地承包；公益事业建设",
            "party_members": 30, "representatives": 21, "minutes_late_days": 7}  # fmt: skip
    data.update(overrides)
    return data


def test_the_member_files_the_villages_rules_through_the_api(people, login):
    client = login(people.member_a)
    response = post(client, "/api/village/rules", rules_data(step_stall_days=20))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["filed"] is True and body["version"] == 1 and body["step_stall_days"] == 20
    assert body["result_public_days"] is None and body["filed_by"] == people.member_a.full_name
    assert AuditEvent.objects.filter(action="village_rules.file").count() == 1
    stale = post(client, "/api/village/rules", rules_data(version=0, party_members=40))
    assert stale.status_code == 400 and stale.json()["error"]["code"] == "rejected"
    assert VillageRules.objects.get().party_members == 30
    again = post(client, "/api/village/rules", rules_data(version=1, party_members=40))
    assert again.status_code == 200 and again.json()["version"] == 2


def test_bad_rules_through_the_api_are_refused_in_chinese_and_nothing_is_filed(people, login):
    client = login(people.member_a)
    response = post(client, "/api/village/rules", rules_data(party_members=2))
    assert response.status_code == 400
    assert "请填写本村党员人数（至少3人）" in response.json()["error"]["message"]
    too_lax = post(client, "/api/village/rules", rules_data(step_stall_days=90))
    assert too_lax.status_code == 400 and "不得长于平台规定的30天" in too_lax.json()["error"]["message"]
    digits = post(client, "/api/village/rules", rules_data(large_amount="1e30"))
    assert digits.status_code == 422 and digits.json()["error"]["code"] == "invalid"
    assert not VillageRules.objects.exists()


def test_only_the_member_files_rules_and_outsiders_do_not_read_them(people, login, tree):
    for who in ("township_a", "county_officer", *OUTSIDE):
        assert post(login(getattr(people, who)), "/api/village/rules", rules_data()).status_code == 404, who
    assert not VillageRules.objects.exists()
    file_rules(people.member_a)
    url = f"/api/village/rules/{tree.village_a.pk}"
    for who in ("member_a", "township_a", "county_officer"):
        response = login(getattr(people, who)).get(url)
        assert response.status_code == 200 and response.json()["party_members"] == 30, who
    for who in OUTSIDE:
        assert login(getattr(people, who)).get(url).status_code == 404, who
    unfiled = login(people.township_a).get(f"/api/village/rules/{tree.village_a2.pk}").json()
    assert unfiled["filed"] is False and unfiled["version"] == 0


def test_the_member_registers_a_decision_through_the_api(people, login):
    file_rules(people.member_a)
    response = post(
        login(people.member_a),
        "/api/village/decisions",
        {"category": "large_fund", "title": "村道硬化", "amount": "120000", "description": "两公里"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    decision = MajorDecision.objects.get()
    assert body["id"] == decision.pk and body["steps"] == [] and body["rules"]["party_members"] == 30
    assert decision.created_by == people.member_a
    assert AuditEvent.objects.filter(action="major_decision.register").count() == 1


def test_a_bad_decision_through_the_api_is_refused_in_chinese_and_nothing_is_kept(people, login):
    client = login(people.member_a)
    data = {"category": "large_fund", "title": "村道硬化", "amount": "120000"}
    unfiled = post(client, "/api/village/decisions", data)
    assert unfiled.status_code == 400 and "请先填报本村“三重一大”规则" in unfiled.json()["error"]["message"]
    file_rules(people.member_a)
    no_amount = post(client, "/api/village/decisions", {**data, "amount": None})
    assert no_amount.status_code == 400
    assert "大额资金使用事项须填写涉及金额" in no_amount.json()["error"]["message"]
    long = post(client, "/api/village/decisions", {**data, "description": "说" * 5001})
    assert long.status_code == 400 and "事项说明最多5000字" in long.json()["error"]["message"]
    assert not MajorDecision.objects.exists()


def test_only_the_member_registers_a_decision(people, login):
    file_rules(people.member_a)
    data = {"category": "major_project", "title": "修路"}
    for who in ("township_a", "county_officer", *OUTSIDE):
        assert post(login(getattr(people, who)), "/api/village/decisions", data).status_code == 404, who
    assert not MajorDecision.objects.exists()


def receipt(name="收据.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(name).getvalue(), content_type="image/png")


def voucher_form(**overrides) -> dict:
    data = {"purpose": "购买办公用品", "amount": "3200", "spent_on": days_ago(2).isoformat(),
            "handler_name": "王经手"}  # fmt: skip
    data.update(overrides)
    return data


ENTER = "/api/village/vouchers/enter"


def test_the_member_enters_a_voucher_with_its_receipts_through_the_api(people, login):
    import uuid

    key = str(uuid.uuid4())
    client = login(people.member_a)
    response = client.post(
        ENTER, {**voucher_form(client_uuid=key), "receipts": [receipt("1.png"), receipt("2.png")]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    voucher = Voucher.objects.get()
    assert body["id"] == voucher.pk and body["next_step"] == "supervision_committee"
    assert body["chain"][-1] == "agency_booking" and body["version"] == 1
    assert Attachment.objects.filter(purpose=r.RECEIPT_PURPOSE, object_id=str(voucher.pk)).count() == 2
    again = client.post(ENTER, {**voucher_form(client_uuid=key), "receipts": receipt("1.png")})
    assert again.status_code == 201 and again.json()["id"] == voucher.pk  # a resend enters one voucher
    assert Voucher.objects.count() == 1 and Attachment.objects.count() == 2


def test_a_bad_voucher_through_the_api_is_refused_in_chinese_and_nothing_is_kept(people, login, files_dir):
    client = login(people.member_a)
    bare = client.post(ENTER, voucher_form())
    assert bare.status_code == 400 and "请上传票据照片" in bare.json()["error"]["message"]
    long = client.post(ENTER, {**voucher_form(handler_name="王" * 51), "receipts": receipt()})
    assert long.status_code == 400 and "经手人最多50字" in long.json()["error"]["message"]
    fake = SimpleUploadedFile("收据.png", b"MZ\x90\x00 not a picture" * 50, content_type="image/png")
    bad_file = client.post(ENTER, {**voucher_form(), "receipts": fake})
    assert bad_file.status_code == 400 and "收据.png" in bad_file.json()["error"]["message"]
    assert not Voucher.objects.exists() and not Attachment.objects.exists()
    assert not files_dir.exists() or not [p for p in files_dir.rglob("*") if p.is_file()]


def test_only_the_member_enters_a_voucher(people, login):
    for who in ("township_a", "county_officer", *OUTSIDE):
        response = login(getattr(people, who)).post(ENTER, {**voucher_form(), "receipts": receipt()})
        assert response.status_code == 404, who
    assert not Voucher.objects.exists() and not Attachment.objects.exists()


def test_the_township_resolves_an_objection_through_the_api(people, login):
    voucher = objected_at_recheck(people)
    voucher.refresh_from_db()
    url = f"/api/village/vouchers/{voucher.pk}/resolve"
    client = login(people.township_a)
    stale = post(client, url, {"version": voucher.version - 1, "resume": True, "resolution": "已补齐票据"})
    assert stale.status_code == 400
    empty = post(client, url, {"version": voucher.version, "resume": True, "resolution": "  "})
    assert empty.status_code == 400 and "请填写处理意见" in empty.json()["error"]["message"]
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.OBJECTED
    response = post(client, url, {"version": voucher.version, "resume": True, "resolution": "已补齐票据"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "signing" and body["next_step"] == "member_recheck"
    assert [s["resolution"] for s in body["signatures"] if s["is_objection"]] == ["已补齐票据"]
    assert (
        post(client, url, {"version": body["version"], "resume": False, "resolution": "x"}).status_code == 400
    )


def test_only_the_villages_township_resolves_an_objection(people, login):
    voucher = objected_at_recheck(people)
    voucher.refresh_from_db()
    url = f"/api/village/vouchers/{voucher.pk}/resolve"
    data = {"version": voucher.version, "resume": False, "resolution": "不予报销"}
    for who in ("member_a", "county_officer", *OUTSIDE):
        assert post(login(getattr(people, who)), url, data).status_code == 404, who
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.OBJECTED


def test_the_api_document_lists_the_new_writes(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/village/rules"]
    assert "get" in paths["/api/village/rules/{village_id}"]
    assert {"get", "post"} <= set(paths["/api/village/decisions"])
    body = paths["/api/village/vouchers/enter"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in body
    assert "post" in paths["/api/village/vouchers/{voucher_id}/resolve"]


# --- 5. a village's own 环节停滞 limits ----------------------------------------------------------------
def _held_and_recorded(decision, step: int, days: int, member):
    """Step `step` (and those before it) held `days` days ago, each recorded the evening it was held."""
    for s in range(1, step + 1):
        record(member, decision, s, held_on=days_ago(days + step - s))
    for row in DecisionStep.objects.filter(decision=decision):
        at = timezone.make_aware(datetime.combine(row.held_on, datetime.min.time()).replace(hour=20))
        DecisionStep.objects.filter(pk=row.pk).update(recorded_at=at)


def codes(decision) -> set[str]:
    return {f.key for f in decision_flags_for(decision)}


def test_a_villages_shorter_stall_limit_applies_to_decisions_registered_under_it(people):
    before = register(people.member_a, title="村部维修")  # the platform's 30 days
    file_rules(people.member_a, step_stall_days=10)
    after = register(people.member_a, title="村道硬化")
    _held_and_recorded(before, Step.TWO_COMMITTEES, 12, people.member_a)
    _held_and_recorded(after, Step.TWO_COMMITTEES, 12, people.member_a)
    assert codes(before) == set()
    assert codes(after) == {"stalled:3"}
    (flag,) = decision_flags_for(after)
    assert "规定 10 天内" in flag.finding


def test_a_villages_result_limit_and_the_platforms_when_left_empty(people, settings):
    file_rules(people.member_a, result_public_days=60)
    decision = register(people.member_a)
    _held_and_recorded(decision, Step.RESOLUTION_PUBLIC, 70, people.member_a)
    assert codes(decision) == {"stalled:6"}
    file_rules(people.member_a, result_public_days=None)
    later = register(people.member_a, title="村道硬化")
    _held_and_recorded(later, Step.RESOLUTION_PUBLIC, 70, people.member_a)
    assert codes(later) == set()  # the platform's 180 days
    settings.VILLAGEAFFAIRS_RESULT_PUBLIC_DAYS = 60  # empty follows the platform's setting
    assert codes(later) == {"stalled:6"}


def test_a_village_may_not_be_laxer_than_the_platform(people):
    file_rules(people.member_a)
    assert "不得长于平台规定的30天" in refused(file_rules, people.member_a, step_stall_days=31)
    assert "应在30至180天之间" in refused(file_rules, people.member_a, result_public_days=20)
    rules = VillageRules.objects.get()
    assert rules.version == 1 and rules.step_stall_days is None


def test_the_rules_pages_take_and_show_the_villages_limits(people, login, tree):
    client = login(people.member_a)
    form = {"large_amount": "50000", "party_members": "30", "minutes_late_days": "7", "version": "0",
            "step_stall_days": "15"}  # fmt: skip
    lax = client.post(reverse("villageaffairs:rules_edit"), {**form, "step_stall_days": "45"})
    assert lax.status_code == 200 and not VillageRules.objects.exists()
    response = client.post(reverse("villageaffairs:rules_edit"), form)
    assert response.status_code == 302
    assert VillageRules.objects.get().step_stall_days == 15
    page = login(people.township_a).get(reverse("villageaffairs:rules_detail", args=[tree.village_a.pk]))
    text = page.content.decode()
    assert "前一环节后 15 天内进行下一环节" in text and "按平台规定（180 天）" in text
