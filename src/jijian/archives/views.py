"""Pages of the integrity archives (廉情档案): the list, create, open with a reason, edit.

Every archive is resolved through access.get_archive_for: outside the user's jurisdiction, the
user's own archive, or that of a person they declared a relation to, the answer is the same 404 as
for a missing archive. Creating and editing are for the keepers (access.can_keep: 干部监督室); the
others with the module (审理室, 组织部) read. The list shows who is on file (name, unit, post, level);
the content — ID number, notes, linked reports — is shown only after a reason is given, and every
opening is an audit event (services.archive_open). Pages behind sign-in are never cached
(core.middleware); the opened page says so itself as well."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from jijian.core.crypto import mask_id_number
from jijian.core.ratelimit import client_ip
from jijian.core.roles import Module

from . import selectors, services
from .access import can_keep, get_archive_for, linked_reports_for
from .forms import ArchiveFilterForm, ArchiveForm, OpenForm

PAGE = 50
# The edit page shows the archive's notes: reading them there is an opening too, with this reason.
EDIT_REASON = "修改档案"


def _require_module(user) -> None:
    if not user.has_module(Module.ARCHIVES):
        raise Http404


def _require_keeper(user) -> None:
    if not can_keep(user):
        raise Http404


@login_required
@require_GET
def archive_list(request):
    _require_module(request.user)
    form = ArchiveFilterForm(request.GET or None, user=request.user)
    page = Paginator(selectors.archive_list(request.user, **form.values()), PAGE).get_page(
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
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _saved(request, archive, f"已建立 {archive.name} 的廉情档案")
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
    messages.info(request, "按回避规定，您不能查阅该档案")
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
            context.update(
                opened=True,
                reason=form.cleaned_data["reason"],
                masked_id_number=mask_id_number(archive.id_number),
                reports=list(linked_reports_for(request.user, archive)),
            )
    return render(request, "archives/archive_detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
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
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:  # ConcurrentEditError included: nothing was changed
            form.add_error(None, error.messages)
        else:
            return _saved(request, archive, f"已保存 {archive.name} 的廉情档案")
    return render(
        request,
        "archives/archive_form.html",
        {"form": form, "archive": archive, "unit_q": form.fields["org_unit"].searched},
    )
