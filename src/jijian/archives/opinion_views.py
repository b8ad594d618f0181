"""Pages of the integrity opinion replies (党风廉政意见回复, opinions.py): the organisation department
asks, the cadre supervision office answers, the leader signs, the signed reply is a PDF.

Every request is resolved through access.get_opinion_for (the roles that take part, within the
jurisdiction of the requesting department's unit): anyone else gets 404, as for a missing request.
Reading a request and downloading its reply are audit events. The organisation department sees the
answer only once signed; the facts behind a verdict are shown to the commission only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.attachments.models import AttachmentKind
from jijian.core.ops.ratelimit import client_ip
from jijian.core.orgs.workdays import provisional_mark
from jijian.core.services import ConcurrentEditError

from . import opinions
from .access import (
    can_answer,
    can_request,
    can_sign,
    endorsing_offices,
    get_opinion_for,
    is_commission,
    opinions_visible_to,
)
from .forms import EndorseForm, OpinionDraftForm, OpinionRequestForm, VersionForm
from .models import OpinionState, OpinionVerdict

PAGE = 50
HELD_OPINION = "archives.opinion_request"  # the form's key for its held Excel list (attachments.held)


@login_required
@require_GET
def opinion_list(request):
    from .access import OPINION_ROLES

    if not request.user.role_set & OPINION_ROLES:
        raise Http404
    mine = request.GET.get("mine") == "1"
    qs = (opinions.opinions_waiting_on if mine else opinions_visible_to)(request.user)
    page = Paginator(qs.prefetch_related("persons"), PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "mine": mine,
        "takes_part": is_commission(request.user),
        "can_request": can_request(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "archives/opinion_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def opinion_create(request):
    if not can_request(request.user):
        raise Http404
    # The Excel list chosen on a post with an error (a missing 来函文号) is held, shown as attached
    # (attachments.held); one list per request (`single`): a new one chosen replaces the one held.
    # Only an Office document is held: anything else is named on the field at once.
    uploads = held.HeldUploads(request, HELD_OPINION, "file", single=True, kinds={AttachmentKind.OFFICE})
    uploads.on_get()
    form = OpinionRequestForm(request.POST or None, request.FILES or None, kept=bool(uploads.keep))
    if request.method == "POST" and form.is_valid():
        with uploads.files([]) as kept:
            upload = form.cleaned_data["file"] or (kept[0] if kept else None)
            try:
                created = opinions.opinion_submit(
                    actor=request.user,
                    ref_no=form.cleaned_data["ref_no"],
                    purpose=form.cleaned_data["purpose"],
                    persons_text=form.cleaned_data["persons"],
                    persons=opinions.persons_from_xlsx(upload) if upload else None,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                if upload:  # what is wrong with an uploaded list is wrong with the file: not kept
                    form.add_error("file", error.messages)
                    uploads.release()
                else:
                    form.add_error("persons" if "行" in " ".join(error.messages) else None, error.messages)
            else:
                uploads.release()
                due = f"{created.due_on:%Y-%m-%d}{provisional_mark(created.due_on)}"
                messages.success(
                    request,
                    gettext("已提交征求意见（%(count)s人），答复期限 %(due)s")
                    % {"count": created.persons.count(), "due": due},
                )
                return redirect("archives:opinion_detail", created.pk)
    uploads.hold_if(form)
    context = {"form": form, "working_days": opinions.working_days(), "held": uploads.shown()}
    return render(request, "archives/opinion_form.html", context)


REDRAFTED = gettext_lazy("答复意见已在您打开页面后重新拟定，本次未会签；上面是现在的意见，请核对后再会签")


def _endorse_form(office: str, data=None, *, version: int | None = None) -> EndorseForm:
    """One office's endorsement form; each office's fields have ids of their own (a person who
    endorses for two offices gets two forms on the page)."""
    initial = {"version": version, "office": office}
    return EndorseForm(data, initial=initial, auto_id=f"endorse-{office}-%s")


def _detail(request, item, *, draft_form=None, endorse_form=None, status=200):
    """The request's page; `endorse_form` is a refused endorsement shown again as typed with its
    errors in its office's form (or, its office no longer offered, as a message)."""
    from jijian.core.roles import Role

    user = request.user
    # The matched archive is shown to the commission (who it is): its name, unit and post, not its ID.
    persons = list(item.persons.select_related("archive__org_unit").defer("archive__id_number"))
    commission = is_commission(user)
    done = {e.office: e for e in item.endorsements.select_related("endorsed_by")}
    drafted = item.state == OpinionState.DRAFTED
    endorsements = [(str(Role(o).label), done.get(o)) for o in opinions.endorsers()]
    mine = (
        [o for o in endorsing_offices(user) if o in opinions.endorsers() and o not in done] if drafted else []
    )
    refused_office = endorse_form.data.get("office") if endorse_form is not None else None
    if endorse_form is not None and refused_office not in mine:
        for errors in endorse_form.errors.values():
            for error in errors:
                messages.error(request, error)
    context = {
        "endorsements": endorsements if item.state != OpinionState.SUBMITTED else [],
        "endorse_forms": [
            (
                str(Role(o).label),
                endorse_form
                if o == refused_office and endorse_form
                else _endorse_form(o, version=item.version),
            )
            for o in mine
        ],
        "missing": drafted and any(e is None for _, e in endorsements),
        "item": item,
        "persons": persons,
        "show_answer": commission or item.state == OpinionState.SIGNED,
        "show_facts": commission,
        "can_draft": can_answer(user) and item.state in (OpinionState.SUBMITTED, OpinionState.DRAFTED),
        "can_sign": can_sign(user) and drafted,
        "draft_form": draft_form or OpinionDraftForm(initial={"version": item.version}, persons=persons),
        "verdict_choices": OpinionVerdict.choices,
        "sign_form": VersionForm(initial={"version": item.version}),
        "overdue": item.state != OpinionState.SIGNED and timezone.localdate() > item.due_on,
    }
    return render(request, "archives/opinion_detail.html", context, status=status)


