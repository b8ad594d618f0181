"""The scripts' words in a browser (360 px): with the translation catalogue the unit picker's hint and
status come through gettext and interpolate; without it (the request dropped, as on a flaky link) the
same page still works, in the source language, by app.js's stand-ins."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import new_page


@pytest.mark.parametrize("catalogue", ["loaded", "dropped"])
def test_the_picker_speaks_with_or_without_the_catalogue(live_server, browser, tree, catalogue):
    page = new_page(browser)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/jsi18n/" in r.url else None)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if catalogue == "dropped":
        page.route("**/jsi18n/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/report/new/")
    page.wait_for_selector("#id_region_filter")
    assert asked, "the page did not ask for the catalogue"
    loaded = page.evaluate(
        "() => typeof window.django !== 'undefined' && typeof window.django.gettext === 'function'"
    )
    assert loaded == (catalogue == "loaded")
    assert page.get_attribute("#id_region_filter", "placeholder") == "名称或拼音首字母，如 lsz"
    page.click("#id_region_filter")
    page.keyboard.type("gc")
    assert page.inner_text(".unit-picker-status") == f"已选中：{tree.township_b.name}"
    page.fill("#id_region_filter", "zzzz")
    page.keyboard.type("q")
    assert page.inner_text(".unit-picker-status") == "没有与“zzzzq”相符的单位"
    assert errors == []
    page.context.close()
