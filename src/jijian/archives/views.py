"""Pages of the integrity archives (廉情档案): the list, create, open with a reason, edit.

Every archive is resolved through access.get_archive_for: outside the user's jurisdiction, the
user's own archive, or that of a person they declared a relation to, the answer is the same 404 as
for a missing archive. Creating and editing are for the keepers (access.can_keep: 干部监督室); the
others with the module (审理室, 组织部) read. The list shows who is on file (name, unit, post, level);
the content — ID number, notes, linked reports — is shown only after a reason is given, and every
opening is an audit event (services.archive_open). Pages behind sign-in are never cached
(core.ops.middleware); the opened page says so itself as well."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.core.access import require_module
from jijian.core.ops.ratelimit import client_ip
from jijian.core.paging import ShortPagePaginator
from jijian.core.roles import Module

from . import selectors, services
from .access import archive_merged_into_for, can_keep, get_archive_for, get_section_entry_for
from .forms import (
    SECTION_FORMS,
    ArchiveFilterForm,
    ArchiveForm,
    ImportForm,
    MergeForm,
    OpenForm,
    PhotoForm,
    WithdrawForm,
)

PAGE = 50
# The edit page shows the archive's notes: reading them there is an opening too, with this reason.
EDIT_REASON = "修改档案"


def _require_keeper(user) -> None:
    if not can_keep(user):
        raise Http404


def _follows_merge(view):
    """An archive page whose archive was merged into another meanwhile (a keeper had it open) answers,
    instead of the 404, a page naming and linking the surviving archive, 410 Gone, nothing done — to
    whoever may see both (access.archive_merged_into_for); everyone else keeps the same 404."""

    @functools.wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            return view(request, pk, *args, **kwargs)
        except Http404:
            survivor = archive_merged_into_for(request.user, pk)
            if survivor is None:
                raise
            return render(
                request, "archives/archive_merged.html", {"pk": pk, "survivor": survivor}, status=410
            )

    return wrapper


@login_required
@require_GET
def archive_list(request):
    require_module(request.user, Module.ARCHIVES)
    form = ArchiveFilterForm(request.GET or None, user=request.user)
    # A search by name or ID number shows a few rows: the page is read first, counted only when full.
    page = ShortPagePaginator(selectors.archive_list(request.user, **form.values()), PAGE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "can_keep": can_keep(request.user)}
    partial = request.htmx and not request.htmx.boosted
    return render(
        request, "archives/partials/archive_rows.html" if partial else "archives/archive_list.html", context
    )


@login_required
@require_http_methods(["GET", "POST"])
def archive_create(request):
    _require_keeper(request.user)
    form = ArchiveForm(request.POST or None, user=request.user, unit_q=request.GET.get("unit_q"))
    if request.method == "POST" and form.is_valid():
        try:
            archive = services.archive_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _saved(request, archive, gettext("已建立 %(name)s 的廉情档案") % {"name": archive.name})
    return render(
        request,
        "archives/archive_form.html",
        {"form": form, "archive": None, "unit_q": form.fields["org_unit"].searched},
    )


def _saved(request, archive, done: str):
    messages.success(request, done)
    if selectors.is_visible(request.user, archive):
        return redirect("archives:detail", archive.pk)
    # The keeper's own archive, or a relative's: kept, but not for them to open.
    messages.info(request, gettext("按回避规定，您不能查阅该档案"))
    return redirect("archives:list")


@login_required
@require_GET
def unit_options(request):
    """The <option>s of the form's unit select (HTMX, as the keeper types in `unit_q`): units of the
    keeper's jurisdiction by name, pinyin initials or code, villages included; the units above
    village level when the search is empty. Keepers only, everyone else 404."""
    _require_keeper(request.user)
    form = ArchiveForm(
        initial={"org_unit": request.GET.get("org_unit")}, user=request.user, unit_q=request.GET.get("unit_q")
    )
    return render(request, "archives/partials/unit_options.html", {"field": form["org_unit"]})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_follows_merge
def archive_detail(request, pk):
    """GET: who the archive is about, and the reason form. POST with a reason: the audited opening,
    rendered in the answer to that POST (no grant is kept: opening again asks again)."""
    archive = get_archive_for(request.user, pk)
    form = OpenForm(request.POST or None)
    context = {"archive": archive, "form": form, "opened": False, "can_keep": can_keep(request.user)}
    if request.method == "POST" and form.is_valid():
        try:
            services.archive_open(
                actor=request.user,
                archive=archive,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            context.update(_opened(request.user, archive, form.cleaned_data["reason"]))
    return render(request, "archives/archive_detail.html", context)


def _opened(user, archive, reason: str) -> dict:
    return {"reason": reason, **selectors.opened_archive(user, archive)}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_follows_merge
def archive_edit(request, pk):
    _require_keeper(request.user)
    archive = get_archive_for(request.user, pk)
    form = ArchiveForm(
        request.POST or None, user=request.user, archive=archive, unit_q=request.GET.get("unit_q")
    )
    if request.method == "GET":
        services.archive_open(
            actor=request.user, archive=archive, reason=EDIT_REASON, ip_address=client_ip(request)
        )
    elif form.is_valid():
        fields = form.service_fields()
        try:
            archive = services.archive_update(
                actor=request.user, archive=archive, version=form.cleaned_data["version"], **fields
            )
        except ValidationError as error:  # ConcurrentEditError included: nothing was changed
            form.add_error(None, error.messages)
        else:
            return _saved(request, archive, gettext("已保存 %(name)s 的廉情档案") % {"name": archive.name})
    return render(
        request,
        "archives/archive_form.html",
        {"form": form, "archive": archive, "unit_q": form.fields["org_unit"].searched},
    )


# --- sections, merge, print ----------------------------------------------------------------------
SECTION_REASON = "录入档案内容"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_follows_merge
def section_add(request, pk, section):
    """Add an entry to one section (keepers). The form shows nothing of the archive's content; the
    answer to a successful POST is the opened archive (an audited opening, reason 录入档案内容)."""
    _require_keeper(request.user)
    archive = get_archive_for(request.user, pk)
    if section not in SECTION_FORMS:
        raise Http404
    form_class, title = SECTION_FORMS[section]
    # …/add/<section>/?corrects=<id>: the correction of a withdrawn entry (the service checks it).
    form = form_class(request.POST or None, initial={"corrects": request.GET.get("corrects")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if section == "family":
                services.family_add(actor=request.user, archive=archive, **data)
            elif section == "matters":
                services.matters_add(actor=request.user, archive=archive, **data)
            elif section == "sanction":
                services.sanction_add(actor=request.user, archive=archive, **data)
            else:
                services.record_add(actor=request.user, archive=archive, **data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            services.archive_open(
                actor=request.user, archive=archive, reason=SECTION_REASON, ip_address=client_ip(request)
            )
            archive.refresh_from_db()
            messages.success(request, gettext("已录入%(title)s") % {"title": title})
            context = {"archive": archive, "form": OpenForm(), "can_keep": True}
            context.update(_opened(request.user, archive, SECTION_REASON))
            return render(request, "archives/archive_detail.html", context)
    return render(request, "archives/section_form.html", {"archive": archive, "form": form, "title": title})


WITHDRAW_REASON = "撤销档案内容"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_follows_merge
def entry_withdraw(request, pk, section, entry):
    """Withdraw (撤销) an entry entered in error (keepers, in jurisdiction, not recused; anyone else
    404). GET shows the entry — an audited opening, reason 撤销档案内容 — and asks for the reason; a
    refused POST (no reason, the entry withdrawn or changed meanwhile) is shown again as typed, 400,
    nothing changed; done, the answer is the opened archive, the entry marked 已撤销."""
    _require_keeper(request.user)
    archive = get_archive_for(request.user, pk)
    item = get_section_entry_for(archive, section, entry)
    form = WithdrawForm(request.POST or None, initial={"version": item.version})
    if request.method == "GET":
        services.archive_open(
            actor=request.user, archive=archive, reason=WITHDRAW_REASON, ip_address=client_ip(request)
        )
    elif form.is_valid():
        try:
            services.section_entry_withdraw(
                actor=request.user,
                entry=item,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:  # ConcurrentEditError included: nothing was changed
            form.add_error(None, error.messages)
            item = get_section_entry_for(archive, section, entry)  # as it now stands
        else:
            services.archive_open(
                actor=request.user, archive=archive, reason=WITHDRAW_REASON, ip_address=client_ip(request)
            )
            archive.refresh_from_db()
            what = {"what": services.entry_label(item), "source": item.source}
            if getattr(item, "source_ref", ""):  # entered by a clue's conclusion: it does not enter again
                done = (
                    gettext(
                        "已撤销%(what)s；%(source)s不会再将其记入本档案，如需更正，请点击该条目旁的“录入更正”"
                    )
                    % what
                )
            else:
                done = gettext("已撤销%(what)s；如需更正，请点击该条目旁的“录入更正”") % what
            messages.success(request, done)
            context = {"archive": archive, "form": OpenForm(), "can_keep": True}
            context.update(_opened(request.user, archive, WITHDRAW_REASON))
            return render(request, "archives/archive_detail.html", context)
    context = {
        "archive": archive,
        "item": item,
        "section": section,
        "label": services.entry_label(item),
        "form": form,
    }
    return render(
        request, "archives/entry_withdraw.html", context, status=400 if request.method == "POST" else 200
    )


def _merge_candidates(user, archive):
    from .access import archives_visible_to

    return (
        archives_visible_to(user).filter(name_index=archive.name_index).exclude(pk=archive.pk).order_by("pk")
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_follows_merge
def archive_merge(request, pk):
    """Merge a duplicate archive of the same name into this one (keepers; audited with its reason)."""
    _require_keeper(request.user)
    archive = get_archive_for(request.user, pk)
    form = MergeForm(request.POST or None, candidates=_merge_candidates(request.user, archive))
    if request.method == "POST" and form.is_valid():
        try:
            services.archive_merge(
                actor=request.user,
                keep=archive,
                drop=form.cleaned_data["duplicate"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, gettext("已将重复档案并入 %(name)s 的廉情档案") % {"name": archive.name}
            )
            return redirect("archives:detail", archive.pk)
    return render(request, "archives/archive_merge.html", {"archive": archive, "form": form})


@never_cache
@login_required
@require_http_methods(["POST"])
@_follows_merge
def archive_print(request, pk):
    """The archive as a PDF (print or keep), watermarked with the viewer and the time: an opening
    like any other, with its reason."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.utils import timezone
    from weasyprint import HTML

    archive = get_archive_for(request.user, pk)
    form = OpenForm(request.POST)
    if not form.is_valid():
        context = {"archive": archive, "form": form, "opened": False, "can_keep": can_keep(request.user)}
        return render(request, "archives/archive_detail.html", context, status=400)
    reason = form.cleaned_data["reason"]
    services.archive_open(
        actor=request.user, archive=archive, reason=reason, ip_address=client_ip(request), printed=True
    )
    context = {"archive": archive, **_opened(request.user, archive, reason)}
    context["watermark"] = (
        f"{request.user.full_name or request.user.username} {timezone.localtime():%Y-%m-%d %H:%M}"
    )
    jpeg = services.archive_photo_jpeg(archive)
    if jpeg is not None:
        import base64

        context["photo_uri"] = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
    pdf = HTML(string=render_to_string("archives/archive_print.html", context)).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="archive-{archive.pk}.pdf"'
    return response


