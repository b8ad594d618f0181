"""Pages of problem clues (问题线索): the list of the user's jurisdiction, registration (from an accepted
report, or from another source), one clue with its signed history and the actions its state and the
user's role allow, and the statistics. A clue outside the jurisdiction (or one the user is recused
from) is a 404; a refused action changes nothing and comes back on the clue's page, as typed, with
its reason."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.attachments.views import content_disposition
from jijian.core import links
from jijian.core.access import require_module
from jijian.core.language import platform_language
from jijian.core.ops.ratelimit import client_ip
from jijian.core.roles import Module
from jijian.petitions.access import get_clue_for, get_petition_for
from jijian.petitions.clues import services as clues
from jijian.petitions.clues.forms import (
    ApproveForm,
    ArchiveLinkForm,
    FilterForm,
    LetterReplyForm,
    PeriodForm,
    ProposeForm,
    RegisterForm,
    RejectForm,
    ReopenForm,
    VersionForm,
)
from jijian.petitions.clues.stats import clue_stats
from jijian.petitions.clues.stats_export import XLSX_TYPE, clue_stats_export_audit, clue_stats_xlsx
from jijian.petitions.deadlines.limits import urgency, warn_until
from jijian.petitions.models import ClueSource, ClueState, PetitionState

PAGE_SIZE = 50


def _require_registrar(user) -> None:
    if not clues.can_register(user):
        raise Http404


def _form_errors(request, form) -> None:
    seen = set()
    for errors in form.errors.values():
        for message in errors:
            if message not in seen:
                seen.add(message)
                messages.error(request, message)


def report_url(report) -> str:
    try:
        return reverse("petitions_staff:detail", args=[report.pk])
    except NoReverseMatch:
        return f"/petitions/{report.pk}/"


@login_required
@require_GET
def clue_list(request):
    require_module(request.user, Module.PETITIONS)
    form = FilterForm(request.GET or None)
    page = Paginator(clues.clues_listed(request.user, form.clue_filter()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_register": clues.can_register(request.user),
    }
    partial = request.htmx and not request.htmx.boosted
    return render(
        request, "petitions/partials/clue_rows.html" if partial else "petitions/clue_list.html", context
    )


def _register(request, *, report=None):
    user = request.user
    duty_records = [] if report is not None else list(clues.duty_records_for_clues(user)[:200])
    form = RegisterForm(request.POST or None, duty_records=duty_records, report=report)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = None
        if data.get("duty_record"):
            record = next((r for r in duty_records if r.pk == data["duty_record"]), None)
            if record is None:
                form.add_error("duty_record", gettext("所选履职纪实不在本机关管辖范围内"))
        if not form.errors:
            try:
                clue = clues.clue_register(
                    actor=user,
                    source=data["source"],
                    source_note=data["source_note"],
                    report=report,
                    duty_record=record,
                    accused_name=data["accused_name"],
                    accused_unit=data["accused_unit"],
                    accused_post=data["accused_post"],
                    accused_level=data["accused_level"],
                    matter=data["matter"],
                    summary=data["summary"],
                    endorse=data["endorse"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, gettext("已登记问题线索 %(number)s") % {"number": clue.number})
                return redirect("petitions_clues:detail", clue.pk)
    context = {
        "form": form,
        "report": report,
        "report_url": report_url(report) if report is not None else "",
        "report_not_accepted": report is not None and report.state != PetitionState.ACCEPTED,
    }
    return render(request, "petitions/clue_register.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def clue_register(request):
    _require_registrar(request.user)
    return _register(request)


@login_required
@require_http_methods(["GET", "POST"])
def clue_register_from_report(request, report_pk):
    _require_registrar(request.user)
    report = get_petition_for(request.user, report_pk)
    return _register(request, report=report)


@login_required
@require_GET
def clue_detail(request, pk):
    require_module(request.user, Module.PETITIONS)
    return _clue_page(request, get_clue_for(request.user, pk))


def _reply_uploads(request, clue) -> held.HeldUploads:
    """The letter reply's files held across a form error (attachments.held), per clue."""
    return held.HeldUploads(request, f"petitions.clue_reply:{clue.pk}", "files")


