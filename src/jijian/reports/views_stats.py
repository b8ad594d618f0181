"""Statistics pages for supervisors (township committees, conduct supervision offices): the table of
a node's children with drill-down to the village, rankings, a trend chart, and the exports. Every
node is resolved through statistics.stats_node_for: outside the user's subtree, or no stats role,
is a 404."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from jijian.attachments.views import content_disposition
from jijian.core.ops.ratelimit import client_ip

from . import exports
from .services import today
from .statistics import (
    MEASURE_COLUMNS,
    TREND_MONTHS,
    add_months,
    breadcrumbs,
    department_statistics,
    month_range,
    node_statistics,
    stats_node_for,
)


def _resolve(request, node_id):
    node = stats_node_for(request.user, node_id if node_id is not None else request.GET.get("node"))
    start, end, errors = month_range(request.GET.get("from"), request.GET.get("to"), today=today())
    return node, start, end, errors


def trend_chart(trend: list[dict]) -> dict:
    """The trend chart's data (reports/partials/stats_trend.html, drawn by stats.js): the months and,
    per measure drawn, its value per month."""
    return {
        "months": [t["month"] for t in trend],
        "series": {key: [t[key] for t in trend] for key in ("expected", "submitted", "on_time", "late")},
    }


def _department_range(request):
    """The months asked for (?from=&to=, or ?month= for one), the last month by default, with the
    problems in Chinese; and where the trend starts: the last TREND_MONTHS up to the end at least."""
    month = request.GET.get("month")
    start, end, errors = month_range(
        request.GET.get("from") or month, request.GET.get("to") or month, today=today()
    )
    return start, end, errors, add_months(end, 1 - TREND_MONTHS)


@login_required
@require_GET
def stats_departments(request):
    """The department discipline members' reports over a range of months (default last month), per
    department, ranked, with the trend: for the resident groups and the supervision offices; anyone
    else 404."""
    start, end, errors, trend_start = _department_range(request)
    stats = department_statistics(request.user, start, end, trend_start=trend_start)
    return render(
        request,
        "reports/stats_departments.html",
        {
            "stats": stats,
            "errors": errors,
            "columns": MEASURE_COLUMNS,
            "range_query": _range_query(start, end),
            "chart": trend_chart(stats.trend),
        },
    )


@login_required
@require_GET
def stats_departments_xlsx(request):
    """The department statistics of the range as Excel; a bad range goes back to the page with why."""
    start, end, errors, trend_start = _department_range(request)
    stats = department_statistics(request.user, start, end, trend_start=trend_start)
    if errors:
        for e in errors:
            messages.error(request, e)
        return redirect(reverse("reports:stats_departments"))
    exports.export_audit(
        actor=request.user, node=request.user.org_unit, what="市直单位纪检委员月报统计表",
        period=f"{start:%Y-%m}~{end:%Y-%m}", ip_address=client_ip(request),
    )  # fmt: skip
    response = HttpResponse(exports.department_stats_xlsx(stats), content_type=exports.XLSX_TYPE)
    period = f"{start:%Y-%m}" if start == end else f"{start:%Y-%m}至{end:%Y-%m}"
    response["Content-Disposition"] = content_disposition(f"市直单位纪检委员月报统计_{period}.xlsx")
    return response


def _range_query(start, end) -> str:
    return urlencode({"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}"})


@login_required
@require_GET
def stats_page(request, node_id=None):
    node, start, end, errors = _resolve(request, node_id)
    chosen = request.GET.get("from") or request.GET.get("to")
    # No months chosen: the table shows last month, the trend the last TREND_MONTHS up to it.
    trend_start = None if chosen and not errors else add_months(end, 1 - TREND_MONTHS)
    stats = node_statistics(user=request.user, node=node, start=start, end=end, trend_start=trend_start)
    return render(
        request,
        "reports/stats_page.html",
        {
            "stats": stats,
            "errors": errors,
            "columns": MEASURE_COLUMNS,
            "range_query": _range_query(start, end),
            "trail": breadcrumbs(request.user, node),
            "chart": trend_chart(stats.trend),
        },
    )


def _export_month(request, node_id):
    """A one-month export: ?month=YYYY-MM (or ?from=); a bad month goes back to the page with why."""
    node = stats_node_for(request.user, node_id)
    text = request.GET.get("month") or request.GET.get("from")
    start, end, errors = month_range(text, text, today=today())
    if errors:
        for e in errors:
            messages.error(request, e)
    return node, start, errors


def _back(node):
    return redirect(reverse("reports:stats_node", args=[node.pk]))


@login_required
@require_GET
def stats_export_xlsx(request, node_id):
    node, start, end, errors = _resolve(request, node_id)
    if errors:
        for e in errors:
            messages.error(request, e)
        return _back(node)
    stats = node_statistics(user=request.user, node=node, start=start, end=end)
    exports.export_audit(
        actor=request.user, node=node, what="月报统计表", period=f"{start:%Y-%m}~{end:%Y-%m}",
        ip_address=client_ip(request),
    )  # fmt: skip
    response = HttpResponse(exports.stats_table_xlsx(stats), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(exports.stats_filename(stats, "月报统计.xlsx"))
    return response


@login_required
@require_GET
def stats_export_reports(request, node_id):
    node, month, errors = _export_month(request, node_id)
    if errors:
        return _back(node)
    exports.export_audit(
        actor=request.user, node=node, what="全部月报", period=f"{month:%Y-%m}", ip_address=client_ip(request)
    )
    response = StreamingHttpResponse(
        exports.month_reports_csv(node, month), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition(f"{node.name}_{month:%Y-%m}_全部月报.csv")
    return response


@login_required
@require_POST
def stats_export_month_start(request, node_id):
    """Start the Excel of every report of a month (POST month=YYYY-MM); then its progress page."""
    node = stats_node_for(request.user, node_id)
    text = request.POST.get("month", "")
    month, _, errors = month_range(text, text, today=today())
    if errors or not text:
        for e in errors or ["请选择月份"]:
            messages.error(request, e)
        return _back(node)
    export_id = exports.month_export_start(
        user=request.user, node=node, month=month, ip_address=client_ip(request)
    )
    return redirect(reverse("reports:stats_export_progress", args=[export_id]))


@login_required
@require_GET
def stats_export_progress(request, export_id):
    export = exports.month_export_for(user=request.user, export_id=export_id)
    return render(request, "reports/stats_export_progress.html", {"export": export})


@login_required
@require_GET
@never_cache
def stats_export_status(request, export_id):
    export = exports.month_export_for(user=request.user, export_id=export_id)
    done = export["state"] == "done"
    return JsonResponse(
        {
            "state": export["state"],
            "done": export["done"],
            "total": export["total"],
            "percent": export["percent"],
            "error": export["error"],
            "download_url": reverse("reports:stats_export_download", args=[export_id]) if done else None,
        }
    )


@login_required
@require_GET
def stats_export_download(request, export_id):
    file, filename = exports.month_export_file(user=request.user, export_id=export_id)
    response = FileResponse(file, content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def stats_circular(request, node_id):
    node, month, errors = _export_month(request, node_id)
    if errors:
        return _back(node)
    stats = node_statistics(user=request.user, node=node, start=month, end=month)
    exports.export_audit(
        actor=request.user, node=node, what="月报通报", period=f"{month:%Y-%m}", ip_address=client_ip(request)
    )
    return FileResponse(
        io.BytesIO(exports.circular_pdf(stats)),
        as_attachment=False,
        filename=f"{node.name}_{month:%Y-%m}_履职月报通报.pdf",
        content_type="application/pdf",
    )
