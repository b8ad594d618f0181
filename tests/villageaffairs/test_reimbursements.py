"""The reimbursement co-sign chain: its order per township configuration, who may sign, what is
refused, an objection that stops the chain and goes to the township, the statistics and the export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.reports.models import DutyRecord
from jijian.villageaffairs import reimbursements as r
from jijian.villageaffairs.models import Voucher, VoucherState
from tests.villageaffairs.helpers import days_ago, enter, png, sign, walk_village

pytestmark = pytest.mark.django_db


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return "；".join(info.value.messages)


def test_the_default_chain_runs_in_order_and_the_agency_books_it(people):
    voucher = enter(people.member_a)
    assert voucher.chain == [
        "supervision_committee",
        "member_recheck",
        "secretary",
        "chair",
        "agency_booking",
    ]
    walk_village(people, voucher)
    sign(people.township_a, voucher, "孙会计")  # the committee records the agency clerk's booking
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.BOOKED and voucher.booked_at is not None
    assert [s.signer_name for s in voucher.signatures.all()][1] == people.member_a.full_name
    assert AuditEvent.objects.filter(action="voucher.sign").count() == 5


def test_a_township_sets_its_own_order_and_threshold(people):
    r.reimbursement_chain_set(
        actor=people.township_a,
        steps=["member_recheck", "supervision_committee", "chair", "secretary"],
        township_approval_from=Decimal("2000"),
        objection_working_days=3,
        version=0,
    )
    voucher = enter(people.member_a, amount="3200")
    assert voucher.chain == [
        "member_recheck", "supervision_committee", "chair", "secretary", "township_leader", "agency_booking"
    ]  # fmt: skip
    assert enter(people.member_a, amount="1999").chain[-1] == "agency_booking"
    assert "township_leader" not in enter(people.member_a, amount="1999").chain


def test_a_signature_out_of_turn_belongs_to_its_signer_only(people):
    voucher = enter(people.member_a)
    # The first step is a village step: the township cannot sign it.
    with pytest.raises(PermissionDenied):
        sign(people.township_a, voucher)
    walk_village(people, voucher)
    # The booking is the township's: the member cannot book.
    with pytest.raises(PermissionDenied):
        sign(people.member_a, voucher, "某会计")
    with pytest.raises(PermissionDenied):
        sign(people.township_b, voucher)


def test_the_handler_cannot_sign_his_own_voucher(people):
    voucher = enter(people.member_a, handler="王经手")
    assert "经手人 王经手 不能在自己经手的凭证上签字" in refused(sign, people.member_a, voucher, "王经手")
    assert not voucher.signatures.exists()


def test_one_person_cannot_sign_twice(people):
    voucher = enter(people.member_a)
    sign(people.member_a, voucher, "李监委")
    sign(people.member_a, voucher)
    assert "已在本凭证上签过字" in refused(sign, people.member_a, voucher, "李监委")
    assert voucher.signatures.count() == 2


def test_a_stale_page_changes_nothing(people):
    from jijian.core.services import ConcurrentEditError

    voucher = enter(people.member_a)
    stale = voucher.version
    sign(people.member_a, voucher, "李监委")
    with pytest.raises(ConcurrentEditError):
        r.voucher_sign(actor=people.member_a, voucher=voucher, version=stale, signer_name="另一人")


def test_an_objection_needs_a_reason_stops_the_chain_and_goes_to_the_township(people):
    voucher = enter(people.member_a)
    sign(people.member_a, voucher, "李监委")
    assert "须写明理由" in refused(sign, people.member_a, voucher, objection=True)
    sign(people.member_a, voucher, objection=True, opinion="票据抬头不是本村")
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.OBJECTED
    from django.utils import timezone

    from jijian.core.orgs.workdays import add_working_days

    assert voucher.objection_due == add_working_days(timezone.localdate(), 5)
    assert "不在签字中" in refused(sign, people.member_a, voucher, "张书记")
    # Township A resumes it; the objected step is signed again.
    with pytest.raises(PermissionDenied):
        r.voucher_resolve(
            actor=people.township_b, voucher=voucher, version=voucher.version, resume=True, resolution="x"
        )
    r.voucher_resolve(
        actor=people.township_a,
        voucher=voucher,
        version=voucher.version,
        resume=True,
        resolution="已更换合规票据",
    )
    assert r.next_step(Voucher.objects.get(pk=voucher.pk)) == "member_recheck"


def test_a_refused_voucher_is_closed(people):
    voucher = enter(people.member_a)
    sign(people.member_a, voucher, "李监委", objection=True, opinion="无审批依据")
    voucher.refresh_from_db()
    r.voucher_resolve(
        actor=people.township_a, voucher=voucher, version=voucher.version, resume=False, resolution="不予报销"
    )
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.REJECTED and r.next_step(voucher) is None


def test_a_voucher_keeps_the_chain_it_was_entered_under(people):
    voucher = enter(people.member_a)
    r.reimbursement_chain_set(
        actor=people.township_a, steps=["member_recheck"], township_approval_from=Decimal("100"),
        objection_working_days=5, version=0,
    )  # fmt: skip
    voucher.refresh_from_db()
    assert voucher.chain[0] == "supervision_committee" and len(voucher.chain) == 5


def test_the_member_recheck_cannot_be_left_out(people):
    assert "不能省略" in refused(
        r.reimbursement_chain_set, actor=people.township_a, steps=["secretary", "chair"],
        township_approval_from=Decimal("100"), objection_working_days=5, version=0,
    )  # fmt: skip


def test_a_voucher_needs_its_receipts(people):
    message = refused(
        r.voucher_enter, actor=people.member_a, purpose="修水渠", amount=Decimal("100"), spent_on=days_ago(1),
        handler_name="王经手", files=[],
    )  # fmt: skip
    assert "请上传票据照片" in message and not Voucher.objects.exists()


def test_the_members_recheck_is_a_duty_record_with_its_amount(people):
    voucher = enter(people.member_a, amount="3200")
    sign(people.member_a, voucher, "李监委")
    sign(people.member_a, voucher)
    record = DutyRecord.objects.get()
    assert record.duty_type.code == "reimbursement_check"
    assert record.data == {"count": 1, "amount": "3200.00", "objections": 0}


def test_statistics_per_village_and_month_and_the_excel_export(people, login):
    from openpyxl import load_workbook

    booked = enter(people.member_a, amount="1000")
    walk_village(people, booked)
    sign(people.township_a, booked, "孙会计")
    objected = enter(people.member_a, amount="500", handler="刘经手")
    sign(people.member_a, objected, "李监委", objection=True, opinion="用途不明")
    (row,) = r.voucher_statistics(people.township_a, year=booked.created_at.year)
    assert (row["count"], row["amount"], row["objections"], row["booked"]) == (2, Decimal("1500"), 1, 1)
    assert r.voucher_statistics(people.township_b, year=booked.created_at.year) == []
    client = login(people.township_a)
    response = client.get(
        reverse("villageaffairs:voucher_stats") + f"?year={booked.created_at.year}&format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][2:6] == [2, 1500, 1, 1]
    assert AuditEvent.objects.filter(action="voucher.export").count() == 1


def test_the_voucher_pages_for_the_member_and_the_township(people, login):
    client = login(people.member_a)
    response = client.post(
        reverse("villageaffairs:voucher_create"),
        {"purpose": "修水渠材料", "amount": "8600", "spent_on": days_ago(1).isoformat(), "handler_name": "王经手",
         "uploads": [png("receipt.png")]},
    )  # fmt: skip
    assert response.status_code == 302
    voucher = Voucher.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "receipt.png" in page and "村务监督委员会审核" in page
    client.post(
        reverse("villageaffairs:voucher_sign", args=[voucher.pk]),
        {"version": voucher.version, "signer_name": "王经手"},
    )
    assert "不能在自己经手的凭证上签字" in client.get(response["Location"]).content.decode()
    assert not voucher.signatures.exists()


def _voucher(member, purpose, amount, days):
    return r.voucher_enter(
        actor=member, purpose=purpose, amount=Decimal(amount), spent_on=days_ago(days), handler_name="王经手",
        files=[png("receipt.png")],
    )  # fmt: skip


def test_one_expense_split_under_the_threshold_is_flagged(people, login):
    from tests.villageaffairs.helpers import file_rules

    file_rules(people.member_a, large_amount=Decimal("50000"))
    _voucher(people.member_a, "村道硬化材料（第一批）", "24000", 20)
    _voucher(people.member_a, "村道硬化材料（第二批）", "26000", 5)
    _voucher(people.member_a, "办公用品", "30000", 5)  # another purpose: not part of it
    (flag,) = r.split_expenses(people.township_a)
    assert flag.total == Decimal("50000") and len(flag.vouchers) == 2
    assert r.split_expenses(people.township_b) == []
    page = login(people.township_a).get(reverse("villageaffairs:flag_board")).content.decode()
    assert "疑似拆分报账" in page and "规避“三重一大”集体决策" in page


def test_spending_far_apart_or_under_the_threshold_together_is_not_a_split(people):
    from tests.villageaffairs.helpers import file_rules

    file_rules(people.member_a, large_amount=Decimal("50000"))
    _voucher(people.member_a, "村道硬化材料", "24000", 60)
    _voucher(people.member_a, "村道硬化材料", "26000", 5)  # 55 days apart
    _voucher(people.member_a, "路灯维修", "20000", 3)
    _voucher(people.member_a, "路灯维修", "20000", 2)  # 40000 < 50000
    assert r.split_expenses(people.township_a) == []


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["member_a", "township_a"])
def test_the_voucher_lists_board_and_home_cost_the_same_queries_for_3_vouchers_as_for_30(
    people, login, persona
):
    client = login(getattr(people, persona))
    for i in range(3):
        _voucher(people.member_a, f"用途{i}", "100", 1)
    vouchers = reverse("villageaffairs:voucher_list")
    urls = [vouchers, vouchers + "?show=mine", vouchers + "?show=objected", reverse("core:home")]
    if persona == "township_a":
        urls.append(reverse("villageaffairs:flag_board"))
    for url in urls:
        client.get(url)
    few = [_queries(client, url) for url in urls]
    for i in range(27):
        _voucher(people.member_a, f"其他{i}", "100", 1)
    assert [_queries(client, url) for url in urls] == few


def test_an_objection_reaches_the_township(people):
    from jijian.core.models import Notification

    voucher = enter(people.member_a)
    sign(people.member_a, voucher, "李监委", objection=True, opinion="无审批依据")
    (note,) = Notification.objects.filter(recipient=people.township_a)
    assert "报账凭证异议待处理" in note.title and "无审批依据" in note.body
    assert note.link == reverse("villageaffairs:voucher_detail", args=[voucher.pk])


def test_a_voucher_refused_for_its_amount_keeps_the_receipt_photo(people, login):
    client = login(people.member_a)
    url = reverse("villageaffairs:voucher_create")
    data = {"purpose": "修水渠材料", "spent_on": days_ago(1).isoformat(), "handler_name": "王经手"}
    refused = client.post(url, {**data, "amount": "-5", "uploads": [png("receipt.png")]})
    assert refused.status_code == 200 and "receipt.png" in refused.content.decode()
    assert not Voucher.objects.exists()
    held_id = refused.context["held"][0]["id"]
    response = client.post(url, {**data, "amount": "8600", "held_keep": [held_id]})
    assert response.status_code == 302
    assert "receipt.png" in client.get(response["Location"]).content.decode()
    assert Voucher.objects.get().purpose == "修水渠材料"


def test_an_objection_due_in_a_provisional_year_is_marked(people, login, monkeypatch):
    """2027 has no State Council arrangement yet: an objection due then shows 暂定 on the voucher,
    in the list and in the township's notice; one due in 2026 shows none."""
    from datetime import date

    from django.utils import timezone

    from jijian.core.models import Notification

    late, early = enter(people.member_a, purpose="年终慰问品"), enter(people.member_a, purpose="秋季修缮")
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 28))
    sign(people.member_a, late, "李监委", objection=True, opinion="无审批依据")
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 2))
    sign(people.member_a, early, "李监委", objection=True, opinion="用途不明")
    late.refresh_from_db()
    early.refresh_from_db()
    assert late.objection_due.year == 2027 and early.objection_due.year == 2026
    client = login(people.township_a)
    for voucher, marked in ((late, True), (early, False)):
        page = client.get(reverse("villageaffairs:voucher_detail", args=[voucher.pk])).content.decode()
        assert ("暂定" in page.split('id="voucher-state"')[1].split("</dd>")[0]) is marked
    rows = client.get(reverse("villageaffairs:voucher_list")).content.decode()
    assert "暂定" in rows.split(f'id="voucher-{late.pk}"')[1].split("</tr>")[0]
    assert "暂定" not in rows.split(f'id="voucher-{early.pk}"')[1].split("</tr>")[0]
    # On a phone the row stacks without the header: the amount and the date carry their names.
    assert '<td data-label="金额（元）">' in rows and '<td data-label="登记">' in rows
    notes = {n.body for n in Notification.objects.filter(recipient=people.township_a)}
    assert any(f"{late.objection_due:%Y-%m-%d}（暂定） 前处理" in body for body in notes)
    assert any(f"{early.objection_due:%Y-%m-%d} 前处理" in body for body in notes)


