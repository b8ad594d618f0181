"""Who sees what in the duty manual.

- Everyone signed in reads the published manual of their own city (village members, township
  committees, the commission's offices alike): pages, old versions and published cases.
- The city's 党风政风监督室 (role CONDUCT_SUPERVISION with module MANUAL, at the city itself) edits
  it: writes pages (each save a new version with a change note), and writes and publishes cases,
  including the drafts proposed from other platforms.
Outside that, the answer is the same 404 as for a missing record (an editor's page for a reader, a
draft case for anyone but the editor)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from jijian.core.access import get_or_404
from jijian.core.models import OrgKind
from jijian.core.roles import Module, Role

from .models import CaseStatus, ManualPage, PageVersion, TypicalCase


def city_id_of(user) -> int | None:
    unit = getattr(user, "org_unit", None)
    return unit.city_id if unit is not None else None


def can_edit(user) -> bool:
    unit = getattr(user, "org_unit", None)
    return (
        unit is not None
        and unit.kind == OrgKind.CITY
        and user.has_role(Role.CONDUCT_SUPERVISION)
        and user.has_module(Module.MANUAL)
    )


def require_editor(user) -> None:
    if not can_edit(user):
        raise Http404


def pages_for(user) -> QuerySet[ManualPage]:
    city = city_id_of(user)
    if city is None:
        return ManualPage.objects.none()
    return ManualPage.objects.filter(city_id=city)


def page_by_code(user, code: str) -> ManualPage | None:
    """The page of this topic in the user's city, or None (an unknown code is not an error)."""
    return pages_for(user).filter(code=code).first()


def get_page_for(user, code: str) -> ManualPage:
    page = page_by_code(user, code)
    if page is None:
        raise Http404
    return page


def get_version_for(user, page: ManualPage, number: int) -> PageVersion:
    try:
        return PageVersion.objects.get(page=page, number=number)
    except PageVersion.DoesNotExist:
        raise Http404 from None


def cases_for(user) -> QuerySet[TypicalCase]:
    """Published cases of the user's city."""
    city = city_id_of(user)
    if city is None:
        return TypicalCase.objects.none()
    return TypicalCase.objects.filter(city_id=city, status=CaseStatus.PUBLISHED)


def cases_kept_by(user) -> QuerySet[TypicalCase]:
    """Every case of the editor's city, drafts included."""
    if not can_edit(user):
        return TypicalCase.objects.none()
    return TypicalCase.objects.filter(city_id=city_id_of(user))


def get_case_for(user, pk) -> TypicalCase:
    return get_or_404(cases_for(user).select_related("page"), pk)


def get_kept_case_for(user, pk) -> TypicalCase:
    return get_or_404(cases_kept_by(user).select_related("page"), pk)