def _clue_page(
    request,
    clue,
    *,
    reply_form: LetterReplyForm | None = None,
    refused: tuple[str, forms.Form] | None = None,
    status: int = 200,
):
    """The clue's page; `reply_form` is a refused letter reply shown again with its errors, its text
    and its files held (attachments.held); `refused` is (its name in the page, bound form): another
    refused action shown again as typed with its errors, its version the clue's current one."""
    user = request.user
    today = timezone.localdate()
    until = warn_until(today)
    deadlines = [
        {"d": d, "colour": "" if d.met_at else urgency(d.due_date, today=today, warn_until=until)}
        for d in clues.clue_deadlines(clue)
    ]
    can_handle = clues.can_handle(user, clue)
    can_approve = clues.can_approve(user, clue)
    state = clue.state
    reply_in = state == ClueState.TALK_OR_LETTER and clues.letter_reply_recorded(clue)
    allowed = clues.ALLOWED_DISPOSALS.get(state, ())
    if state == ClueState.TALK_OR_LETTER and not reply_in:
        allowed = ()
    initial = {"version": clue.version}
    context = {
        "clue": clue,
        "steps": list(clues.clue_steps(clue)),
        "deadlines": deadlines,
        "files": list(clues.clue_files(clue)),
        "report_url": report_url(clue.report) if clue.report_id else "",
        "duty_record": links.duty_record_briefs([clue.duty_record_id]).get(clue.duty_record_id)
        if clue.source == ClueSource.DUTY_RECORD and clue.duty_record_id
        else None,
        "propose_form": ProposeForm(initial=initial, allowed=allowed, auto_id="propose-%s")
        if can_handle and allowed
        else None,
        "approve_form": ApproveForm(initial=initial, auto_id="approve-%s")
        if can_approve and state == ClueState.PENDING_APPROVAL and clue.pending_by_id != user.pk
        else None,
        "reject_form": RejectForm(initial=initial, auto_id="reject-%s")
        if can_approve and state == ClueState.PENDING_APPROVAL and clue.pending_by_id != user.pk
        else None,
        "reply_form": (reply_form or LetterReplyForm(initial=initial, auto_id="reply-%s"))
        if can_handle and state == ClueState.TALK_OR_LETTER and not reply_in
        else None,
        "held": _reply_uploads(request, clue).shown(),
        "reopen_form": ReopenForm(initial=initial, auto_id="reopen-%s")
        if can_handle and state == ClueState.HELD
        else None,
        "own_proposal": state == ClueState.PENDING_APPROVAL and clue.pending_by_id == user.pk,
        "archive": _archive_section(user, clue, can_handle),
    }
    if refused is not None:
        slot, form = refused
        data = request.POST.copy()  # what the refused form was bound to
        data["version"] = str(clue.version)
        data.pop("endorse", None)  # a signature is given anew for what is sent again
        form.data = data
        if context.get(slot) is None:  # not offered in this state, or a link (shown as messages)
            _form_errors(request, form)
        else:
            if slot == "propose_form":  # the disposals this state allows, as the page's own form
                form.fields["disposal"] = context[slot].fields["disposal"]
            context[slot] = form
    return render(request, "petitions/clue_detail.html", context, status=status)


def _archive_section(user, clue, can_handle: bool) -> dict:
    """The accused's integrity archive: the clue's own link, else its source report's (shown as such);
    a link to the archive for those who may open it; for the clue's handlers, the candidates to link
    (or to link instead of the report's) and the undoing of a wrong link of the clue's own."""
    own = clue.archive_id
    via_report = None if own is not None or not clue.report_id else clue.report.archive_id
    linked_id = own if own is not None else via_report
    linked = links.archive_briefs([linked_id]).get(linked_id) if linked_id is not None else None
    return {
        "linked": linked,
        "via_report": via_report is not None,
        "can_link": can_handle,
        "can_open": linked is not None and links.archive_may_open(user, linked.pk),
        "candidates": [a for a in clues.clue_archive_candidates(clue) if a.pk != via_report]
        if can_handle and own is None
        else [],
    }


def _action(request, pk, slot: str, form_class, run, done: str):
    """Resolve the clue in the user's jurisdiction, validate the form, run the service; a refusal
    changes nothing and shows the clue's page again (read afresh) with the form (`slot`, e.g.
    "propose") as typed and its errors, not a redirect that would empty it."""
    require_module(request.user, Module.PETITIONS)
    clue = get_clue_for(request.user, pk)
    form = form_class(request.POST, request.FILES, auto_id=f"{slot}-%s")
    if form.is_valid():
        try:
            run(clue, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, gettext("线索 %(number)s %(done)s") % {"number": clue.number, "done": done}
            )
            return redirect("petitions_clues:detail", clue.pk)
    clue = get_clue_for(request.user, pk)
    return _clue_page(request, clue, refused=(f"{slot}_form", form), status=400)