def test_the_voucher_form_sent_twice_enters_one_voucher(people, login):
    import re

    from jijian.attachments.models import Attachment

    client = login(people.member_a)
    url = reverse("villageaffairs:voucher_create")
    page = client.get(url).content.decode()
    (key,) = re.findall(r'name="client_uuid" value="([0-9a-f-]{36})"', page)
    data = {"purpose": "修水渠材料", "amount": "8600", "spent_on": days_ago(1).isoformat(),
            "handler_name": "王经手", "client_uuid": key}  # fmt: skip
    first = client.post(url, {**data, "uploads": [png("receipt.png")]})
    again = client.post(url, {**data, "uploads": [png("receipt.png")]})  # a double tap, a resend
    voucher = Voucher.objects.get()
    assert first.status_code == again.status_code == 302
    assert (
        first["Location"] == again["Location"] == reverse("villageaffairs:voucher_detail", args=[voucher.pk])
    )
    assert "已登记报账凭证" in client.get(again["Location"]).content.decode()
    assert Attachment.objects.filter(object_id=str(voucher.pk)).count() == 1
    assert AuditEvent.objects.filter(action="voucher.enter").count() == 1
    # A new form page carries a new key: the next voucher is entered.
    (other,) = re.findall(r'name="client_uuid" value="([0-9a-f-]{36})"', client.get(url).content.decode())
    assert other != key
    client.post(url, {**data, "client_uuid": other, "uploads": [png("receipt.png")]})
    assert Voucher.objects.count() == 2


