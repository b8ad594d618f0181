"""Pages of village affairs: the 三重一大 register of the user's villages, a decision with its six
steps and its risk flags, recording a step (the village member), answering a flag (the township),
the township's risk board, and the village's rules.

Every decision is resolved through access.get_decision_for: outside the user's jurisdiction it is the
same 404 as a missing one; writing pages for a persona that may not write are 404 as well."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.core.access import get_or_404, require_module
from jijian.core.ops.ratelimit import client_ip
from jijian.core.roles import Module

from . import board, reimbursements, selectors, services
from .access import can_answer, can_record, get_decision_for, member_village, villages_visible_to
from .flags import RULES, TITLES, form_rule_legend, stall_limits
from .forms import (
    BoardFilterForm,
    BoardForm,
    BoardPhotoForm,
    ChainForm,
    DecisionForm,
    FlagAnswerForm,
    FlagClueForm,
    ResolveForm,
    RulesForm,
    SignForm,
    SplitAnswerForm,
    SplitClueForm,
    StatsForm,
    StepCorrectForm,
    StepForm,
    VoucherForm,
)
from .models import MEETING_STEPS, TOWNSHIP_CHAIN_STEPS, ChainStep, Step, VoucherState
from .reimbursements import get_voucher_for

PAGE = 30


def _village_filter(request, villages) -> int | None:
    try:
        wanted = int(request.GET.get("village") or 0)
    except ValueError:
        return None
    return wanted if any(v.pk == wanted for v in villages) else None


@login_required
@require_GET
def decision_list(request):
    require_module(request.user, Module.VILLAGE_AFFAIRS)
    own = member_village(request.user)
    villages = [] if own else list(villages_visible_to(request.user))
    village_id = _village_filter(request, villages)
    page = Paginator(selectors.decision_register(request.user, village_id=village_id), PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": selectors.decision_page(list(page)),
        "own": own,
        "rules": selectors.rules_of(own) if own else None,
        "villages": villages,
        "village_id": village_id,
        "steps": Step.choices,
        "is_township": reimbursements.is_township_officer(request.user),
    }
    return render(request, "villageaffairs/decision_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request):
    own = member_village(request.user)
    if own is None:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.major_decision_register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, gettext("已登记“%(title)s”，请按四议两公开逐个环节登记") % {"title": decision.title}
            )
            return redirect("villageaffairs:decision_detail", decision.pk)
    return render(
        request,
        "villageaffairs/decision_form.html",
        {"form": form, "own": own, "rules": selectors.rules_of(own)},
    )


@login_required
@require_GET
def decision_detail(request, pk):
    decision = get_decision_for(request.user, pk)
    return render(request, "villageaffairs/decision_detail.html", _decision_context(request, decision))


def _decision_context(request, decision, flag_error: dict | None = None) -> dict:
    """What the decision page shows; `flag_error` (the flag's key, the messages, the text typed) puts a
    refused answer back in its flag's box."""
    steps = list(decision.steps.all())
    by_step = {s.step: s for s in steps}
    files = selectors.step_files(request.user, steps)
    corrections = selectors.step_corrections(steps)
    flag_rows = selectors.flag_rows([decision])[decision.pk]
    timeline = [
        {
            "step": value,
            "label": label,
            "record": by_step.get(value),
            "files": files.get(getattr(by_step.get(value), "pk", 0), []),
            "corrections": corrections.get(getattr(by_step.get(value), "pk", 0), []),
            "flags": [r for r in flag_rows if r.flag.step == value],
            "is_meeting": value in MEETING_STEPS,
        }
        for value, label in Step.choices
    ]
    context = {
        "decision": decision,
        "timeline": timeline,
        "flag_rows": flag_rows,
        "can_record": can_record(request.user, decision),
        "can_answer": can_answer(request.user),
        "next_step": next((v for v, _ in Step.choices if v not in by_step), None),
        "flag_error": flag_error,
    }
    if flag_error is not None:
        # At its flag's box when that flag still has one, else on top of the page.
        shown = [r for r in flag_rows if r.flag.step in Step.values]  # the rows the timeline shows
        flag_error["placed"] = context["can_answer"] and any(
            r.flag.key == flag_error["key"] and not r.answer for r in shown
        )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def step_record(request, pk, step):
    decision = get_decision_for(request.user, pk)
    if not can_record(request.user, decision) or step not in Step.values:
        raise Http404
    done = set(decision.steps.values_list("step", flat=True))
    if step in done:
        messages.info(request, gettext("该环节已经登记"))
        return redirect("villageaffairs:decision_detail", decision.pk)
    missing = [str(Step(s).label) for s in Step.values if s < step and s not in done]
    # The party members' meeting's roll is the village's party members, as filed when the decision was
    # registered; the villagers' decision's is the one of the form chosen (not typed).
    initial = {"roll": decision.rules.get("party_members") or None} if step == Step.PARTY_MEETING else {}
    rolls = services.meeting_rolls(decision) if step == Step.VILLAGERS_MEETING else None
    form = StepForm(
        request.POST or None,
        request.FILES or None,
        step=step,
        needs_reason=bool(missing),
        initial=initial,
        rolls=rolls,
    )
    # Files chosen on a post with an error are held, shown as attached (attachments.held), per step.
    uploads = held.HeldUploads(request, f"villageaffairs.step:{decision.pk}:{step}", "uploads")
    uploads.on_get()
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        with uploads.files(fields.pop("uploads")) as files:
            try:
                outcome = services.decision_step_record(
                    actor=request.user,
                    decision=decision,
                    step=step,
                    ip_address=client_ip(request),
                    files=files,
                    **fields,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                uploads.release()
                messages.success(request, gettext("已登记“%(label)s”") % {"label": Step(step).label})
                if outcome.duty_log_note:
                    messages.warning(request, outcome.duty_log_note)
                elif outcome.step.duty_record_id:
                    messages.info(request, gettext("已自动计入本月履职纪实"))
                return redirect("villageaffairs:decision_detail", decision.pk)
    uploads.hold_if(form)
    context = {
        "held": uploads.shown(),
        "decision": decision,
        "form": form,
        "step": step,
        "step_label": Step(step).label,
        "missing": missing,
        "is_meeting": step in MEETING_STEPS,
        "rules": decision.rules,
    }
    return render(request, "villageaffairs/step_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def step_correct(request, pk, step):
    """The member who recorded a step corrects it, with a reason (the values before are kept)."""
    decision = get_decision_for(request.user, pk)
    record = selectors.step_of(decision, step)
    if record is None or not can_record(request.user, decision) or record.recorded_by_id != request.user.pk:
        raise Http404
    initial = {**{name: getattr(record, name) for name in services.CORRECTABLE}, "version": record.version}
    rolls = services.meeting_rolls(decision) if step == Step.VILLAGERS_MEETING else None
    form = StepCorrectForm(request.POST or None, step=step, initial=initial, rolls=rolls)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.decision_step_correct(actor=request.user, record=record, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, gettext("已更正“%(label)s”，原登记内容已留存") % {"label": Step(step).label}
            )
            if outcome.duty_log_note:
                messages.warning(request, outcome.duty_log_note)
            return redirect(reverse("villageaffairs:decision_detail", args=[decision.pk]) + f"#step-{step}")
    context = {
        "decision": decision,
        "form": form,
        "step": step,
        "step_label": Step(step).label,
        "is_meeting": step in MEETING_STEPS,
        "rules": decision.rules,
        "correcting": True,
    }
    return render(request, "villageaffairs/step_form.html", context)


@login_required
@require_POST
def flag_answer(request, pk):
    decision = get_decision_for(request.user, pk)
    if not can_answer(request.user):
        raise Http404
    form = FlagAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.flag_answer(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("answer", error.messages)
        else:
            messages.success(request, gettext("已处理该风险提示"))
            return redirect("villageaffairs:decision_detail", decision.pk)
    # Refused: the page again with the message in that flag's box and the text kept, nothing saved.
    flag_error = {
        "key": request.POST.get("flag_key", "")[:40],
        "messages": [m for errors in form.errors.values() for m in errors],
        "answer": request.POST.get("answer", "")[:5000],
    }
    return render(
        request,
        "villageaffairs/decision_detail.html",
        _decision_context(request, decision, flag_error),
        status=400,
    )


@login_required
@require_POST
def flag_clue(request, pk):
    """The township opens a problem clue from a flag (the petitions register, through core.links)."""
    decision = get_decision_for(request.user, pk)
    if not can_answer(request.user):
        raise Http404
    form = FlagClueForm(request.POST)
    if form.is_valid():
        try:
            row = services.flag_open_clue(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(
                request,
                gettext("已转为问题线索，登记编号 %(clue_serial)s") % {"clue_serial": row.clue_serial},
            )
    else:
        messages.error(request, gettext("请检查填写的内容"))
    return redirect("villageaffairs:decision_detail", decision.pk)


@login_required
@require_GET
def flag_board(request):
    return _board(request)


def _board(request, *, refused: dict | None = None):
    """The risk board; with `refused` (a split-expense flag's answer or clue refused: its key, the
    message, the answer as typed) it is the 400 answer to that POST, the answer kept in its form."""
    require_module(request.user, Module.VILLAGE_AFFAIRS)
    if member_village(request.user) is not None:
        raise Http404
    form = BoardFilterForm(request.GET or None, villages=villages_visible_to(request.user))
    village_id = show_answered = None
    if form.is_valid():
        village = form.cleaned_data["village"]
        village_id, show_answered = (village.pk if village else None), form.cleaned_data["answered"]
    rows = selectors.risk_board(request.user, village_id=village_id, show_answered=bool(show_answered))
    splits = reimbursements.split_board(
        request.user, village_id=village_id, show_answered=bool(show_answered)
    )
    context = {
        "form": form,
        "rows": rows,
        "splits": splits,
        "total": len(rows) + len(splits),  # decisions' flags and split-expense flags alike
        "can_answer": can_answer(request.user),
        "refused": refused,
        "rules": _rule_legend(),
    }
    return render(request, "villageaffairs/flag_board.html", context, status=400 if refused else 200)


def _rule_legend() -> list[tuple]:
    """The rules listed under the board: each flag's, the villagers' decision's by form after the
    quorum and votes rules (which name the party members' meeting and, for older records, the
    representatives' meeting)."""
    legend: list[tuple] = []
    for code in RULES:
        legend.append((TITLES[code], RULES[code]))
        if code == "votes":
            legend += form_rule_legend()
    return legend


def _split_village(request, village_id):
    """A village of the user's for answering its split-expense flags: 404 outside the jurisdiction
    or for anyone who does not answer flags (access.can_answer)."""
    village = villages_visible_to(request.user).filter(pk=village_id).first()
    if village is None or not can_answer(request.user):
        raise Http404
    return village


@login_required
@require_POST
def split_answer(request, village_id):
    """The township answers a split-expense flag of one of its villages."""
    village = _split_village(request, village_id)
    form = SplitAnswerForm(request.POST)
    message = gettext("请填写处理意见")
    if form.is_valid():
        try:
            services.split_flag_answer(actor=request.user, village=village, **form.cleaned_data)
        except ValidationError as error:
            message = "；".join(error.messages)
        else:
            messages.success(request, gettext("已处理该拆分报账提示"))
            return redirect("villageaffairs:flag_board")
    elif (request.POST.get("answer") or "").strip():
        message = "；".join(m for errors in form.errors.values() for m in errors)
    return _board(request, refused=_refused(request, message))


def _refused(request, message: str) -> dict:
    return {
        "key": request.POST.get("flag_key", ""),
        "message": message,
        "answer": request.POST.get("answer", ""),
    }


@login_required
@require_POST
def split_clue(request, village_id):
    """The township opens a problem clue from a split-expense flag (the petitions register)."""
    village = _split_village(request, village_id)
    form = SplitClueForm(request.POST)
    message = gettext("请检查填写的内容")
    if form.is_valid():
        try:
            row = services.split_flag_open_clue(actor=request.user, village=village, **form.cleaned_data)
        except ValidationError as error:
            message = "；".join(error.messages)
        else:
            messages.success(
                request,
                gettext("已转为问题线索，登记编号 %(clue_serial)s") % {"clue_serial": row.clue_serial},
            )
            return redirect("villageaffairs:flag_board")
    return _board(request, refused=_refused(request, message))


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request):
    own = member_village(request.user)
    if own is None:
        raise Http404
    current = selectors.rules_of(own)
    initial = (
        {
            "large_amount": current.large_amount,
            "party_members": current.party_members,
            # A roll not filed (0) shows empty, as it was left.
            "adult_villagers": current.adult_villagers or None,
            "households": current.households or None,
            "representatives": current.representatives or None,
            "minutes_late_days": current.minutes_late_days,
            "step_stall_days": current.step_stall_days,
            "result_public_days": current.result_public_days,
            "item_types": current.item_types,
            "version": current.version,
        }
        if current
        else {"version": 0}
    )
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.village_rules_file(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已保存并报乡镇纪委备案；已登记的事项仍按其登记时的规则检查"))
            return redirect("villageaffairs:decision_list")
    return render(request, "villageaffairs/rules_form.html", {"form": form, "own": own, "rules": current})


@login_required
@require_GET
def rules_detail(request, village_id):
    """A village's rules as filed with the township (read-only): the township committee and the county
    read what the village counts as 三重一大, its threshold and its rolls; the member edits them on
    rules_edit. Outside the reader's villages: 404."""
    village = get_or_404(villages_visible_to(request.user), village_id)
    step_days, result_days = stall_limits()  # the platform's, where the village set none
    context = {
        "village": village,
        "rules": selectors.rules_of(village),
        "own": member_village(request.user),
        "platform_step_days": step_days,
        "platform_result_days": result_days,
    }
    return render(request, "villageaffairs/rules_detail.html", context)


# --- the reimbursement chain ---------------------------------------------------------------------
def _require_township(user) -> None:
    if not reimbursements.is_township_officer(user):
        raise Http404


@login_required
@require_GET
def voucher_list(request):
    """All vouchers of the user's villages, newest first; 待我签字 (those whose next signature is the
    user's, oldest first) for a village member and a township committee; 有异议 (those stopped by an
    objection, waiting for the township), the most urgent first."""
    require_module(request.user, Module.VILLAGE_AFFAIRS)
    own = member_village(request.user)
    is_township = reimbursements.is_township_officer(request.user)
    signs = own is not None or is_township
    show = request.GET.get("show", "")
    visible = reimbursements.vouchers_visible_to(request.user)
    rows: list | QuerySet
    if show == "mine" and signs:
        rows = reimbursements.vouchers_waiting_on(request.user)
    elif show == "objected":
        rows = (
            visible.filter(state=VoucherState.OBJECTED)
            .prefetch_related("signatures")
            .order_by("objection_due", "pk")
        )
    else:
        show, rows = "", visible.prefetch_related("signatures").order_by("-created_at", "-pk")
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    for voucher in page:  # the step it waits for, named (signing vouchers only)
        step = reimbursements.next_step(voucher)
        voucher.waiting_for = ChainStep(step).label if step else ""
    context = {"page": page, "own": own, "is_township": is_township, "signs": signs, "show": show}
    return render(request, "villageaffairs/voucher_list.html", context)


HELD_VOUCHER = "villageaffairs.voucher"


@login_required
@require_http_methods(["GET", "POST"])
def voucher_create(request):
    own = member_village(request.user)
    if own is None:
        raise Http404
    form = VoucherForm(request.POST or None, request.FILES or None, initial={"client_uuid": uuid.uuid4()})
    # Files chosen on a post with an error are held, shown as attached (attachments.held).
    uploads = held.HeldUploads(request, HELD_VOUCHER, "uploads")
    uploads.on_get()
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        with uploads.files(fields.pop("uploads")) as files:
            try:
                voucher = reimbursements.voucher_enter(
                    actor=request.user, ip_address=client_ip(request), files=files, **fields
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                uploads.release()
                messages.success(request, gettext("已登记报账凭证，请按流程逐级签字"))
                return redirect("villageaffairs:voucher_detail", voucher.pk)
    uploads.hold_if(form)
    chain = reimbursements.chain_of(own.parent)
    context = {
        "form": form,
        "own": own,
        "chain": chain,
        "held": uploads.shown(),
    }
    return render(request, "villageaffairs/voucher_form.html", context)


@login_required
@require_GET
def voucher_detail(request, pk):
    voucher = get_voucher_for(request.user, pk)
    signatures = list(voucher.signatures.select_related("resolved_by", "recorded_by"))
    step = reimbursements.next_step(voucher)
    done = [s for s in signatures if not s.is_objection]
    chain = [
        {
            "code": code,
            "label": ChainStep(code).label,
            "signature": done[i] if i < len(done) else None,
            "objected": voucher.state == VoucherState.OBJECTED and i == len(done),
            # A township step names the committee account that recorded the signature.
            "recorder": (
                done[i].recorded_by.full_name if i < len(done) and code in TOWNSHIP_CHAIN_STEPS else ""
            ),
        }
        for i, code in enumerate(voucher.chain)
    ]
    sign_form = None
    if reimbursements.may_sign(request.user, voucher, step):
        sign_form = SignForm(initial={"version": voucher.version})
        if step == ChainStep.MEMBER_RECHECK:
            del sign_form.fields["signer_name"]  # signed with the member's own account
        elif step in TOWNSHIP_CHAIN_STEPS:  # recorded by the committee: the name of who signed on paper
            field = sign_form.fields["signer_name"]
            field.label = reimbursements.TOWNSHIP_SIGNER_LABELS[ChainStep(step)]
            field.help_text = gettext("填写实际签字人的姓名；本账号（%(name)s）记为登记人") % {
                "name": request.user.full_name
            }
            field.widget.attrs.update(required=True, autocomplete="off")
    resolve_form = None
    if voucher.state == VoucherState.OBJECTED and reimbursements.is_township_officer(request.user):
        resolve_form = ResolveForm(initial={"version": voucher.version})
    context = {
        "voucher": voucher,
        "chain": chain,
        "objections": [s for s in signatures if s.is_objection],
        "next_step": step and ChainStep(step).label,
        "sign_form": sign_form,
        "resolve_form": resolve_form,
        "receipts": selectors.voucher_receipts(request.user, voucher),
    }
    return render(request, "villageaffairs/voucher_detail.html", context)


def _form_errors(form) -> str:
    """A refused form's field errors, each after its field's label (签字人：…), in one message."""
    return "；".join(
        f"{form.fields[name].label}：{message}" if name in form.fields else message
        for name, errors in form.errors.items()
        for message in errors
    )


@login_required
@require_POST
def voucher_sign(request, pk):
    voucher = get_voucher_for(request.user, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form) or gettext("请检查填写的内容"))
        return redirect("villageaffairs:voucher_detail", voucher.pk)
    try:
        outcome = reimbursements.voucher_sign(
            actor=request.user, voucher=voucher, ip_address=client_ip(request), **form.cleaned_data
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request,
            gettext("已提出异议，已报乡镇纪委处理") if outcome.signature.is_objection else gettext("已签字"),
        )
        if outcome.duty_log_note:
            messages.warning(request, outcome.duty_log_note)
    return redirect("villageaffairs:voucher_detail", voucher.pk)


@login_required
@require_POST
def voucher_resolve(request, pk):
    voucher = get_voucher_for(request.user, pk)
    _require_township(request.user)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        too_long = form.has_error("resolution", "max_length")
        message = _form_errors(form) if too_long else gettext("请选择处理结果并填写处理意见")
        messages.error(request, message)
        return redirect("villageaffairs:voucher_detail", voucher.pk)
    try:
        reimbursements.voucher_resolve(actor=request.user, voucher=voucher, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, gettext("已处理异议"))
    return redirect("villageaffairs:voucher_detail", voucher.pk)


@login_required
@require_http_methods(["GET", "POST"])
def chain_edit(request):
    _require_township(request.user)
    chain = reimbursements.chain_of(request.user.org_unit)
    steps = [(code, ChainStep(code).label) for code in reimbursements.VILLAGE_STEPS]
    initial = {
        "township_approval_from": chain.township_approval_from,
        "objection_working_days": chain.objection_working_days,
        "version": chain.version,
        **{f"order_{code}": i + 1 for i, code in enumerate(chain.steps)},
    }
    form = ChainForm(request.POST or None, initial=initial, steps=steps)
    if request.method == "POST" and form.is_valid():
        try:
            reimbursements.reimbursement_chain_set(
                actor=request.user,
                steps=form.chain(),
                township_approval_from=form.cleaned_data["township_approval_from"],
                objection_working_days=form.cleaned_data["objection_working_days"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已保存报账签字流程；已登记的凭证仍按登记时的流程签字"))
            return redirect("villageaffairs:voucher_list")
    return render(request, "villageaffairs/chain_form.html", {"form": form, "chain": chain})


@login_required
@require_GET
def voucher_stats(request):
    require_module(request.user, Module.VILLAGE_AFFAIRS)
    if member_village(request.user) is not None:
        raise Http404
    form = StatsForm(request.GET or None)
    year = (form.is_valid() and form.cleaned_data["year"]) or timezone.localdate().year
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            reimbursements.voucher_statistics_xlsx(request.user, year=year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="vouchers-{year}.xlsx"'
        return response
    rows = reimbursements.voucher_statistics(request.user, year=year)
    return render(request, "villageaffairs/voucher_stats.html", {"rows": rows, "year": year})


# --- 四亮 public board ------------------------------------------------------------------------------
@require_GET
def board_public(request, village_id):
    """The public page of a village's member (no sign-in), from the cache while the board is unchanged."""
    key = board.cache_key(village_id)
    html = cache.get(key)
    if html is None:
        found = board.board_for_village(village_id)
        if found is None:
            raise Http404
        context = {
            "board": found,
            "report_url": reverse("petitions:submit") + f"?region={found.village_id}",
            "contact": board.shown_contact(found),
            "year": timezone.localdate().year,
            "results": board.year_results(found, timezone.localdate().year),
        }
        # Rendered without the request: the cached page is the anonymous one, whoever asked first.
        html = render_to_string("villageaffairs/board_public.html", context)
        cache.set(key, html, board.CACHE_SECONDS)
    return HttpResponse(html)


@require_GET
def board_photo(request, village_id):
    """The member's photo on the public page (no sign-in): a small JPEG, from the cache."""
    found = board.board_for_village(village_id)
    data = board.board_photo(found) if found is not None else None
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = f"public, max-age={board.CACHE_SECONDS}"
    return response


@login_required
@require_POST
def board_photo_upload(request, village_id):
    """The member (their village) or the township committee (its villages) uploads the member's photo."""
    if not board.may_set_photo(request.user, village_id):
        raise Http404
    form = BoardPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            board.public_board_photo_set(
                actor=request.user,
                village_id=village_id,
                file=form.cleaned_data["photo"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, gettext("已更新四亮公示照片"))
    else:
        messages.error(request, gettext("请选择照片"))
    if member_village(request.user) is not None:
        return redirect("villageaffairs:board_edit")
    return redirect("villageaffairs:board_villages")


@login_required
@require_GET
def board_villages(request):
    """The township committee: its villages' boards, with the member's photo to upload for each."""
    _require_township(request.user)
    villages = list(villages_visible_to(request.user))
    boards, missing = board.boards_for(villages)
    return render(
        request,
        "villageaffairs/board_villages.html",
        {"boards": boards, "missing": missing, "photo_form": BoardPhotoForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def board_edit(request):
    own = member_village(request.user)
    if own is None:
        raise Http404
    current = board.board_for_village(own.pk)
    initial = {"version": 0}
    if current is not None:
        initial = {
            "duties": current.duties,
            "commitments": current.commitments,
            "contact": current.contact,
            "phone_consent": current.phone_consent,
            "version": current.version,
        }
    form = BoardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            board.public_board_publish(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已发布四亮公示"))
            return redirect("villageaffairs:board_edit")
    context = {"form": form, "own": own, "board": current, "photo_form": BoardPhotoForm()}
    return render(request, "villageaffairs/board_form.html", context)


@login_required
@require_GET
def board_posters(request):
    """A4 posters: the member's own village, or every village of the township at once."""
    require_module(request.user, Module.VILLAGE_AFFAIRS)
    own = member_village(request.user)
    if own is not None:
        villages = [own]
    elif reimbursements.is_township_officer(request.user):
        villages = list(villages_visible_to(request.user))
    else:
        raise Http404
    boards, missing = board.boards_for(villages)
    if not boards:
        messages.error(request, gettext("没有可打印的四亮公示：村（社区）须有在任纪检委员并已发布公示"))
        return redirect("villageaffairs:board_edit" if own else "villageaffairs:decision_list")
    pdf = board.posters_pdf(
        boards,
        page_url=lambda pk: request.build_absolute_uri(reverse("villageaffairs:board_public", args=[pk])),
        report_url=lambda pk: request.build_absolute_uri(reverse("petitions:submit") + f"?region={pk}"),
        missing=missing,
        year=timezone.localdate().year,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="sliang-posters.pdf"'
    return response
