"""Pages of primary responsibility (主体责任). Every organisation, item and record is resolved
through access.py: outside the user's jurisdiction — for a liaison, anything but their own
organisation — the answer is the same 404 as for a missing one. Writing pages exist only for the
organisation's own liaison; the supervising office reads, comments and records interviews, and gets
404 from the writing pages; the rules are in services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.core.access import require_module
from jijian.core.ops.ratelimit import client_ip
from jijian.core.roles import Module

from . import selectors, services
from .access import (
    assessments_visible_to,
    can_check_risk,
    can_write,
    departments_visible_to,
    get_interview_for,
    get_member_for,
    get_party_org_for,
    get_record_for,
    get_risk_point_for,
    get_supervision_record_for,
    get_template_to_edit,
    interviews_visible_to,
    is_department_member,
    is_leader,
    is_liaison,
    is_resident_group,
    is_supervisor,
    items_visible_to,
    members_visible_to,
    records_visible_to,
    risk_checks_visible_to,
    risk_points_visible_to,
    supervision_records_visible_to,
    templates_visible_to,
)
from .forms import (
    AssessmentForm,
    CommentForm,
    FollowUpForm,
    InterviewForm,
    ItemForm,
    MemberForm,
    RecordForm,
    ReviewForm,
    RiskCheckForm,
    RiskPointForm,
    SupervisionForm,
    TemplateForm,
    YearForm,
)
from .models import Polarity

HELD_RECORD = "responsibility.record"


def _year(request) -> int:
    form = YearForm(request.GET)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return year or services.today().year


def _writable_org(request, pk):
    org = get_party_org_for(request.user, pk)
    if not can_write(request.user, org):
        raise Http404
    return org


def _supervised_org(request, pk):
    org = get_party_org_for(request.user, pk)
    if not is_supervisor(request.user):
        raise Http404
    return org


@login_required
@require_GET
def board(request):
    """The supervising office's board; a liaison goes straight to their organisation."""
    require_module(request.user, Module.RESPONSIBILITY)
    leader = is_leader(request.user) and not is_supervisor(request.user)
    # A department's discipline member and a resident group read the board of their departments.
    reader = not is_supervisor(request.user) and (
        is_department_member(request.user) or is_resident_group(request.user)
    )
    if not is_supervisor(request.user) and not leader and not reader:
        if is_liaison(request.user):
            return redirect("responsibility:org", request.user.org_unit_id)
        raise Http404
    year, today = _year(request), services.today()
    rows = selectors.board(request.user, year, today=today)
    dept = request.GET.get("dept", "")
    if leader and not dept.isdigit():
        context = {
            "year": year,
            "years": range(today.year - 2, today.year + 2),
            "groups": selectors.overview(rows),
        }
        return render(request, "responsibility/overview.html", context)
    if dept.isdigit():  # drill-down from the overview: one department's organisations
        rows = [r for r in rows if f"/{dept}/" in r.org.path]
    ranking = request.GET.get("sort") == "rank"
    context = {
        "year": year,
        "years": range(today.year - 2, today.year + 2),
        "rows": selectors.ranked(rows) if ranking else rows,
        "ranking": ranking,
        "is_supervisor": not leader and not reader,
        # 同级监督纪实 is about city-level departments: offered only to whoever has one in reach (a
        # county's office has none, and the list would answer 404).
        "supervises_departments": departments_visible_to(request.user).exists(),
        "dept": dept,
        "red": [
            r
            for r in selectors.red_items(request.user, year, today=today)
            if f"/{dept}/" in r[0].org_unit.path
        ][:100]
        if dept.isdigit()
        else selectors.red_items(request.user, year, today=today)[:100],
    }
    return render(request, "responsibility/board.html", context)


