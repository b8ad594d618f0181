"""Offices in Chromium: the export progress page in each state, the sortable ranking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jijian.core.models import OrgKind
from jijian.core.services import org_unit_create
from jijian.reports import exports, tasks_exports
from jijian.reports.models import ReportState
from tests.e2e.helpers import desktop, sign_in
from tests.reports.helpers import OCT, report


def october_reports(tree, people):
    for village in (tree.village_a, tree.village_a2, tree.village_b):
        report(village, OCT, state=ReportState.SUBMITTED)


pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_export_page_shows_refresh_while_running_and_only_download_when_done(
    live_server, browser, tree, people, files_dir, monkeypatch
):
    october_reports(tree, people)
    monkeypatch.setattr(tasks_exports.month_reports_xlsx, "delay", lambda export_id: None)  # stays queued
    page = desktop(browser)
    sign_in(page, live_server.url, people.county_officer)
    page.goto(
        f"{live_server.url}{reverse('reports:stats_node', args=[tree.county.pk])}?from=2025-10&to=2025-10"
    )
    page.click("text=导出10月全部月报（Excel）")
    page.wait_for_url("**/exports/**")
    assert page.is_visible("#export-refresh") and not page.is_visible("#export-download")
    export_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    exports.month_export_run(export_id=export_id)
    page.reload()
    assert page.is_visible("#export-download") and not page.is_visible("#export-refresh")
    assert "已完成，共3份月报" in page.inner_text("#export-text")


def test_the_ranking_sorts_by_a_column_and_back(live_server, browser, tree, people):
    for i, state in enumerate([ReportState.SUBMITTED, ReportState.DRAFT, ReportState.SUBMITTED]):
        v = org_unit_create(
            actor=None, name=f"排名村{i}", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
        )
        report(v, OCT, state=state)
    page = desktop(browser)
    sign_in(page, live_server.url, people.township_a)
    page.goto(f"{live_server.url}{reverse('reports:stats')}?from=2025-10&to=2025-10")
    names = "table.ranking tbody tr td:nth-child(2)"
    assert page.locator(names).all_inner_texts()[-1] == "排名村1"  # the one that did not report: last
    page.click("table.ranking >> text=未报")
    assert page.locator(names).all_inner_texts()[-1] == "排名村1"
    page.click("table.ranking >> text=未报")
    assert page.locator(names).all_inner_texts()[0] == "排名村1"
    assert page.get_attribute("table.ranking th:nth-child(6)", "aria-sort") == "descending"


def test_an_audit_entry_reads_as_a_list_and_fits_a_phone(live_server, browser, tree, people):
    from jijian.audit.services import audit_record

    event = audit_record(
        actor=people.township_a,
        action="archive.open",
        object_type="archives.integrityarchive",
        object_id=4,
        org_unit_id=tree.village_a.pk,
        summary="查阅廉情档案（事由：干部考察）",
        after={"reason": "干部考察" * 8, "fields": ["name", "post", "level"]},
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server.url, people.audit_admin)
    page.goto(f"{live_server.url}{reverse('audit:event_detail', args=[event.pk])}")
    assert "查阅廉情档案" in page.inner_text("main")
    assert page.locator("ul.changes li").count() == 2
    page.screenshot(path="var/e2e/audit-detail-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_the_api_docs_render_the_operations_from_local_files_only(live_server, browser, db):
    page = desktop(browser)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() > 10
    assert "纪检监察工作平台 API" in page.inner_text("body")
    assert requests and all(url.startswith(live_server.url) for url in requests), requests
    page.screenshot(path="var/e2e/api-docs-1366.png")
    assert not [m for m in blocked if "script" in m], blocked


def test_clue_statistics_draw_a_chart_and_the_board_labels_its_dates_on_a_phone(live_server, browser, tree):
    from datetime import date, timedelta

    from tests.petitions.authz_entries_clues import case_manager, registered_clue
    from tests.petitions.board_helpers import make_deadline, make_report

    manager = case_manager(tree.county, "cm_e2e")
    for _ in range(3):
        registered_clue(tree.county)
    make_deadline(make_report(tree.county), date.today() + timedelta(days=30))
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server.url, manager)
    page.goto(f"{live_server.url}{reverse('petitions_clues:stats')}")
    page.wait_for_selector("#clue-chart svg")
    assert page.locator("#clue-chart svg rect").count() > 0
    page.screenshot(path="var/e2e/clue-stats-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server.url}{reverse('petitions_board:board')}")
    due = page.locator('table.board-list tbody tr td[data-label="到期"]').first
    label = due.evaluate("el => getComputedStyle(el, '::before').content")
    assert label not in ("none", "normal", "")  # the phone card says which date is the due date
    page.screenshot(path="var/e2e/board-360.png", full_page=True)
    context.close()
