"""Home-page to-dos of evaluation and mutual checks (registered with jijian.core.todos from apps.ready),
for the signed-in user's own unit: the checks it has to score in open rounds, the rectifications it has
to make (and those past their deadline), the rectification reports it has to close as checker, and for
a township committee its annual evaluations not yet confirmed. One COUNT each."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jijian.core.todos import register

from . import access
from .models import CheckRound, Evaluation, Rectification


@register
def evaluation_to_do(user) -> list[dict]:
    if not access.has_module(user):
        return []
    home = reverse("evaluation:home")
    pairs = access.pairs_visible_to(user)
    checking = pairs.filter(checker_id=user.org_unit_id)
    checked = pairs.filter(checked_id=user.org_unit_id)
    to_make = Rectification.objects.filter(
        finding__pair__in=checked.values("pk"), state=Rectification.State.OPEN
    )
    items = [
        {
            "title": gettext("待完成评分的互查"),
            "url": home,
            "count": checking.filter(submitted_at__isnull=True, round__state=CheckRound.State.OPEN).count(),
        },
        {"title": gettext("待整改的互查问题"), "url": home, "count": to_make.count()},
        {
            "title": gettext("已超过整改期限的互查问题"),
            "url": home,
            "count": to_make.filter(deadline__lt=timezone.localdate()).count(),
        },
        {
            "title": gettext("待销号审核的整改报告"),
            "url": home,
            "count": Rectification.objects.filter(
                finding__pair__in=checking.values("pk"), state=Rectification.State.REPORTED
            ).count(),
        },
    ]
    if access.can_evaluate(user):
        items.append(
            {
                "title": gettext("未确定的年度考评"),
                "url": reverse("evaluation:evaluation_list"),
                "count": access.evaluations_visible_to(user).filter(state=Evaluation.State.DRAFT).count(),
            }
        )
    return items
