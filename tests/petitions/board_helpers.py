"""Builders of the deadline tests (the board, its quarterly page, the reminders): a report, a clue
and a deadline straight in the database, without the services' checks."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jijian.petitions.models import Clue, ClueSource, DeadlineKind, PetitionDeadline, PetitionReport


def make_report(
    holder, *, region=None, serial="", accused="王某", restricted=False, **extra
) -> PetitionReport:
    n = PetitionReport.objects.count() + 1
    return PetitionReport.objects.create(
        category="accusation",
        region=region or holder,
        facts="测试事实",
        accused_name=accused,
        received_unit=holder,
        holder=holder,
        serial_number=serial or f"XF-T-2025-{n:04d}",
        restricted=restricted,
        **extra,
    )


def make_clue(holder, registered_by, *, accused="赵某") -> Clue:
    n = Clue.objects.count() + 1
    return Clue.objects.create(
        number=f"XS-T-2025-{n:04d}",
        holder=holder,
        source=ClueSource.SUPERVISION,
        accused_name=accused,
        summary="线索摘要",
        registered_by=registered_by,
    )


def make_deadline(item, due: date, *, kind=DeadlineKind.ROUTE, holder=None, met=False) -> PetitionDeadline:
    is_clue = isinstance(item, Clue)
    return PetitionDeadline.objects.create(
        kind=kind,
        report=None if is_clue else item,
        clue=item if is_clue else None,
        holder=holder or item.holder,
        starts_on=date(2025, 9, 1),
        due_date=due,
        met_at=timezone.now() if met else None,
    )
