"""Staff pages of video reception: the list, the schedules an office publishes, a township officer's
booking for someone at the terminal, a booking's page (with its actions) and the session room.

Every reception is resolved through access.get_reception_for: outside the user's jurisdiction or
module the answer is the same 404 as for a missing one. Opening a booking shows the petitioner's
identity and is an audit event."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.audit.services import audit_record
from jijian.core.access import get_or_404, require_module
from jijian.core.language import platform_language
from jijian.core.ops.ratelimit import client_ip
from jijian.core.roles import Module, Role
from jijian.core.sensitive.crypto import mask_id_number

from . import media, services
from .access import (
    OFFICE_KINDS,
    bookable_schedules_for,
    documents_of,
    get_reception_for,
    is_receiver,
    is_township_officer,
    leaders_of,
    minutes_of,
    office_unit,
    public_schedules,
    receptions_visible_to,
    schedules_visible_to,
    verified_recordings,
)
from .forms import CATEGORIES, MATTERS, ActionForm, BookingForm, MinutesForm, ScheduleForm, TransferForm
from .models import MINUTES_TEMPLATE, ReceptionState
from .statistics import reception_statistics, statistics_xlsx

PAGE = 30  # receptions per page of the list


@login_required
@require_GET
def reception_list(request):
    require_module(request.user, Module.RECEPTION)
    state = request.GET.get("state", "")
    today = request.GET.get("day") == "today"
    qs = receptions_visible_to(request.user)
    if state in ReceptionState.values:
        qs = qs.filter(state=state)
    day = timezone.localdate()
    if today:
        qs = qs.filter(slot__date=day)
    # Today's and coming receptions first, the soonest on top; then the past ones, the latest on top.
    coming = Q(slot__date__gte=day)
    qs = qs.annotate(
        past=Case(When(coming, then=Value(0)), default=Value(1)),
        coming_on=Case(When(coming, then=F("slot__date"))),
    ).order_by("past", "coming_on", "-slot__date", "slot__schedule__start", "pk")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reception/list.html",
        {
            "receptions": page,
            "page": page,
            "states": ReceptionState.choices,
            "state": state,
            "today": today,
            "can_book": is_township_officer(request.user),
            "can_publish": Role.PETITION_OFFICE in request.user.role_set,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedules(request):
    """The office's reception days and slots; the petition office publishes new ones."""
    require_module(request.user, Module.RECEPTION)
    user = request.user
    can_publish = Role.PETITION_OFFICE in user.role_set and user.org_unit.kind in OFFICE_KINDS
    receivers = leaders_of(user.org_unit)
    form = ScheduleForm(request.POST or None, receivers=receivers)
    if request.method == "POST":
        if not can_publish:
            raise Http404
        if form.is_valid():
            try:
                services.schedule_create(actor=user, org_unit=user.org_unit, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, gettext("接访安排已发布"))
                return redirect("reception:schedules")
    items = schedules_visible_to(user)
    return render(
        request,
        "reception/schedules.html",
        {"form": form, "schedules": items, "can_publish": can_publish, "open": services.slots_open(items)},
    )


def _township_booking_form(user, data=None, **kwargs) -> BookingForm:
    return BookingForm(
        data,
        slots=services.slots_open(bookable_schedules_for(user)),
        slots_url=reverse("reception:book_slots"),
        **kwargs,
    )


def _require_township_officer(user) -> None:
    if not is_township_officer(user) or not user.org_unit.is_township:
        raise Http404


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def book(request):
    """A township officer books for someone at the township terminal (ID card seen in person)."""
    _require_township_officer(request.user)
    if request.method == "POST" and "refresh" in request.POST:
        form = _township_booking_form(request.user, initial=request.POST.dict())
        return render(request, "reception/book.html", {"form": form})
    form = _township_booking_form(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                reception, code = services.booking_create(actor=request.user, **form.service_fields())
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    gettext("已预约。请将预约查询码 %(code)s 交给信访人（只显示这一次）") % {"code": code},
                )
                return redirect("reception:detail", reception.pk)
        return render(request, "reception/book.html", {"form": form}, status=400)
    return render(request, "reception/book.html", {"form": form})


