"""Staff pages of reports from the public: the ordinary register (filters, paging, HTMX partial),
registration of letters, visits, 12388 calls and video receptions, one report's page with its
triage actions (each a small form posting to its own URL, carrying the version the page showed),
and the audited reveal of the reporter's identity.

Every page resolves the report through access.get_petition_for: outside the user's scope (by
holder), or recused from it, the answer is the same 404 as for a missing report. Actions are for
services.can_handle (petition office, township committee, commission leader); others get 404."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.core import links
from jijian.core.access import require_module
from jijian.core.ops.ratelimit import client_ip
from jijian.core.roles import Module, Role
from jijian.core.sensitive.reveal import can_reveal, reveal_denied_record, reveal_field
from jijian.petitions import selectors, services
from jijian.petitions.access import (
    approvals_pending_for,
    forwarded_out,
    get_approval_for,
    get_petition_for,
    petitions_visible_to,
)
from jijian.petitions.handling import archive_links, conclusion, objections, routing
from jijian.petitions.handling.forms import (
    MAX_STAFF_FILES,
    ArchiveLinkForm,
    CloseForm,
    DecisionForm,
    ExtensionForm,
    MarkRepeatForm,
    MessageForm,
    NotAcceptForm,
    NoticeForm,
    ObjectionAnswerForm,
    ObjectionForm,
    PetitionRegisterForm,
    RegisterFilterForm,
    RevealForm,
    RouteForm,
    UrgeForm,
    VersionForm,
    clean_commission_search,
)
from jijian.petitions.models import ApprovalKind, ApprovalState, ObjectionOutcome, PetitionState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE = 50
HELD_REGISTER = "petitions.register"  # the register form's files held across a form error
REVEAL_FIELDS = {
    "reporter_name": gettext_lazy("举报人姓名"),
    "reporter_id_number": gettext_lazy("身份证号"),
    "reporter_phone": gettext_lazy("联系电话"),
}


def _gone_forwarded(view):
    """A report forwarded out of the user's scope since the user last saw it (a colleague forwarded
    it up while its page was open, or a link kept from before) answers with where it went, on the
    sent forwards' tab, instead of the 404 of a report never seen: the user's body sent it and that
    tab lists it. An action posted to it is not done, and says so. For anyone else, still 404."""

    @functools.wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except Http404:
            forward = forwarded_out(request.user, pk)
            if forward is None:
                raise
        where = "登记编号 {}（{}）已于 {} 转出至{}，不再由本机关办理".format(
            forward.report.serial_number or "—",
            forward.get_kind_display(),
            timezone.localtime(forward.forwarded_at).strftime("%Y-%m-%d %H:%M"),
            forward.to_unit.name,
        )
        if request.method == "POST":
            messages.error(request, gettext("未执行：%(where)s。请在下表跟踪对方答复。") % {"where": where})
        else:
            messages.info(request, gettext("%(where)s，可在下表跟踪对方答复。") % {"where": where})
        return redirect("petitions_work:sent")

    return wrapper


def _require_handler(user) -> None:
    if not services.can_handle(user):
        raise Http404


@login_required
@require_GET
def petition_list(request):
    require_module(request.user, Module.PETITIONS)
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
    # Files chosen on a post with an error (the form's or the service's) are held, shown as attached
    # (attachments.held), unless the report's channel does not take their kind.
    kinds = services.register_kinds(request.POST.get("channel", ""))
    uploads = held.HeldUploads(request, HELD_REGISTER, "files", kinds=kinds)
    uploads.on_get()
    uploads.drop_refused(form)  # held under another channel's kinds: let go, named, the rest kept
    if (
        request.method == "POST"
        and form.is_valid()
        and len(uploads.keep) + len(form.cleaned_data["files"]) > MAX_STAFF_FILES
    ):
        form.add_error(
            "files",
            gettext("最多上传 %(MAX_STAFF_FILES)s 个文件（含已附的文件）")
            % {"MAX_STAFF_FILES": MAX_STAFF_FILES},
        )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "files"}
        with uploads.files(form.cleaned_data["files"]) as files:
            try:
                report = services.petition_register(actor=request.user, **data, files=files)
            except ValidationError as error:
                form.add_error("files" if error.code == "attachment_refused" else None, error.messages)
            else:
                uploads.release()
                messages.success(
                    request, gettext("已登记 %(serial_number)s") % {"serial_number": report.serial_number}
                )
                return redirect("petitions_staff:detail", report.pk)
    uploads.hold_if(form)
    context = {"form": form, "held": uploads.shown()}
    return render(request, "petitions/staff_register.html", context)


def _reveal_fields(user, report) -> list[tuple[str, StrOrPromise]]:
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
            forms["repeat"] = MarkRepeatForm(
                initial=initial, candidates=candidates, report=report, auto_id="repeat_%s"
            )
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
    if state == PetitionState.ACCEPTED and not conclusion.pending_approval(report, ApprovalKind.CONCLUSION):
        forms["close"] = CloseForm(initial=initial, auto_id="close_%s")
    if state == PetitionState.CLOSED and not report.result_notified_on:
        forms["result"] = NoticeForm(initial=initial, auto_id="result_%s")
    if objections.may_object(report):
        forms["objection"] = ObjectionForm(
            initial={**initial, "received_on": timezone.localdate()}, auto_id="objection_%s"
        )
    if objections.open_objection(report) is not None and objections.pending_uphold(report) is None:
        forms["objection_answer"] = ObjectionAnswerForm(initial=initial, auto_id="objection_answer_%s")
    if report.receipt_hash:  # the reporter reads messages with their receipt code
        forms["message"] = MessageForm(auto_id="message_%s")
    return forms


def _after_acceptance(user, report) -> dict:
    """The conclusion limit, the approvals (extension, 办结 report) and 催办/督办 of the report, with
    the forms the user may use on them (handling/conclusion.py refuses the others anyway)."""
    initial = {"version": report.version}
    accepted = report.state == PetitionState.ACCEPTED
    limit = conclusion.conclusion_deadline(report)
    approvals = list(report.approvals.select_related("requested_by", "decided_by"))
    decide = {
        a.pk: DecisionForm(initial=initial, auto_id=f"decide{a.pk}_%s")
        for a in approvals
        if report.state == conclusion.APPROVAL_REPORT_STATE[a.kind]
        and a.state == ApprovalState.PENDING
        and a.requested_by_id != user.pk
        and conclusion.can_decide(user)
    }
    extension = None
    if (
        accepted
        and limit is not None
        and services.can_handle(user)
        and not any(a.kind == ApprovalKind.EXTENSION and a.state == ApprovalState.PENDING for a in approvals)
    ):
        extension = ExtensionForm(initial=initial, auto_id="extension_%s")
    overdue = conclusion.overdue_deadlines(report)
    urge = (
        UrgeForm(deadlines=overdue, auto_id="urge_%s")
        if conclusion.can_urge(user) and overdue.exists()
        else None
    )
    return {
        "conclusion_limit": limit,
        "approvals": [(a, decide.get(a.pk)) for a in approvals],
        "extension_form": extension,
        "urgings": list(report.urgings.select_related("from_unit", "to_unit", "sent_by", "deadline")),
        "urge_form": urge,
    }


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
    linked = links.archive_briefs([report.archive_id]).get(report.archive_id) if report.archive_id else None
    can_link = services.can_handle(user)
    return {
        "linked": linked,
        "can_link": can_link,
        "can_open": linked is not None and links.archive_may_open(user, linked.pk),
        "candidates": archive_links.archive_candidates(report) if can_link and linked is None else [],
    }


@login_required
@require_GET
@_gone_forwarded
def petition_detail(request, pk):
    return _detail_page(request, get_petition_for(request.user, pk))


def _detail_page(request, report, *, refused: tuple[str, forms.Form] | None = None):
    """The report's page; `refused` is (slot, bound form): an action the form or the service refused,
    shown again as typed with its errors above its fields and its section open, not a redirect with a
    message, which would lose what was typed (a 办结 report, a reason). Its version becomes the
    report's current one: the page now shows the report as it is."""
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
    context.update(_after_acceptance(user, report))
    context["objections"] = list(report.objections.select_related("recorded_by", "answered_by"))
    context["objection_needs_new_facts"] = objections.needs_new_facts(report)
    context["uphold_pending"] = next(
        (
            a
            for a, _decide in context["approvals"]
            if a.kind == ApprovalKind.OBJECTION_UPHELD and a.state == ApprovalState.PENDING
        ),
        None,
    )
    context["can_register_clue"] = (
        report.state == PetitionState.ACCEPTED and Role.CASE_MANAGEMENT in user.role_set
    )
    if refused is None:
        return render(request, "petitions/staff_detail.html", context)
    slot, form = refused
    if "version" in form.fields:
        data = request.POST.copy()  # what the refused form was bound to
        data["version"] = str(report.version)
        form.data = data
    if not _show_refused(context, slot, form):  # the action is no longer offered in this state
        for message in _form_errors(form):
            messages.error(request, message)
    return render(request, "petitions/staff_detail.html", context, status=400)