def test_a_refused_voucher_form_keeps_its_key(people, login):
    import uuid

    client = login(people.member_a)
    key = str(uuid.uuid4())
    data = {"purpose": "修水渠材料", "spent_on": days_ago(1).isoformat(), "handler_name": "王经手",
            "client_uuid": key}  # fmt: skip
    refused = client.post(reverse("villageaffairs:voucher_create"), {**data, "amount": "-5"})
    assert f'name="client_uuid" value="{key}"' in refused.content.decode()
    assert not Voucher.objects.exists()


def test_another_members_form_key_is_refused(people, tree):
    import uuid

    from jijian.core.roles import Role
    from tests.conftest import make_user

    voucher = enter(people.member_a, client_uuid=uuid.uuid4())
    other = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    with pytest.raises(PermissionDenied):
        enter(other, client_uuid=voucher.client_uuid)
    assert Voucher.objects.count() == 1


def test_the_same_purpose_split_again_months_later_is_a_second_flag(people):
    """Until 2026-12-06 a purpose raised one flag at most: the September split of the same road works
    went unseen once March's was flagged."""
    from tests.villageaffairs.helpers import file_rules

    file_rules(people.member_a, large_amount=Decimal("50000"))
    march = [_voucher(people.member_a, "村道硬化材料（第一批）", "24000", 200),
             _voucher(people.member_a, "村道硬化材料（第二批）", "26000", 190)]  # fmt: skip
    _voucher(people.member_a, "村道硬化材料（第三批）", "20000", 185)  # after the flag, alone: no new flag
    september = [_voucher(people.member_a, "村道硬化材料（第四批）", "30000", 20),
                 _voucher(people.member_a, "村道硬化材料（第五批）", "29000", 5)]  # fmt: skip
    first, second = r.split_expenses(people.township_a)
    assert first.voucher_ids == sorted(v.pk for v in march) and first.total == Decimal("50000")
    assert second.voucher_ids == sorted(v.pk for v in september) and second.total == Decimal("59000")
    assert first.key != second.key
    assert len(r.split_board(people.township_a)) == 2


