"""The scripts' words come from Django's JavaScriptCatalog at /jsi18n/: every page loads it before its
own scripts, and it is an asset (kept by the browser for a day, also behind sign-in; served on the
second-factor page). In a browser: tests/e2e/test_script_catalogue.py."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

import jijian
from jijian.core.ops.middleware import CATALOG_PREFIX
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def test_the_catalogue_defines_gettext_and_interpolate_for_anyone(db, client):
    response = client.get(reverse("javascript-catalog"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "globals.gettext = django.gettext" in body
    assert "globals.interpolate = django.interpolate" in body
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]


def test_the_catalogue_s_address_carries_the_release_under_the_middleware_s_prefix():
    assert reverse("javascript-catalog") == f"{CATALOG_PREFIX}{jijian.__version__}/"


def test_every_page_loads_the_catalogue_before_its_scripts(people, login):
    pages = [
        Client().get(LOGIN).content.decode(),
        login(people.member_a).get("/reports/mine/").content.decode(),
    ]
    for html in pages:
        scripts = re.findall(r'<script src="([^"]+)"', html)
        assert scripts[0] == reverse("javascript-catalog"), scripts
        assert "/static/core/app.js" in scripts


def test_behind_sign_in_the_catalogue_may_be_kept_and_pages_may_not(people, login):
    client = login(people.township_a)
    assert "public" in client.get(reverse("javascript-catalog"))["Cache-Control"]
    assert client.get("/")["Cache-Control"] == "no-store"


def test_the_second_factor_page_gets_the_catalogue_not_a_redirect(people):
    client = Client()
    response = client.post(LOGIN, {"username": people.township_a.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # held on the second-factor step
    catalogue = client.get(reverse("javascript-catalog"))
    assert catalogue.status_code == 200
    assert catalogue["Content-Type"].startswith("text/javascript")
