"""Pages of the duty manual: the contents and search, a topic's page (its current text, its cases,
its versions), an old version, the printable PDF, the editor's pages (write a page, save a new
version, keep the cases and publish the proposed drafts) and the service worker that keeps the pages
a member opened readable offline.

Reading is for everyone signed in (their own city's manual); the editor's pages are 404 to everyone
but the city's editor (access.py). An unknown topic code shows the search page with a note."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from jijian.attachments.views import content_disposition

from . import access, selectors, services
from .forms import CaseForm, PageCreateForm, PageForm
from .models import CaseStatus


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            for m in msgs:
                form.add_error(field if field in form.fields else None, m)
    else:
        form.add_error(None, error.messages)


def _home_context(request, *, unknown: str = "") -> dict:
    q = request.GET.get("q", "")
    return {
        "q": q,
        "result": selectors.search(request.user, q) if q.strip() else None,
        "contents": selectors.contents(request.user),
        "unknown": unknown,
        "can_edit": access.can_edit(request.user),
        "drafts": access.cases_kept_by(request.user).filter(status=CaseStatus.DRAFT).count(),
    }


@login_required
@require_GET
def home(request):
    """The contents, grouped by kind, and the search (text or pinyin initials)."""
    return render(request, "manual/home.html", _home_context(request))


@login_required
@require_GET
def topic(request, code: str):
    page = access.page_by_code(request.user, code)
    if page is None:
        # A screen links a task the manual has no page for (yet): the search, with a note.
        return render(request, "manual/home.html", _home_context(request, unknown=code[:60]))
    context = {
        "page": page,
        "text": page,
        "cases": selectors.page_cases(request.user, page),
        "versions": page.versions.only("number", "change_note", "created_at"),
        "can_edit": access.can_edit(request.user),
    }
    return render(request, "manual/topic.html", context)


@login_required
@require_GET
def version(request, code: str, number: int):
    page = access.get_page_for(request.user, code)
    old = access.get_version_for(request.user, page, number)
    context = {
        "page": page,
        "text": old,
        "old": old,
        "cases": [],
        "versions": page.versions.only("number", "change_note", "created_at"),
    }
    return render(request, "manual/topic.html", context)


@login_required
@require_GET
def topic_pdf(request, code: str):
    """The page as a PDF (A4, the Noto CJK fonts embedded) for printing and filing."""
    page = access.get_page_for(request.user, code)
    from weasyprint import HTML

    html = render_to_string(
        "manual/topic_pdf.html",
        {"page": page, "cases": selectors.page_cases(request.user, page)},
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"履职手册_{page.title}.pdf")
    return response


# --- the editor ----------------------------------------------------------------------------------
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def page_create(request):
    access.require_editor(request.user)
    form = PageCreateForm(request.POST or None, initial={"code": request.GET.get("code", "")[:60]})
    if request.method == "POST" and form.is_valid():
        try:
            page = services.page_create(
                actor=request.user,
                code=form.cleaned_data["code"],
                kind=form.cleaned_data["kind"],
                change_note=form.cleaned_data["change_note"],
                **form.service_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, gettext("已发布第1版"))
            return redirect("manual:topic", page.code)
    return render(request, "manual/page_form.html", {"form": form, "page": None})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request, code: str):
    access.require_editor(request.user)
    page = access.get_page_for(request.user, code)
    form = PageForm(request.POST or None, page=page)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.page_update(
                actor=request.user,
                page=page,
                version=form.cleaned_data["version"] or 0,
                change_note=form.cleaned_data["change_note"],
                **form.service_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, gettext("已发布第%(version)s版") % {"version": page.version})
            return redirect("manual:topic", page.code)
    return render(request, "manual/page_form.html", {"form": form, "page": page})


@never_cache
@login_required
@require_GET
def case_list(request):
    """The editor's cases: drafts proposed from elsewhere first, then the published ones."""
    access.require_editor(request.user)
    cases = (
        access.cases_kept_by(request.user)
        .select_related("page", "proposed_by")
        .order_by("status", "-created_at")
    )
    return render(request, "manual/case_list.html", {"cases": cases})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    access.require_editor(request.user)
    pages = list(access.pages_for(request.user))
    form = CaseForm(request.POST or None, pages=pages)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, gettext("已保存"))
            return redirect("manual:case_list")
    return render(request, "manual/case_form.html", {"form": form, "case": None})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    access.require_editor(request.user)
    case = access.get_kept_case_for(request.user, pk)
    pages = list(access.pages_for(request.user))
    form = CaseForm(request.POST or None, pages=pages, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_update(
                actor=request.user,
                case=case,
                version=form.cleaned_data["version"] or 0,
                **form.service_fields(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "已发布" if case.status == CaseStatus.PUBLISHED else "已保存为待发布")
            return redirect("manual:case_list")
    return render(request, "manual/case_form.html", {"form": form, "case": case})


@login_required
@require_GET
def case_detail(request, pk: int):
    case = access.get_case_for(request.user, pk)
    return render(request, "manual/case_detail.html", {"case": case})


# --- offline -------------------------------------------------------------------------------------
@require_GET
def service_worker(request):
    """The service worker of /manual/ (static text, no data: served to anyone, like a static file,
    but from here so that its scope is /manual/)."""
    body = render_to_string("manual/sw.js")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
