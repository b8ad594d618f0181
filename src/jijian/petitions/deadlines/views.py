"""The deadline board (办理时限看板) and the quarterly results page (季度办理结果反馈), for holders of
module PETITIONS over their jurisdiction. Reads go through board.py (selectors over access.py)."""

from __future__ import annotations

import csv
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from jijian.attachments.views import content_disposition
from jijian.audit.services import audit_record
from jijian.core.access import require_module
from jijian.core.exports import Echo, spreadsheet_cell
from jijian.core.language import lines_in_platform_language, platform_language
from jijian.core.ops.ratelimit import client_ip
from jijian.core.ops.replicas import on_reporting_db
from jijian.core.roles import Module
from jijian.petitions.deadlines import board

QUARTER_PAGE = 50


class BoardForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("时限类型"), required=False, choices=board.KIND_CHOICES)
    colour = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=board.COLOUR_CHOICES)


@login_required
@require_GET
def deadline_board(request):
    require_module(request.user, Module.PETITIONS)
    form = BoardForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    kind, colour = data.get("kind") or "", data.get("colour") or ""
    dates = board.board_dates()

    def read(db):
        counted, rows = board.board_scopes(request.user, kind=kind, db=db)
        counts = board.board_counts(counted, dates)
        number, total = request.GET.get("page"), counts[colour or "total"]
        return counts, board.board_page(rows, dates, colour=colour, number=number, total=total)

    counts, page = on_reporting_db(read)
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "dates": dates,
        "kind": kind,
        "colour": colour,
        "colour_tabs": [("", gettext("全部"), counts["total"])]
        + [(c, board.COLOUR_LABELS[c], counts[c]) for c in board.COLOURS],
        "warn_days": settings.PETITION_DEADLINE_WARN_WORKING_DAYS,
    }
    partial = request.htmx and not request.htmx.boosted
    return render(
        request, "petitions/partials/board_rows.html" if partial else "petitions/board.html", context
    )


EXPORT_COLUMNS = (
    "状态",
    "事项类别",
    "事项",
    "时限类型",
    "承办机关",
    "起算日",
    "到期日",
    "剩余工作日",
    "原期限（已延期）",
    "催办督办",
    "领导审批",
)


@login_required
@require_GET
def deadline_board_export(request):
    """The board as filtered (type, colour), every row, as CSV (UTF-8 with BOM, opens in Excel); audited."""
    require_module(request.user, Module.PETITIONS)
    form = BoardForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    kind, colour = data.get("kind") or "", data.get("colour") or ""
    dates = board.board_dates()

    def read(db):
        counted, rows = board.board_scopes(request.user, kind=kind, db=db)
        total = board.board_counts(counted, dates)[colour or "total"]
        return total, board.board_page(
            rows, dates, colour=colour, number=1, total=total, per_page=max(total, 1)
        )

    with platform_language():  # the rows' labels are read here: the file's language, not the reader's
        total, page = on_reporting_db(read)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="deadline_board.export",
            object_type="petitions.petitiondeadline",
            org_unit_id=request.user.org_unit_id,
            ip_address=client_ip(request),
            summary=f"导出办理时限看板 {total} 条",
            after={"kind": kind, "colour": colour},
        )
    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
        for row in page.object_list:
            if row.days_left < 0:
                left = f"逾期{row.days_overdue}个工作日"
            else:
                left = "今日到期" if row.days_left == 0 else f"{row.days_left}个工作日"
            yield writer.writerow(
                [
                    row.colour_label,
                    row.item_kind,
                    spreadsheet_cell(row.item_label),
                    row.kind_label,
                    spreadsheet_cell(row.holder_name),
                    f"{row.starts_on:%Y-%m-%d}",
                    f"{row.due_date:%Y-%m-%d}",
                    left,
                    f"{row.extended_from:%Y-%m-%d}" if row.extended_from else "",
                    row.escalation_label,
                    "待领导审批" if row.awaiting_leader else "",
                ]
            )

    response = StreamingHttpResponse(
        lines_in_platform_language(lines()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition(f"办理时限看板_{dates.today:%Y%m%d}.csv")
    return response


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("季度"),
        coerce=int,
        required=False,
        choices=[(q, format_lazy(gettext_lazy("第{quarter}季度"), quarter=q)) for q in (1, 2, 3, 4)],
    )
    show = forms.ChoiceField(
        label=gettext_lazy("范围"),
        required=False,
        choices=[("closed", gettext_lazy("本季度办结")), ("open", gettext_lazy("尚未办结"))],
    )


def _quarterly(request, year: int | None, quarter: int | None):
    require_module(request.user, Module.PETITIONS)
    default_year, default_quarter = board.previous_quarter(timezone.localdate())
    form = QuarterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if year is None or quarter is None:  # /quarterly/?year=&quarter=, else the previous quarter
        year = data.get("year") or default_year
        quarter = data.get("quarter") or default_quarter
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise Http404
    show = data.get("show") or "closed"

    def read(db):
        counts = board.quarterly_counts(request.user, year, quarter, db=db)
        reports = board.quarterly_reports(request.user, year, quarter, show=show, db=db)
        paginator = Paginator(reports, QUARTER_PAGE)
        paginator.count = counts["open" if show == "open" else "closed"]
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)  # read here, where a failing replica falls back
        return counts, page

    counts, page = on_reporting_db(read)
    start, end = board.quarter_dates(year, quarter)
    prev = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    following = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    context = {
        "form": form,
        "year": year,
        "quarter": quarter,
        "show": show,
        "counts": counts,
        "page": page,
        "start": start,
        "last_day": end - timedelta(days=1),
        "prev": prev,
        "next": following,
    }
    return render(request, "petitions/board_quarterly.html", context)


@login_required
@require_GET
def quarterly(request):
    return _quarterly(request, None, None)


@login_required
@require_GET
def quarterly_period(request, year: int, quarter: int):
    return _quarterly(request, year, quarter)
