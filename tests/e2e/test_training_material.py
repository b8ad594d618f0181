"""A course material on a 360 px phone: a pasted link in the text wraps within the screen; a text counts
as studied with 我已学完, a video once played to its end (training/material.js), then the course completes."""

import io
import shutil

import pytest
from django.utils import timezone

from jijian.training import services
from jijian.training.models import CourseCompletion, CourseMaterial, MaterialView
from tests.attachments.samples import vp8_film
from tests.e2e.helpers import new_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_material_with_a_long_link_fits_the_phone(live_server, browser, tree, people):
    course = services.course_create(
        actor=people.township_a,
        title="新任纪检委员必修",
        description="",
        audience="all",
        year=timezone.localdate().year,
        is_required=True,
    )
    link = "https://www.ccdi.gov.cn/toutiaon/202612/t20261201_123456_m.html?source=weixin&share=timeline"
    services.material_add(actor=people.township_a, course=course, title="第一讲", body=f"原文见：{link}")
    material = CourseMaterial.objects.get()
    page = new_page(browser)
    sign_in(page, live_server.url, people.member_a)
    page.goto(f"{live_server.url}/training/courses/{course.pk}/materials/{material.pk}/")
    assert link in page.inner_text(".material-body")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def lesson_video(tmp_path) -> io.BytesIO:
    """A two-second VP8 film made by ffmpeg (a test dependency: make sysdeps-test), which Chromium plays."""
    out = tmp_path / "警示教育片.webm"
    vp8_film(out, source="color=c=navy:s=64x48:r=10", seconds=2)
    film = io.BytesIO(out.read_bytes())
    film.name = out.name
    return film


def test_a_text_counts_with_i_have_learnt_it_and_a_video_once_played_to_its_end(
    live_server, browser, tree, people, tmp_path
):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (make sysdeps-test)")
    course = services.course_create(
        actor=people.township_a, title="警示教育", description="", audience="all", year=2026, is_required=True
    )
    text = services.material_add(actor=people.township_a, course=course, title="导读", body="六项职责")
    film = services.material_add(
        actor=people.township_a, course=course, title="警示片", file=lesson_video(tmp_path)
    )
    page = new_page(browser)
    sign_in(page, live_server.url, people.member_a)
    base = f"{live_server.url}/training/courses/{course.pk}"

    page.goto(f"{base}/materials/{text.pk}/")
    page.click("#material-learnt button")
    page.wait_for_url(f"{base}/")
    assert "已学完：导读" in page.inner_text("body")
    assert page.inner_text(".materials li:first-child").endswith("✔ 已学完")
    assert page.is_disabled("text=完成学习")  # the film is opened below, not yet played

    page.goto(f"{base}/materials/{film.pk}/")
    assert page.is_disabled("#material-learnt button")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
    page.wait_for_selector("#material-learnt-hint.ok", timeout=20000)
    assert page.inner_text("#material-learnt-hint") == "✔ 已学完"
    assert MaterialView.objects.get(user=people.member_a, material=film).learnt_at is not None

    page.goto(f"{base}/")
    page.click("text=完成学习")
    assert "已完成本课程学习" in page.inner_text("body")
    assert CourseCompletion.objects.filter(user=people.member_a, course=course).exists()
