"""A guidance task on the phone at 360 px: the township issues a task to the village member; the
member sees it on the phone, answers it, and finds it in the month's duty records as the duty type
"完成乡镇纪委派单/点题任务"."""

import pytest

from jijian.cadres.models import GuidanceTask
from jijian.reports.models import DutyRecord
from tests.e2e.helpers import new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_answers_a_task_on_the_phone_and_it_becomes_a_duty_record(live_server, browser, people):
    base = live_server.url
    township = new_page(browser)
    sign_in(township, base, people.township_a)
    township.goto(f"{base}/cadres/tasks/new/")
    township.select_option("#id_member", str(people.member_a.pk))
    township.select_option("#id_kind", "topic")
    township.fill("#id_title", "村级工程廉洁风险排查")
    township.fill("#id_body", "围绕村部维修工程排查风险点")
    township.fill("#id_working_days", "5")
    township.click("main button.primary")
    township.wait_for_url("**/cadres/tasks/*/")
    task = GuidanceTask.objects.get()

    member = new_page(browser)
    sign_in(member, base, people.member_a)
    member.goto(f"{base}/cadres/tasks/")
    assert member.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    member.click("text=村级工程廉洁风险排查")
    member.wait_for_selector("#answer")
    member.fill("#id_answer", "已排查3个项目，1个项目招标公告未公示，已督促整改")
    member.click("#answer button.primary")
    member.wait_for_selector("#task-answer")
    assert "已计入本月履职纪实" in member.inner_text("main")
    assert member.evaluate("document.documentElement.scrollWidth") <= 360

    task.refresh_from_db()
    record = DutyRecord.objects.get(pk=task.duty_record_id)
    assert record.duty_type.code == "assigned_task" and record.member == people.member_a
    member.click("#duty-records")
    member.wait_for_load_state()
    assert "完成乡镇纪委派单/点题任务" in member.inner_text("main")

    township.reload()
    assert "按期办结" in township.inner_text("#task-state")
