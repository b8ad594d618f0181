"""Primary responsibility in headless Chromium: the city's office publishes two template items; a
department's party organisation (its liaison, on a phone) generates its list and records a committee
meeting that opened with the ten minutes of integrity education, with a photo — that item turns done
while the other, already past its deadline, is red; the city's office (desktop) sees both on its
board, reads the record without any way to edit it, and records an accountability interview about
the red item."""

import io
from datetime import date

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.core.roles import Role
from jijian.responsibility import services
from jijian.responsibility.models import AccountabilityInterview, FulfilmentRecord, ResponsibilityItem
from tests.conftest import make_user
from tests.e2e.helpers import desktop, new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def staff(username, unit, role):
    user = make_user(username, unit, role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def png(tmp_path):
    from PIL import Image

    path = tmp_path / "会议照片.png"
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_a_meeting_turns_its_item_done_and_the_office_interviews_about_the_red_one(
    live_server, browser, tree, tmp_path
):
    today = date.today()
    if today < date(today.year, 1, 12):
        pytest.skip("the red item is due on 1 January: in the first days of a year it is not yet past due")
    office = staff("city_office", tree.city, Role.CONDUCT_SUPERVISION)
    liaison = staff("liaison", tree.party_org, Role.PARTY_ORG_LIAISON)
    common = {
        "polarity": "positive",
        "requirement": "",
        "supervising_office": "市纪委监委党风政风监督室",
        "evidence": "",
    }
    services.template_save(
        actor=office,
        year=today.year,
        holder="organisation",
        title="专题研究党风廉政建设",
        frequency="yearly",
        due_date=None,
        record_type="meeting",
        **common,
    )
    services.template_save(
        actor=office,
        year=today.year,
        holder="organisation",
        title="部署年度党风廉政建设工作",
        frequency="yearly",
        due_date=date(today.year, 1, 1),
        record_type="meeting",
        **common,
    )
    base = live_server.url

    # 1. The liaison generates the list and records the meeting with its integrity ten minutes.
    phone = new_page(browser)
    sign_in(phone, base, liaison)
    phone.goto(f"{base}/responsibility/")
    phone.get_by_role("button", name=f"按模板生成{today.year}年清单").click()
    phone.wait_for_selector("text=专题研究党风廉政建设")
    meeting_item = ResponsibilityItem.objects.get(title="专题研究党风廉政建设")
    red_item = ResponsibilityItem.objects.get(title="部署年度党风廉政建设工作")
    phone.click(f"#item-{meeting_item.pk} >> text=记一笔")
    assert phone.input_value("#id_record_type") == "meeting"
    phone.fill("#id_title", "党委会专题研究党风廉政建设")
    phone.fill("#id_content", "传达上级精神，研究本单位廉政风险防控。")
    phone.check("#id_integrity_ten_minutes")
    phone.fill("#id_integrity_topic", "学习典型案例通报")
    phone.set_input_files("#id_files", str(png(tmp_path)))
    phone.click("main button.primary")
    phone.wait_for_selector("text=已登记纪实")
    record = FulfilmentRecord.objects.get()
    assert record.integrity_ten_minutes and not record.is_late
    phone.goto(f"{base}/responsibility/orgs/{tree.party_org.pk}/")
    assert "已完成" in phone.inner_text(f"#item-{meeting_item.pk} .st-done")
    assert "已逾期" in phone.inner_text(f"#item-{red_item.pk} .st-overdue")

    # 2. The city's office sees both, reads the record (no edit), and interviews about the red item.
    desk = desktop(browser)
    sign_in(desk, base, office)
    desk.goto(f"{base}/responsibility/")
    row = desk.inner_text(f"#org-{tree.party_org.pk}")
    assert tree.party_org.name in row
    assert "部署年度党风廉政建设工作" in desk.inner_text(".resp-red")
    desk.goto(f"{base}/responsibility/records/{record.pk}/")
    text = desk.inner_text("main")
    assert "学习典型案例通报" in text and "会议照片.png" in text
    assert desk.locator("main a:has-text('修改')").count() == 0
    desk.goto(f"{base}/responsibility/")
    desk.click(".resp-red >> text=登记约谈")
    assert desk.input_value("#id_item") == str(red_item.pk)
    desk.fill("#id_interviewee", "机关党委书记")
    desk.fill("#id_reason", "年度工作部署逾期未记实")
    desk.select_option("#id_outcome", "none")
    desk.fill("#id_follow_up", "限期补录并说明情况")
    desk.click("main button.primary")
    desk.wait_for_selector("text=已登记约谈")
    assert "年度工作部署逾期未记实" in desk.inner_text("#interviews")
    interview = AccountabilityInterview.objects.get()
    assert interview.item_id == red_item.pk and interview.created_by_id == office.pk