@never_cache
@login_required
@require_GET
def opinion_detail(request, pk):
    item = get_opinion_for(request.user, pk)
    opinions.opinion_read(actor=request.user, request=item, ip_address=client_ip(request))
    return _detail(request, item)


@never_cache
@login_required
@require_POST
def opinion_draft(request, pk):
    item = get_opinion_for(request.user, pk)
    if not can_answer(request.user):
        raise Http404
    form = OpinionDraftForm(request.POST, persons=list(item.persons.all()))
    if form.is_valid():
        try:
            opinions.opinion_draft(
                actor=request.user, request=item, version=form.cleaned_data["version"], chosen=form.chosen()
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("已拟定答复意见，待领导审签"))
            return redirect("archives:opinion_detail", item.pk)
    return _detail(request, item, draft_form=form, status=400)


@never_cache
@login_required
@require_POST
def opinion_endorse(request, pk):
    """信访室, 案件监督管理室 or 审理室 endorses its part of the drafted reply."""
    item = get_opinion_for(request.user, pk)
    if not endorsing_offices(request.user):
        raise Http404
    office = request.POST.get("office", "")
    form = _endorse_form(office, request.POST)
    if form.is_valid():
        if office not in endorsing_offices(request.user):
            raise Http404
        try:
            opinions.opinion_endorse(
                actor=request.user,
                request=item,
                version=form.cleaned_data["version"],
                office=office,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            stale = isinstance(error, ConcurrentEditError)
            form.add_error(None, [REDRAFTED] if stale else error.messages)
            # Refused (a redraft meanwhile, say): the page shows the request as it now stands, and
            # the form, its note as typed, carries the version shown, to endorse what is now there.
            item = get_opinion_for(request.user, pk)
            data = request.POST.copy()
            data["version"] = str(item.version)
            form.data = data
        else:
            messages.success(request, gettext("已会签"))
            return redirect("archives:opinion_detail", item.pk)
    return _detail(request, item, endorse_form=form, status=400)


@never_cache
@login_required
@require_POST
def opinion_sign(request, pk):
    item = get_opinion_for(request.user, pk)
    if not can_sign(request.user):
        raise Http404
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            opinions.opinion_sign(actor=request.user, request=item, version=form.cleaned_data["version"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, gettext("已审签，答复函可下载"))
    else:
        messages.error(request, gettext("页面已过期，请刷新后重试"))
    return redirect("archives:opinion_detail", item.pk)


@never_cache
@login_required
@require_GET
def opinion_pdf(request, pk):
    item = get_opinion_for(request.user, pk)
    if item.state != OpinionState.SIGNED:
        raise Http404
    opinions.opinion_read(
        actor=request.user, request=item, what="下载答复函：", ip_address=client_ip(request)
    )
    response = HttpResponse(opinions.reply_pdf(item, viewer=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="opinion-reply-{item.pk}.pdf"'
    return response


@never_cache
@login_required
@require_GET
def opinion_docx(request, pk):
    """The signed reply as a Word document in official document layout (letters.py, GB/T 9704)."""
    from .letters import reply_docx

    item = get_opinion_for(request.user, pk)
    if item.state != OpinionState.SIGNED:
        raise Http404
    opinions.opinion_read(
        actor=request.user, request=item, what="下载答复函（Word）：", ip_address=client_ip(request)
    )
    response = HttpResponse(
        reply_docx(item, viewer=request.user),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="opinion-reply-{item.pk}.docx"'
    return response
