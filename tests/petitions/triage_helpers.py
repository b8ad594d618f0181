"""Helpers of the staff-side tests: officers at any unit, a registered letter, a fixed "today"."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jijian.core.models import CalendarDay
from jijian.core.roles import Role
from jijian.petitions import services
from jijian.petitions.models import PetitionReport
from tests.conftest import make_user

ID_NUMBER = "11010519491231002X"


def officer(name: str, unit, role: str = Role.PETITION_OFFICE):
    return make_user(name, unit, role)


def register(actor, region, *, anonymous: bool = False, **overrides) -> PetitionReport:
    data = {
        "channel": "letter",
        "category": "accusation",
        "facts": "来信反映村主任王某在危房改造补贴发放中优亲厚友。",
        "is_anonymous": anonymous,
        "accused_name": "王某",
        "accused_unit": "神农村村委会",
        "accused_post": "村主任",
        "accused_level": "village",
        "matter": "integrity",
    }
    if not anonymous:
        data.update(reporter_name="李举报", reporter_id_number=ID_NUMBER, reporter_phone="13800138000")
    data.update(overrides)
    return services.petition_register(actor=actor, region=region, **data)


def fresh(report: PetitionReport) -> PetitionReport:
    return PetitionReport.objects.get(pk=report.pk)


def set_today(monkeypatch, day: date) -> None:
    """Services count limits from timezone.localdate(): pin it."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


def national_day_2026() -> None:
    """A Golden Week as the calendar seeds it: Oct 1, 2, 5, 6, 7 (weekdays) off; Sunday Sep 27 and
    Saturday Oct 10 are make-up working days (调休). Whatever else the calendar held for those
    weeks is cleared, so the test owns the calendar it counts on."""
    CalendarDay.objects.filter(date__range=(date(2026, 9, 1), date(2026, 11, 30))).delete()
    for day in (
        date(2026, 10, 1),
        date(2026, 10, 2),
        date(2026, 10, 5),
        date(2026, 10, 6),
        date(2026, 10, 7),
    ):
        CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": False, "name": "国庆节"})
    for day in (date(2026, 9, 27), date(2026, 10, 10)):
        CalendarDay.objects.update_or_create(
            date=day, defaults={"is_working_day": True, "name": "国庆节调休"}
        )


def leader_of(unit):
    """A commission leader who decides for `unit` (created once): at the unit, or at the nearest
    commission above it (a township has no leader role of its own)."""
    from jijian.core.models import User
    from jijian.core.roles import UNIT_KINDS_BY_ROLE

    while unit.kind not in UNIT_KINDS_BY_ROLE[Role.COMMISSION_LEADER] and unit.parent_id:
        unit = unit.parent
    name = f"leader_{unit.pk}"
    return User.objects.filter(username=name).first() or make_user(name, unit, Role.COMMISSION_LEADER)


def close_approved(actor, report: PetitionReport, result: str = "经核实，问题属实。", *, leader=None):
    """办结: the 办结 report filed by `actor` and approved by a leader of the holder (the two steps)."""
    from jijian.petitions.handling import conclusion

    report = services.petition_close(actor=actor, report=report, result=result, version=report.version)
    approval = report.approvals.get(kind="conclusion", state="pending")
    conclusion.petition_approval_decide(
        actor=leader or leader_of(report.holder),
        approval=approval,
        approve=True,
        note="",
        version=report.version,
    )
    return fresh(report)
