"""Exports of the statistics: Excel table, streamed CSV of a month's reports, PDF circular in Chinese;
each audited, each a 404 outside the jurisdiction."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jijian.audit.models import AuditEvent
from tests.reports.test_stats import october  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.usefixtures("october")
OCT = {"from": "2025-10", "to": "2025-10"}


def test_excel_of_the_table_has_the_children_and_the_totals(tree, people, login):
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


def test_a_spreadsheet_formula_in_a_summary_is_neutralised(tree, people, login, october):  # noqa: F811
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


@pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"), reason="poppler-utils")
def test_the_circular_is_a_chinese_pdf_with_an_embedded_cjk_font(tree, people, login, tmp_path):
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
