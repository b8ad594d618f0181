"""Home-page to-dos of the petitions module (registered with jijian.core.todos from apps.ready): what
waits on the signed-in officer's bodies — reports to route, forwards to answer, time limits passed,
clue dispositions, extensions, 办结 reports and objection answers to approve. One COUNT each, through the module's access functions."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jijian.core.roles import Module, Role
from jijian.core.todos import register

from .access import (
    approvals_pending_for,
    clues_visible_to,
    deadlines_visible_to,
    forwards_received_by,
    petitions_visible_to,
)
from .models import (
    ClueState,
    DeadlineKind,
    ForwardAnswer,
    PetitionState,
)
from .services import can_handle


@register
def petitions_to_handle(user) -> list[dict]:
    if not user.has_module(Module.PETITIONS):
        return []
    items = [
        {
            "title": gettext("已逾期的办理时限"),
            "url": reverse("petitions_board:board") + "?colour=red",
            "count": deadlines_visible_to(user).filter(due_date__lt=timezone.localdate()).count(),
        }
    ]
    if can_handle(user):
        items += [
            {
                "title": gettext("待分流的信访举报件"),
                "url": reverse("petitions_staff:list") + f"?state={PetitionState.RECEIVED}",
                "count": petitions_visible_to(user).filter(state=PetitionState.RECEIVED).count(),
            },
            {
                "title": gettext("待接收或转送的转办件"),
                "url": reverse("petitions_work:inbox"),
                "count": forwards_received_by(user).filter(answer=ForwardAnswer.PENDING).count(),
            },
            {
                "title": gettext("待答复的举报人异议"),
                "url": reverse("petitions_board:board") + f"?kind={DeadlineKind.OBJECTION_ANSWER}",
                # Not those whose answer waits on a leader (counted among the leader's approvals).
                "count": deadlines_visible_to(user)
                .filter(kind=DeadlineKind.OBJECTION_ANSWER, awaiting_leader=False)
                .count(),
            },
        ]
    if user.has_role(Role.COMMISSION_LEADER):
        items.append(
            {
                "title": gettext("待审批的线索处置意见"),
                "url": reverse("petitions_clues:list") + f"?state={ClueState.PENDING_APPROVAL}",
                "count": clues_visible_to(user).filter(state=ClueState.PENDING_APPROVAL).count(),
            }
        )
        items.append(
            {
                "title": gettext("待审批的办理事项"),
                "url": reverse("petitions_staff:approvals"),
                "count": approvals_pending_for(user).count(),
            }
        )
    return items