def _show_refused(context: dict, slot: str, form: forms.Form) -> bool:
    """Put the refused form in the place of the page's own for `slot`, if the page offers it."""
    if slot in ("extension", "urge"):
        if context[f"{slot}_form"] is None:
            return False
        context[f"{slot}_form"] = form
        return True
    if slot.startswith("decide:"):
        pk = int(slot.removeprefix("decide:"))
        if not any(a.pk == pk and decide is not None for a, decide in context["approvals"]):
            return False
        context["approvals"] = [(a, form if a.pk == pk else decide) for a, decide in context["approvals"]]
        return True
    if slot not in context["actions"]:
        return False
    context["actions"][slot] = form
    return True


@login_required
@require_http_methods(["GET", "POST"])
def petition_reveal(request, pk, field):
    """Show one field of the reporter's identity unmasked, with a reason; an audit event. Only where
    core.sensitive.reveal.can_reveal allows it (the receiving body's petition office or leaders, not a body the
    report was forwarded to, not a recused user); everyone else gets 404."""
    try:
        report = get_petition_for(request.user, pk)
        if field not in REVEAL_FIELDS or report.is_anonymous:
            raise Http404
        if not can_reveal(actor=request.user, obj=report, field_name=field):
            raise Http404
    except (Http404, PermissionDenied):
        # The same entry whether the report exists or not, and the same 404.
        reveal_denied_record(
            actor=request.user,
            object_type="petitions.petitionreport",
            object_id=pk,
            field_name=field,
            ip_address=client_ip(request),
        )
        raise Http404 from None
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
    messages.info(request, gettext("该件已转出本机关，不再列入本机关登记簿"))
    return redirect("petitions_staff:list")


