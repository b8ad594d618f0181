"""The village member's pages (phone first): my monthly reports, the month's report with its
endorsement, and the duty log. Every object is resolved through reports/access.py (404 outside the
member's village); the rules are in services."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.core.errors import forbidden
from jijian.core.ops.ratelimit import client_ip
from jijian.core.services import ConcurrentEditError

from . import member, selectors, services
from .access import get_report_for
from .forms import DraftForm, DutyRecordForm, MonthlyReportForm
from .models import ReportState


def _month_param(value: str | None) -> date:
    """?month=2025-10 → 2025-10-01; the current month when missing or malformed."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return services.month_start(services.today())


def _ip(request) -> str:
    return client_ip(request)


@login_required
@require_GET
def my_reports(request):
    reports = list(member.member_reports(request.user))
    this_month = services.month_start(services.today())
    current = next((r for r in reports if r.month == this_month), None)
    return render(
        request,
        "reports/member_reports.html",
        {
            "reports": reports,
            "pending": member.pending_reports(reports),
            "current": current,
            "this_month": this_month,
            "today_date": services.today(),
            **_closed_context(current),
        },
    )


def _closed_context(current) -> dict:
    """The running month's report when it is closed to new records, and when the next month opens."""
    if not services.month_is_closed(current):
        return {}
    return {"closed_report": current, "closed_next_open": services.next_month(current.month)}


def _report_form(report, duty_types, data=None, form_class=MonthlyReportForm):
    counts = report.counts or (
        services.month_counts(village=report.village, month=report.month)
        if report.state == ReportState.NOT_STARTED
        else {}
    )
    initial = {
        "version": report.version,
        "summary": report.summary,
        "problems": report.problems,
        **{f"count_{t.code}": counts.get(t.code, 0) for t in duty_types},
    }
    if report.state != ReportState.NOT_STARTED:
        initial["is_zero_report"] = "1" if report.is_zero_report else "0"
    return form_class(data, initial=initial, duty_types=duty_types)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    """The month's report: editable by the village's member while it is a draft or returned;
    read-only for everyone else who may see it (the township, the county) and after submission."""
    report = get_report_for(request.user, pk)
    is_owner = member.is_report_member(request.user, report)
    duty_types = list(services.duty_types_for(report.month.year, report.member_kind))
    can_edit = is_owner and report.is_editable
    form = _report_form(report, duty_types, request.POST or None) if can_edit else None
    if request.method == "POST":
        if not is_owner:  # visible to the township and county, but not theirs to change: 403, not 404
            return forbidden(request)
        if not can_edit:
            messages.info(request, gettext("月报已提交或已审核通过，不能再修改"))
            return redirect("reports:report_detail", pk=report.pk)
        assert form is not None  # made above whenever can_edit
        if form.is_valid() and _save_report(request, report, form):
            return redirect("reports:report_detail", pk=report.pk)
    records = list(member.member_records(request.user, report.month)) if is_owner else []
    log_counts = services.month_counts(village=report.village, month=report.month)
    checklist = services.checklist_status(village=report.village, month=report.month)
    # What the log adds up to where the checklist measures a field (households of the visits).
    log_measures = {
        row[
            "item"
        ].duty_type.code: f"{_field_label(row['item'].duty_type, row['item'].measure_field)} {row['done']}"
        for row in checklist
        if row["item"].measure_field
    }
    return render(
        request,
        "reports/member_report_detail.html",
        {
            "report": report,
            "form": form,
            "is_owner": is_owner,
            "can_edit": can_edit,
            "duty_types": duty_types,
            "counts": [
                (t, (report.counts or {}).get(t.code, 0), log_counts.get(t.code, 0)) for t in duty_types
            ],
            "count_rows": (
                [(form[f"count_{t.code}"], t, log_counts.get(t.code, 0)) for t in duty_types] if form else []
            ),
            "log_measures": log_measures,
            "checklist": checklist,
            "transitions": report.transitions.select_related("actor"),
            "records": records,
            "statement": services.ENDORSEMENT_STATEMENT,
            "is_future": report.month > services.month_start(services.today()),
            "is_early": can_edit and services.is_early(report),
            "submittable_from": services.submittable_from(report),
        },
    )


