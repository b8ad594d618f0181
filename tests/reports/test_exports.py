"""Exports of the statistics: Excel table, streamed CSV of a month's reports, PDF circular in Chinese;
each audited, each a 404 outside the jurisdiction."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jijian.audit.models import AuditEvent
from jijian.core.roles import Role
from jijian.reports.exports import XLSX_TYPE
from jijian.reports.services import duty_types_for
from tests.conftest import make_user
from tests.reports.helpers import OCT as OCT_MONTH
from tests.reports.helpers import visit

pytestmark = pytest.mark.usefixtures("october")
OCT = {"from": "2025-10", "to": "2025-10"}
NOV_DAY = date(2025, 11, 3)


def test_excel_of_the_table_has_the_children_and_the_totals(tree, people, login):
    visit(people.member_a, NOV_DAY)
    client = login(people.county_officer)
    response = client.get(reverse("reports:stats_export_xlsx", args=[tree.county.pk]), OCT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb["统计"].iter_rows(values_only=True))
    header = rows[2]
    assert header[:6] == ("乡镇（街道）", "应报", "已报", "按时", "逾期", "未报")
    body = {r[0]: r[1:] for r in rows[3:]}
    assert body["厉山镇"][:5] == (2, 2, 1, 1, 0)
    assert body["高城镇"][:5] == (1, 0, 0, 0, 1)
    assert body["合计"][:8] == (3, 2, 1, 1, 1, 1, 1, 1)
    assert [r[0] for r in wb["趋势"].iter_rows(values_only=True)] == ["月份", "2025-10"]
    event = AuditEvent.objects.get(action="export")
    assert event.actor == people.county_officer and event.org_unit_id == tree.county.pk
    assert "月报统计表" in event.summary
    duties = list(wb["履职事项"].iter_rows(values_only=True))
    assert duties[0] == ("事项", "件数", "计为问题线索")
    nov = client.get(reverse("reports:stats_export_xlsx", args=[tree.county.pk]), {"from": "2025-11"})
    duties = list(load_workbook(io.BytesIO(nov.content))["履职事项"].iter_rows(values_only=True))
    assert duties[1] == ("走访农户", 1, None)
    codes = {d.code for d in duty_types_for(2025)}
    assert not codes & {cell for row in duties for cell in row}  # Chinese labels, no raw codes


def test_all_reports_of_a_month_stream_as_csv(tree, people, login):
    client = login(people.county_officer)
    response = client.get(
        reverse("reports:stats_export_reports", args=[tree.county.pk]), {"month": "2025-10"}
    )
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["县（市、区）", "乡镇（街道）", "村（社区）"]
    by_village = {r[2]: r for r in rows[1:]}
    assert set(by_village) == {"神农村", "凤凰村", "高城村"}  # not 桃源村 (other county)
    assert by_village["神农村"][:2] == ["随县", "厉山镇"] and by_village["神农村"][5] == "已审核通过"
    assert by_village["凤凰村"][6] == "是" and by_village["凤凰村"][10] == "3"
    assert AuditEvent.objects.filter(action="export", summary__contains="全部月报").count() == 1


def test_a_spreadsheet_formula_in_a_summary_is_neutralised(tree, people, login, october):
    october["a"].summary = "=HYPERLINK(1)"
    october["a"].save()
    client = login(people.township_a)
    response = client.get(
        reverse("reports:stats_export_reports", args=[tree.township_a.pk]), {"month": "2025-10"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_a_bad_month_goes_back_to_the_page_with_a_message_and_exports_nothing(tree, people, login):
    client = login(people.county_officer)
    response = client.get(
        reverse("reports:stats_export_reports", args=[tree.county.pk]), {"month": "10/2025"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "月份格式不正确" in page.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("name", ["stats_export_xlsx", "stats_export_reports", "stats_circular"])
def test_exports_outside_the_jurisdiction_are_404_and_not_audited(tree, people, login, name):
    client = login(people.township_b)
    assert client.get(reverse(f"reports:{name}", args=[tree.township_a.pk]), OCT).status_code == 404
    assert login(people.member_a).get(reverse(f"reports:{name}", args=[tree.village_a.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_circular_is_a_chinese_pdf_with_an_embedded_cjk_font(tree, people, login, tmp_path):
    # `make test` installs poppler-utils; a missing tool must fail, not skip.
    assert shutil.which("pdftotext") and shutil.which("pdffonts"), "poppler-utils is not installed"
    client = login(people.county_officer)
    response = client.get(reverse("reports:stats_circular", args=[tree.county.pk]), {"month": "2025-10"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "circular.pdf"
    pdf.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "通报" in flat
    assert "随县村级纪检委员履职月报情况通报" in flat
    assert "高城村" in flat  # the missing village is named
    assert "凤凰村" in flat  # the late one too
    assert "应报履职月报3份" in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk)  # embedded
    assert AuditEvent.objects.filter(action="export", summary__contains="通报").count() == 1


# --- all reports of a month as Excel, with progress ----------------------------------------------
def _start(client, node, month="2025-10"):
    return client.post(reverse("reports:stats_export_month", args=[node.pk]), {"month": month})


def _export_id(response):
    assert response.status_code == 302, response.status_code
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_excel_of_all_reports_of_a_month_has_every_report_with_counts_per_duty_type(
    tree,
    people,
    login,
    october,
):
    types = list(duty_types_for(2025))
    october["a"].counts = {types[0].code: 4, types[1].code: 2}
    october["a"].score = "92.5"
    october["a"].summary = "=HYPERLINK(1)\x07"  # a formula and a control character an .xlsx cannot hold
    october["a"].save()
    client = login(people.county_officer)
    export_id = _export_id(_start(client, tree.county))

    status = client.get(reverse("reports:stats_export_status", args=[export_id])).json()
    assert status["state"] == "done" and status["done"] == status["total"] == 3 and status["percent"] == 100
    page = client.get(reverse("reports:stats_export_progress", args=[export_id])).content.decode()
    assert "已完成，共3份月报" in page and reverse("reports:stats_export_download", args=[export_id]) in page

    response = client.get(reverse("reports:stats_export_download", args=[export_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E5%85%A8%E9%83%A8%E6%9C%88%E6%8A%A5.xlsx" in response["Content-Disposition"]  # 全部月报.xlsx
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb["全部月报"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("县（市、区）", "乡镇（街道）", "村（社区）")
    assert header[13 : 13 + len(types)] == tuple(t.name for t in types)
    assert header[-2:] == ("本月履职情况", "发现的问题及处理")
    by_village = {r[2]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_village) == {"神农村", "凤凰村", "高城村"}  # not 桃源村 (other county)
    a = by_village["神农村"]
    assert (a["县（市、区）"], a["乡镇（街道）"], a["状态"], a["评分"]) == (
        "随县",
        "厉山镇",
        "已审核通过",
        92.5,
    )
    assert (a[types[0].name], a[types[1].name], a[types[2].name]) == (4, 2, 0)
    assert a["本月履职情况"] == "'=HYPERLINK(1)"  # neutralised, never a formula
    assert by_village["凤凰村"]["零报告"] == "是" and by_village["凤凰村"]["逾期天数"] == 3
    event = AuditEvent.objects.get(action="export")
    assert event.actor == people.county_officer and event.org_unit_id == tree.county.pk
    assert "全部月报（Excel）" in event.summary and "2025-10" in event.summary


def test_progress_is_recorded_while_the_rows_are_written(tree, people, login, monkeypatch):
    from django.core.cache import cache

    from jijian.reports import exports

    seen = []
    real_set = cache.set
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(
        exports.cache,
        "set",
        lambda key, value, timeout=None: (seen.append(dict(value)), real_set(key, value, timeout)),
    )
    export_id = exports.month_export_start(user=people.township_a, node=tree.township_a, month=OCT_MONTH)
    assert [(s["state"], s["done"], s["total"]) for s in seen] == [
        ("queued", 0, 2),
        ("running", 0, 2),
        ("running", 1, 2),
        ("running", 2, 2),
        ("done", 2, 2),
    ]
    assert exports.month_export_for(user=people.township_a, export_id=export_id)["percent"] == 100


def test_running_the_task_twice_keeps_the_finished_file(tree, people):
    from jijian.reports.exports import month_export_for, month_export_start
    from jijian.reports.tasks_exports import month_reports_xlsx

    export_id = month_export_start(user=people.county_officer, node=tree.county, month=OCT_MONTH)
    first = month_export_for(user=people.county_officer, export_id=export_id)["file"]
    assert month_reports_xlsx(export_id) == "done"
    assert month_export_for(user=people.county_officer, export_id=export_id)["file"] == first
    assert month_reports_xlsx("0" * 32) == "expired"


@pytest.mark.parametrize("name", ["stats_export_progress", "stats_export_status", "stats_export_download"])
def test_an_export_is_only_its_starters_even_for_a_colleague_over_the_same_village(tree, people, login, name):
    colleague = make_user("county_cs2", tree.county, Role.CONDUCT_SUPERVISION)
    export_id = _export_id(_start(login(people.county_officer), tree.township_a))
    url = reverse(f"reports:{name}", args=[export_id])
    assert login(people.county_officer).get(url).status_code == 200
    assert login(colleague).get(url).status_code == 404
    assert login(people.township_a).get(url).status_code == 404
    assert login(people.outsider).get(url).status_code == 404
    assert login(people.county_officer).get(reverse(f"reports:{name}", args=["f" * 32])).status_code == 404


def test_the_download_checks_the_jurisdiction_again(tree, people, login):
    client = login(people.township_a)
    export_id = _export_id(_start(client, tree.township_a))
    url = reverse("reports:stats_export_download", args=[export_id])
    assert client.get(url).status_code == 200
    people.township_a.org_unit = tree.township_b
    people.township_a.save()
    assert client.get(url).status_code == 404


def test_starting_an_export_outside_the_jurisdiction_is_404_and_not_audited(tree, people, login):
    assert _start(login(people.township_b), tree.township_a).status_code == 404
    assert _start(login(people.outsider), tree.county).status_code == 404
    assert _start(login(people.member_a), tree.village_a).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("month", ["10/2025", "2099-01", ""])
def test_a_bad_month_for_the_excel_says_why_and_writes_nothing(tree, people, login, month, files_dir):
    client = login(people.county_officer)
    response = _start(client, tree.county, month)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:stats_node", args=[tree.county.pk])
    page = client.get(response["Location"]).content.decode()
    assert any(m in page for m in ("月份格式不正确", "月份不能晚于本月", "请选择月份"))
    assert not AuditEvent.objects.filter(action="export").exists()
    assert not (files_dir / "exports").exists()


def test_the_excel_export_needs_a_post(tree, people, login):
    client = login(people.county_officer)
    assert client.get(reverse("reports:stats_export_month", args=[tree.county.pk])).status_code == 405


def test_the_stats_page_offers_the_excel_of_the_month_next_to_the_csv(tree, people, login):
    page = login(people.county_officer).get(reverse("reports:stats_node", args=[tree.county.pk]), OCT)
    html = page.content.decode()
    assert "全部月报（CSV）" in html and "10月全部月报（Excel）" in html
    assert reverse("reports:stats_export_month", args=[tree.county.pk]) in html
    assert 'name="month" value="2025-10"' in html


def test_the_progress_page_works_without_script_and_polls_with_export_js(tree, people, login, monkeypatch):
    from jijian.reports import tasks_exports

    monkeypatch.setattr(tasks_exports.month_reports_xlsx, "delay", lambda export_id: None)  # still queued
    client = login(people.county_officer)
    export_id = _export_id(_start(client, tree.county))
    html = client.get(reverse("reports:stats_export_progress", args=[export_id])).content.decode()
    assert "刷新查看进度" in html and "reports/export.js" in html and "data-status-url" in html
    assert "<script>" not in html and 'http-equiv="refresh"' not in html
    assert client.get(reverse("reports:stats_export_download", args=[export_id])).status_code == 404
    status = client.get(reverse("reports:stats_export_status", args=[export_id])).json()
    assert status == {
        "state": "queued",
        "done": 0,
        "total": 3,
        "percent": 0,
        "error": "",
        "download_url": None,
    }
