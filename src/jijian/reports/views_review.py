"""Township review pages: the queue (HTMX partial for the list), one report's review page, approve /
return / batch approve, and the annual grades. County and city supervision officers see the queue
and the report read-only; every action is the township committee's (others get 404)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jijian.core.roles import Role

from . import grades, review, services, talks
from .access import get_member_for, get_report_for

PAGE_SIZE = 100
RETURN_REASON_SHOWN = 5000  # a refused reason is shown again up to this length
QUEUE_KEYS = ("month", "state", "late", "zero", "content", "q")


class QueueForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("月份"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "aria-label": gettext_lazy("月份")}),
    )
    state = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[
            ("", gettext_lazy("待审核")),
            ("submitted", gettext_lazy("已提交")),
            ("resubmitted", gettext_lazy("已重新提交")),
            ("returned", gettext_lazy("已退回")),
            ("approved", gettext_lazy("已审核通过")),
            ("missing", gettext_lazy("未提交")),
            ("all", gettext_lazy("全部")),
        ],
    )
    late = forms.ChoiceField(
        label=gettext_lazy("时效"),
        required=False,
        choices=[("", gettext_lazy("按时/逾期")), ("0", gettext_lazy("按时")), ("1", gettext_lazy("逾期"))],
    )
    zero = forms.ChoiceField(
        label=gettext_lazy("零报告"),
        required=False,
        choices=[
            ("", gettext_lazy("零报告/非零")),
            ("1", gettext_lazy("零报告")),
            ("0", gettext_lazy("非零报告")),
        ],
    )
    content = forms.ChoiceField(
        label=gettext_lazy("内容"),
        required=False,
        choices=[
            ("", gettext_lazy("全部内容")),
            (review.ATTENTION, gettext_lazy("需细看：有线索或清单未达标")),
            (review.CLEAN, gettext_lazy("无线索且清单达标")),
        ],
    )
    q = forms.CharField(
        label=gettext_lazy("村名"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "placeholder": gettext_lazy("村名、拼音首字母或委员姓名"),
                "aria-label": gettext_lazy("村名"),
            }
        ),
    )

    def __init__(self, *args, departments: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if departments:  # a resident group reviews departments' reports: no village in its queue
            self.fields["q"].label = gettext("单位")
            self.fields["q"].widget.attrs.update(
                placeholder=gettext("单位名称、拼音首字母或委员姓名"), **{"aria-label": gettext("单位")}
            )

    def clean_month(self):
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return date(year, month, 1)
        except (ValueError, TypeError):
            raise ValidationError(gettext("月份格式应为 年-月，例如 2025-10")) from None

    def queue_filter(self) -> review.QueueFilter:
        data = self.cleaned_data if self.is_valid() else {}

        def flag(name):
            return {"1": True, "0": False}.get(data.get(name) or "")

        return review.QueueFilter(
            month=data.get("month"),
            state=data.get("state") or "",
            late=flag("late"),
            zero=flag("zero"),
            q=data.get("q") or "",
            content=data.get("content") or "",
        )


def _queue_query(raw: str) -> str:
    """The queue's filters from a posted 'back' value, only the known keys (no open redirect)."""
    given = QueryDict(raw or "")
    kept = QueryDict(mutable=True)
    for key in QUEUE_KEYS:
        if value := given.get(key):
            kept[key] = value[:50]
    return kept.urlencode()


def _queue_url(raw: str = "") -> str:
    query = _queue_query(raw)
    return reverse("reports:review_queue") + (f"?{query}" if query else "")


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _member_errors(request, member, texts) -> None:
    """Refusals about one member on a page that lists many (grades, talks): each names the member."""
    for message in texts:
        messages.error(request, f"{member.full_name}：{message}")


@login_required
@require_GET
def review_queue(request):
    review.require_review_viewer(request.user)
    departments = (
        Role.RESIDENT_GROUP in request.user.role_set and Role.TOWNSHIP_COMMITTEE not in request.user.role_set
    )
    form = QueueForm(request.GET or None, departments=departments)
    filters = form.queue_filter()
    queue = review.review_queue(request.user, filters)
    if filters.content:  # what a month holds is computed, not a column: the rows are filtered, then paged
        page = Paginator(review.queue_rows(queue, content=filters.content), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = page.object_list
    else:
        page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = review.queue_rows(page.object_list)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "can_review": review.can_review(request.user),
        "query": _queue_query(request.GET.urlencode()),
    }
    partial = request.htmx and not request.htmx.boosted
    return render(
        request, "reports/partials/review_rows.html" if partial else "reports/review_queue.html", context
    )


