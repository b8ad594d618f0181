"""Jurisdiction: the one rule that scopes every read.

A user sees the subtree of the org unit they belong to, for the modules their roles grant. A
management zone also sees the townships it manages (and their villages). Anything else is answered
with the same 404 as a missing record, in pages, API, exports and downloads alike.

Every other app scopes its querysets with `scope()` (or `unit_scope_q()` for a custom join); views
never call Model.objects directly (tests/test_conventions.py enforces it).
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .models import Notification, OrgKind, OrgUnit, User
from .roles import Module

M = TypeVar("M", bound=Model)


def unit_scope_q(user: User, *, prefix: str = "") -> Q:
    """Q over org units (or over rows whose org unit is reached by `prefix`, e.g. "org_unit__") that
    lie in the user's jurisdiction. Uses the denormalised ancestor ids where the user's unit is a
    city, county or township, so the filter is one indexed equality; path prefix otherwise."""
    unit = user.org_unit
    p = prefix
    if unit.kind == OrgKind.CITY:
        q = Q(**{f"{p}city_id": unit.pk}) | Q(**{f"{p}pk": unit.pk})
    elif unit.is_county:
        q = Q(**{f"{p}county_id": unit.pk})
    elif unit.is_township:
        q = Q(**{f"{p}township_id": unit.pk})
    elif unit.is_village:
        q = Q(**{f"{p}pk": unit.pk})
    else:
        q = Q(**{f"{p}path__startswith": unit.path})
    if unit.kind == OrgKind.MANAGEMENT_ZONE:
        q |= Q(**{f"{p}zone_id": unit.pk})
    # A resident group (派驻纪检监察组) also sees the departments it oversees, with their party orgs.
    for path in unit.overseen_paths:
        q |= Q(**{f"{p}path__startswith": path})
    return q


def unit_in_scope(user: User, unit: OrgUnit) -> bool:
    """The rule of unit_scope_q evaluated in Python on a loaded unit (no query but a resident group's
    overseen departments, read once): for deciding, row by
    row, whether a link may be shown. Keep the two in step (tests/core/test_jurisdiction.py checks it)."""
    own = user.org_unit
    if unit.pk == own.pk:
        return True
    if own.kind == OrgKind.CITY:
        ok = unit.city_id == own.pk
    elif own.is_county:
        ok = unit.county_id == own.pk
    elif own.is_township:
        ok = unit.township_id == own.pk
    elif own.is_village:
        ok = False
    else:
        ok = unit.path.startswith(own.path)
    if own.kind == OrgKind.MANAGEMENT_ZONE:
        ok = ok or unit.zone_id == own.pk
    return ok or any(unit.path.startswith(path) for path in own.overseen_paths)


def scope(qs: QuerySet[M], user: User, *, module: str, unit_field: str | None = "org_unit") -> QuerySet[M]:
    """Restrict `qs` to the user's jurisdiction for `module`. `unit_field` is the path from the model to
    its OrgUnit (None when the model is OrgUnit). No module, no rows."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.has_module(module):
        return qs.none()
    prefix = "" if unit_field is None else f"{unit_field}__"
    return qs.filter(unit_scope_q(user, prefix=prefix))


def require_module(user: User, module: str) -> None:
    """The one module guard of pages and API: a user without `module` gets the same 404 as for a
    missing record, so a page or endpoint does not tell that the module exists."""
    if not user.has_module(module):
        raise Http404


def get_or_404(qs: QuerySet[M], pk: object) -> M:
    """The same 404 for "missing" and "not yours"."""
    try:
        return qs.get(pk=pk)
    # OverflowError: an id beyond what the database's integers hold (SQLite) is as missing as any.
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def user_in_jurisdiction(user: User, unit: OrgUnit) -> bool:
    return OrgUnit.objects.filter(unit_scope_q(user), pk=unit.pk).exists()


# --- org units -----------------------------------------------------------------------------------
def org_units_visible_to(user: User) -> QuerySet[OrgUnit]:
    """Org units in the user's subtree (module ORGS)."""
    return scope(OrgUnit.objects.all(), user, module=Module.ORGS, unit_field=None)


def get_org_unit_for(user: User, pk: object) -> OrgUnit:
    return get_or_404(org_units_visible_to(user), pk)


def org_units_managed_by(user: User) -> QuerySet[OrgUnit]:
    """Org units a system administrator may create under, rename, move or close: their own subtree
    (module ACCOUNTS), so an administrator of a county acts within that county only."""
    return scope(OrgUnit.objects.all(), user, module=Module.ACCOUNTS, unit_field=None)


def get_managed_org_unit_for(user: User, pk: object) -> OrgUnit:
    return get_or_404(org_units_managed_by(user), pk)


# --- people --------------------------------------------------------------------------------------
def users_visible_to(user: User) -> QuerySet[User]:
    """Accounts bound to a unit in the user's subtree (module ORGS)."""
    return scope(User.objects.select_related("org_unit"), user, module=Module.ORGS)


def get_user_for(user: User, pk: object) -> User:
    return get_or_404(users_visible_to(user), pk)


def accounts_managed_by(user: User, *, module: str) -> QuerySet[User]:
    """Accounts an administrator may act on: system admin (ACCOUNTS) or security admin (SECURITY),
    within their subtree; never their own account."""
    return scope(User.objects.select_related("org_unit"), user, module=module).exclude(pk=user.pk)


def get_managed_account_for(user: User, pk: object, *, module: str) -> User:
    return get_or_404(accounts_managed_by(user, module=module), pk)


# --- notifications -------------------------------------------------------------------------------
def notifications_visible_to(user: User) -> QuerySet[Notification]:
    """A user's own inbox and nothing else."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def get_notification_for(user: User, pk: object) -> Notification:
    return get_or_404(notifications_visible_to(user), pk)
