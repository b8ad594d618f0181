"""The forwards desk (转办件: what was forwarded to bodies in my jurisdiction and awaits our answer;
what we forwarded out, tracked until answered), the register export and the recusal declarations.

Every page needs module PETITIONS (else the same 404 as for a missing record); objects come through
access.py. A forward on the restricted path (report.restricted) is listed for its sender with its
number, date, receiving body and answer state only: no accused, no facts, no link to the report.
The same holds for a report the user is recused from."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments.views import content_disposition
from jijian.core.access import require_module
from jijian.core.ops.ratelimit import client_ip
from jijian.core.orgs.workdays import exceptions
from jijian.core.roles import Module
from jijian.petitions import selectors, services
from jijian.petitions.access import (
    get_received_forward_for,
    get_relation_for,
    relations_of,
)
from jijian.petitions.handling import exports, relations
from jijian.petitions.handling.desk_forms import ExportForm, ForwardAnswerForm, RelationForm
from jijian.petitions.handling.forms import clean_commission_search
from jijian.petitions.models import ForwardAnswer

PAGE_SIZE = 50


def _working_days_left(dues: list[date], today: date) -> dict[date, int]:
    """Working days from today to each due date (negative when passed), with one calendar read for
    the whole page rather than one per row."""
    if not dues:
        return {}
    lo, hi = min([*dues, today]), max([*dues, today])
    window = exceptions(lo, hi)

    def working(day: date) -> bool:
        return window.get(day, day.weekday() < 5)

    left: dict[date, int] = {}
    for due in set(dues):
        a, b, sign = (today, due, 1) if due >= today else (due, today, -1)
        n, day = 0, a
        while day < b:
            day += timedelta(days=1)
            n += working(day)
        left[due] = sign * n
    return left


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- forwards to us ---------------------------------------------------------------------------------
@login_required
@require_GET
def inbox(request):
    require_module(request.user, Module.PETITIONS)
    pending = selectors.forwards_to_answer(request.user)
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    left = _working_days_left([f.due_date for f in page], today)
    rows = [
        {"forward": f, "left": left[f.due_date], "late": -left[f.due_date], "overdue": f.due_date < today}
        for f in page
    ]
    return render(request, "petitions/work_inbox.html", {"page": page, "rows": rows, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk):
    require_module(request.user, Module.PETITIONS)
    forward = get_received_forward_for(request.user, pk)
    managing_q = clean_commission_search(request.GET.get("managing_q"))
    form = ForwardAnswerForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        receiving=forward.to_unit,
        search=managing_q,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.petition_forward_answer(
                actor=request.user,
                forward=forward,
                answer=data["answer"],
                note=data["note"],
                managing=data["managing"],
                about_own_head=data["about_own_head"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            done = "已接收办理" if data["answer"] == ForwardAnswer.ACCEPTED else "已转送"
            messages.success(
                request,
                gettext("转办件 %(serial_number)s %(done)s")
                % {"serial_number": forward.report.serial_number, "done": done},
            )
            return redirect("petitions_work:inbox")
    today = timezone.localdate()
    left = _working_days_left([forward.due_date], today)[forward.due_date]
    return render(
        request,
        "petitions/work_answer.html",
        {
            "forward": forward,
            "report": forward.report,
            "form": form,
            "left": left,
            "today": today,
            "managing_q": managing_q,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- forwards from us -------------------------------------------------------------------------------
SENT_STATES = {
    "": gettext_lazy("全部"),
    "pending": gettext_lazy("待答复"),
    "overdue": gettext_lazy("已逾期未答复"),
    "answered": gettext_lazy("已答复"),
}


@login_required
@require_GET
def sent(request):
    require_module(request.user, Module.PETITIONS)
    state = request.GET.get("state", "")
    state = state if state in SENT_STATES else ""
    today = timezone.localdate()
    qs = selectors.forwards_sent(request.user, state=state, today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = relations.forwards_sent_rows(request.user, page, today=today)
    return render(
        request,
        "petitions/work_sent.html",
        {"page": page, "rows": rows, "state": state, "states": SENT_STATES, "today": today},
    )


# --- the register as CSV ----------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """GET shows the export form (the register's filters); GET with download=1 streams the CSV
    without reporter identity. Identity goes only by POST (the reason stays out of URLs and logs)."""
    require_module(request.user, Module.PETITIONS)
    user = request.user
    posted = request.method == "POST"
    downloading = posted or request.GET.get("download") == "1"
    form = ExportForm(request.POST if posted else (request.GET or None))
    if downloading and form.is_valid():
        include_identity = posted and form.cleaned_data["include_identity"]
        if include_identity and not exports.may_export_identity(user):
            form.add_error(None, gettext("您的岗位无权查看举报人身份信息，请导出不含身份信息的登记簿"))
        else:
            qs, _rows = exports.register_export_start(
                actor=user,
                f=form.register_filter(),
                include_identity=include_identity,
                reason=form.cleaned_data.get("reason", ""),
                ip_address=client_ip(request),
            )
            response = StreamingHttpResponse(
                exports.register_csv(user, qs, include_identity=include_identity),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = content_disposition(exports.register_filename(user))
            response["Cache-Control"] = "no-store, private"
            return response
    return render(
        request,
        "petitions/work_export.html",
        {"form": form, "may_identity": exports.may_export_identity(user)},
        status=400 if downloading else 200,
    )


# --- recusal declarations ---------------------------------------------------------------------------
def _require_declarer(user) -> None:
    """Staff of petitions or of the integrity archives (relations.may_declare); others 404."""
    if not relations.may_declare(user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def relation_list(request):
    _require_declarer(request.user)
    form = RelationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            relations.staff_relation_declare(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, gettext("回避关系已申报：涉及此人的举报件、问题线索和廉情档案将不再向您显示")
            )
            return redirect("petitions_work:relations")
    items = list(relations_of(request.user))
    return render(
        request,
        "petitions/work_relations.html",
        {"form": form, "items": items},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def relation_withdraw(request, pk):
    _require_declarer(request.user)
    relation = get_relation_for(request.user, pk)
    try:
        relations.staff_relation_withdraw(actor=request.user, relation=relation)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("已撤回该回避申报"))
    return redirect("petitions_work:relations")