@login_required
@require_POST
def clue_propose(request, pk):
    return _action(
        request,
        pk,
        "propose",
        ProposeForm,
        lambda clue, d: clues.clue_propose(
            actor=request.user,
            clue=clue,
            disposal=d["disposal"],
            sanction=d["sanction"],
            sanction_decided_on=d["sanction_decided_on"],
            note=d["note"],
            version=d["version"],
            endorse=d["endorse"],
        ),
        gettext("处置意见已提交审批"),
    )


@login_required
@require_POST
def clue_approve(request, pk):
    return _action(
        request,
        pk,
        "approve",
        ApproveForm,
        lambda clue, d: clues.clue_approve(
            actor=request.user, clue=clue, note=d["note"], version=d["version"], endorse=d["endorse"]
        ),
        gettext("处置意见已批准"),
    )


@login_required
@require_POST
def clue_reject(request, pk):
    return _action(
        request,
        pk,
        "reject",
        RejectForm,
        lambda clue, d: clues.clue_reject(
            actor=request.user, clue=clue, reason=d["reason"], version=d["version"], endorse=d["endorse"]
        ),
        gettext("处置意见已退回"),
    )


@login_required
@require_POST
def clue_letter_reply(request, pk):
    """The letter reply is long text with scanned files: a refusal shows the clue's page again with
    the form as typed, its errors at the top and the files chosen held as attached (not a redirect
    with a message, which would lose both)."""
    require_module(request.user, Module.PETITIONS)
    clue = get_clue_for(request.user, pk)
    form = LetterReplyForm(request.POST, request.FILES, auto_id="reply-%s")
    uploads = _reply_uploads(request, clue)
    if form.is_valid():
        d = form.cleaned_data
        with uploads.files(d["files"]) as files:
            try:
                clues.clue_letter_reply(
                    actor=request.user,
                    clue=clue,
                    reply=d["reply"],
                    endorser=d["endorser"],
                    files=files,
                    version=d["version"],
                    endorse=d["endorse"],
                )
            except ValidationError as exc:
                form.add_error("files" if exc.code == "attachment_refused" else None, exc.messages)
            else:
                uploads.release()
                messages.success(request, gettext("线索 %(number)s 函询回复已登记") % {"number": clue.number})
                return redirect("petitions_clues:detail", clue.pk)
    uploads.hold_if(form)
    return _clue_page(request, clue, reply_form=form, status=200)


@login_required
@require_POST
def clue_link_archive(request, pk):
    return _action(
        request,
        pk,
        "archive",
        ArchiveLinkForm,
        lambda clue, d: clues.clue_link_archive(
            actor=request.user, clue=clue, archive_id=d["archive"], version=d["version"]
        ),
        gettext("已关联廉情档案"),
    )


@login_required
@require_POST
def clue_unlink_archive(request, pk):
    return _action(
        request,
        pk,
        "archive",
        VersionForm,
        lambda clue, d: clues.clue_unlink_archive(actor=request.user, clue=clue, version=d["version"]),
        gettext("已取消关联廉情档案"),
    )


@login_required
@require_POST
def clue_reopen(request, pk):
    return _action(
        request,
        pk,
        "reopen",
        ReopenForm,
        lambda clue, d: clues.clue_reopen(
            actor=request.user, clue=clue, note=d["note"], version=d["version"], endorse=d["endorse"]
        ),
        gettext("已重新启用"),
    )


@login_required
@require_GET
def clue_stats_page(request):
    require_module(request.user, Module.PETITIONS)
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        _form_errors(request, form)
    stats = clue_stats(request.user, form.period())
    chart = {
        "months": [f"{m:%Y-%m}" for m, _ in stats.by_month],
        "counts": [n for _, n in stats.by_month],
        "disposal": [{"name": str(label), "value": n} for _, label, n in stats.by_disposal if n],
    }
    context = {"form": form, "stats": stats, "chart": chart, "query": request.GET.urlencode()}
    return render(request, "petitions/clue_stats.html", context)


@login_required
@require_GET
def clue_stats_export(request):
    """The statistics of the page, same period, as Excel; audited."""
    require_module(request.user, Module.PETITIONS)
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        _form_errors(request, form)
        return redirect("petitions_clues:stats")
    with platform_language():  # the workbook's labels: read by clue_stats, in the file's language
        stats = clue_stats(request.user, form.period())
    with transaction.atomic():
        clue_stats_export_audit(actor=request.user, stats=stats, ip_address=client_ip(request))
    response = HttpResponse(
        clue_stats_xlsx(stats, unit_name=request.user.org_unit.name), content_type=XLSX_TYPE
    )
    name = f"问题线索统计_{stats.period.start:%Y%m%d}-{stats.period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition(name)
    return response
