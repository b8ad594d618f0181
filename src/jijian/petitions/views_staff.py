"""Staff pages of reports from the public: the ordinary register (filters, paging, HTMX partial),
registration of letters, visits, 12388 calls and video receptions, one report's page with its
triage actions (each a small form posting to its own URL, carrying the version the page showed),
and the audited reveal of the reporter's identity.

Every page resolves the report through access.get_petition_for: outside the user's scope (by
holder), or recused from it, the answer is the same 404 as for a missing report. Actions are for
services.can_handle (petition office, township committee, commission leader); others get 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.core.ratelimit import client_ip
from jijian.core.reveal import can_reveal, reveal_field
from jijian.core.roles import Module, Role

from . import archive_links, routing, selectors, services
from .access import get_petition_for, petitions_visible_to
from .forms_staff import (
    ArchiveLinkForm,
    CloseForm,
    MarkRepeatForm,
    MessageForm,
    NotAcceptForm,
    NoticeForm,
    PetitionRegisterForm,
    RegisterFilterForm,
    RevealForm,
    RouteForm,
    VersionForm,
    clean_commission_search,
)
from .models import PetitionState

PAGE = 50
REVEAL_FIELDS = {
    "reporter_name": "举报人姓名",
    "reporter_id_number": "身份证号",
    "reporter_phone": "联系电话",
}


def _require_module(user) -> None:
    if not user.has_module(Module.PETITIONS):
        raise Http404


def _require_handler(user) -> None:
    if not services.can_handle(user):
        raise Http404


@login_required
@require_GET
def petition_list(request):
    _require_module(request.user)
    form = RegisterFilterForm(request.GET or None)
    page = Paginator(selectors.register(request.user, form.register_filter()), PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "repeats": selectors.possible_repeats(request.user, rows),
        "can_handle": services.can_handle(request.user),
    }
    partial = request.htmx and not request.htmx.boosted
    return render(
        request, "petitions/partials/staff_rows.html" if partial else "petitions/staff_list.html", context
    )


@login_required
@require_http_methods(["GET", "POST"])
def petition_register(request):
    _require_handler(request.user)
    form = PetitionRegisterForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "files"}
        try:
            report = services.petition_register(actor=request.user, **data, files=form.cleaned_data["files"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error("files" if error.code == "attachment_refused" else None, error.messages)
        else:
            messages.success(request, f"已登记 {report.serial_number}")
            return redirect("petitions_staff:detail", report.pk)
    return render(request, "petitions/staff_register.html", {"form": form})


def _reveal_fields(user, report) -> list[tuple[str, str]]:
    if report.is_anonymous:
        return []
    return [
        (field, label)
        for field, label in REVEAL_FIELDS.items()
        if getattr(report, field) and can_reveal(actor=user, obj=report, field_name=field)
    ]


def _action_forms(user, report, *, managing_q: str = "") -> dict:
    """The forms the page offers for the report's state (the services refuse the others anyway).
    `managing_q`: a search for the managing commission (the page's GET form, without JavaScript)."""
    if not services.can_handle(user):
        return {}
    initial = {"version": report.version}
    forms: dict = {}
    state = report.state
    if state == PetitionState.RECEIVED:
        candidates = selectors.repeat_candidates(user, report)
        if candidates.exists():
            forms["repeat"] = MarkRepeatForm(initial=initial, candidates=candidates, auto_id="repeat_%s")
        forms["not_accept"] = NotAcceptForm(initial=initial, auto_id="not_accept_%s")
        receiving = report.holder
        forms["route"] = RouteForm(
            initial={**initial, "managing": report.managing_unit_id or _suggested_managing(report)},
            user=user,
            receiving=receiving,
            search=managing_q,
            auto_id="route_%s",
        )
        higher = routing.higher_commission(receiving) if receiving else None
        forms["own_head_target"] = higher
    notice_states = (PetitionState.ACCEPTED, PetitionState.CLOSED)
    if state in notice_states and not report.is_anonymous and not report.acceptance_notified_on:
        forms["acceptance"] = NoticeForm(initial=initial, auto_id="acceptance_%s")
    if state == PetitionState.ACCEPTED:
        forms["close"] = CloseForm(initial=initial, auto_id="close_%s")
    if state == PetitionState.CLOSED and not report.result_notified_on:
        forms["result"] = NoticeForm(initial=initial, auto_id="result_%s")
    if report.receipt_hash:  # the reporter reads messages with their receipt code
        forms["message"] = MessageForm(auto_id="message_%s")
    return forms


def _suggested_managing(report) -> int | None:
    if report.region_id is None:
        return None
    try:
        return routing.managing_commission(report.region, report.accused_level).pk
    except ValidationError:
        return None


def _archive_section(user, report) -> dict:
    """The accused's integrity archive (archive_links.py): the linked one — with a link to it for
    those who may open archives — or, for those who handle the report, the candidates to link."""
    from jijian.archives.access import archives_visible_to

    linked = report.archive if report.archive_id else None
    can_link = services.can_handle(user)
    return {
        "linked": linked,
        "can_link": can_link,
        "can_open": linked is not None and archives_visible_to(user).filter(pk=linked.pk).exists(),
        "candidates": archive_links.archive_candidates(report) if can_link and linked is None else [],
    }


@login_required
@require_GET
def petition_detail(request, pk):
    report = get_petition_for(request.user, pk)
    user = request.user
    managing_q = clean_commission_search(request.GET.get("managing_q"))
    context = {
        "report": report,
        "reveal_fields": _reveal_fields(user, report),
        "actions": _action_forms(user, report, managing_q=managing_q),
        "managing_q": managing_q,
        **selectors.report_detail(user, report),
    }
    # Links to the neighbouring desks: the forward answer (petitions_work) for the body it was
    # forwarded to, the clue registration (petitions_clues) for the case management office.
    context["answer_forward"] = next(
        (
            f
            for f in context["forwards"]
            if not f.answer
            and report.state == PetitionState.FORWARDED
            and services.can_handle(user)
            and f.to_unit_id == user.org_unit_id  # the receiving body itself; above it, one tracks
        ),
        None,
    )
    context["archive"] = _archive_section(user, report)
    context["can_register_clue"] = (
        report.state == PetitionState.ACCEPTED and Role.CASE_MANAGEMENT in user.role_set
    )
    return render(request, "petitions/staff_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def petition_reveal(request, pk, field):
    """Show one field of the reporter's identity unmasked, with a reason; an audit event. Only where
    core.reveal.can_reveal allows it (the receiving body's petition office or leaders, not a body the
    report was forwarded to, not a recused user); everyone else gets 404."""
    report = get_petition_for(request.user, pk)
    if field not in REVEAL_FIELDS or report.is_anonymous:
        raise Http404
    if not can_reveal(actor=request.user, obj=report, field_name=field):
        raise Http404
    form = RevealForm(request.POST or None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = reveal_field(
                actor=request.user,
                obj=report,
                field_name=field,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error.messages)
    return render(
        request,
        "petitions/staff_reveal.html",
        {"report": report, "form": form, "value": value, "label": REVEAL_FIELDS[field], "field": field},
    )


@login_required
@require_GET
def commission_search(request, pk):
    """The <option>s of the managing-commission select (HTMX, as the user types in `managing_q`):
    commissions of the user's city tree by name or pinyin initials, labelled with what the routing
    table would do with each for this report — or the short list when the search is empty. Names
    only; for those who may act on the report (the report page's own check), everyone else 404."""
    _require_handler(request.user)
    report = get_petition_for(request.user, pk)
    form = RouteForm(
        initial={"managing": request.GET.get("managing")},
        user=request.user,
        receiving=report.holder,
        search=request.GET.get("managing_q", ""),
        auto_id="route_%s",
    )
    return render(request, "petitions/partials/commission_options.html", {"field": form["managing"]})


# --- actions --------------------------------------------------------------------------------------
def _after(request, report, done: str):
    """Back to the report, or to the register when the action took it out of the user's scope (a
    report forwarded up leaves the lower body's register)."""
    messages.success(request, done)
    if petitions_visible_to(request.user).filter(pk=report.pk).exists():
        return redirect("petitions_staff:detail", report.pk)
    messages.info(request, "该件已转出本机关，不再列入本机关登记簿")
    return redirect("petitions_staff:list")


def _refused(request, report, errors) -> object:
    for message in errors:
        messages.error(request, message)
    return redirect("petitions_staff:detail", report.pk)


def _form_errors(form) -> list[str]:
    return [str(e) for errs in form.errors.values() for e in errs]


def _act(request, pk, form_class, run, done: str, **form_kwargs):
    _require_handler(request.user)
    report = get_petition_for(request.user, pk)
    form = form_class(request.POST, **{k: v(report) for k, v in form_kwargs.items()})
    if not form.is_valid():
        return _refused(request, report, _form_errors(form))
    try:
        result = run(report, form.cleaned_data)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _refused(request, report, error.messages)
    return _after(request, result if result is not None else report, done)


@login_required
@require_POST
def petition_mark_repeat(request, pk):
    return _act(
        request,
        pk,
        MarkRepeatForm,
        lambda report, d: services.petition_mark_repeat(
            actor=request.user, report=report, original=d["original"], version=d["version"]
        ),
        "已标记为重复件，并与原件关联",
        candidates=lambda report: selectors.repeat_candidates(request.user, report),
    )


@login_required
@require_POST
def petition_not_accept(request, pk):
    return _act(
        request,
        pk,
        NotAcceptForm,
        lambda report, d: services.petition_not_accept(
            actor=request.user, report=report, reason=d["reason"], reply=d["reply"], version=d["version"]
        ),
        "已作不予受理处理",
    )


@login_required
@require_POST
def petition_route(request, pk):
    def run(report, d):
        report = services.petition_route(
            actor=request.user,
            report=report,
            managing=d["managing"],
            about_own_head=d["about_own_head"],
            note=d["note"],
            version=d["version"],
        )
        return report

    return _act(
        request,
        pk,
        RouteForm,
        run,
        "已按管理权限分流",
        user=lambda report: request.user,
        receiving=lambda report: report.holder,
    )


@login_required
@require_POST
def petition_link_archive(request, pk):
    return _act(
        request,
        pk,
        ArchiveLinkForm,
        lambda report, d: archive_links.petition_link_archive(
            actor=request.user, report=report, archive_id=d["archive"], version=d["version"]
        ),
        "已关联廉情档案",
    )


@login_required
@require_POST
def petition_unlink_archive(request, pk):
    return _act(
        request,
        pk,
        VersionForm,
        lambda report, d: archive_links.petition_unlink_archive(
            actor=request.user, report=report, version=d["version"]
        ),
        "已取消关联廉情档案",
    )


@login_required
@require_POST
def petition_acceptance_notify(request, pk):
    return _act(
        request,
        pk,
        NoticeForm,
        lambda report, d: services.petition_acceptance_notify(
            actor=request.user, report=report, text=d["text"], version=d["version"]
        ),
        "已记录受理告知",
    )


@login_required
@require_POST
def petition_close(request, pk):
    return _act(
        request,
        pk,
        CloseForm,
        lambda report, d: services.petition_close(
            actor=request.user, report=report, result=d["result"], version=d["version"]
        ),
        "已办结",
    )


@login_required
@require_POST
def petition_result_notify(request, pk):
    return _act(
        request,
        pk,
        NoticeForm,
        lambda report, d: services.petition_result_notify(
            actor=request.user, report=report, text=d["text"], version=d["version"]
        ),
        "已记录办理结果告知",
    )


@login_required
@require_POST
def petition_message(request, pk):
    def run(report, d):
        services.petition_message_send(actor=request.user, report=report, body=d["body"])
        return report

    return _act(request, pk, MessageForm, run, "消息已发送，举报人凭回执码可查看")
