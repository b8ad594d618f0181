"""Home-page to-dos of the integrity archives (registered with jijian.core.todos from apps.ready): the
integrity opinion replies waiting for the signed-in user's part (to draft, to endorse, to sign), and
those of them past their reply deadline. One COUNT each, through opinions.opinions_waiting_on."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jijian.core.todos import register

from .access import is_commission
from .opinions import opinions_waiting_on


@register
def opinions_to_do(user) -> list[dict]:
    if not is_commission(user):
        return []
    waiting = opinions_waiting_on(user)
    url = reverse("archives:opinions") + "?mine=1"
    return [
        {"title": gettext("待我办理的党风廉政意见回复"), "url": url, "count": waiting.count()},
        {
            "title": gettext("已超过答复期限的党风廉政意见回复"),
            "url": url,
            "count": waiting.filter(due_on__lt=timezone.localdate()).count(),
        },
    ]