@never_cache
@login_required
@require_GET
def book_slots(request):
    """The slot list of the township booking form for the level and place chosen (htmx)."""
    _require_township_officer(request.user)
    form = _township_booking_form(request.user, initial=request.GET.dict())
    return render(request, "reception/partials/slot_options.html", {"form": form})


@never_cache
@login_required
@require_GET
def detail(request, pk):
    reception = get_reception_for(request.user, pk)
    audit_record(
        actor=request.user,
        action="reception.view",
        obj=reception,
        summary="查看视频接访预约（含信访人身份）",
        ip_address=client_ip(request),
    )
    return render(
        request,
        "reception/detail.html",
        {
            "r": reception,
            "masked_id_number": mask_id_number(reception.petitioner_id_number),
            "receiver": is_receiver(request.user, reception),
            "recordings": reception.recordings.order_by("participant", "segment"),
            "township_side": reception.township_id == request.user.org_unit_id,
            "minutes": minutes_of(reception),
            "documents": documents_of(reception),
            "case_serial": reception.case_ref.partition("|")[2],
            "case_pk": reception.case_ref.partition("|")[0].rpartition(":")[2],
            "categories": CATEGORIES,
            "matters": MATTERS,
        },
    )


@login_required
@require_POST
def act(request, pk):
    reception = get_reception_for(request.user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请求无效，请刷新后重试"))
        return redirect("reception:detail", pk)
    action, version = form.cleaned_data["action"], form.cleaned_data["version"]
    try:
        if action == "confirm":
            services.booking_confirm(actor=request.user, reception=reception, version=version)
            messages.success(request, gettext("已确认，已短信通知信访人"))
        elif action == "cancel":
            services.booking_cancel(
                actor=request.user, reception=reception, version=version, reason=form.cleaned_data["reason"]
            )
            messages.success(request, gettext("已取消"))
        elif action == "no_show":
            services.booking_no_show(actor=request.user, reception=reception, version=version)
            messages.success(request, gettext("已登记未到场"))
        elif action == "start":
            services.session_start(actor=request.user, reception=reception)
            return redirect("reception:room", pk)
        elif action == "case_register":
            serial = services.case_register(
                actor=request.user,
                reception=reception,
                category=form.cleaned_data["category"],
                matter=form.cleaned_data["matter"],
            )
            messages.success(
                request, gettext("已登记为信访举报 %(serial)s（来源：视频接访）") % {"serial": serial}
            )
        elif action == "case_link":
            serial = services.case_link(
                actor=request.user, reception=reception, serial=form.cleaned_data["serial"]
            )
            messages.success(request, gettext("已关联信访举报 %(serial)s") % {"serial": serial})
        elif action == "end":
            services.session_end(actor=request.user, reception=reception)
            messages.success(request, gettext("接访结束，录像正在转换"))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for m in error.messages:
            messages.error(request, m)
    return redirect("reception:detail", pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def transfer(request, pk):
    """转交: the receiving office hands a booking about a cadre it does not manage to the office that
    does, on one of that office's slots, with a reason. "列出场次" (refresh) shows the managing office
    and its slots for the level and place chosen; the transfer itself needs a slot."""
    reception = get_reception_for(request.user, pk)
    if not is_receiver(request.user, reception) or reception.state not in (
        ReceptionState.REQUESTED,
        ReceptionState.CONFIRMED,
    ):
        raise Http404
    source = request.POST if request.method == "POST" else None
    initial = {
        "accused_level": reception.accused_level,
        "accused_region": reception.accused_region_id,
        "version": reception.version,
    }
    chosen = source or initial
    office, office_error = None, ""
    region = office_unit(chosen.get("accused_region"))
    try:
        office = services.receiving_office(region, str(chosen.get("accused_level") or ""))
    except ValidationError as error:
        office_error = error.messages[0]
    slots = services.slots_open(public_schedules())
    refresh = source is not None and "refresh" in source
    form = TransferForm(
        None if refresh else source,
        initial=source.dict() if refresh and source is not None else initial,
        slots=slots,
        office=office,
    )
    context = {"r": reception, "form": form, "office": office, "office_error": office_error}
    if source is None or refresh:
        return render(request, "reception/transfer.html", context)
    if form.is_valid():
        data = form.cleaned_data
        if data["slot"] is None:
            form.add_error("slot", gettext("请选择转交后的场次"))
        else:
            try:
                services.booking_transfer(
                    actor=request.user,
                    reception=reception,
                    version=data["version"],
                    accused_level=data["accused_level"],
                    accused_region=data["accused_region"],
                    reason=data["reason"],
                    schedule=data["slot"]["schedule"],
                    day=data["slot"]["date"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request, gettext("已转交%(name)s，已短信告知信访人") % {"name": reception.org_unit.name}
                )
                return redirect("reception:list")
    return render(request, "reception/transfer.html", context, status=400)


@never_cache
@login_required
@require_GET
def room(request, pk):
    """The session: an official of the office, or the township officer running the petitioner's side
    at the terminal. The page carries a short-lived join token for this reception only."""
    reception = get_reception_for(request.user, pk)
    if reception.state != ReceptionState.IN_SESSION:
        messages.error(request, gettext("本次视频接访未在进行中"))
        return redirect("reception:detail", pk)
    if is_receiver(request.user, reception):
        participant, display = (
            f"official:{request.user.pk}",
            f"{request.user.full_name}（{request.user.org_unit.name}）",
        )
    elif reception.township_id and reception.township_id == request.user.org_unit_id:
        participant, display = services.PETITIONER, "信访人（乡镇接访点）"
    else:
        raise Http404
    token = services.join_token_mint(reception=reception, participant=participant, display=display)
    response = render(
        request,
        "reception/room.html",
        {"r": reception, "token": token, "receiver": participant != services.PETITIONER},
    )
    response["Content-Security-Policy"] = media.room_csp(reception.janus_url)
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def lobby(request, pk):
    """The waiting room, seen by the receiving office from the room page: GET, who waits (the booking's
    identity to check against the person on screen and their ID card); POST decision=admit|refuse."""
    reception = get_reception_for(request.user, pk)
    if not is_receiver(request.user, reception):
        raise Http404
    error = ""
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in ("admit", "refuse"):
            return JsonResponse({"error": gettext("请求无效")}, status=400)
        try:
            services.petitioner_admit(actor=request.user, reception=reception, admit=decision == "admit")
        except ValidationError as error_:
            error = error_.messages[0]
    return JsonResponse(
        {
            "admission": reception.admission,
            "label": reception.get_admission_display(),
            "name": reception.petitioner_name,
            "id_number": mask_id_number(reception.petitioner_id_number),
            "where": gettext("乡镇接访点") if reception.township_id else gettext("信访人自己的设备"),
            "since": timezone.localtime(reception.waiting_since).strftime("%H:%M:%S")
            if reception.waiting_since
            else "",
            "error": error,
        },
        status=400 if error else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def minutes(request, pk):
    """The minutes (接访笔录): the office writes them and endorses them; at the township terminal the
    township officer records the petitioner's confirmation of the text read back on screen."""
    reception = get_reception_for(request.user, pk)
    receiver = is_receiver(request.user, reception)
    terminal = bool(reception.township_id) and reception.township_id == request.user.org_unit_id
    if not (receiver or terminal):
        raise Http404
    current = minutes_of(reception)
    form = MinutesForm(
        request.POST or None,
        initial={
            "text": current.text if current else MINUTES_TEMPLATE,
            "version": current.version if current else 0,
        },
    )
    if request.method == "POST":
        action = request.POST.get("action", "save")
        permitted = {"save": receiver, "endorse": receiver, "confirm": terminal}
        if action not in permitted:
            raise Http404
        try:
            if not permitted[action]:
                raise ValidationError(gettext("笔录由接访机关制作并签字背书，乡镇接访点只记录信访人的确认"))
            if action == "save" and form.is_valid():
                services.minutes_save(
                    actor=request.user,
                    reception=reception,
                    text=form.cleaned_data["text"],
                    version=form.cleaned_data["version"],
                )
                messages.success(request, gettext("笔录已保存，请向信访人宣读并请其确认"))
                return redirect("reception:minutes", pk)
            if action == "endorse":
                raw = request.POST.get("version", "")
                version = int(raw) if raw.isdigit() else 0
                services.minutes_endorse(actor=request.user, reception=reception, version=version)
                messages.success(request, gettext("笔录已签字背书"))
                return redirect("reception:minutes", pk)
            if action == "confirm":
                services.minutes_confirm(
                    reception=reception, digest=request.POST.get("digest", ""), where="乡镇接访点"
                )
                messages.success(request, gettext("已记录信访人确认"))
                return redirect("reception:minutes", pk)
        except ValidationError as error:
            form.add_error(None, error.messages)
    return render(
        request,
        "reception/minutes.html",
        {"r": reception, "m": current, "form": form, "receiver": receiver, "terminal": terminal},
    )


@never_cache
@login_required
@require_GET
def recording(request, pk, rid):
    """Play one verified recording: the receiving office only (not the township terminal), every
    playback an audit event."""
    reception = get_reception_for(request.user, pk)
    if not is_receiver(request.user, reception):
        raise Http404
    rec = get_or_404(verified_recordings(reception), rid)
    audit_record(
        actor=request.user,
        action="reception.recording_play",
        obj=reception,
        summary=f"播放接访录像：{rec.participant}",
        after={"recording": rec.pk, "sha256": rec.sha256},
        ip_address=client_ip(request),
    )
    try:
        handle = open(rec.file_path, "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError:
        raise Http404 from None
    return FileResponse(handle, content_type="video/webm")


def _period(request) -> tuple[date, date, str]:
    today = timezone.localdate()
    default = (today.replace(day=1), today)
    try:
        start = date.fromisoformat(request.GET.get("start") or default[0].isoformat())
        end = date.fromisoformat(request.GET.get("end") or default[1].isoformat())
    except ValueError:
        return *default, gettext("日期格式应为 年-月-日，如 2026-12-01；已显示本月")
    if start > end or (end - start).days > 366 * 3:
        return *default, gettext("起止日期有误（开始不能晚于结束，跨度不超过三年）；已显示本月")
    return start, end, ""


@login_required
@require_GET
def stats(request):
    require_module(request.user, Module.RECEPTION)
    start, end, error = _period(request)
    if error:
        messages.error(request, error)
    return render(request, "reception/stats.html", {"s": reception_statistics(request.user, start, end)})


@login_required
@require_GET
def stats_xlsx(request):
    require_module(request.user, Module.RECEPTION)
    start, end, _ = _period(request)
    with platform_language():  # a file that leaves: its labels, read by the statistics, in one language
        data = statistics_xlsx(reception_statistics(request.user, start, end))
    audit_record(
        actor=request.user,
        action="reception.stats_export",
        org_unit_id=request.user.org_unit_id,
        summary=f"导出视频接访统计 {start:%Y-%m-%d}~{end:%Y-%m-%d}",
        ip_address=client_ip(request),
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename=reception-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return response


@login_required
@require_POST
def document_add(request, pk):
    reception = get_reception_for(request.user, pk)
    files = request.FILES.getlist("document")
    if not files:
        messages.error(request, gettext("请选择要上传的材料"))
        return redirect("reception:detail", pk)
    try:
        services.document_add(
            actor=request.user, reception=reception, files=files, ip_address=client_ip(request)
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for m in error.messages:
            messages.error(request, m)
    else:
        messages.success(request, gettext("已上传 %(count)s 份材料") % {"count": len(files)})
    return redirect("reception:detail", pk)
