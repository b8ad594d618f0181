from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jijian.core.roles import Module

from .access import events_visible_to, get_event_for


@login_required
@require_GET
def event_list(request):
    if not request.user.has_module(Module.AUDIT):
        raise Http404
    events = events_visible_to(request.user).order_by("-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page})


@login_required
@require_GET
def event_detail(request, pk):
    return render(request, "audit/event_detail.html", {"event": get_event_for(request.user, pk)})
