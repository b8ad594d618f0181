"""Home-page to-dos of video reception (registered with jijian.core.todos from apps.ready): for the
receiving office (信访室, a leader) the bookings waiting for its confirmation and today's receptions it
holds; for a township committee today's receptions at its terminal. One COUNT each."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jijian.core.access import unit_scope_q
from jijian.core.roles import Module
from jijian.core.todos import register

from .access import RECEIVER_ROLES, is_township_officer, receptions_visible_to
from .models import ReceptionState


@register
def reception_to_do(user) -> list[dict]:
    if not user.has_module(Module.RECEPTION):
        return []
    listed = reverse("reception:list")
    visible = receptions_visible_to(user)
    today = visible.filter(
        slot__date=timezone.localdate(), state__in=(ReceptionState.CONFIRMED, ReceptionState.IN_SESSION)
    )
    items = []
    if user.role_set & RECEIVER_ROLES:
        held = visible.filter(unit_scope_q(user, prefix="org_unit__"))
        items += [
            {
                "title": gettext("待确认的视频接访预约"),
                "url": listed + f"?state={ReceptionState.REQUESTED}",
                "count": held.filter(state=ReceptionState.REQUESTED).count(),
            },
            {
                "title": gettext("今日的视频接访"),
                "url": listed + "?day=today",
                "count": today.filter(unit_scope_q(user, prefix="org_unit__")).count(),
            },
        ]
    elif is_township_officer(user):
        items.append(
            {
                "title": gettext("今日在本镇接访点的视频接访"),
                "url": listed + "?day=today",
                "count": today.filter(township_id=user.org_unit_id).count(),
            }
        )
    return items