def _field_label(duty_type, name: str) -> str:
    return next((f.get("label", name) for f in duty_type.fields if f["name"] == name), name)


def _save_report(request, report, form) -> bool:
    """Save the draft, or save and submit it with the endorsement; a refusal goes on the form."""
    version, values = form.cleaned_data["version"], form.report_values()
    device = form.cleaned_data["device"]
    try:
        if form.cleaned_data["action"] == "submit":
            member.monthly_report_save_and_submit(
                actor=request.user,
                report=report,
                version=version,
                early_confirmed=form.cleaned_data["early_confirmed"],
                device=device,
                **values,
            )
            messages.success(
                request,
                gettext("%(month)s履职月报已提交，等待乡镇纪委审核")
                % {"month": format(report.month, "%Y年%m月")},
            )
        else:
            services.monthly_report_save_draft(
                actor=request.user, report=report, version=version, device=device, **values
            )
            messages.success(request, gettext("草稿已保存"))
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return False
    return True


def _error_json(status: int, code: str, message: str, details=None) -> JsonResponse:
    """The API's one error format, for the page's autosave endpoint."""
    return JsonResponse(
        {"error": {"code": code, "message": message, "details": details or []}}, status=status
    )


@login_required
@require_POST
def report_draft(request, pk: int):
    """Autosave from member.js: the form as it is, with the version it was loaded at. A save based
    on an older version (another device saved meanwhile) is a 409 and overwrites nothing."""
    report = member.get_member_report(request.user, pk)
    duty_types = list(services.duty_types_for(report.month.year, report.member_kind))
    form = DraftForm(request.POST, duty_types=duty_types)
    if not form.is_valid():
        messages_ = [str(m) for errors in form.errors.values() for m in errors]
        details = [{"loc": [k], "message": "；".join(str(m) for m in v)} for k, v in form.errors.items()]
        return _error_json(400, "invalid", "；".join(messages_), details)
    try:
        report = services.monthly_report_save_draft(
            actor=request.user,
            report=report,
            version=form.cleaned_data["version"],
            device=form.cleaned_data["device"],
            **form.report_values(),
        )
    except ConcurrentEditError:
        return _error_json(409, "conflict", gettext("已在其他设备修改，请刷新"))
    except ValidationError as exc:
        return _error_json(400, "rejected", "；".join(exc.messages))
    return JsonResponse({"version": report.version, "state": report.state, "saved_at": report.updated_at})


# --- duty log ------------------------------------------------------------------------------------
@login_required
@require_GET
def duty_records(request):
    month = _month_param(request.GET.get("month"))
    records = list(member.member_records(request.user, month))
    report = member.member_reports(request.user).filter(month=month).first()
    return render(
        request,
        "reports/member_records.html",
        {
            "month": month,
            "previous": (month.replace(day=1) - timedelta(days=1)).replace(day=1),
            "following": services.next_month(month),
            "rows": member.record_rows(request.user, records),
            "report": report,
            "checklist": services.checklist_status(
                village=selectors.member_village(request.user), month=month
            ),
            "locked": report is not None and not report.is_editable,
            "next_open": services.next_month(month) <= services.month_start(services.today()),
        },
    )


def _type_from(request, year: int):
    types = member.duty_types_by_code(year, request.user)
    code = request.GET.get("type") or request.POST.get("type") or ""
    return types, types.get(code)