def _refused(request, pk, slot: str, form, error: ValidationError | None = None):
    """The report's page again (read afresh), with `form` as typed and its errors, and the
    service's refusal `error` among them."""
    if error is not None:
        form.add_error(None, error.messages)
    return _detail_page(request, get_petition_for(request.user, pk), refused=(slot, form))


def _form_errors(form) -> list[str]:
    return [str(e) for errs in form.errors.values() for e in errs]


def _act(request, pk, slot: str, form_class, run, done: str, **form_kwargs):
    """One action of the page: `slot` names its form on the page (_action_forms), shown again as
    typed when refused."""
    _require_handler(request.user)
    report = get_petition_for(request.user, pk)
    form = form_class(request.POST, auto_id=f"{slot}_%s", **{k: v(report) for k, v in form_kwargs.items()})
    if not form.is_valid():
        return _refused(request, pk, slot, form)
    try:
        result = run(report, form.cleaned_data)
    except ValidationError as error:
        return _refused(request, pk, slot, form, error)
    return _after(request, result if result is not None else report, done)


@login_required
@require_POST
@_gone_forwarded
def petition_mark_repeat(request, pk):
    return _act(
        request,
        pk,
        "repeat",
        MarkRepeatForm,
        lambda report, d: services.petition_mark_repeat(
            actor=request.user, report=report, original=d["original"], version=d["version"]
        ),
        gettext("已标记为重复件，并与原件关联"),
        candidates=lambda report: selectors.repeat_candidates(request.user, report),
    )


