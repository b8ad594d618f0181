"""A course material on a 360 px phone: a pasted link in the text wraps within the screen."""

import pytest
from django.utils import timezone

from jijian.training import services
from jijian.training.models import CourseMaterial
from tests.e2e.helpers import sign_in
from tests.e2e.test_report_flow import new_page

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
