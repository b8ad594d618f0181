"""A file a download makes (Excel, CSV) is in the platform's language whoever downloads it: the same
words for a Traditional reader as for a Simplified one, never Simplified headers over Traditional
labels (core/language.py). Each export of the demo is downloaded twice, with the browser asking for
zh-hans and then for zh-hant, and the two files must read the same (figures and times aside). So that
the comparison can fail, each file must hold at least one word the Traditional catalogue translates
(a state, a channel, a category): a label read in the reader's language would show there."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date

from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jijian.audit.models import AuditEvent
from jijian.core.models import User
from jijian.reports.models import MonthlyReport
from tests.conftest import sign_in

FIGURES = re.compile(r"[0-9]+")


def _cells(response) -> list[str]:
    """Every text of the file, in order: the cells of each sheet, or of the CSV."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if isinstance(value, str)
        ] + [sheet.title for sheet in book.worksheets]
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def _translated(cells: list[str]) -> list[str]:
    """The cells the Traditional catalogue has a different word for."""
    with translation.override("zh-hant"):
        return sorted({c for c in cells if c and translation.gettext(c) != c})


def _download(user: User, language: str, url: str, *, post: dict | None = None) -> list[str]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    if post is None:
        response = client.get(url)
    else:  # the month's workbook: started, written by the task (eager here), then downloaded
        started = client.post(url, post)
        assert started.status_code == 302, started.status_code
        export_id = started["Location"].rstrip("/").rsplit("/", 1)[-1]
        for _ in range(50):
            status = client.get(reverse("reports:stats_export_status", args=[export_id])).json()
            if status["state"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert status["state"] == "done", status
        response = client.get(status["download_url"])
    assert response.status_code == 200, (url, response.status_code)
    return _cells(response)


def test_every_export_reads_the_same_to_a_traditional_reader(db):
    call_command("setup")
    user = {u.username: u for u in User.objects.filter(is_demo=True)}
    county = user["dangfeng"].org_unit
    month = (
        MonthlyReport.objects.filter(village__path__startswith=county.path, state="approved")
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    assert isinstance(month, date), "the demo has an approved report in the county"
    year = date.today().year
    # The trail grows with every download (each is an audit event): its export is of one demo action.
    action = (
        AuditEvent.objects.exclude(action__contains="export")
        .values_list("action", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    exports = [
        ("dangfeng", reverse("reports:stats_export_reports", args=[county.pk]) + f"?month={month:%Y-%m}", None),
        ("dangfeng", reverse("reports:stats_export_month", args=[county.pk]), {"month": f"{month:%Y-%m}"}),
        ("xiangzhen", reverse("reports:stats_export_xlsx", args=[user["xiangzhen"].org_unit_id])
         + f"?from={month:%Y-%m}&to={month:%Y-%m}", None),
        ("xinfang", reverse("petitions_work:export") + "?download=1", None),
        ("xinfang", reverse("petitions_board:board_export"), None),
        ("xinfang", reverse("petitions_clues:stats_export"), None),
        ("xinfang", reverse("reception:stats_xlsx"), None),
        ("ganjian", reverse("archives:export"), None),
        ("shidangfeng", reverse("responsibility:board_export") + f"?year={year}", None),
        ("xiangzhen", reverse("evaluation:evaluation_export") + f"?year={year - 1}", None),
        ("xiangzhen", reverse("villageaffairs:voucher_stats") + f"?year={year}&format=xlsx", None),
        ("shenji", reverse("audit:event_export") + f"?action={action}", None),
    ]  # fmt: skip
    problems = []
    for username, url, post in exports:
        simplified = _download(user[username], "zh-CN", url, post=post)
        traditional = _download(user[username], "zh-TW", url, post=post)
        if not _translated(simplified):
            problems.append(f"{url}: no word the catalogue translates, nothing to compare")
        differing = [
            (s, t)
            for s, t in zip(simplified, traditional, strict=False)
            if FIGURES.sub("#", s) != FIGURES.sub("#", t)
        ]
        if differing or len(simplified) != len(traditional):
            problems.append(
                f"{url} as {username}: {differing[:3]} ({len(simplified)}/{len(traditional)} cells)"
            )
    assert not problems, "\n".join(problems)


def test_a_streamed_file_holds_the_platform_s_language_only_while_a_line_is_made():
    """Between two lines of a stream the server may do other work on the same thread: the reader's
    language is back then, and each line is made in the platform's."""
    from jijian.core.language import lines_in_platform_language

    def lines():
        for _ in range(7):
            yield translation.get_language()

    with translation.override("zh-hant"):
        stream = lines_in_platform_language(lines(), batch=3)  # batches of 3, 3 and 1
        made, between = [], []
        for line in stream:
            made.append(line)
            between.append(translation.get_language())
    assert made == ["zh-hans"] * 7
    assert between == ["zh-hant"] * 7
