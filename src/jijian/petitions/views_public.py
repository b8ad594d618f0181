"""The public portal (no account, phone first): submit a report, get a receipt code once, follow the
report with it. Nothing here logs or stores the client's address; the per-address rate limits keep
only an HMAC of it in the cache for a minute (jijian.core.ratelimit). Every page is `never_cache`:
a shared phone must not show someone's report or receipt from its cache."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.core.ratelimit import rate_limit

from . import pow, receipt, services, throttle
from .access import follow_close, follow_open, followed_report, messages_for_reporter
from .forms import FollowForm, PetitionForm, ReplyForm
from .models import PetitionState


@never_cache
@require_GET
def home(request):
    return render(request, "petitions/public_home.html")


def _form_page(request, form, status=200):
    return render(
        request,
        "petitions/public_form.html",
        {"form": form, "challenge": pow.challenge_issue(), "bits": pow.difficulty()},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limit("petition_submit", limit="PETITION_SUBMIT_PER_MINUTE", default=3)
def submit(request):
    if request.method == "GET":
        return _form_page(request, PetitionForm())
    form = PetitionForm(request.POST, request.FILES)
    try:  # the work is checked (and the challenge spent) before anything else is done
        pow.challenge_verify(request.POST.get("pow_challenge", ""), request.POST.get("pow_nonce", ""))
    except pow.PowError as error:
        form.is_valid()
        form.add_error(None, str(error))
        return _form_page(request, form)
    if not form.is_valid():
        return _form_page(request, form)
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("evidence", "pow_challenge", "pow_nonce")}
    try:
        submitted = services.petition_submit(**data, files=form.cleaned_data["evidence"])
    except ValidationError as error:
        form.add_error("evidence" if error.code == "attachment_refused" else None, error.messages)
        return _form_page(request, form)
    return render(
        request,
        "petitions/public_receipt.html",
        {"code": receipt.display(submitted.code), "report": submitted.report},
    )


def _busy(request, retry_after: int):
    response = render(
        request,
        "petitions/public_follow_login.html",
        {"form": FollowForm(), "busy": True, "retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limit("petition_follow", limit="PETITION_FOLLOW_PER_MINUTE", default=10)
def follow(request):
    if request.method == "GET":
        report = followed_report(request)
        if report is None:
            return render(request, "petitions/public_follow_login.html", {"form": FollowForm()})
        return render(
            request,
            "petitions/public_follow_status.html",
            {
                "report": report,
                "notices": report.is_anonymous is False,
                "messages_list": messages_for_reporter(report),
                "evidence": services.petition_evidence(report),
                "form": ReplyForm(),
                "closed": report.state == PetitionState.CLOSED,
            },
        )
    retry_after = throttle.busy_for()
    if retry_after is not None:
        return _busy(request, retry_after)
    form = FollowForm(request.POST)
    report = services.petition_find_by_receipt(code=request.POST.get("code", "")) if form.is_valid() else None
    if report is None:
        if form.is_valid():
            throttle.record_failure()
            services.petition_follow_failed()
            form.add_error("code", "回执码不正确，请核对后重新输入（共 20 位数字）")
        return render(request, "petitions/public_follow_login.html", {"form": form})
    follow_open(request, report)
    services.petition_followed(report=report)
    return redirect("petitions:follow")


@never_cache
@require_POST
@rate_limit("petition_reply", limit="PETITION_SUBMIT_PER_MINUTE", default=3)
def follow_reply(request):
    report = followed_report(request)
    if report is None:
        messages.error(request, "查询已超时，请重新输入回执码")
        return redirect("petitions:follow")
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.petition_reporter_reply(
                report=report, body=form.cleaned_data["body"], files=form.cleaned_data["evidence"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "补充材料已提交")
            return redirect("petitions:follow")
    return render(
        request,
        "petitions/public_follow_status.html",
        {
            "report": report,
            "notices": not report.is_anonymous,
            "messages_list": messages_for_reporter(report),
            "evidence": services.petition_evidence(report),
            "form": form,
            "closed": report.state == PetitionState.CLOSED,
        },
    )


@never_cache
@require_POST
def follow_end(request):
    follow_close(request)
    return redirect("petitions:home")
