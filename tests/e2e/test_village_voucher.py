"""A voucher through the co-sign chain in headless Chromium at 360 px: the member enters it with a
receipt photo, records the supervision committee's signature and, at the own re-check, objects with a
reason; the chain stops and the township committee, on its phone too, lets it resume; the member then
re-checks and signs, the secretary and the chair sign, and the township committee records the agency's
booking with the name of its clerk."""

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.reports.models import DutyRecord
from jijian.villageaffairs.models import Voucher, VoucherState
from tests.e2e.helpers import new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_step(page, signer="", opinion="", objection=False):
    page.wait_for_selector("#sign")
    if signer:
        page.fill("#sign #id_signer_name", signer)
    if opinion:
        page.fill("#sign #id_opinion", opinion)
    if objection:
        page.check("#sign #id_objection")
    page.click("#sign button.primary")
    page.wait_for_load_state()


def test_a_voucher_through_the_chain_with_an_objection(live_server, browser, people, tmp_path):
    from PIL import Image

    TOTPDevice.objects.create(user=people.township_a, name="phone", confirmed=True)
    receipt = tmp_path / "receipt.png"
    Image.new("RGB", (320, 240), (240, 240, 240)).save(receipt, format="PNG")
    base = live_server.url
    member = new_page(browser)
    sign_in(member, base, people.member_a)
    member.goto(f"{base}/village/vouchers/")
    member.click("text=登记报账凭证")
    member.fill("#id_purpose", "修水渠材料")
    member.fill("#id_amount", "8600")
    member.fill("#id_spent_on", timezone.localdate().isoformat())
    member.fill("#id_handler_name", "王经手")
    member.set_input_files("#id_uploads", str(receipt))
    member.click("main button.primary")
    member.wait_for_url("**/village/vouchers/*/")
    voucher = Voucher.objects.get()

    # The handler cannot sign; the committee's chair signs; the member objects at the re-check.
    sign_step(member, "王经手")
    assert "不能在自己经手的凭证上签字" in member.inner_text("main")
    sign_step(member, "李监委", "同意")
    sign_step(member, opinion="票据抬头不是本村", objection=True)
    assert "已报乡镇纪委处理" in member.inner_text("main")
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.OBJECTED
    assert member.locator("#sign").count() == 0

    township = new_page(browser)
    sign_in(township, base, people.township_a)
    township.goto(f"{base}/village/vouchers/")
    assert "有异议，待乡镇处理" in township.inner_text(f"#voucher-{voucher.pk}")
    township.click("text=修水渠材料")
    township.check("#resolve input[name=resume][value='1']")
    township.fill("#resolve #id_resolution", "已更换抬头正确的票据")
    township.click("#resolve button.primary")
    township.wait_for_load_state()
    assert "已处理异议" in township.inner_text("main")

    member.reload()
    sign_step(member, opinion="票据已更换，复审无误")
    sign_step(member, "张书记")
    sign_step(member, "赵主任")
    township.reload()
    # The agency books it (8600 < 10000: no township leader); the committee records its clerk's name.
    assert township.inner_text("#sign label[for=id_signer_name]") == "三资代理中心经办人"
    assert township.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    sign_step(township, "孙会计")
    voucher.refresh_from_db()
    assert voucher.state == VoucherState.BOOKED
    assert "已记账" in township.inner_text("#voucher-state")
    # The re-check (its objection, then its signature) is one record in the member's duty log.
    assert (
        DutyRecord.objects.filter(member=people.member_a, duty_type__code="reimbursement_check").count() == 1
    )