@login_required
@require_http_methods(["GET", "POST"])
def duty_record_create(request):
    member.require_member(request.user)
    today = services.today()
    types, duty_type = _type_from(request, today.year)
    current = member.member_reports(request.user).filter(month=services.month_start(today)).first()
    closed = _closed_context(current)
    if duty_type is None or (closed and request.method == "GET"):
        if request.method == "POST":
            messages.error(request, gettext("请先选择履职事项类型"))
        return render(request, "reports/member_record_types.html", {"types": types.values(), **closed})
    form = DutyRecordForm(
        request.POST or None,
        request.FILES or None,
        duty_type=duty_type,
        initial={"occurred_on": today, "client_uuid": uuid.uuid4()},
    )
    uploads = _held_uploads(request, None)
    uploads.on_get()  # a new form page
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with uploads.files(d["uploads"]) as files:
            try:
                record = member.duty_record_create_with_files(
                    actor=request.user,
                    files=files,
                    ip_address=_ip(request),
                    duty_type=duty_type,
                    occurred_on=d["occurred_on"],
                    place=d["place"],
                    notes=d["notes"],
                    data=form.record_data(),
                    client_uuid=d["client_uuid"],
                )
            except ValidationError as exc:
                form.add_error("uploads" if exc.code == "attachment_refused" else None, exc.messages)
            else:
                uploads.release()
                messages.success(request, gettext("已记录：%(name)s") % {"name": duty_type.name})
                return redirect(f"{_records_url()}?month={record.month:%Y-%m}")
    uploads.hold_if(form)
    return render(
        request,
        "reports/member_record_form.html",
        {
            "form": form,
            "duty_type": duty_type,
            "held": uploads.shown(),
            **_upload_context(request.user),
        },
    )


def _held_uploads(request, record) -> held.HeldUploads:
    """The duty-record form's files held across a form error (attachments.held): one key for a new
    record, one per record edited."""
    return held.HeldUploads(request, f"reports.duty_record.{record.pk if record else 'new'}", "uploads")


def _upload_context(user) -> dict:
    """Whether the phone compresses photos before upload (not where the city keeps originals)."""
    return {"compress_photos": not member.keeps_photo_originals(selectors.member_village(user))}


def _records_url() -> str:
    return reverse("reports:duty_records")


@login_required
@require_http_methods(["GET", "POST"])
def duty_record_edit(request, pk: int):
    record = member.get_member_record(request.user, pk)
    form = DutyRecordForm(
        request.POST or None,
        request.FILES or None,
        duty_type=record.duty_type,
        initial=DutyRecordForm.initial_for(record),
    )
    uploads = _held_uploads(request, record)
    uploads.on_get()  # a new form page
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with uploads.files(d["uploads"]) as files:
            try:
                record = member.duty_record_update_with_files(
                    actor=request.user,
                    record=record,
                    files=files,
                    ip_address=_ip(request),
                    version=d["version"] or 0,
                    occurred_on=d["occurred_on"],
                    place=d["place"],
                    notes=d["notes"],
                    data=form.record_data(),
                )
            except ValidationError as exc:
                form.add_error("uploads" if exc.code == "attachment_refused" else None, exc.messages)
            else:
                uploads.release()
                messages.success(request, gettext("已保存修改"))
                return redirect(f"{_records_url()}?month={record.month:%Y-%m}")
    uploads.hold_if(form)
    files = member.attachments_by_record(request.user, [record]).get(record.pk, [])
    return render(
        request,
        "reports/member_record_form.html",
        {
            "form": form,
            "duty_type": record.duty_type,
            "record": record,
            "files": files,
            "held": uploads.shown(),
            **_upload_context(request.user),
        },
    )


@login_required
@require_POST
def duty_record_delete(request, pk: int):
    record = member.get_member_record(request.user, pk)
    if request.POST.get("confirm") != "1":  # one tap never deletes: the row asks first
        messages.error(request, gettext("请在确认提示中点“确认删除”后再删除"))
        return redirect(f"{_records_url()}?month={record.month:%Y-%m}")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        services.duty_record_delete(actor=request.user, record=record, version=version)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, gettext("已删除该条履职纪实"))
    return redirect(f"{_records_url()}?month={record.month:%Y-%m}")
