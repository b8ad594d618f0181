"""The public portal (no account, phone first): submit a report, get a receipt code once, follow the
report with it. Nothing here logs or stores the client's address; the per-address rate limits keep
only an HMAC of it in the cache for a minute (jijian.core.ops.ratelimit). Every page is `never_cache`:
a shared phone must not show someone's report or receipt from its cache."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.attachments.uploads import public_uploads, upload_refusal
from jijian.core.ops.ratelimit import rate_limit
from jijian.petitions import services
from jijian.petitions.access import (
    follow_close,
    follow_open,
    followed_report,
    messages_for_reporter,
    objections_for_reporter,
)
from jijian.petitions.handling import objections
from jijian.petitions.intake import pow, receipt, throttle
from jijian.petitions.intake.forms import (
    MAX_FILES,
    FollowForm,
    ObjectionOnlineForm,
    PetitionForm,
    ReplyForm,
    initial_for_place,
)
from jijian.petitions.models import PetitionState


@never_cache
@require_GET
def home(request):
    return render(request, "petitions/public_home.html")


HELD = "petitions.public"  # the form's key for the files held across a form error (attachments.held)


def _uploads(request) -> held.HeldUploads:
    return held.HeldUploads(request, HELD, "evidence", public=True)


def _form_page(request, form, status=200, *, solved: bool = False, hold: bool = True):
    """The form; `solved` when the post's work passed, so the page carries a solved token rather
    than a new challenge (the reporter does not wait for the work again). Files chosen on a post
    that failed are held and shown as attached — unless the upload itself was refused (`hold`
    false: beyond the public limits nothing is kept)."""
    uploads = _uploads(request)
    if hold:
        uploads.hold_if(form)
    context = {
        "form": form,
        "bits": pow.difficulty(),
        "held": uploads.shown(),
    }
    if solved:
        context["solved"] = pow.solved_issue()
    else:
        context["challenge"] = pow.challenge_issue()
    return render(request, "petitions/public_form.html", context, status=status)


@public_uploads
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limit("petition_submit", limit="PETITION_SUBMIT_PER_MINUTE", default=3)
def submit(request):
    uploads = _uploads(request)
    if request.method == "GET":
        uploads.release()
        # ?region=<id>: a 四亮 poster's QR code opens the form with its village's place filled in.
        return _form_page(request, PetitionForm(initial=initial_for_place(request.GET.get("region"))))
    refusal = upload_refusal(request)  # files beyond the public limits: nothing is kept
    form = PetitionForm(request.POST, request.FILES)
    if refusal:
        form.is_valid()
        form.add_error(None, refusal)
        return _form_page(request, form, status=413, hold=False)
    try:  # the work is checked (and the challenge or token spent) before anything else is done
        pow.verify_post(request.POST)
    except pow.PowError as error:
        form.is_valid()
        form.add_error(None, str(error))
        return _form_page(request, form, status=400)
    uploads.drop_refused(form)  # held files the portal's kinds now refuse: let go, named
    if form.is_valid() and len(uploads.keep) + len(form.cleaned_data["evidence"]) > MAX_FILES:
        form.add_error(
            "evidence", gettext("最多上传 %(MAX_FILES)s 个文件（含已附的文件）") % {"MAX_FILES": MAX_FILES}
        )
    if not form.is_valid():
        return _form_page(request, form, status=400, solved=True)
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("evidence", "pow_challenge", "pow_nonce")}
    with uploads.files(form.cleaned_data["evidence"]) as files:
        try:
            submitted = services.petition_submit(**data, files=files)
        except ValidationError as error:
            form.add_error("evidence" if error.code == "attachment_refused" else None, error.messages)
            return _form_page(request, form, status=400, solved=True)
    uploads.release()
    return render(
        request,
        "petitions/public_receipt.html",
        {"code": receipt.display(submitted.code), "report": submitted.report},
    )


def _follow_form(request, form, *, braked: bool, status: int = 200):
    """The lookup form; while the brake is on it carries a proof-of-work challenge that pow.js solves
    (and, when a code was already entered, sends with it on its own)."""
    context = {"form": form, "braked": braked}
    if braked:
        context |= {
            "challenge": pow.challenge_issue(purpose=pow.LOOKUP, bits=pow.lookup_difficulty()),
            "bits": pow.lookup_difficulty(),
            "autosubmit": form.is_bound and not form.errors,
        }
    return render(request, "petitions/public_follow_login.html", context, status=status)


def _brake_work_done(request) -> bool:
    """Whether the lookup brings the brake's proof of work (a lookup challenge, solved, unused)."""
    try:
        pow.challenge_verify(
            request.POST.get("pow_challenge", ""),
            request.POST.get("pow_nonce", ""),
            purpose=pow.LOOKUP,
            bits=pow.lookup_difficulty(),
        )
    except pow.PowError:
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limit("petition_follow", limit="PETITION_FOLLOW_PER_MINUTE", default=10)
def follow(request):
    if request.method == "GET":
        report = followed_report(request)
        if report is None:
            return _follow_form(request, FollowForm(), braked=throttle.engaged())
        _reply_uploads(request, report).release()  # a new form page
        return _follow_status(request, report, ReplyForm())
    form = FollowForm(request.POST)
    if not form.is_valid():  # a malformed code costs no hash and is not counted
        return _follow_form(request, form, braked=throttle.engaged(), status=400)
    # Counted as a failure before the hash. Under the brake only a lookup that brings the proof of
    # work goes on; the others get the form back with a challenge (no hash computed).
    reservation = throttle.count() if _brake_work_done(request) else throttle.reserve()
    if reservation.busy_for is not None:
        return _follow_form(request, form, braked=True, status=429)
    report = services.petition_find_by_receipt(code=request.POST.get("code", ""))
    if report is None:
        services.petition_follow_failed()
        form.add_error("code", gettext("查询码不正确，请核对后重新输入（共 20 位数字）"))
        return _follow_form(request, form, braked=throttle.engaged(), status=400)
    throttle.release(reservation)
    follow_open(request, report)
    services.petition_followed(report=report)
    return redirect("petitions:follow")