@login_required
@require_GET
def review_detail(request, pk):
    review.require_review_viewer(request.user)
    report = get_report_for(request.user, pk)
    context = review.review_detail_context(request.user, report)
    context["query"] = _queue_query(request.GET.urlencode())
    return render(request, "reports/review_detail.html", context)


def _after_action(request, report, done: str):
    """Back to the queue (when acting from it), else on to the next report waiting."""
    back = request.POST.get("back", "")
    messages.success(
        request,
        gettext("%(name)s %(month)s月报%(done)s")
        % {"name": report.village.name, "month": format(report.month, "%Y年%m月"), "done": done},
    )
    if request.POST.get("from") == "queue":
        return redirect(_queue_url(back))
    following = review.review_next(
        request.user, after=report, filters=QueueForm(QueryDict(back)).queue_filter()
    )
    if following is None:
        messages.info(request, gettext("待审核的月报已全部处理完"))
        return redirect(_queue_url(back))
    query = _queue_query(back)
    return redirect(reverse("reports:review_detail", args=[following.pk]) + (f"?{query}" if query else ""))


def _read_version(request) -> int | None:
    """The version of the report the reviewer's page showed (None from a page that sent none)."""
    value = request.POST.get("version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _back_to(request, report):
    if request.POST.get("from") == "queue":
        return redirect(_queue_url(request.POST.get("back", "")))
    return redirect("reports:review_detail", report.pk)


@login_required
@require_POST
def review_approve(request, pk):
    review.require_review_viewer(request.user)
    report = get_report_for(request.user, pk)
    review.require_reviewer_of(request.user, report)
    rubric = services.settings_for_city(report.city_id_at).rubric
    detail = {
        item["key"]: request.POST[f"score_{item['key']}"].strip()
        for item in rubric
        if request.POST.get(f"score_{item['key']}", "").strip()
    }
    try:
        report = services.monthly_report_approve(
            actor=request.user,
            report=report,
            score_detail=detail or None,
            comment=request.POST.get("comment", "")[:2000],
            version=_read_version(request),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return _back_to(request, report)
    return _after_action(request, report, gettext("已审核通过"))


@login_required
@require_POST
def review_return(request, pk):
    review.require_review_viewer(request.user)
    report = get_report_for(request.user, pk)
    review.require_reviewer_of(request.user, report)
    try:
        report = services.monthly_report_return(
            actor=request.user,
            report=report,
            reason=request.POST.get("reason", ""),
            version=_read_version(request),
        )
    except ValidationError as exc:
        # Refused (no reason, too long, changed meanwhile): the review page again, the reason kept and
        # the message at the reason box (from the queue too), nothing changed.
        context = review.review_detail_context(request.user, get_report_for(request.user, pk))
        context["query"] = _queue_query(request.POST.get("back", ""))
        context["return_errors"] = exc.messages
        context["return_reason"] = request.POST.get("reason", "")[:RETURN_REASON_SHOWN]
        return render(request, "reports/review_detail.html", context, status=400)
    return _after_action(request, report, gettext("已退回"))


@login_required
@require_POST
def review_batch_approve(request):
    review.require_reviewer(request.user)
    # Each ticked row sends "<id>:<version>" (the version the list showed: services checks it).
    versions: dict[int, int] = {}
    for value in request.POST.getlist("report")[: PAGE_SIZE * 5]:
        pk, _, version = value.partition(":")
        if pk.isdigit() and version.isdigit() and len(pk) <= 12 and len(version) <= 9:
            versions[int(pk)] = int(version)
    ids = list(versions)
    if not ids:
        messages.error(request, gettext("请先勾选要审核通过的月报"))
        return redirect(_queue_url(request.POST.get("back", "")))
    selected = list(review.review_queue(request.user).filter(pk__in=ids))
    result = services.monthly_reports_approve_batch(actor=request.user, reports=selected, versions=versions)
    skipped = result["skipped"] + len(ids) - len(selected)
    messages.success(
        request,
        f"已审核通过 {result['approved']} 份月报"
        + (f"，{skipped} 份已变化或不可审核，未处理" if skipped else ""),
    )
    return redirect(_queue_url(request.POST.get("back", "")))


# --- annual grades -------------------------------------------------------------------------------
class GradeForm(forms.Form):
    year = forms.IntegerField(
        min_value=2000, max_value=2100, error_messages={"invalid": gettext_lazy("年度应为数字")}
    )
    grade = forms.ChoiceField(
        label=gettext_lazy("评定等次"),
        choices=grades.Grade.choices,
        error_messages={"required": gettext_lazy("请选择评定等次")},
    )
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=2000,
        error_messages={"required": gettext_lazy("评定等次必须填写理由")},
        widget=forms.Textarea,
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def _year(request) -> int:
    today = services.today()
    try:
        year = int(request.GET.get("year") or (today.year if today.month >= 12 else today.year - 1))
    except ValueError:
        year = today.year
    return min(max(year, 2000), today.year)


@login_required
@require_GET
def review_grades(request):
    review.require_review_viewer(request.user)
    year = _year(request)
    rows = grades.grade_rows(request.user, year=year)
    today = services.today()
    return render(
        request,
        "reports/review_grades.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "rows": rows,
            "can_review": review.can_review(request.user),
            "grade_choices": grades.Grade.choices,
            "incompetent_rule": grades.rule_for_city(request.user.org_unit.city_id).describe(),
        },
    )


@login_required
@require_POST
def review_grade_set(request, member_id):
    review.require_reviewer(request.user)
    member = get_member_for(request.user, member_id)
    form = GradeForm(request.POST)
    year = request.POST.get("year", "")
    if not form.is_valid():
        _member_errors(request, member, [m for errors in form.errors.values() for m in errors])
    else:
        data = form.cleaned_data
        try:
            grades.annual_grade_set(
                actor=request.user,
                member=member,
                year=data["year"],
                grade=data["grade"],
                reason=data["reason"],
                version=data["version"],
            )
        except ValidationError as exc:
            _member_errors(request, member, exc.messages)
        else:
            messages.success(
                request,
                gettext("已评定 %(full_name)s %(year)s 年度等次")
                % {"full_name": member.full_name, "year": data["year"]},
            )
        year = str(data["year"])
    return redirect(reverse("reports:review_grades") + (f"?year={year}" if year.isdigit() else ""))


# --- talks about missing reports -----------------------------------------------------------------
class TalkForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("方式"),
        choices=talks.Kind.choices,
        error_messages={"required": gettext_lazy("请选择谈话方式：提醒谈话或约谈")},
    )
    held_on = forms.DateField(
        label=gettext_lazy("谈话日期"),
        error_messages={
            "required": gettext_lazy("请填写谈话日期"),
            "invalid": gettext_lazy("谈话日期格式应为 年-月-日，例如 2025-11-10"),
        },
    )
    notes = forms.CharField(
        label=gettext_lazy("谈话内容及本人表态"),
        max_length=talks.NOTES_MAX,
        error_messages={"required": gettext_lazy("请填写谈话内容及本人表态")},
        widget=forms.Textarea,
    )


