"""Pages of the cadres app: guidance tasks (the township issues, the member answers on the phone),
the village posts and nominations (三为主), 跟案学习. Every object is resolved through access.py: out
of jurisdiction it is the same 404 as a missing one, and so is a writing page for a persona that may
not write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.core.access import require_module
from jijian.core.orgs.workdays import provisional_mark
from jijian.core.roles import Module

from . import access, selectors, services
from .forms import (
    AnswerForm,
    DecideForm,
    EndForm,
    NominationForm,
    PlacementForm,
    RecordForm,
    RegisterForm,
    ReportForm,
    TaskForm,
)
from .models import NominationState

PAGE = 30


def _errors(request, form_or_error) -> None:
    if isinstance(form_or_error, ValidationError):
        for m in form_or_error.messages:
            messages.error(request, m)
        return
    for errs in form_or_error.errors.values():
        for e in errs:
            messages.error(request, e)


# --- guidance tasks ------------------------------------------------------------------------------
@login_required
@require_GET
def task_list(request):
    require_module(request.user, Module.CADRES)
    status = request.GET.get("status", "")
    today = timezone.localdate()
    page = Paginator(selectors.task_list(request.user, status=status, today=today), PAGE).get_page(
        request.GET.get("page")
    )
    rows = [(t, *selectors.task_badge(t, today)) for t in page]
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "overdue": selectors.overdue_count(request.user, today=today),
        "is_township": access.is_township(request.user),
        "is_member": access.is_member(request.user),
        "is_officer": access.is_officer(request.user),
    }
    return render(request, "cadres/task_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request):
    if not access.is_township(request.user):
        raise Http404
    form = TaskForm(request.POST or None, members=access.members_to_task(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            task = services.guidance_task_issue(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                gettext("已派发，截止 %(due_on)s%(provisional_mark)s")
                % {
                    "due_on": format(task.due_on, "%Y-%m-%d"),
                    "provisional_mark": provisional_mark(task.due_on),
                },
            )
            return redirect("cadres:task_detail", task.pk)
    return render(request, "cadres/task_form.html", {"form": form})


@login_required
@require_GET
def task_detail(request, pk):
    return _task_page(request, access.get_task_for(request.user, pk))


def _typed(request, form, version: int):
    """`form` (bound and refused) as the user typed it, its errors kept, its version the record's
    current one: the page shows the record read afresh, so the version sent is the one shown."""
    data = request.POST.copy()
    data["version"] = str(version)
    form.data = data
    return form


def _task_page(request, task, *, refused: AnswerForm | None = None):
    """The task's page; `refused` is an answer the service or the form refused, shown again as typed
    with its errors (status 400) while the task still awaits this member's answer; otherwise the
    refusal is a message above the task as it now stands."""
    today = timezone.localdate()
    mine = task.member_id == request.user.pk and task.answered_at is None and task.closed_on is None
    form = None
    if mine:
        form = (
            _typed(request, refused, task.version)
            if refused
            else AnswerForm(initial={"version": task.version})
        )
    elif refused is not None:
        _errors(request, refused)
    status, status_class = selectors.task_badge(task, today)
    context = {"task": task, "status": status, "status_class": status_class, "form": form}
    return render(request, "cadres/task_detail.html", context, status=400 if refused else 200)


@login_required
@require_POST
def task_answer(request, pk):
    task = access.get_task_for(request.user, pk)
    if task.member_id != request.user.pk:
        raise Http404
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            task = services.guidance_task_answer(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if task.duty_note:
                messages.warning(request, task.duty_note)
            else:
                messages.success(request, gettext("已回复，已计入本月履职纪实"))
            return redirect("cadres:task_detail", task.pk)
    return _task_page(request, access.get_task_for(request.user, pk), refused=form)


# --- posts and nominations -----------------------------------------------------------------------
@login_required
@require_GET
def post_list(request):
    if not access.is_officer(request.user):
        raise Http404
    nominations = access.nominations_visible_to(request.user)
    context = {
        "holdings": selectors.current_holdings(request.user),
        "vacant": selectors.vacant_villages(request.user),
        "unrecorded": selectors.unrecorded_villages(request.user),
        "pending": nominations.filter(state=NominationState.SUBMITTED),
        "decided": nominations.exclude(state=NominationState.SUBMITTED)[:30],
        "is_township": access.is_township(request.user),
        "is_county": access.is_county(request.user),
    }
    return render(request, "cadres/post_list.html", context)


@login_required
@require_GET
def village_posts(request, pk):
    village = access.get_village_for(request.user, pk)
    today = timezone.localdate()
    context = {
        "village": village,
        "history": selectors.post_history(request.user, village),
        # A post never recorded: who is taken to hold it (an approval will record and end their period).
        "taken": selectors.unrecorded_holder_of(village),
        "end_form": EndForm(initial={"ended_on": today}),
        "register_form": RegisterForm(holders=access.holders_to_register(request.user))
        if access.is_county(request.user)
        else None,
        "is_county": access.is_county(request.user),
    }
    return render(request, "cadres/village_posts.html", context)


@login_required
@require_POST
def holding_register(request, pk):
    village = access.get_village_for(request.user, pk)
    if not access.is_county(request.user):
        raise Http404
    form = RegisterForm(request.POST, holders=access.holders_to_register(request.user))
    if form.is_valid():
        try:
            services.post_holding_register(actor=request.user, village=village, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, gettext("已登记任职记录"))
    else:
        _errors(request, form)
    return redirect("cadres:village_posts", village.pk)


@login_required
@require_POST
def holding_end(request, pk):
    holding = access.get_holding_for(request.user, pk)
    if not access.is_county(request.user):
        raise Http404
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.post_holding_end(actor=request.user, holding=holding, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(
                request, gettext("已办理%(full_name)s离任") % {"full_name": holding.holder.full_name}
            )
    else:
        _errors(request, form)
    return redirect("cadres:village_posts", holding.village_id)


@login_required
@require_http_methods(["GET", "POST"])
def nomination_create(request):
    if not access.is_township(request.user):
        raise Http404
    form = NominationForm(
        request.POST or None,
        villages=access.villages_of(request.user),
        candidates=access.candidates_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.nomination_submit(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已提名，廉情档案意见和亲属关系核查结果见下，待县级审批"))
            return redirect("cadres:nomination_detail", nomination.pk)
    return render(request, "cadres/nomination_form.html", {"form": form})


@login_required
@require_GET
def nomination_detail(request, pk):
    return _nomination_page(request, access.get_nomination_for(request.user, pk))


def _nomination_page(request, nomination, *, refused: DecideForm | None = None):
    """The nomination's page; `refused` is a decision refused, shown again as typed with its errors
    (status 400) while the nomination still awaits the county's decision; once decided the
    refusal is a message above the decision as it stands."""
    can_decide = access.is_county(request.user) and nomination.state == NominationState.SUBMITTED
    form = None
    if can_decide:
        form = (
            _typed(request, refused, nomination.version)
            if refused
            else DecideForm(initial={"version": nomination.version, "starts_on": timezone.localdate()})
        )
    elif refused is not None:
        _errors(request, refused)
    # Who an approval would replace (a holder never recorded included), while the county decides.
    post = (
        selectors.post_now(nomination.village, excluding=nomination.candidate)
        if nomination.state == NominationState.SUBMITTED
        else None
    )
    return render(
        request,
        "cadres/nomination_detail.html",
        {"nomination": nomination, "form": form, "post": post},
        status=400 if refused else 200,
    )


@login_required
@require_POST
def nomination_decide(request, pk):
    nomination = access.get_nomination_for(request.user, pk)
    if not access.is_county(request.user):
        raise Http404
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.nomination_decide(
                actor=request.user,
                nomination=nomination,
                version=data["version"],
                approve=data["decision"] == "approve",
                note=data["note"],
                starts_on=data["starts_on"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已审批"))
            return redirect("cadres:nomination_detail", nomination.pk)
    return _nomination_page(request, access.get_nomination_for(request.user, pk), refused=form)


# --- 跟案学习 ------------------------------------------------------------------------------------
@login_required
@require_GET
def placement_list(request):
    require_module(request.user, Module.CADRES)
    page = Paginator(access.placements_visible_to(request.user), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cadres/placement_list.html",
        {
            "page": page,
            "is_county": access.is_county(request.user),
            "is_officer": access.is_officer(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_create(request):
    if not access.is_county(request.user):
        raise Http404
    form = PlacementForm(
        request.POST or None,
        cadres=access.township_cadres_for(request.user),
        mentors=access.mentors_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            placement = services.placement_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已选派"))
            return redirect("cadres:placement_detail", placement.pk)
    return render(request, "cadres/placement_form.html", {"form": form})


@login_required
@require_GET
def placement_detail(request, pk):
    placement = access.get_placement_for(request.user, pk)
    today = timezone.localdate()
    may_report = placement.cadre_id == request.user.pk and placement.recorded_at is None
    may_record = (
        access.placements_managed_by(request.user).filter(pk=placement.pk).exists()
        and placement.reported_at is not None
        and placement.recorded_at is None
    )
    context = {
        "placement": placement,
        "report_form": ReportForm(initial={"version": placement.version, "report": placement.report})
        if may_report and today >= placement.ends_on
        else None,
        "record_form": RecordForm(initial={"version": placement.version}) if may_record else None,
        "today": today,
    }
    return render(request, "cadres/placement_detail.html", context)


@login_required
@require_POST
def placement_report(request, pk):
    placement = access.get_placement_for(request.user, pk)
    if placement.cadre_id != request.user.pk:
        raise Http404
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.placement_report(actor=request.user, placement=placement, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, gettext("学习报告已提交"))
    else:
        _errors(request, form)
    return redirect("cadres:placement_detail", placement.pk)


@login_required
@require_POST
def placement_record(request, pk):
    placement = access.get_managed_placement_for(request.user, pk)
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            services.placement_record(actor=request.user, placement=placement, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, gettext("已记录"))
    else:
        _errors(request, form)
    return redirect("cadres:placement_detail", placement.pk)
