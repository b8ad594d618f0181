"""Staff pages of the first slice: the list of reports from the public in one's jurisdiction, with
the reporter's identity masked (revealing it is a later, audited step)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jijian.core.roles import Module

from .access import petitions_visible_to

PAGE = 50


@login_required
@require_GET
def petition_list(request):
    if not request.user.has_module(Module.PETITIONS):
        raise Http404
    reports = list(petitions_visible_to(request.user)[:PAGE])
    return render(request, "petitions/staff_list.html", {"reports": reports, "page_size": PAGE})
