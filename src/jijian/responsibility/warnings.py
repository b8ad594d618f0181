"""Warnings (预警): when an item's period turns yellow (three working days or fewer left) its
organisation's liaisons are told; when it turns red (past its deadline without a record) the liaisons
and the supervising office are told — the 党风政风监督室 of the organisation's city and, for a county's
department, of its county. Each warning goes once per item, period and colour (dedup keys), so the
daily run is safe to repeat and catches up after a missed day."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.urls import reverse

from jijian.core.language import platform_language
from jijian.core.models import User
from jijian.core.notify import notify
from jijian.core.orgs.workdays import provisional_mark
from jijian.core.roles import Role

from . import monitoring
from .models import FulfilmentRecord, Polarity, ResponsibilityItem
from .selectors import done_by_item


def warnings_send(*, today: date) -> dict[str, int]:
    items = list(
        ResponsibilityItem.objects.filter(
            year=today.year, polarity=Polarity.POSITIVE, org_unit__is_active=True
        )
        .select_related("org_unit", "member")
        .order_by("org_unit_id", "pk")
    )
    done = done_by_item(FulfilmentRecord.objects.filter(item__year=today.year))
    calendar = monitoring.Calendar.for_year(today.year, today)
    org_ids = {i.org_unit_id for i in items}
    liaisons: dict[int, list[User]] = {}
    for user in User.objects.filter(
        org_unit_id__in=org_ids, is_active=True, roles__role=Role.PARTY_ORG_LIAISON
    ):
        liaisons.setdefault(user.org_unit_id, []).append(user)
    unit_ids = {u for i in items for u in (i.org_unit.city_id, i.org_unit.county_id) if u}
    offices: dict[int, list[User]] = {}
    for user in User.objects.filter(
        Q(org_unit_id__in=unit_ids), is_active=True, roles__role=Role.CONDUCT_SUPERVISION
    ).distinct():
        offices.setdefault(user.org_unit_id, []).append(user)
    sent = {"yellow": 0, "red": 0}
    with platform_language():  # a notification is a stored record
        for item in items:
            for p in monitoring.item_statuses(
                item, today=today, calendar=calendar, done=done.get(item.pk, {})
            ):
                if p.status not in (monitoring.YELLOW, monitoring.OVERDUE):
                    continue
                colour = "red" if p.is_red else "yellow"
                org = item.org_unit
                who = f"（{item.member.name}）" if item.member is not None else ""
                if p.is_red:
                    title = f"【已逾期】{org.name}：{item.title}{who}{p.label}未按时纪实"
                else:
                    title = f"【即将逾期】{item.title}{who}{p.label}须于{p.deadline:%Y-%m-%d}{provisional_mark(p.deadline)}前完成并纪实"
                link = reverse("responsibility:org", args=[org.pk]) + f"?year={item.year}#item-{item.pk}"
                recipients = list(liaisons.get(org.pk, []))
                if p.is_red:
                    recipients += offices.get(org.city_id or 0, []) + offices.get(org.county_id or 0, [])
                for user in recipients:
                    if notify(
                        recipient=user,
                        title=title,
                        body=f"完成时限：{p.deadline:%Y-%m-%d}{provisional_mark(p.deadline)}。{item.requirement}",
                        link=link,
                        dedup_key=f"resp:{item.pk}:{p.period}:{colour}",
                    ):
                        sent[colour] += 1
    return sent
