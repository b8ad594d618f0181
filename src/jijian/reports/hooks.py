"""What the duty log takes from other platforms (core.links.duty_log_record): a thing a discipline
member (a village's, or a city-level department's: the duty types are those of their kind)
did on another platform's screen becomes the matching duty record of its month, through the same
service as a record typed by the member (services.duty_record_create), so every rule of the log holds
— the member's own village, a month still open, the duty type's fields."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from . import selectors, services
from .grades import monthly_report_scores  # noqa: F401 - the port's provider (apps.py)
from .models import MemberKind

# The namespace of the client ids of records that came from another platform.
SOURCE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "jijian:duty-log-source")


def duty_log_record(
    *, actor, duty_type_code: str, occurred_on: date, notes: str = "", data: dict | None = None, source: str
) -> int:
    kind = selectors.member_kind_of(actor) or MemberKind.VILLAGE  # the member's kind picks the types
    duty_type = next(
        (t for t in services.duty_types_for(occurred_on.year, kind) if t.code == duty_type_code), None
    )
    if duty_type is None:
        raise ValidationError(
            gettext("%(year)s 年度的履职事项中没有“%(duty_type_code)s”")
            % {"year": occurred_on.year, "duty_type_code": duty_type_code}
        )
    record = services.duty_record_create(
        actor=actor,
        duty_type=duty_type,
        occurred_on=occurred_on,
        notes=notes,
        data=data or {},
        client_uuid=uuid.uuid5(SOURCE_NAMESPACE, source),
    )
    return record.pk
