"""Home-page to-dos of village affairs (registered with jijian.core.todos from apps.ready): the vouchers
waiting for the signed-in user's signature (the village member's steps, the township committee's), and
for the township committee the vouchers an objection stopped and the open risk flags of its villages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from jijian.core.roles import Module
from jijian.core.todos import register

from . import reimbursements, selectors
from .access import can_answer, member_village
from .models import VoucherState


@register
def village_affairs_to_do(user) -> list[dict]:
    if not user.has_module(Module.VILLAGE_AFFAIRS):
        return []
    township = reimbursements.is_township_officer(user)
    if member_village(user) is None and not township:
        return []
    vouchers = reverse("villageaffairs:voucher_list")
    items = [
        {
            "title": gettext("待我签字的报账凭证"),
            "url": vouchers + "?show=mine",
            "count": len(reimbursements.vouchers_waiting_on(user)),
        }
    ]
    if township:
        items.append(
            {
                "title": gettext("因异议待乡镇处理的报账凭证"),
                "url": vouchers + "?show=objected",
                "count": reimbursements.vouchers_visible_to(user).filter(state=VoucherState.OBJECTED).count(),
            }
        )
    if township and can_answer(user):
        # The flags are computed, not stored: the board's own reads (its constant number of queries).
        open_flags = len(selectors.risk_board(user)) + len(reimbursements.split_board(user))
        items.append(
            {
                "title": gettext("待处理的村务风险提示"),
                "url": reverse("villageaffairs:flag_board"),
                "count": open_flags,
            }
        )
    return items
