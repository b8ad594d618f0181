"""Issue 21, in headless Chromium on a 360 px phone: a village member starts a timed exam, answers part
of it, loses the connection and answers on (kept in the phone), closes the browser, opens it again
once the connection is back — every answer is still there and reaches the server —, reloads
mid-exam, finishes within the time, submits, sees the grade and downloads the certificate."""

import pytest

from jijian.training.models import Sitting
from tests.e2e.helpers import shot, sign_in
from tests.training.factories import bank, exam

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def answer(page, item):
    name = item.field_name
    if item.kind == "fill_in":
        page.fill(f"input[name={name}]", item.key[0])
    elif item.kind == "true_false":
        page.check(f"input[name={name}][value={'true' if item.key[0] else 'false'}]")
    else:
        for index in item.key:
            page.check(f"input[name={name}][value='{index}']")


def assert_answered(page, items):
    for item in items:
        if item.kind == "fill_in":
            assert page.input_value(f"input[name={item.field_name}]") == item.key[0]
        else:
            assert page.locator(f"input[name={item.field_name}]:checked").count() == len(item.key)


def saved_on_server(sitting) -> int:
    return sitting.items.filter(answer__isnull=False).count()


def start_exam(live_server, browser, tree, member):
    """The member, on a 360 px phone, starts the county's 30-minute exam: (context, page, sitting)."""
    bank(tree.county)
    e = exam(tree.county, title="履职能力测试", minutes=30)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, member)
    page.goto(f"{live_server.url}/training/")
    page.click("text=参加考试")
    page.click("text=开始考试")
    page.wait_for_url("**/training/sittings/*/")
    return context, page, Sitting.objects.get(exam=e, user=member)


def test_member_takes_a_timed_exam_through_a_dropped_connection(live_server, browser, tree, people):
    context, page, sitting = start_exam(live_server, browser, tree, people.member_a)
    items = list(sitting.items.all())
    assert len(items) == 8
    assert "剩余" in page.inner_text("#exam-bar")

    for item in items[:3]:
        answer(page, item)
    page.wait_for_function("() => document.getElementById('exam-status').textContent.startsWith('已保存')")
    page.wait_for_function(
        f"() => !Object.keys(JSON.parse(localStorage.getItem('jijian-sitting-{sitting.pk}') || '{{}}')).length"
    )
    assert saved_on_server(sitting) == 3
    shot(page, "exam-360-answering.png")

    context.set_offline(True)
    for item in items[3:6]:
        answer(page, item)
    page.wait_for_function("() => document.getElementById('exam-status').textContent.startsWith('网络中断')")
    assert saved_on_server(sitting) == 3  # the server has not seen them: they wait in the phone
    shot(page, "exam-360-offline.png")

    # The phone's browser is closed while offline, and opened again once the connection is back: the
    # three answers the server never got come back from the phone and are sent.
    url = page.url
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(url)
    assert_answered(page, items[:6])
    page.wait_for_function(
        f"() => !Object.keys(JSON.parse(localStorage.getItem('jijian-sitting-{sitting.pk}') || '{{}}')).length"
    )
    assert saved_on_server(sitting) == 6
    page.reload()  # and a plain reload mid-exam shows them from the server
    assert_answered(page, items[:6])

    for item in items[6:]:
        answer(page, item)
    page.click("#exam-submit")
    page.wait_for_selector("#grade")
    assert "得分 100 分" in page.inner_text("#grade") and "合格" in page.inner_text("#grade")
    shot(page, "exam-360-graded.png")
    sitting.refresh_from_db()
    assert sitting.passed and sitting.percent == 100
    with page.expect_download() as download:
        page.click("text=下载合格证书")
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()


def test_a_fill_in_answer_typed_just_before_a_reload_is_kept(live_server, browser, tree, people):
    """The page keeps a typed answer in the phone at once, not only when it sends it half a second
    later: reloading (or losing the page) right after typing loses nothing, and the answer then reaches
    the server."""
    bank(tree.county)
    e = exam(tree.county, minutes=30)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, people.member_a)
    page.goto(f"{base}/training/exams/{e.pk}/take/")
    page.click("text=开始考试")
    page.wait_for_url("**/training/sittings/*/")
    sitting = Sitting.objects.get(exam=e, user=people.member_a)
    item = sitting.items.filter(kind="fill_in").first()
    page.fill(f"input[name={item.field_name}]", "正确")
    page.reload()
    assert page.input_value(f"input[name={item.field_name}]") == "正确"
    page.wait_for_function(
        f"() => !Object.keys(JSON.parse(localStorage.getItem('jijian-sitting-{sitting.pk}') || '{{}}')).length"
    )
    item.refresh_from_db()
    assert item.answer == ["正确"]
    context.close()


def test_a_session_ended_mid_exam_says_so_and_keeps_the_answer(live_server, browser, tree, people):
    """The member signs in on another device mid-exam: this phone's session ends. An answer given then
    is kept in the phone and the page says to sign in again (not that the network is down); after
    signing in again the answer reaches the server."""
    bank(tree.county)
    e = exam(tree.county, minutes=30)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, people.member_a)
    page.goto(f"{base}/training/exams/{e.pk}/take/")
    page.click("text=开始考试")
    page.wait_for_url("**/training/sittings/*/")
    url = page.url
    sitting = Sitting.objects.get(exam=e, user=people.member_a)
    item = sitting.items.filter(kind="true_false").first()
    other = browser.new_context(locale="zh-CN")
    sign_in(other.new_page(), base, people.member_a)
    other.close()
    answer(page, item)
    page.wait_for_function(
        "() => document.getElementById('exam-status').textContent.startsWith('登录已失效')"
    )
    assert saved_on_server(sitting) == 0
    sign_in(page, base, people.member_a)
    page.goto(url)
    page.click("text=在本设备继续作答")  # a new session: the sitting asks before moving to it
    page.wait_for_url(url)
    page.wait_for_function(
        f"() => !Object.keys(JSON.parse(localStorage.getItem('jijian-sitting-{sitting.pk}') || '{{}}')).length"
    )
    assert saved_on_server(sitting) == 1
    context.close()


def test_time_up_while_offline_stays_on_the_page_and_hands_in_once_back(live_server, browser, tree, people):
    """The village's signal drops as the time runs out: the page does not give way to the browser's
    error page; it says so, and hands in once the connection is back."""
    from datetime import timedelta

    from django.utils import timezone

    context, page, sitting = start_exam(live_server, browser, tree, people.member_a)
    items = list(sitting.items.all())
    answer(page, items[0])
    page.wait_for_function("() => document.getElementById('exam-status').textContent.startsWith('已保存')")
    # The time left brought down to a few seconds (the page reads it when it loads).
    Sitting.objects.filter(pk=sitting.pk).update(deadline=timezone.now() + timedelta(seconds=5))
    page.reload()
    context.set_offline(True)
    page.wait_for_function(
        "() => document.getElementById('exam-status').textContent.startsWith('时间到。网络已中断')",
        timeout=20000,
    )
    page.wait_for_timeout(1500)
    assert page.locator("#exam-bar").count() == 1  # still the exam, not the browser's error page
    shot(page, "exam-360-time-up-offline.png")
    context.set_offline(False)
    page.wait_for_selector("#grade", timeout=20000)
    sitting.refresh_from_db()
    assert sitting.submitted_at is not None
    context.close()
