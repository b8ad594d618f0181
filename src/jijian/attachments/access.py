"""Who may see an attachment: the one jurisdiction rule (jijian.core.access), applied per row with the
module the attachment was stored under. A user sees an attachment when it belongs to a unit in their
subtree and their roles grant its module; anything else is the same 404 as a missing file."""

from __future__ import annotations

from django.db.models import QuerySet

from jijian.core.access import get_or_404, unit_scope_q

from .models import Attachment


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """Attachments of the user's subtree, for the modules their roles grant (the module varies per
    row, so this is scope() with `module__in` instead of one module)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Attachment.objects.none()
    modules = user.modules
    if not modules:
        return Attachment.objects.none()
    return Attachment.objects.filter(module__in=sorted(modules)).filter(
        unit_scope_q(user, prefix="org_unit__")
    )


def get_attachment_for(user, pk: object) -> Attachment:
    return get_or_404(attachments_visible_to(user), pk)