# --- the township steps: the committee records who signed (until 2026-12 it signed them by its own
# account's name, so a voucher needing the township leader could never be booked) -----------------------
def test_a_voucher_over_the_threshold_is_booked_with_one_township_committee_account(people, tree):
    from jijian.core.models import User
    from jijian.core.roles import Role

    # The township has one committee account (as in the demo's and the bench's townships).
    assert User.objects.filter(org_unit=tree.township_a, roles__role=Role.TOWNSHIP_COMMITTEE).count() == 1
    voucher = enter(people.member_a, amount="12000")
    assert voucher.chain[-2:] == ["township_leader", "agency_booking"]
    walk_village(people, voucher)
    sign(people.township_a, voucher, "刘乡长", opinion="同意")
    assert r.next_step(Voucher.objects.get(pk=voucher.pk)) == "agency_booking"
    sign(people.township_a, voucher, "孙会计")
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.BOOKED and voucher.booked_at is not None
    township_steps = voucher.signatures.filter(step__in=["township_leader", "agency_booking"])
    assert [(s.signer_name, s.recorded_by) for s in township_steps] == [
        ("刘乡长", people.township_a),
        ("孙会计", people.township_a),
    ]
    audited = AuditEvent.objects.filter(action="voucher.sign", actor=people.township_a).order_by("id")
    summaries = list(audited.values_list("summary", flat=True))
    assert summaries == [
        "购买办公用品 乡镇领导签批：刘乡长签字",
        "购买办公用品 乡镇三资代理中心记账：孙会计签字",
    ]