@never_cache
@login_required
@require_GET
def archive_photo(request, pk):
    """The person's photo (a small JPEG), for who may open the archive (scope and recusal); 404 when
    there is none. Shown on the opened archive; not an opening by itself (a face, no content)."""
    from django.http import HttpResponse

    archive = get_archive_for(request.user, pk)
    jpeg = services.archive_photo_jpeg(archive)
    if jpeg is None:
        raise Http404
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_POST
@_follows_merge
def archive_photo_upload(request, pk):
    """Upload or replace the photo (keepers, in jurisdiction, not recused). The answer is the archive's
    GET page (opening it again asks for a reason), with a message."""
    _require_keeper(request.user)
    archive = get_archive_for(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("archives:detail", archive.pk)
    try:
        services.archive_photo_set(
            actor=request.user,
            archive=archive,
            file=form.cleaned_data["photo"],
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, gettext("已保存 %(name)s 的照片") % {"name": archive.name})
    return redirect("archives:detail", archive.pk)


@login_required
@require_http_methods(["GET", "POST"])
def archive_import(request):
    """Create archives, or add entries of one section to the archives each row names, from an Excel
    file (keepers): all or nothing, every bad row named (imports.py: one reader, one path)."""
    from .imports import COLUMNS, REQUIRED, SECTIONS, import_archives, import_section, section_columns

    _require_keeper(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, initial={"what": request.GET.get("what")})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        what = form.cleaned_data["what"]
        try:
            if what == "persons":
                made = import_archives(form.cleaned_data["file"], actor=request.user)
            else:
                made = import_section(form.cleaned_data["file"], section=what, actor=request.user)
        except ValidationError as error:
            problems = error.messages
            form.add_error(
                None,
                gettext("未导入：发现%(count)s处问题，请改正后重新导入（文件中的数据均未导入）")
                % {"count": len(problems)},
            )
        else:
            if what == "persons":
                messages.success(request, gettext("已导入 %(made)s 份廉情档案") % {"made": made})
            else:
                messages.success(
                    request,
                    gettext("已导入%(label)s %(made)s 条") % {"label": SECTIONS[what].label, "made": made},
                )
            return redirect("archives:list")
    sections = [
        {"key": s.key, "label": s.label, "columns": section_columns(s.key), "required": s.required}
        for s in SECTIONS.values()
    ]
    return render(
        request,
        "archives/archive_import.html",
        {
            "form": form,
            "problems": problems,
            "columns": list(COLUMNS),
            "required": REQUIRED,
            "sections": sections,
        },
    )


EXPORT_MAX = 20000


@login_required
@require_GET
def archive_export(request):
    """The list as Excel, with the list's filters and scope: who is on file (name, unit, post, level,
    category, 政治面貌, masked ID number), never the content. A header row names who exported it and
    when (the watermark); the export is audited."""
    from django.http import HttpResponse

    from .exports import archive_list_xlsx

    require_module(request.user, Module.ARCHIVES)
    form = ArchiveFilterForm(request.GET or None, user=request.user)
    rows = selectors.archive_list(request.user, **form.values(), with_id_number=True)[: EXPORT_MAX + 1]
    data = archive_list_xlsx(list(rows), viewer=request.user)
    services.archive_list_exported(
        actor=request.user, count=min(len(rows), EXPORT_MAX), filters=form.values()
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="archives.xlsx"'
    return response
