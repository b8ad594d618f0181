"""Who may see an attachment: the one jurisdiction rule (jijian.core.access), applied per row with the
module the attachment was stored under. A user sees an attachment when it belongs to a unit in their
subtree and their roles grant its module; anything else is the same 404 as a missing file.

Some files must follow their object rather than a unit: a report's evidence must not be opened by
the body of the accused's township once the report has gone up the restricted path, nor by a recused
officer. An app registers such purposes with `register_object_scope(purpose, visible)`, where
`visible(user)` is the app's own access queryset of the owning objects; attachments of that purpose
are then visible exactly when their object is (and the unit rule is not used for them)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from jijian.core.access import get_or_404, unit_scope_q

from .models import Attachment

_OBJECT_SCOPES: dict[str, Callable[[object], QuerySet]] = {}


def register_object_scope(purpose: str, visible: Callable[[object], QuerySet]) -> None:
    """Attachments stored with `purpose` are visible to a user only when `visible(user)` (a queryset
    of the owning objects, already scoped for that user) contains the object they belong to."""
    _OBJECT_SCOPES[purpose] = visible


def _object_scoped_q(user) -> Q:
    q = Q(pk__in=[])
    for purpose, visible in _OBJECT_SCOPES.items():
        ids = visible(user).annotate(_owner=Cast("pk", output_field=CharField())).values("_owner")
        q |= Q(purpose=purpose, object_id__in=ids)
    return q


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """Attachments of the user's subtree, for the modules their roles grant (the module varies per
    row, so this is scope() with `module__in` instead of one module)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Attachment.objects.none()
    modules = user.modules
    if not modules:
        return Attachment.objects.none()
    by_unit = unit_scope_q(user, prefix="org_unit__")
    if _OBJECT_SCOPES:
        by_unit = (by_unit & ~Q(purpose__in=sorted(_OBJECT_SCOPES))) | _object_scoped_q(user)
    return Attachment.objects.filter(module__in=sorted(modules)).filter(by_unit)


def get_attachment_for(user, pk: object) -> Attachment:
    return get_or_404(attachments_visible_to(user), pk)
