"""The public booking form routes by who manages the accused (干部管理权限): choosing the level and
the place lists only the managing office's slots, with JavaScript (the list follows the choice) and
without (列出可约场次 posts the form and it comes back as typed). Screenshots at 360 and 1366 px are
written to $JIJIAN_SCREENSHOTS (default: the test's tmp dir) to look at."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.reception.helpers import petitioner, schedule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _options(page) -> list[str]:
    return page.locator("#id_slot option").evaluate_all("els => els.map(e => e.value)")


@pytest.mark.parametrize(
    ("width", "javascript"),
    [(360, True), (1366, True), (360, False)],
    ids=["phone", "desktop", "phone-no-js"],
)
def test_the_slots_follow_the_level_and_place(live_server, browser, tree, tmp_path, width, javascript):
    county = schedule(tree.county, weekday=1)
    city = schedule(tree.city, weekday=1)
    day = date.today() + timedelta(days=1)
    while day.weekday() != 1:
        day += timedelta(days=1)
    county_key, city_key = f"{county.pk}|{day:%Y-%m-%d}", f"{city.pk}|{day:%Y-%m-%d}"
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN", java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/reception/public/")
    assert _options(page) == [""]  # nothing to choose before the level
    assert "请先选择被反映人级别" in page.locator("#id_slot").inner_text()
    for name in ("accused_name", "accused_unit", "accused_post"):
        page.fill(f"#id_{name}", petitioner(1)[name])
    page.select_option("#id_accused_level", "section")
    page.select_option("#id_accused_region", str(tree.county.pk))
    if not javascript:
        page.click("button:has-text('列出可约场次')")
    page.locator(f"#id_slot option[value='{county_key}']").wait_for(state="attached")
    assert county_key in _options(page)
    assert {o.split("|")[0] for o in _options(page)[1:]} == {str(county.pk)}  # the county's slots only
    assert page.locator("#id_accused_name").input_value() == petitioner(1)["accused_name"]
    shots = Path(os.environ.get("JIJIAN_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(shots / f"reception-routing-{width}{'' if javascript else '-nojs'}.png"), full_page=True
    )
    # A division-level cadre: the city's slots instead.
    page.select_option("#id_accused_level", "division")
    if not javascript:
        page.click("button:has-text('列出可约场次')")
    page.locator(f"#id_slot option[value='{city_key}']").wait_for(state="attached")
    assert {o.split("|")[0] for o in _options(page)[1:]} == {str(city.pk)}
    assert page.evaluate("document.documentElement.scrollWidth") <= width