@login_required
@require_GET
def review_talks(request):
    review.require_review_viewer(request.user)
    today = services.today()
    try:
        year = min(max(int(request.GET.get("year") or today.year), 2000), today.year)
    except ValueError:
        year = today.year
    rows = talks.talk_rows(request.user, year=year, today=today)
    q = request.GET.get("q", "").strip()[:50]
    if q:  # a county or the city has hundreds of rows: by village, township or member
        rows = [
            row
            for row in rows
            if q in row["village"].name
            or q in row["member"].full_name
            or (row["village"].parent_id and q in row["village"].parent.name)
        ]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/review_talks.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "q": q,
            "page": page,
            "due_count": sum(1 for row in rows if row["due"]),
            "can_review": review.can_review(request.user),
            "kinds": talks.Kind.choices,
            "today": today,
        },
    )


@login_required
@require_POST
def review_talk_record(request, member_id):
    review.require_reviewer(request.user)
    member = get_member_for(request.user, member_id)
    form = TalkForm(request.POST)
    year = ""
    if not form.is_valid():
        _member_errors(request, member, [m for errors in form.errors.values() for m in errors])
    else:
        data = form.cleaned_data
        year = str(data["held_on"].year)
        try:
            talks.missing_report_talk_record(
                actor=request.user,
                member=member,
                kind=data["kind"],
                held_on=data["held_on"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            _member_errors(request, member, exc.messages)
        else:
            messages.success(
                request,
                gettext("已记录对 %(full_name)s 的%(kind)s")
                % {"full_name": member.full_name, "kind": talks.KIND_LABELS[data["kind"]]},
            )
    return redirect(reverse("reports:review_talks") + (f"?year={year}" if year else ""))
