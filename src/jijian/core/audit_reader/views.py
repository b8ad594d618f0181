from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from jijian.audit.services import audit_record
from jijian.core.access import require_module
from jijian.core.accounts.security import client_ip
from jijian.core.exports import Echo, spreadsheet_cell
from jijian.core.language import lines_in_platform_language
from jijian.core.roles import Module

from .access import events_visible_to, get_event_for
from .forms import EventFilterForm
from .labels import action_label, object_label, object_label_choices, object_names, readable
from .selectors import event_actions, event_filter

EXPORT_COLUMNS = (
    "编号",
    "序号",
    "时间",
    "操作人",
    "来源地址",
    "事件",
    "对象类型",
    "对象编号",
    "单位编号",
    "摘要",
    "变更前",
    "变更后",
    "内容哈希",
    "链哈希",
)


def _visible(request):
    require_module(request.user, Module.AUDIT)
    return events_visible_to(request.user)


@login_required
@require_GET
def event_list(request):
    visible = _visible(request)
    form = EventFilterForm(request.GET or None)
    # A filter that does not read (a reversed range, an over-long field) lists nothing: the whole trail
    # under an error would look like the filtered result.
    events = visible.none() if form.errors else event_filter(visible, **form.filters())
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    names = object_names(page.object_list)
    for e in page.object_list:
        e.object_name = names.get((e.object_type, str(e.object_id)), "")
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "export_query": query.urlencode()}
    if request.htmx and not request.htmx.boosted:
        return render(request, "audit/partials/event_rows.html", context)
    context["actions"] = event_actions(visible)
    context["object_kinds"] = object_label_choices()
    return render(request, "audit/event_list.html", context)


@login_required
@require_GET
def event_detail(request, pk):
    event = get_event_for(request.user, pk)
    context = {
        "event": event,
        "object_name": object_names([event]).get((event.object_type, str(event.object_id)), ""),
        "before": readable(event.object_type, event.before),
        "after": readable(event.object_type, event.after),
    }
    return render(request, "audit/event_detail.html", context)


@login_required
@require_GET
def event_export(request):
    """The filtered list as CSV (UTF-8 with BOM, opens in Excel), streamed; the export is itself an
    audit event, written before the first byte goes out."""
    visible = _visible(request)
    form = EventFilterForm(request.GET or None)
    if form.errors:  # never the whole trail in place of what the administrator asked for
        message = "；".join(e for errors in form.errors.values() for e in errors)
        return render(
            request,
            "core/error.html",
            {
                "title": gettext("筛选条件有误，未导出"),
                "message": gettext("%(message)s。请返回修改筛选条件后再导出。") % {"message": message},
            },
            status=400,
        )
    filters = form.filters()
    events = event_filter(visible, **filters)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="audit.export",
            object_type="audit.auditevent",
            org_unit_id=request.user.org_unit_id,
            ip_address=client_ip(request),
            summary=f"导出审计日志 {events.count()} 条",
            after={"filters": {k: str(v) for k, v in filters.items()}},
        )
    tz = timezone.get_current_timezone()
    writer = csv.writer(Echo())

    def rows():
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.pk,
                    e.seq or "",
                    e.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                    spreadsheet_cell(e.actor_name),
                    e.ip_address,
                    spreadsheet_cell(action_label(e.action)),
                    spreadsheet_cell(object_label(e.object_type)),
                    spreadsheet_cell(e.object_id),
                    e.org_unit_id or "",
                    spreadsheet_cell(e.summary),
                    spreadsheet_cell(e.before),
                    spreadsheet_cell(e.after),
                    e.content_hash,
                    e.chain_hash,
                ]
            )

    response = StreamingHttpResponse(
        lines_in_platform_language(rows()), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