@login_required
@require_GET
def org_detail(request, pk):
    org = get_party_org_for(request.user, pk)
    year, today = _year(request), services.today()
    context = {
        "org": org,
        "year": year,
        "years": range(today.year - 2, today.year + 2),
        "members": selectors.leadership(request.user, org),
        "year_data": selectors.org_year(request.user, org, year, today=today),
        "records": records_visible_to(request.user)
        .filter(org_unit=org, item__year=year)
        .order_by("-occurred_on", "-pk")[:20],
        "interviews": interviews_visible_to(request.user).filter(org_unit=org).order_by("-held_on")[:20],
        "can_write": can_write(request.user, org),
        "is_supervisor": is_supervisor(request.user),
    }
    return render(request, "responsibility/org_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request, pk):
    org = _writable_org(request, pk)
    return _member_form(request, org, None)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = get_member_for(request.user, pk)
    org = _writable_org(request, member.org_unit_id)
    return _member_form(request, org, member)


def _member_form(request, org, member):
    form = MemberForm(request.POST or None, instance=member, initial={"version": member and member.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_save(
                actor=request.user,
                org=org,
                member=member,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已保存班子成员"))
            return redirect("responsibility:org", org.pk)
    return render(request, "responsibility/member_form.html", {"form": form, "org": org, "member": member})


@login_required
@require_POST
def list_generate(request, pk):
    org = _writable_org(request, pk)
    year = _year(request)
    added = services.list_generate(actor=request.user, org=org, year=year)
    messages.success(
        request, f"已按模板生成{year}年责任清单，新增 {added} 项" if added else "清单已包含全部模板事项"
    )
    return redirect(f"{reverse('responsibility:org', args=[org.pk])}?year={year}")


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, pk):
    org = _writable_org(request, pk)
    year = _year(request)
    members = members_visible_to(request.user).filter(org_unit=org, is_active=True)
    form = ItemForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(
                actor=request.user,
                org=org,
                year=year,
                member=form.cleaned_data["member"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已添加自定责任事项"))
            return redirect(f"{reverse('responsibility:org', args=[org.pk])}?year={year}")
    return render(request, "responsibility/item_form.html", {"form": form, "org": org, "year": year})


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request, pk):
    org = _writable_org(request, pk)
    today = services.today()
    items = (
        items_visible_to(request.user)
        .filter(org_unit=org, year__in=(today.year, today.year - 1), polarity=Polarity.POSITIVE)
        .order_by("-year", "holder", "sort_order", "pk")
    )
    initial = {"item": request.GET.get("item"), "occurred_on": today}
    chosen = items.filter(pk=initial["item"]).first() if (initial["item"] or "").isdigit() else None
    if chosen is not None:
        initial["record_type"] = chosen.record_type
    form = RecordForm(request.POST or None, request.FILES or None, items=items, initial=initial)
    # Files chosen on a post with an error are held, shown as attached (attachments.held).
    uploads = held.HeldUploads(request, HELD_RECORD, "files")
    uploads.on_get()
    if request.method == "POST" and form.is_valid():
        with uploads.files(form.cleaned_data["files"]) as files:
            try:
                record = services.record_create(
                    actor=request.user,
                    org=org,
                    files=files,
                    ip_address=client_ip(request),
                    **form.service_fields(),
                )
            except ValidationError as error:
                form.add_error("files" if error.code == "attachment_refused" else None, error.messages)
            else:
                uploads.release()
                messages.success(request, gettext("已登记纪实：%(title)s") % {"title": record.title})
                return redirect("responsibility:record", record.pk)
    uploads.hold_if(form)
    context = {"form": form, "org": org, "held": uploads.shown()}
    return render(request, "responsibility/record_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_detail(request, pk):
    """The record as entered, its files and comments; the supervising office adds a comment."""
    record = get_record_for(request.user, pk)
    supervisor = is_supervisor(request.user)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if not supervisor:
            raise Http404
        if form.is_valid():
            try:
                services.record_comment(actor=request.user, record=record, text=form.cleaned_data["text"])
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, gettext("已添加批注"))
                return redirect("responsibility:record", record.pk)
    context = {
        "record": record,
        "files": selectors.record_files(request.user, record),
        "comments": record.comments.select_related("author").order_by("created_at"),
        "form": form,
        "is_supervisor": supervisor,
    }
    return render(request, "responsibility/record_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def interview_create(request, pk):
    org = _supervised_org(request, pk)
    items = (
        items_visible_to(request.user)
        .filter(org_unit=org, polarity=Polarity.POSITIVE)
        .order_by("-year", "pk")
    )
    form = InterviewForm(
        request.POST or None,
        items=items,
        initial={"item": request.GET.get("item"), "held_on": services.today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_record(actor=request.user, org=org, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已登记约谈"))
            return redirect("responsibility:org", org.pk)
    return render(request, "responsibility/interview_form.html", {"form": form, "org": org})


@login_required
@require_GET
def template_list(request):
    if not is_supervisor(request.user):
        raise Http404
    year = _year(request)
    templates = templates_visible_to(request.user).filter(year=year).select_related("publisher")
    context = {
        "year": year,
        "templates": templates.order_by("publisher__depth", "holder", "sort_order", "pk"),
        "own_unit_id": request.user.org_unit_id,
    }
    return render(request, "responsibility/template_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request):
    if not is_supervisor(request.user):
        raise Http404
    return _template_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    return _template_form(request, get_template_to_edit(request.user, pk))


def _template_form(request, template):
    initial = {"year": _year(request)} if template is None else {"version": template.version}
    form = TemplateForm(request.POST or None, instance=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        try:
            saved = services.template_save(
                actor=request.user,
                template=template,
                version=form.cleaned_data["version"],
                year=form.cleaned_data["year"],
                is_active=form.cleaned_data["is_active"],
                sort_order=form.cleaned_data["sort_order"],
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已保存模板事项：%(title)s") % {"title": saved.title})
            return redirect(f"{reverse('responsibility:template_list')}?year={saved.year}")
    return render(request, "responsibility/template_form.html", {"form": form, "template": template})


# --- risk points -----------------------------------------------------------------------------------
@login_required
@require_GET
def risk_list(request, pk):
    """The organisation's risk points with their latest checks; the office reads, the liaison keeps."""
    org = get_party_org_for(request.user, pk)
    points = list(
        risk_points_visible_to(request.user).filter(org_unit=org).order_by("-is_active", "process", "pk")
    )
    checks = risk_checks_visible_to(request.user).filter(org_unit=org).order_by("-checked_on", "-pk")[:50]
    context = {
        "org": org,
        "points": points,
        "checks": checks,
        "year": services.today().year,
        "can_write": can_write(request.user, org),
        "can_check": can_check_risk(request.user, org),
        "is_supervisor": is_supervisor(request.user),
    }
    return render(request, "responsibility/risk_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request, pk):
    return _risk_form(request, _writable_org(request, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, pk):
    point = get_risk_point_for(request.user, pk)
    return _risk_form(request, _writable_org(request, point.org_unit_id), point)


def _risk_form(request, org, point):
    form = RiskPointForm(request.POST or None, instance=point, initial={"version": point and point.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_point_save(
                actor=request.user,
                org=org,
                risk_point=point,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已保存廉政风险点"))
            return redirect("responsibility:risk_list", org.pk)
    return render(request, "responsibility/risk_form.html", {"form": form, "org": org, "point": point})


@login_required
@require_http_methods(["GET", "POST"])
def risk_check(request, pk):
    point = get_risk_point_for(request.user, pk)
    org = get_party_org_for(request.user, point.org_unit_id)
    if not can_check_risk(request.user, org):
        raise Http404
    form = RiskCheckForm(request.POST or None, initial={"checked_on": services.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_check_record(actor=request.user, risk_point=point, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已登记风险点检查"))
            return redirect("responsibility:risk_list", org.pk)
    return render(request, "responsibility/risk_check_form.html", {"form": form, "org": org, "point": point})


@login_required
@require_POST
def risk_review(request, pk):
    point = get_risk_point_for(request.user, pk)
    org = _writable_org(request, point.org_unit_id)
    form = ReviewForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    year = services.today().year
    try:
        services.risk_point_review(
            actor=request.user,
            risk_point=point,
            year=year,
            version=data.get("version"),
            note=data.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, gettext("已完成%(year)s年度复核：%(process)s") % {"year": year, "process": point.process}
        )
    return redirect("responsibility:risk_list", org.pk)


# --- annual assessment and export ------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def assessment(request, pk):
    """The office assesses an organisation's year with the evidence shown beside the form."""
    org = _supervised_org(request, pk)
    year, today = _year(request), services.today()
    existing = assessments_visible_to(request.user).filter(org_unit=org, year=year).first()
    row = next(r for r in selectors.board(request.user, year, today=today) if r.org.pk == org.pk)
    suggested = services.suggested_grade(row.on_time_share)
    initial = (
        {
            "version": existing.version,
            "grade": existing.grade,
            "score": existing.score,
            "basis": existing.basis,
        }
        if existing
        else {"grade": suggested}
    )
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_save(actor=request.user, org=org, year=year, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, gettext("已保存%(name)s%(year)s年度考核") % {"name": org.name, "year": year}
            )
            return redirect(f"{reverse('responsibility:board')}?year={year}")
    context = {
        "org": org,
        "year": year,
        "row": row,
        "suggested": suggested,
        "existing": existing,
        "form": form,
        "risk_checks": risk_checks_visible_to(request.user)
        .filter(org_unit=org, checked_on__year=year)
        .count(),
    }
    return render(request, "responsibility/assessment_form.html", context)


@login_required
@require_GET
def board_export(request):
    """The board as Excel, ranked, for the office (audited)."""
    if not is_supervisor(request.user):
        raise Http404
    from .exports import board_xlsx

    year, today = _year(request), services.today()
    rows = selectors.ranked(selectors.board(request.user, year, today=today))
    return board_xlsx(actor=request.user, rows=rows, year=year, ip_address=client_ip(request))


@login_required
@require_http_methods(["GET", "POST"])
def interview_follow_up(request, pk):
    interview = get_interview_for(request.user, pk)
    org = _supervised_org(request, interview.org_unit_id)
    form = FollowUpForm(request.POST or None, initial={"done_on": services.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_follow_up(actor=request.user, interview=interview, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已登记整改完成"))
            return redirect("responsibility:org", org.pk)
    return render(
        request, "responsibility/follow_up_form.html", {"form": form, "org": org, "interview": interview}
    )


# --- same-level supervision (同级监督) --------------------------------------------------------------
@login_required
@require_GET
def supervision_list(request):
    """The department member's own supervision records; a resident group's or office's, those of the
    departments it reads (?dept= one of them). A resident group that oversees no department yet is told
    so; anyone else without a department in reach: 404."""
    require_module(request.user, Module.RESPONSIBILITY)
    departments = list(departments_visible_to(request.user).order_by("sort_order", "path"))
    if not departments and not is_resident_group(request.user):
        raise Http404
    records = supervision_records_visible_to(request.user)
    dept = request.GET.get("dept", "")
    if dept.isdigit():
        records = records.filter(org_unit_id=int(dept))
    context = {
        "departments": departments,
        "dept": dept,
        "records": records.order_by("-occurred_on", "-pk")[:100],
        "can_record": is_department_member(request.user),
    }
    return render(request, "responsibility/supervision_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def supervision_create(request):
    if not is_department_member(request.user):
        raise Http404
    form = SupervisionForm(request.POST or None, initial={"occurred_on": services.today()})
    if request.method == "POST" and form.is_valid():
        try:
            record = services.supervision_record_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            on = record.occurred_on  # the log of the month it happened in, not necessarily this one
            messages.success(
                request,
                gettext("已登记同级监督纪实，并已计入%(year)s年%(month)s月履职纪实")
                % {"year": on.year, "month": on.month},
            )
            return redirect("responsibility:supervision", record.pk)
    return render(request, "responsibility/supervision_form.html", {"form": form})


@login_required
@require_GET
def supervision_detail(request, pk):
    record = get_supervision_record_for(request.user, pk)
    return render(request, "responsibility/supervision_detail.html", {"record": record})
