"""member.js in headless Chromium at phone size: the report draft saves itself, a draft typed
offline survives a reload and is sent when the connection returns, and a save from a second device
is not overwritten."""

from datetime import date

import pytest

from jijian.reports import services
from jijian.reports.models import MonthlyReport
from tests.conftest import PASSWORD
from tests.reports.helpers import at, open_month

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_context(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    yield context
    context.close()


def sign_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "member_a")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def summary_in_db(report) -> str:
    return MonthlyReport.objects.get(pk=report.pk).summary


def test_a_draft_typed_offline_survives_a_reload_and_is_sent_when_back_online(
    live_server, phone_context, tree, people
):
    report = open_month(tree)
    with at(date(2025, 10, 20)):
        page = phone_context.new_page()
        sign_in(page, live_server.url)
        url = f"{live_server.url}/reports/{report.pk}/"
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.fill("#id_summary", "在线时写的")
        page.wait_for_selector("#draft-status >> text=草稿已自动保存", timeout=10000)
        assert summary_in_db(report) == "在线时写的"

        phone_context.set_offline(True)
        page.fill("#id_summary", "没有信号时写的")
        page.wait_for_selector("#draft-status >> text=网络未连接", timeout=10000)
        assert summary_in_db(report) == "在线时写的"
        page.close()

        # The phone gets signal again and the member opens the page: the offline copy comes back
        # into the form and is sent.
        phone_context.set_offline(False)
        page = phone_context.new_page()
        page.goto(url)
        assert page.input_value("#id_summary") == "没有信号时写的"
        page.wait_for_selector("#draft-status >> text=草稿已自动保存", timeout=10000)
        assert summary_in_db(report) == "没有信号时写的"


def test_a_draft_typed_after_the_session_ended_says_so_and_comes_back(
    live_server, phone_context, browser, tree, people
):
    """The member signs in on another device: this phone's session ends. A draft typed then is kept
    in the phone and the page says to sign in again (not that the network is down); after signing in
    and opening the report it is restored and saved."""
    report = open_month(tree)
    with at(date(2025, 10, 20)):
        page = phone_context.new_page()
        sign_in(page, live_server.url)
        url = f"{live_server.url}/reports/{report.pk}/"
        page.goto(url)
        other = browser.new_context(locale="zh-CN")
        sign_in(other.new_page(), live_server.url)
        other.close()
        page.fill("#id_summary", "登录失效后写的")
        page.wait_for_selector("#draft-status >> text=登录已失效", timeout=10000)
        assert summary_in_db(report) == ""
        sign_in(page, live_server.url)
        page.goto(url)
        assert page.input_value("#id_summary") == "登录失效后写的"
        page.wait_for_selector("#draft-status >> text=草稿已自动保存", timeout=10000)
        assert summary_in_db(report) == "登录失效后写的"


def test_a_save_from_another_device_is_not_overwritten(live_server, phone_context, tree, people):
    report = open_month(tree)
    with at(date(2025, 10, 20)):
        page = phone_context.new_page()
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/reports/{report.pk}/")
        services.monthly_report_save_draft(
            actor=people.member_a, report=report, version=1, summary="另一台设备", problems="", counts={}
        )
        page.fill("#id_summary", "这台手机")
        page.wait_for_selector("#draft-status >> text=已在其他设备修改，请刷新", timeout=10000)
    assert summary_in_db(report) == "另一台设备"


def test_a_duty_record_written_offline_is_queued_and_sent_once_back_online(
    live_server, phone_context, tree, people
):
    from jijian.reports.models import DutyRecord

    with at(date(2025, 10, 20)):
        page = phone_context.new_page()
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/reports/records/new/?type=household_visit")
        phone_context.set_offline(True)
        page.fill("#id_occurred_on", "2025-10-19")
        page.fill("#id_f_households", "5")
        page.click("#save-record")
        page.wait_for_selector("#queue-status >> text=已暂存在本机", timeout=10000)
        assert not DutyRecord.objects.exists()
        phone_context.set_offline(False)
        page.wait_for_selector("#queue-status >> text=已上传", timeout=10000)
        page.goto(f"{live_server.url}/reports/records/?month=2025-10")  # a second flush finds nothing
        assert "走访户数：5" in page.inner_text("#record-list")
    record = DutyRecord.objects.get()
    assert record.client_uuid is not None and record.data == {"households": 5}


def test_a_queued_duty_record_is_kept_when_the_session_ended_while_offline(
    live_server, phone_context, browser, tree, people
):
    """Back online after the session ended (here: the member signed in on another device), the
    upload lands on the sign-in page: nothing is saved, so the record stays queued and the page says
    so, and it goes up once the member has signed in again."""
    from jijian.reports.models import DutyRecord

    with at(date(2025, 10, 20)):
        page = phone_context.new_page()
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/reports/records/new/?type=household_visit")
        phone_context.set_offline(True)
        page.fill("#id_occurred_on", "2025-10-19")
        page.fill("#id_f_households", "5")
        page.click("#save-record")
        page.wait_for_selector("#queue-status >> text=已暂存在本机", timeout=10000)
        other = browser.new_context(locale="zh-CN")
        sign_in(other.new_page(), live_server.url)  # this phone's session ends
        other.close()
        phone_context.set_offline(False)
        page.wait_for_selector("#queue-status >> text=登录已失效", timeout=10000)
        assert "已上传" not in page.inner_text("#queue-status")
        assert not DutyRecord.objects.exists()
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/reports/records/?month=2025-10")
        page.wait_for_selector("#queue-status >> text=已上传", timeout=10000)
    assert DutyRecord.objects.get().data == {"households": 5}


def test_the_members_own_save_whose_answer_was_lost_is_not_a_conflict(
    live_server, phone_context, tree, people
):
    """Issue 16, item 5: a save of this phone reached the server but its answer was lost, so the page
    still holds the older version; the next autosave and the submit go through, and a reload shows
    the newest text — nobody is blamed for the member's own edit."""
    report = open_month(tree)
    with at(date(2025, 10, 28)):
        page = phone_context.new_page()
        sign_in(page, live_server.url)
        url = f"{live_server.url}/reports/{report.pk}/"
        page.goto(url)
        device = page.input_value("input[name=device]")
        assert device
        # The lost answer: the server has this phone's save as version 2, the page still says 1.
        services.monthly_report_save_draft(
            actor=people.member_a,
            report=report,
            version=1,
            summary="已到服务器",
            problems="",
            counts={},
            device=device,
        )
        page.fill("#id_summary", "之后接着写的")
        page.wait_for_selector("#draft-status >> text=草稿已自动保存", timeout=10000)
        assert summary_in_db(report) == "之后接着写的"
        page.reload()
        assert page.input_value("#id_summary") == "之后接着写的"
        page.check("input[name=is_zero_report][value='0']")
        page.check("#id_endorse")
        page.click("#submit-report")
        page.wait_for_load_state()
        assert "他人修改" not in page.inner_text("main")
    assert MonthlyReport.objects.get(pk=report.pk).state == "submitted"
