"""Who sees what of the village discipline members' posts and guidance (module CADRES).

- Guidance tasks: the village member sees the tasks issued to them; township committees and the
  county's party conduct office see the tasks of the villages in their jurisdiction. Only a township
  committee issues, to a member of a village of its own township who is in post (in_post_q); only
  the member answers.
- Nominations and post holdings: township committees and the county office see those of villages in
  their jurisdiction (village members see none). The township nominates; the county office decides,
  ends a holding (dismissal, resignation).
- 跟案学习: the county office sees the placements it made (and those of units below it); a township
  committee sees the placements of cadres of its township; a cadre sees their own. The county places
  and records; the placed cadre writes the report.
Outside all of that the answer is the same 404 as for a missing record."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from jijian.core.access import get_or_404, scope, unit_scope_q
from jijian.core.models import User
from jijian.core.roles import Module, Role

from .models import CasePlacement, GuidanceTask, Nomination, PostHolding

OFFICER_ROLES = frozenset({Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION})


def _has(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_module(Module.CADRES)


def is_officer(user) -> bool:
    return _has(user) and bool(user.role_set & OFFICER_ROLES)


def is_township(user) -> bool:
    """Issues tasks and nominates (乡镇纪委, at a township unit)."""
    return _has(user) and user.has_role(Role.TOWNSHIP_COMMITTEE) and user.org_unit.is_township


def is_county(user) -> bool:
    """Decides nominations, ends holdings, places cadres on cases (党风政风监督室 above the townships)."""
    return (
        _has(user)
        and user.has_role(Role.CONDUCT_SUPERVISION)
        and not user.org_unit.is_township
        and not user.org_unit.is_village
    )


def is_member(user) -> bool:
    return _has(user) and user.has_role(Role.VILLAGE_MEMBER) and user.org_unit.is_village


# --- guidance tasks ------------------------------------------------------------------------------
def tasks_visible_to(user) -> QuerySet[GuidanceTask]:
    if not _has(user):
        return GuidanceTask.objects.none()
    qs = GuidanceTask.objects.select_related("member", "village", "org_unit")
    if is_officer(user):
        return scope(qs, user, module=Module.CADRES, unit_field="village")
    if is_member(user):
        return qs.filter(member=user)
    return qs.none()


def get_task_for(user, pk) -> GuidanceTask:
    return get_or_404(tasks_visible_to(user), pk)


def in_post_q() -> Q:
    """Q over users: in post as a village's discipline member — holding a post now (an open
    holding), or with no holding on record at all in a village whose post has none on record either
    (appointed before the platform kept the posts' history: taken to hold their village's post, as
    the monthly reports take the village's member). Once a village's post has a holding on record the
    holdings alone say who holds it (core.links.post_holders_on): an account of the village never
    recorded is not in post then, nor is someone whose holdings have all ended."""
    holdings = PostHolding.objects.filter(holder=OuterRef("pk"))
    village_holdings = PostHolding.objects.filter(village=OuterRef("org_unit"))
    return Q(Exists(holdings.filter(ended_on__isnull=True))) | (
        ~Q(Exists(holdings)) & ~Q(Exists(village_holdings))
    )


def village_members_of(user) -> QuerySet[User]:
    """The active village members of a township committee's villages, in post or not."""
    if not is_township(user):
        return User.objects.none()
    return (
        scope(User.objects.select_related("org_unit"), user, module=Module.CADRES)
        .filter(is_active=True, roles__role=Role.VILLAGE_MEMBER)
        .order_by("org_unit__name", "full_name")
    )


def village_accounts_of(user) -> QuerySet[User]:
    """The accounts of a township committee's villages, whatever their role (one whose role ended
    with the post is refused a task by the service, which says why)."""
    from jijian.core.models import VILLAGE_KINDS

    if not is_township(user):
        return User.objects.none()
    return scope(User.objects.select_related("org_unit"), user, module=Module.CADRES).filter(
        org_unit__kind__in=VILLAGE_KINDS
    )


def members_to_task(user) -> QuerySet[User]:
    """The village members a township committee may issue a task to: active, in its villages, in
    post (in_post_q: a member whose holding ended is no longer tasked)."""
    return village_members_of(user).filter(in_post_q())


# --- nominations and posts -----------------------------------------------------------------------
def nominations_visible_to(user) -> QuerySet[Nomination]:
    if not is_officer(user):
        return Nomination.objects.none()
    return scope(
        Nomination.objects.select_related("village", "candidate", "candidate__org_unit"),
        user,
        module=Module.CADRES,
        unit_field="village",
    )


def get_nomination_for(user, pk) -> Nomination:
    return get_or_404(nominations_visible_to(user), pk)


def holdings_visible_to(user) -> QuerySet[PostHolding]:
    if not is_officer(user):
        return PostHolding.objects.none()
    return scope(
        PostHolding.objects.select_related("village", "holder"),
        user,
        module=Module.CADRES,
        unit_field="village",
    )


def get_holding_for(user, pk) -> PostHolding:
    return get_or_404(holdings_visible_to(user), pk)


def villages_of(user):
    """The villages and communities of an officer's jurisdiction."""
    from jijian.core.models import VILLAGE_KINDS, OrgUnit

    if not is_officer(user):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(unit_scope_q(user), kind__in=VILLAGE_KINDS, is_active=True).order_by("path")


def get_village_for(user, pk):
    return get_or_404(villages_of(user), pk)


def candidates_for(user) -> QuerySet[User]:
    """Whom a township committee may nominate: active accounts of the villages of its township."""
    from jijian.core.models import VILLAGE_KINDS

    if not is_township(user):
        return User.objects.none()
    return (
        scope(User.objects.select_related("org_unit"), user, module=Module.CADRES)
        .filter(is_active=True, org_unit__kind__in=VILLAGE_KINDS)
        .order_by("org_unit__name", "full_name")
    )


def holders_to_register(user) -> QuerySet[User]:
    """Whom a county office may register as a holder: accounts of the villages of its jurisdiction."""
    from jijian.core.models import VILLAGE_KINDS

    if not is_county(user):
        return User.objects.none()
    return (
        scope(User.objects.select_related("org_unit"), user, module=Module.CADRES)
        .filter(org_unit__kind__in=VILLAGE_KINDS)
        .order_by("org_unit__name", "full_name")
    )


# --- 跟案学习 ------------------------------------------------------------------------------------
def placements_visible_to(user) -> QuerySet[CasePlacement]:
    if not _has(user):
        return CasePlacement.objects.none()
    q = Q(cadre=user)
    if is_officer(user):
        q |= unit_scope_q(user, prefix="cadre__org_unit__")
    if is_county(user):
        q |= unit_scope_q(user, prefix="org_unit__")
    return CasePlacement.objects.filter(q).select_related("cadre", "cadre__org_unit", "mentor", "org_unit")


def get_placement_for(user, pk) -> CasePlacement:
    return get_or_404(placements_visible_to(user), pk)


def placements_managed_by(user) -> QuerySet[CasePlacement]:
    """The placements a county office records (those its jurisdiction made)."""
    if not is_county(user):
        return CasePlacement.objects.none()
    return scope(CasePlacement.objects.select_related("cadre", "mentor"), user, module=Module.CADRES)


def township_cadres_for(user) -> QuerySet[User]:
    """Whom a county office may place: active accounts of the townships of its jurisdiction."""
    from jijian.core.models import TOWNSHIP_KINDS

    if not is_county(user):
        return User.objects.none()
    return (
        scope(User.objects.select_related("org_unit"), user, module=Module.CADRES)
        .filter(is_active=True, org_unit__kind__in=TOWNSHIP_KINDS)
        .order_by("org_unit__name", "full_name")
    )


def mentors_for(user) -> QuerySet[User]:
    """Mentors: active accounts of the county office's own unit."""
    if not is_county(user):
        return User.objects.none()
    return User.objects.filter(org_unit=user.org_unit, is_active=True).order_by("full_name")


def get_managed_placement_for(user, pk) -> CasePlacement:
    return get_or_404(placements_managed_by(user), pk)
