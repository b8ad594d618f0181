"""Error pages: the public sees them too (a mistyped board, receipt or booking link), so the staff
footer "内部系统 · 注意保密" is shown to signed-in users only; the public is shown the reporters' line."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_a_public_404_has_the_public_footer(tree):
    page = Client().get("/village/board/999999/")
    html = page.content.decode()
    assert page.status_code == 404 and "页面不存在" in html
    assert "内部系统" not in html and "举报电话 12388" in html


def test_a_staff_404_has_the_staff_footer(tree, people):
    client = Client()
    sign_in(client, people.member_a)
    html = client.get("/village/board/999999/").content.decode()
    assert "内部系统 · 注意保密" in html and "举报电话 12388" not in html
