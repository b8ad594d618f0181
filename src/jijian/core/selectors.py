"""Reads for the core pages: search and listings over already-scoped querysets."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import CalendarDay, OrgUnit, User


def org_unit_search(qs: QuerySet[OrgUnit], *, q: str = "", kind: str = "") -> QuerySet[OrgUnit]:
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(pinyin_initials__startswith=q.lower()) | Q(code__startswith=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def user_search(qs: QuerySet[User], *, q: str = "", role: str = "") -> QuerySet[User]:
    if q:
        qs = qs.filter(
            Q(full_name__contains=q) | Q(name_initials__startswith=q.lower()) | Q(username__startswith=q)
        )
    if role:
        qs = qs.filter(roles__role=role)
    return qs.prefetch_related("roles").order_by("org_unit__path", "username")


def children_with_counts(qs: QuerySet[OrgUnit], parent: OrgUnit) -> QuerySet[OrgUnit]:
    return (
        qs.filter(parent=parent).annotate(n_children=Count("children")).order_by("sort_order", "code", "name")
    )


def calendar_days(*, year: int) -> QuerySet[CalendarDay]:
    """The calendar is not jurisdictional: every system administrator edits the one national calendar."""
    return CalendarDay.objects.filter(date__year=year).order_by("date")