@login_required
@require_POST
@_gone_forwarded
def petition_not_accept(request, pk):
    return _act(
        request,
        pk,
        "not_accept",
        NotAcceptForm,
        lambda report, d: services.petition_not_accept(
            actor=request.user, report=report, reason=d["reason"], reply=d["reply"], version=d["version"]
        ),
        gettext("已作不予受理处理"),
    )


@login_required
@require_POST
@_gone_forwarded
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
        "route",
        RouteForm,
        run,
        gettext("已按管理权限分流"),
        user=lambda report: request.user,
        receiving=lambda report: report.holder,
    )


@login_required
@require_POST
@_gone_forwarded
def petition_link_archive(request, pk):
    return _act(
        request,
        pk,
        "archive",
        ArchiveLinkForm,
        lambda report, d: archive_links.petition_link_archive(
            actor=request.user, report=report, archive_id=d["archive"], version=d["version"]
        ),
        gettext("已关联廉情档案"),
    )


@login_required
@require_POST
@_gone_forwarded
def petition_unlink_archive(request, pk):
    return _act(
        request,
        pk,
        "archive",
        VersionForm,
        lambda report, d: archive_links.petition_unlink_archive(
            actor=request.user, report=report, version=d["version"]
        ),
        gettext("已取消关联廉情档案"),
    )


@login_required
@require_POST
@_gone_forwarded
def petition_acceptance_notify(request, pk):
    return _act(
        request,
        pk,
        "acceptance",
        NoticeForm,
        lambda report, d: services.petition_acceptance_notify(
            actor=request.user, report=report, text=d["text"], version=d["version"]
        ),
        gettext("已记录受理告知"),
    )


@login_required
@require_POST
@_gone_forwarded
def petition_close(request, pk):
    return _act(
        request,
        pk,
        "close",
        CloseForm,
        lambda report, d: services.petition_close(
            actor=request.user, report=report, result=d["result"], version=d["version"]
        ),
        gettext("办结报告已报领导审批，批准后办结"),
    )


@login_required
@require_POST
@_gone_forwarded
def petition_result_notify(request, pk):
    return _act(
        request,
        pk,
        "result",
        NoticeForm,
        lambda report, d: services.petition_result_notify(
            actor=request.user, report=report, text=d["text"], version=d["version"]
        ),
        gettext("已记录办理结果告知"),
    )


@login_required
@require_POST
@_gone_forwarded
def petition_message(request, pk):
    def run(report, d):
        services.petition_message_send(actor=request.user, report=report, body=d["body"])
        return report

    return _act(request, pk, "message", MessageForm, run, gettext("消息已发送，举报人凭查询码可查看"))


# --- the reporter's objection to the result (handling/objections.py) ------------------------------------
@login_required
@require_POST
@_gone_forwarded
def petition_objection(request, pk):
    def run(report, d):
        objections.objection_record(
            actor=request.user,
            report=report,
            channel=d["channel"],
            received_on=d["received_on"],
            text=d["text"],
            new_facts=d["new_facts"],
            version=d["version"],
        )
        return report

    return _act(request, pk, "objection", ObjectionForm, run, gettext("已记录举报人异议，请在时限内答复"))