def _reply_uploads(request, report) -> held.HeldUploads:
    """The follow-up form's held files: per report, so a lookup of another report in the same
    browser never offers them."""
    return held.HeldUploads(request, f"petitions.reply.{report.pk}", "evidence", public=True)


def _objection_form(report, data=None) -> ObjectionOnlineForm | None:
    """The objection form, when the page shows the result and the reporter may object."""
    if not objections.may_object(report):
        return None
    return ObjectionOnlineForm(
        data,
        initial={"version": report.version},
        needs_new_facts=objections.needs_new_facts(report),
        auto_id="objection_%s",
    )


def _follow_status(request, report, form, status: int = 200, *, objection_form=None):
    if objection_form is None:
        objection_form = _objection_form(report)
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
            "held": _reply_uploads(request, report).shown(),
            "objections": objections_for_reporter(report) if not report.is_anonymous else [],
            "objection_form": objection_form,
            "objection_days": settings.PETITION_OBJECTION_ANSWER_WORKING_DAYS,
        },
        status=status,
    )


@public_uploads
@never_cache
@require_POST
@rate_limit("petition_reply", limit="PETITION_SUBMIT_PER_MINUTE", default=3)
def follow_reply(request):
    report = followed_report(request)
    if report is None:
        messages.error(request, gettext("查询已超时，请重新输入查询码"))
        return redirect("petitions:follow")
    uploads = _reply_uploads(request, report)
    refusal = upload_refusal(request)  # files beyond the public limits: nothing is kept
    form = ReplyForm(request.POST, request.FILES, kept=len(uploads.keep))
    if refusal:
        form.is_valid()
        form.add_error(None, refusal)
        return _follow_status(request, report, form, status=413)
    if form.is_valid():
        with uploads.files(form.cleaned_data["evidence"]) as files:
            try:
                services.petition_reporter_reply(report=report, body=form.cleaned_data["body"], files=files)
            except ValidationError as error:
                form.add_error("evidence" if error.code == "attachment_refused" else None, error.messages)
            else:
                uploads.release()
                messages.success(request, gettext("补充材料已提交"))
                return redirect("petitions:follow")
    # Files chosen on a post with an error are held and shown as attached (attachments.held).
    uploads.hold_if(form)
    return _follow_status(request, report, form, status=400)


@never_cache
@require_POST
@rate_limit("petition_reply", limit="PETITION_SUBMIT_PER_MINUTE", default=3)
def follow_objection(request):
    """The reporter objects to the result (handling/objections.py); refused: the page again, 400."""
    report = followed_report(request)
    if report is None:
        messages.error(request, gettext("查询已超时，请重新输入查询码"))
        return redirect("petitions:follow")
    form = _objection_form(report, request.POST)
    if form is None:
        form = ObjectionOnlineForm(request.POST, auto_id="objection_%s")
        form.is_valid()
        form.add_error(None, gettext("该件目前不能提出异议（未办结、未告知结果，或已有异议正在答复中）"))
        return _follow_status(request, report, ReplyForm(), status=400, objection_form=form)
    if form.is_valid():
        try:
            objections.objection_raise_online(
                report=report,
                text=form.cleaned_data["text"],
                new_facts=form.cleaned_data.get("new_facts", ""),
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("异议已提交，办理机关将在规定时限内答复"))
            return redirect("petitions:follow")
    return _follow_status(request, report, ReplyForm(), status=400, objection_form=form)


@never_cache
@require_POST
def follow_end(request):
    follow_close(request)
    return redirect("petitions:home")
