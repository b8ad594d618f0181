"""Pages of evaluation: rubrics (考评细则, 互查清单), annual evaluations with their basis and the Excel
export, mutual-check rounds, checks (scores, findings with photos, rectifications) and the
rectification steps. Every object is resolved through access.py (the same 404 for "missing" and
"not yours"); a write the user may see but not do is refused with a message, nothing changed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.core.access import require_module
from jijian.core.ops.ratelimit import client_ip
from jijian.core.ops.replicas import on_reporting_db
from jijian.core.roles import Module

from . import access, exports, selectors, services
from .forms import (
    AssessForm,
    CheckRubricForm,
    FindingForm,
    PairForm,
    RectificationForm,
    RoundForm,
    RubricForm,
    ScoreForm,
    ShareForm,
)
from .scoring import PARTS, held_text, note_texts

PAGE = 50
REFUSED = gettext_lazy("您无权进行此操作")


def _module(user) -> None:
    require_module(user, Module.EVALUATION)


def _configurer(user) -> None:
    if not access.can_configure(user):
        raise Http404


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _attempt(request, form, fn, **kwargs):
    """Call a service; a refusal becomes the form's (or the page's) error and nothing changes."""
    try:
        return fn(**kwargs)
    except ValidationError as error:
        if form is not None:
            form.add_error(None, error.messages)
        else:
            messages.error(request, "；".join(error.messages))
    except PermissionDenied:
        if form is not None:
            form.add_error(None, REFUSED)
        else:
            messages.error(request, REFUSED)
    return None


@login_required
@require_GET
def home(request):
    _module(request.user)
    context = {
        "can_configure": access.can_configure(request.user),
        "can_evaluate": access.can_evaluate(request.user),
        "rounds": access.rounds_visible_to(request.user).order_by("-opened_at")[:10],
        **selectors.my_checks(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "evaluation/home.html", context)


# --- rubrics -------------------------------------------------------------------------------------
@login_required
@require_GET
def rubric_list(request):
    _configurer(request.user)
    context = {
        "rubrics": access.rubrics_managed_by(request.user).filter(is_current=True).order_by("-year", "name"),
        "check_rubrics": access.check_rubrics_managed_by(request.user)
        .filter(is_current=True)
        .order_by("name"),
    }
    return render(request, "evaluation/rubric_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rubric_edit(request, pk=None):
    _configurer(request.user)
    rubric = access.get_rubric_for(request.user, pk) if pk else None
    form = RubricForm(request.POST or None, rubric=rubric)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            request,
            form,
            services.evaluation_rubric_save,
            actor=request.user,
            rubric=rubric,
            **form.service_kwargs(),
        )
        if saved is not None:
            note = (
                f"，已生成第{saved.number}版（进行中的考评仍按原版本）"
                if rubric and saved.pk != rubric.pk
                else ""
            )
            messages.success(request, gettext("考评细则已保存%(note)s") % {"note": note})
            return redirect("evaluation:rubric_list")
    return render(request, "evaluation/rubric_form.html", {"form": form, "rubric": rubric})


@login_required
@require_http_methods(["GET", "POST"])
def check_rubric_edit(request, pk=None):
    _configurer(request.user)
    rubric = access.get_check_rubric_for(request.user, pk) if pk else None
    form = CheckRubricForm(request.POST or None, rubric=rubric)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            request,
            form,
            services.check_rubric_save,
            actor=request.user,
            rubric=rubric,
            **form.service_kwargs(),
        )
        if saved is not None:
            note = (
                f"，已生成第{saved.number}版（已启动的互查仍按原版本）"
                if rubric and saved.pk != rubric.pk
                else ""
            )
            messages.success(request, gettext("互查清单已保存%(note)s") % {"note": note})
            return redirect("evaluation:rubric_list")
    return render(request, "evaluation/check_rubric_form.html", {"form": form, "rubric": rubric})


# --- annual evaluations --------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def evaluation_list(request):
    _module(request.user)
    year = _year(request)
    if request.method == "POST":
        member = access.get_member_to_evaluate(request.user, request.POST.get("member"), year=year)
        evaluation = _attempt(
            request, None, services.evaluation_start, actor=request.user, member=member, year=year
        )
        if evaluation is not None:
            return redirect("evaluation:evaluation_detail", evaluation.pk)
        return redirect(f"{request.path}?year={year}")
    rows = selectors.evaluation_rows(request.user, year=year)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    context = {
        "year": year,
        "page": page,
        "can_evaluate": access.can_evaluate(request.user),
        "guidance_connected": services.guidance_connected(),
    }
    return render(request, "evaluation/evaluation_list.html", context)


@login_required
@require_GET
def evaluation_export(request):
    _module(request.user)
    year = _year(request)
    visible = (
        access.evaluations_visible_to(request.user).filter(year=year).order_by("org_unit__path", "member_id")
    )
    # Stored results, read where the reporting reads go (a replica when one is usable).
    rows = on_reporting_db(lambda db: list(visible.using(db)))
    return exports.evaluations_xlsx(actor=request.user, rows=rows, year=year, ip_address=client_ip(request))


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_detail(request, pk):
    evaluation = access.get_evaluation_for(request.user, pk)
    form = AssessForm(
        request.POST or None,
        initial={
            "township_score": evaluation.township_score,
            "comment": evaluation.township_comment,
            "version": evaluation.version,
        },
    )
    if request.method == "POST":
        action = request.POST.get("action")
        version = request.POST.get("version")
        if action == "confirm" and "township_score" in request.POST:
            # 确定 pressed with the assessment form: a score or comment changed and not yet saved is
            # saved first, so the result fixed is the one on the screen (not the stored one).
            version = None
            if form.is_valid():
                data = form.cleaned_data
                version = data["version"]
                if (data["township_score"], data["comment"].strip()) != (
                    evaluation.township_score,
                    evaluation.township_comment,
                ):
                    saved = _attempt(
                        request,
                        form,
                        services.evaluation_assess,
                        actor=request.user,
                        evaluation=evaluation,
                        township_score=data["township_score"],
                        comment=data["comment"],
                        version=version,
                    )
                    version = None if saved is None else saved.version
        if action == "confirm" and version is not None:
            done = _attempt(
                request,
                None,
                services.evaluation_confirm,
                actor=request.user,
                evaluation=evaluation,
                version=version,
            )
            if done is not None:
                messages.success(request, gettext("考评已确定"))
            return redirect("evaluation:evaluation_detail", pk)
        if action != "confirm" and form.is_valid():
            done = _attempt(
                request,
                form,
                services.evaluation_assess,
                actor=request.user,
                evaluation=evaluation,
                township_score=form.cleaned_data["township_score"],
                comment=form.cleaned_data["comment"],
                version=form.cleaned_data["version"],
            )
            if done is not None:
                messages.success(request, gettext("乡镇评价已保存，考评依据已重新计算"))
                return redirect("evaluation:evaluation_detail", pk)
    basis = evaluation.basis or {}
    notes = note_texts(basis)  # why a part was computed by a fallback (no month scored, no exam, …)
    parts = [
        (
            key,
            label,
            (basis.get("parts") or {}).get(key),
            (basis.get("weights") or {}).get(key),
            notes.get(key, ""),
        )
        for key, label in PARTS
    ]
    context = {
        "evaluation": evaluation,
        "form": form,
        "parts": parts,
        "basis": basis,
        "held": held_text(basis),  # the months held, for a member with a post-holding history
        "may_write": access.can_evaluate(request.user) and evaluation.state == "draft",
    }
    return render(request, "evaluation/evaluation_detail.html", context)


# --- mutual checks -------------------------------------------------------------------------------
@login_required
@require_GET
def round_list(request):
    _module(request.user)
    rounds = access.rounds_visible_to(request.user).order_by("-opened_at")
    page = Paginator(rounds, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/round_list.html",
        {"page": page, "can_configure": access.can_configure(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    _configurer(request.user)
    form = RoundForm(
        request.POST or None,
        rubrics=access.check_rubrics_usable_by(request.user),
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        round_ = _attempt(request, form, services.check_round_open, actor=request.user, **form.cleaned_data)
        if round_ is not None:
            messages.success(request, gettext("互查已启动，请确定检查单位和被检查单位"))
            return redirect("evaluation:round_detail", round_.pk)
    return render(request, "evaluation/round_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request, pk):
    round_ = access.get_round_for(request.user, pk)
    manages = access.rounds_managed_by(request.user).filter(pk=round_.pk).exists()
    form = PairForm(request.POST or None, units=selectors.pair_units(request.user)) if manages else None
    if request.method == "POST":
        if request.POST.get("action") == "close":
            if (
                _attempt(
                    request,
                    None,
                    services.check_round_close,
                    actor=request.user,
                    round_=round_,
                    version=request.POST.get("version"),
                )
                is not None
            ):
                messages.success(request, gettext("本轮互查已结束；整改事项继续跟踪至销号"))
            return redirect("evaluation:round_detail", pk)
        if form is None:
            messages.error(request, REFUSED)
            return redirect("evaluation:round_detail", pk)
        if (
            form.is_valid()
            and _attempt(
                request, form, services.check_pair_add, actor=request.user, round_=round_, **form.cleaned_data
            )
            is not None
        ):
            messages.success(request, gettext("已添加"))
            return redirect("evaluation:round_detail", pk)
    pairs = access.pairs_visible_to(request.user).filter(round=round_).order_by("checked__path")
    return render(
        request,
        "evaluation/round_detail.html",
        {"round": round_, "pairs": pairs, "form": form, "manages": manages},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pair_detail(request, pk):
    pair = access.get_pair_for(request.user, pk)
    items = pair.round.rubric.items
    action = request.POST.get("action") if request.method == "POST" else None
    score_form = ScoreForm(
        request.POST if action == "score" else None,
        items=items,
        scores=pair.scores,
        initial={"version": pair.version},
    )
    finding_form = FindingForm(
        request.POST if action == "finding" else None,
        request.FILES if action == "finding" else None,
        items=items,
    )
    rect_form = RectificationForm(request.POST if action == "rectification" else None)
    share_form = ShareForm(request.POST if action == "share" else None)
    # Photos chosen for a finding on a post with an error are held, shown as attached
    # (attachments.held); a fresh page lets them go.
    uploads = held.HeldUploads(
        request, f"evaluation.finding:{pair.pk}", "photos", kinds=services.FINDING_PHOTO_KINDS
    )
    uploads.on_get()
    done = None
    if action == "score" and score_form.is_valid():
        data = score_form.cleaned_data
        done = _attempt(
            request,
            score_form,
            services.check_pair_score,
            actor=request.user,
            pair=pair,
            scores={c: data[c] for c in score_form.codes},
            version=data["version"],
        )
    elif action == "finding" and finding_form.is_valid():
        d = finding_form.cleaned_data
        with uploads.files(d["photos"]) as photos:
            done = _attempt(
                request,
                finding_form,
                services.finding_add,
                actor=request.user,
                pair=pair,
                item_code=d["item_code"],
                description=d["description"],
                lesson=d["lesson"],
                share=d["share"],
                photos=photos,
                ip_address=client_ip(request),
            )
        if done is not None:
            uploads.release()
    elif action == "rectification" and rect_form.is_valid():
        d = rect_form.cleaned_data
        finding = pair.findings.filter(pk=d["finding"]).first()
        if finding is None:
            rect_form.add_error(None, gettext("请选择本次检查发现的问题"))
        else:
            done = _attempt(
                request,
                rect_form,
                services.rectification_add,
                actor=request.user,
                finding=finding,
                requirement=d["requirement"],
                deadline=d["deadline"],
            )
    elif action == "share" and share_form.is_valid():
        # A lesson marked for sharing later (after the finding was recorded).
        d = share_form.cleaned_data
        finding = pair.findings.filter(pk=d["finding"]).first()
        if finding is None:
            share_form.add_error(None, gettext("请选择本次检查发现的问题"))
        else:
            done = _attempt(
                request,
                share_form,
                services.finding_lesson_share,
                actor=request.user,
                finding=finding,
                lesson=d["lesson"],
                version=d["version"],
            )
    elif action not in (None, "score", "finding", "rectification", "share"):
        messages.error(request, gettext("无效的操作"))
    if done is not None:
        messages.success(request, gettext("已保存"))
        return redirect("evaluation:pair_detail", pk)
    if action == "finding":
        uploads.hold_if(finding_form)
    # The requirement that was refused, shown again open under its finding with what was typed.
    rect_again = None
    if action == "rectification":
        rect_again = {
            "finding": rect_form.cleaned_data.get("finding"),
            "requirement": request.POST.get("requirement", ""),
            "deadline": request.POST.get("deadline", ""),
        }
    # The lesson refused, shown again open under its finding with what was typed.
    share_again = None
    if action == "share":
        share_again = {
            "finding": share_form.cleaned_data.get("finding"),
            "lesson": request.POST.get("lesson", ""),
        }
    context = {
        "pair": pair,
        "items": [(i, pair.scores.get(i["code"])) for i in items],
        "findings": selectors.findings_of(request.user, pair),
        "is_checker": access.is_checker(request.user, pair),
        "is_checked": access.is_checked(request.user, pair),
        "may_close": access.may_close(request.user, pair),
        "open": pair.round.state == "open",
        "score_form": score_form,
        "finding_form": finding_form,
        "rect_form": rect_form,
        "rect_again": rect_again,
        "share_form": share_form,
        "share_again": share_again,
        "may_share": access.may_share(request.user, pair),
        "held": uploads.shown(),
        "manual_connected": services.manual_connected(),
    }
    return render(request, "evaluation/pair_detail.html", context)


@login_required
@require_POST
def rectification_action(request, pk):
    rect = access.get_rectification_for(request.user, pk)
    action, version = request.POST.get("action"), request.POST.get("version")
    if action == "report":
        done = _attempt(
            request,
            None,
            services.rectification_report,
            actor=request.user,
            rectification=rect,
            report=request.POST.get("report", ""),
            version=version,
        )
    elif action in ("close", "return"):
        done = _attempt(
            request,
            None,
            services.rectification_close,
            actor=request.user,
            rectification=rect,
            version=version,
            accept=action == "close",
            reason=request.POST.get("reason", ""),
        )
    else:
        done = None
        messages.error(request, gettext("无效的操作"))
    if done is not None:
        done_words = {
            "report": gettext("整改情况已报送"),
            "close": gettext("已销号"),
            "return": gettext("已退回"),
        }
        messages.success(request, done_words[action])
    return redirect("evaluation:pair_detail", rect.finding.pair_id)
