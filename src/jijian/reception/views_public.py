"""The petitioner's pages (no account): book a video reception with the phone checked by an SMS
code, follow the booking with its booking code, and join the session with a short-lived token. Every
page is never_cache (a shared phone must not show someone's booking); nothing keeps the address."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jijian.attachments.uploads import public_uploads, upload_refusal
from jijian.core.ops.ratelimit import client_ip, rate_limit

from . import media, services
from .access import minutes_of, public_schedules, reception_by_pk
from .forms import BookingForm, CodeForm, ConfirmForm
from .models import ReceptionState


def _open_slots():
    return services.slots_open(public_schedules())


def _booking_form(data=None, **kwargs) -> BookingForm:
    return BookingForm(
        data, slots=_open_slots(), with_code=True, slots_url=reverse("reception:public_slots"), **kwargs
    )


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limit("reception_book", limit="RECEPTION_BOOK_PER_MINUTE", default=5, anonymous_only=True)
def public_book(request):
    form = _booking_form(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                reception, code = services.booking_create(actor=None, **form.service_fields())
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return render(request, "reception/public_booked.html", {"r": reception, "code": code})
        return render(request, "reception/public_book.html", {"form": form}, status=400)
    return render(request, "reception/public_book.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limit("reception_slots", limit=30, methods=("GET", "POST"))
def public_slots(request):
    """The slot list for the level and place chosen: htmx swaps it into the form's select. Without
    JavaScript, "列出可约场次" posts the whole form here and it comes back as typed with the managing
    office's slots. Here, not to the booking itself: a petitioner trying a few levels and places would
    have spent the booking's few tries a minute (RECEPTION_BOOK_PER_MINUTE) before booking."""
    if request.method == "POST":
        form = _booking_form(initial=request.POST.dict())
        return render(request, "reception/public_book.html", {"form": form})
    form = _booking_form(initial=request.GET.dict())
    return render(request, "reception/partials/slot_options.html", {"form": form})


@never_cache
@require_POST
@rate_limit("reception_sms", limit="RECEPTION_SMS_PER_MINUTE", default=3)
def public_code(request):
    """Send the SMS code to the phone typed in the booking form (HTMX or a plain form post)."""
    error = ""
    try:
        services.sms_code_send(phone=request.POST.get("petitioner_phone", ""))
    except ValidationError as exc:
        error = exc.messages[0]
    if request.htmx:
        # 200 even for a refused phone: htmx swaps in only a successful answer (an error status would
        # show the generic 请求失败 alert instead), and the fragment says itself what is wrong.
        return render(request, "reception/partials/code_sent.html", {"error": error})
    status = 400 if error else 200
    # Without JavaScript the whole form came here: show it again as typed, with the answer.
    form = _booking_form(initial=request.POST.dict())
    return render(
        request,
        "reception/public_book.html",
        {"form": form, "code_error": error, "code_sent": not error},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limit("reception_status", limit="RECEPTION_STATUS_PER_MINUTE", default=10)
def public_status(request):
    """The booking by its code; while the session runs, the room with a join token."""
    form = CodeForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        reception = services.reception_by_code(form.cleaned_data["code"])
        if reception is None:
            form.add_error("code", gettext("预约查询码不正确"))
        else:
            context["r"] = reception
            context["m"] = _minutes_to_confirm(reception)
            context["code"] = form.cleaned_data["code"]
            if reception.state == ReceptionState.IN_SESSION:
                context["token"] = services.join_token_mint(
                    reception=reception, participant=services.PETITIONER, display="信访人"
                )
    response = render(request, "reception/public_status.html", context)
    response["Content-Security-Policy"] = media.room_csp(context["r"].janus_url if "r" in context else "")
    return response


@never_cache
@require_POST
def join(request, pk):
    """Exchange a join token for what the browser needs to enter the room. The token is the
    credential: it must be genuine, unexpired and for this reception, whose session must be open."""
    reception = reception_by_pk(pk)
    if reception is None:
        return JsonResponse({"error": gettext("入会凭证无效")}, status=404)
    try:
        claims = services.join_token_check(token=request.POST.get("token", ""), reception=reception)
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    answer, status = services.join_answer(reception=reception, claims=claims)
    return JsonResponse(answer, status=status)


@public_uploads(max_files=1)
@never_cache
@require_POST
@rate_limit("reception_upload", limit="RECEPTION_UPLOAD_PER_MINUTE", default=20)
def petitioner_upload(request, pk):
    """The admitted petitioner hands in a document from their own device during the session. The
    credential is the upload token the room gave them when they were admitted, sent in the
    X-Upload-Token header: the app server refuses a request without a token signed for this reception
    before reading its body (config/bodylimits.py). The body has the public portal's limits for one
    file (PublicUploadHandler): beyond them the answer is 413 and nothing is kept."""
    reception = reception_by_pk(pk)
    if reception is None:
        return JsonResponse({"error": gettext("上传凭证无效")}, status=404)
    if refusal := upload_refusal(request):
        return JsonResponse({"error": refusal}, status=413)
    files = request.FILES.getlist("document")
    if len(files) != 1:
        return JsonResponse({"error": gettext("请选择一份要上传的材料（每次一份）")}, status=400)
    try:
        attachment = services.petitioner_document_add(
            reception=reception,
            token=request.headers.get(services.UPLOAD_TOKEN_HEADER, ""),
            file=files[0],
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    return JsonResponse({"stored": attachment.original_name})


def _minutes_to_confirm(reception):
    m = minutes_of(reception)
    return m if m is not None and not m.endorsed_at and not m.is_confirmed else None


@never_cache
@require_POST
@rate_limit("reception_status", limit="RECEPTION_STATUS_PER_MINUTE", default=10)
def public_confirm(request):
    """The petitioner confirms the minutes read back to them (booking code and the text's digest)."""
    form = ConfirmForm(request.POST)
    reception = services.reception_by_code(request.POST.get("code", "")) if form.is_valid() else None
    if reception is None:
        return render(
            request,
            "reception/public_status.html",
            {"form": CodeForm(), "error": gettext("预约查询码不正确")},
            status=400,
        )
    try:
        services.minutes_confirm(
            reception=reception, digest=form.cleaned_data["digest"], where="信访人手机或电脑"
        )
    except ValidationError as error:
        context = {
            "form": CodeForm(),
            "r": reception,
            "m": _minutes_to_confirm(reception),
            "error": error.messages[0],
            "code": form.cleaned_data["code"],
        }
        return render(request, "reception/public_status.html", context, status=400)
    return render(
        request, "reception/public_status.html", {"form": CodeForm(), "r": reception, "confirmed": True}
    )
