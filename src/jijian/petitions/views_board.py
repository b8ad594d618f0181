"""The deadline board (办理时限看板) and the quarterly results page (季度办理结果反馈), for holders of
module PETITIONS over their jurisdiction. Reads go through board.py (selectors over access.py)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jijian.core.roles import Module

from . import board

QUARTER_PAGE = 50


class BoardForm(forms.Form):
    kind = forms.ChoiceField(label="时限类型", required=False, choices=board.KIND_CHOICES)
    colour = forms.ChoiceField(label="状态", required=False, choices=board.COLOUR_CHOICES)


def _require_petitions(user) -> None:
    if not user.has_module(Module.PETITIONS):
        raise Http404


@login_required
@require_GET
def deadline_board(request):
    _require_petitions(request.user)
    form = BoardForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    kind, colour = data.get("kind") or "", data.get("colour") or ""
    dates = board.board_dates()
    counted, rows = board.board_scopes(request.user, kind=kind)
    counts = board.board_counts(counted, dates)
    page = board.board_page(
        rows, dates, colour=colour, number=request.GET.get("page"), total=counts[colour or "total"]
    )
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "dates": dates,
        "kind": kind,
        "colour": colour,
        "colour_tabs": [("", "全部", counts["total"])]
        + [(c, board.COLOUR_LABELS[c], counts[c]) for c in board.COLOURS],
        "warn_days": settings.PETITION_DEADLINE_WARN_WORKING_DAYS,
    }
    partial = request.htmx and not request.htmx.boosted
    return render(
        request, "petitions/partials/board_rows.html" if partial else "petitions/board.html", context
    )


class QuarterForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label="季度", coerce=int, required=False, choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)]
    )
    show = forms.ChoiceField(
        label="范围", required=False, choices=[("closed", "本季度办结"), ("open", "尚未办结")]
    )


def _quarterly(request, year: int | None, quarter: int | None):
    _require_petitions(request.user)
    default_year, default_quarter = board.previous_quarter(timezone.localdate())
    form = QuarterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if year is None or quarter is None:  # /quarterly/?year=&quarter=, else the previous quarter
        year = data.get("year") or default_year
        quarter = data.get("quarter") or default_quarter
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise Http404
    show = data.get("show") or "closed"
    counts = board.quarterly_counts(request.user, year, quarter)
    paginator = Paginator(board.quarterly_reports(request.user, year, quarter, show=show), QUARTER_PAGE)
    paginator.count = counts["open" if show == "open" else "closed"]
    start, end = board.quarter_dates(year, quarter)
    prev = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    following = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    context = {
        "form": form,
        "year": year,
        "quarter": quarter,
        "show": show,
        "counts": counts,
        "page": paginator.get_page(request.GET.get("page")),
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