@login_required
@require_POST
@_gone_forwarded
def petition_objection_answer(request, pk):
    def run(report, d):
        objections.objection_answer(
            actor=request.user, report=report, outcome=d["outcome"], answer=d["answer"], version=d["version"]
        )
        return report

    done = (
        gettext("维持原结论的答复已报领导审批，批准后告知举报人")
        if request.POST.get("outcome") == ObjectionOutcome.UPHELD
        else gettext("已答复举报人异议，该件退回“已受理”重新办理")
    )
    return _act(request, pk, "objection_answer", ObjectionAnswerForm, run, done)


# --- after acceptance: extension, the leader's approvals, 催办/督办 (handling/conclusion.py) ---------
@login_required
@require_POST
@_gone_forwarded
def petition_extension_request(request, pk):
    def run(report, d):
        conclusion.petition_extension_request(
            actor=request.user,
            report=report,
            new_due_date=d["new_due_date"],
            reason=d["reason"],
            version=d["version"],
        )
        return report

    return _act(request, pk, "extension", ExtensionForm, run, gettext("延长办结期限的申请已报领导审批"))


# What the leader is told after deciding, by the approval's kind and the decision.
DECIDED = {
    ApprovalKind.EXTENSION: {
        True: gettext_lazy("已批准延长办结期限"),
        False: gettext_lazy("已退回延长办结期限的申请"),
    },
    ApprovalKind.CONCLUSION: {
        True: gettext_lazy("已批准办结报告，该件已办结"),
        False: gettext_lazy("已退回办结报告"),
    },
    ApprovalKind.OBJECTION_UPHELD: {
        True: gettext_lazy("已批准维持原结论，答复已告知举报人"),
        False: gettext_lazy("已退回维持原结论的异议答复"),
    },
}


@login_required
@require_POST
@_gone_forwarded
def petition_approval_decide(request, pk, approval_pk):
    """A leader approves or returns an extension, a 办结 report or an answer upholding the result against
    an objection; 404 for everyone else."""
    if not conclusion.can_decide(request.user):
        raise Http404
    report = get_petition_for(request.user, pk)
    approval = get_approval_for(request.user, report, approval_pk)
    slot = f"decide:{approval.pk}"
    form = DecisionForm(request.POST, auto_id=f"decide{approval.pk}_%s")
    if not form.is_valid():
        return _refused(request, pk, slot, form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        conclusion.petition_approval_decide(
            actor=request.user,
            approval=approval,
            approve=approve,
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, pk, slot, form, error)
    return _after(request, report, str(DECIDED[approval.kind][approve]))


@login_required
@require_POST
@_gone_forwarded
def petition_urge(request, pk):
    """催办/督办 of an overdue limit, by the petition office or a leader over the holder; 404 for others."""
    if not conclusion.can_urge(request.user):
        raise Http404
    report = get_petition_for(request.user, pk)
    form = UrgeForm(request.POST, deadlines=conclusion.overdue_deadlines(report), auto_id="urge_%s")
    if not form.is_valid():
        return _refused(request, pk, "urge", form)
    d = form.cleaned_data
    try:
        urging = conclusion.petition_urge(
            actor=request.user, report=report, deadline=d["deadline"], kind=d["kind"], note=d["note"]
        )
    except ValidationError as error:
        return _refused(request, pk, "urge", form, error)
    messages.success(request, gettext("已%(kind)s，承办机关已收到通知") % {"kind": urging.get_kind_display()})
    return redirect(reverse("petitions_staff:detail", args=[report.pk]) + "#urgings")


@login_required
@require_GET
def approvals_pending(request):
    """What waits on a leader: extensions and 办结 reports of the reports in their jurisdiction, oldest
    first. 404 for everyone else."""
    if not conclusion.can_decide(request.user):
        raise Http404
    qs = (
        approvals_pending_for(request.user)
        .select_related("report", "report__holder", "requested_by")
        .order_by("requested_at", "pk")
    )
    page = Paginator(conclusion.with_limit_due(qs), PAGE).get_page(request.GET.get("page"))
    return render(request, "petitions/staff_approvals.html", {"page": page, "today": timezone.localdate()})