@pytest.mark.parametrize("typed", ["", "   ", "\u3000"])
def test_a_township_step_without_its_signers_name_is_refused(people, typed):
    voucher = enter(people.member_a, amount="12000")
    walk_village(people, voucher)
    voucher.refresh_from_db()
    version, signed, audited = voucher.version, voucher.signatures.count(), AuditEvent.objects.count()
    assert "请填写“乡镇领导签批”的签字人" in refused(sign, people.township_a, voucher, typed)
    voucher.refresh_from_db()
    assert (voucher.version, voucher.signatures.count(), AuditEvent.objects.count()) == (
        version,
        signed,
        audited,
    )
    assert voucher.state == VoucherState.SIGNING and r.next_step(voucher) == "township_leader"


def test_names_are_compared_without_spaces_or_full_width_forms(people):
    assert r.person_key(" 王 经手\u3000") == r.person_key("王经手") == "王经手"
    assert r.same_person("ＬＩ　Ｍｉｎｇ", "LI Ming") and not r.same_person("王经手", "王敬手")
    voucher = enter(people.member_a, amount="12000", handler="王经手")
    for typed in ("王 经手", "王\u3000经手", " 王经手 "):  # the handler, however spaced
        assert "不能在自己经手的凭证上签字" in refused(sign, people.member_a, voucher, typed)
    sign(people.member_a, voucher, "李监委")
    sign(people.member_a, voucher)  # the member's re-check, by the account's name
    assert "同一人不能签字两次" in refused(sign, people.member_a, voucher, "李　监委")
    assert people.member_a.full_name == "测试member_a"  # the re-check's signer, typed again with a space
    assert "同一人不能签字两次" in refused(sign, people.member_a, voucher, "测试 member_a")
    sign(people.member_a, voucher, "张书记")
    sign(people.member_a, voucher, "赵主任")
    sign(people.township_a, voucher, "刘乡长")
    for typed in ("刘 乡长", "刘\u3000乡长", "张 书记"):  # the township leader, or the secretary, again
        assert "同一人不能签字两次" in refused(sign, people.township_a, voucher, typed)
    assert (
        voucher.signatures.count() == 5 and Voucher.objects.get(pk=voucher.pk).state == VoucherState.SIGNING
    )


def test_the_township_records_its_steps_on_the_voucher_page(people, login):
    voucher = enter(people.member_a, amount="12000")
    walk_village(people, voucher)
    client = login(people.township_a)
    url = reverse("villageaffairs:voucher_detail", args=[voucher.pk])
    sign_url = reverse("villageaffairs:voucher_sign", args=[voucher.pk])
    page = client.get(url).content.decode()
    assert '<label for="id_signer_name">乡镇领导签字人</label>' in page
    assert "本账号（测试township_a）记为登记人" in page and "以本人账号签字" not in page
    voucher.refresh_from_db()
    client.post(sign_url, {"version": voucher.version, "signer_name": ""})
    page = client.get(url).content.decode()
    assert "请填写“乡镇领导签批”的签字人" in page and not voucher.signatures.filter(step="township_leader")
    client.post(sign_url, {"version": voucher.version, "signer_name": "刘乡长", "opinion": "同意"})
    page = client.get(url).content.decode()
    assert '<label for="id_signer_name">三资代理中心经办人</label>' in page
    assert "测试township_a 登记" in page.split('id="chain-township_leader"')[1].split("</li>")[0]
    voucher.refresh_from_db()
    client.post(sign_url, {"version": voucher.version, "signer_name": "孙会计"})
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.BOOKED
    page = client.get(url).content.decode()
    assert 'id="sign"' not in page
    booking = page.split('id="chain-agency_booking"')[1].split("</li>")[0]
    assert "孙会计" in booking and "测试township_a 登记" in booking
    # The member's re-check still says it is signed by the member's own account.
    other = enter(people.member_a)
    sign(people.member_a, other, "李监委")
    page = (
        login(people.member_a).get(reverse("villageaffairs:voucher_detail", args=[other.pk])).content.decode()
    )
    assert "以本人账号签字" in page and 'name="signer_name"' not in page
