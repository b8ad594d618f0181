"""Demo reception days of Suizhou: the city commission receives on Tuesdays and Thursdays, a leader on
Wednesday afternoons; 随县 on Tuesdays, 曾都区 on Thursdays, 广水市 on Wednesdays (a petitioner is
offered the slots of the office that manages the accused: a 县处级 cadre the city's, a 乡科级 one the
county's). And one booking confirmed for the day the demo is set up (its booking code in the demo
notes), so the session, the waiting room, the camera switch and the
petitioner's uploads can be tried at once: the city's petition office starts it, the petitioner enters
at /reception/public/status/ with the code. And a few receptions earlier this month (received, no-shows,
a cancellation; two registered as reports from the public with their matter), so the statistics at
/reception/stats/ show every breakdown."""

from __future__ import annotations

import random
from datetime import time

from django.utils import timezone

from jijian.core.models import CadreLevel, OrgKind, OrgUnit, User
from jijian.core.roles import Role

from .models import ReceptionSchedule, ReceptionSlot, ReceptionState, VideoReception

DEMO_BOOKING_CODE = "SZ2026DEMO"


def load_demo(*, seed: int) -> int:
    city = OrgUnit.objects.filter(kind=OrgKind.CITY).first()
    if city is None:
        return 0
    leader = User.objects.filter(org_unit=city, roles__role=Role.COMMISSION_LEADER, is_active=True).first()
    rows = [
        ReceptionSchedule(org_unit=city, weekday=1, start=time(9), end=time(11, 30), capacity=4),
        ReceptionSchedule(org_unit=city, weekday=3, start=time(9), end=time(11, 30), capacity=4),
        ReceptionSchedule(
            org_unit=city, weekday=2, start=time(15), end=time(17), capacity=2, receiver=leader
        ),
    ]
    counties = {u.code: u for u in OrgUnit.objects.filter(code__in=("421321", "421303", "421381"))}
    for code, weekday, start, end in (
        ("421321", 1, time(14, 30), time(17)),  # 随县, Tuesday afternoon
        ("421303", 3, time(14, 30), time(17)),  # 曾都区, Thursday afternoon
        ("421381", 2, time(9), time(11, 30)),  # 广水市, Wednesday morning
    ):
        if code in counties:
            rows.append(
                ReceptionSchedule(org_unit=counties[code], weekday=weekday, start=start, end=end, capacity=4)
            )
    ReceptionSchedule.objects.bulk_create(rows)
    _demo_booking(city, rows[0], seed=seed)
    _demo_history(city, rows, seed=seed)
    return len(rows)


def _demo_booking(city, schedule: ReceptionSchedule, *, seed: int) -> None:
    """A booking confirmed for today on the city's first reception time (a demo's convenience: the
    session can only start on its day)."""
    from jijian.core.demo import fake_id_number

    from .services import booking_code_hash

    slot = ReceptionSlot.objects.create(schedule=schedule, date=timezone.localdate())
    VideoReception.objects.create(
        slot=slot,
        org_unit=city,
        state=ReceptionState.CONFIRMED,
        petitioner_name="刘建国",
        petitioner_id_number=fake_id_number(random.Random(seed + 17)),
        petitioner_phone="13907221234",
        accused_name="陈某",
        accused_unit="市住房和城乡建设局",
        accused_post="副局长",
        accused_level=CadreLevel.DIVISION,
        accused_region=city,
        matter="反映市住建局在老旧小区改造中指定施工单位、工程款支付不透明的问题，请求调查。",
        code_hash=booking_code_hash(DEMO_BOOKING_CODE),
        confirmed_at=timezone.now(),
    )


# Earlier this month: (schedule index, days ago, state, matter of the report it became or "").
HISTORY = (
    (0, 1, ReceptionState.ENDED, "integrity"),
    (2, 2, ReceptionState.ENDED, "masses"),
    (1, 3, ReceptionState.ENDED, ""),
    (0, 4, ReceptionState.NO_SHOW, ""),
    (1, 2, ReceptionState.CANCELLED, ""),
)


def _demo_history(city, schedules: list[ReceptionSchedule], *, seed: int) -> None:
    """Past receptions of the current month (never before its first day, so the statistics' default
    period shows them); the ended ones with endorsed minutes, two registered as reports from the
    public through core.links.petition_register with their matter."""
    from datetime import timedelta

    from jijian.core import links
    from jijian.core.demo import fake_id_number

    from .models import MINUTES_TEMPLATE, ReceptionMinutes
    from .services import REPORT_REF

    office = User.objects.filter(org_unit=city, roles__role=Role.PETITION_OFFICE, is_active=True).first()
    if office is None:
        return
    rng = random.Random(seed + 29)
    zengdu = OrgUnit.objects.filter(code="421303").first() or city
    today = timezone.localdate()
    for n, (index, days_ago, state, matter) in enumerate(HISTORY):
        day = max(today.replace(day=1), today - timedelta(days=days_ago))
        slot, _ = ReceptionSlot.objects.get_or_create(schedule=schedules[index], date=day)
        r = VideoReception.objects.create(
            slot=slot,
            org_unit=city,
            state=state,
            petitioner_name=("周", "吴", "郑", "孙", "马")[n] + "某",
            petitioner_id_number=fake_id_number(rng),
            petitioner_phone=f"1390722{5000 + n:04d}",
            accused_name=("李某", "赵某", "钱某", "黄某", "何某")[n],
            accused_unit="曾都区人民政府",
            accused_post="副区长",
            accused_level=CadreLevel.DIVISION,
            accused_region=zengdu,
            matter="反映有关问题，请求核查。",
            created_at=timezone.now() - timedelta(days=days_ago + 3 + n),
            confirmed_at=timezone.now() - timedelta(days=days_ago + 2),
            closed_reason="信访人来电取消" if state == ReceptionState.CANCELLED else "",
        )
        if state != ReceptionState.ENDED:
            continue
        when = timezone.now() - timedelta(days=days_ago)
        r.started_at, r.ended_at = when, when + timedelta(minutes=25)
        r.save(update_fields=["started_at", "ended_at"])
        minutes = ReceptionMinutes.objects.create(
            reception=r, text=MINUTES_TEMPLATE, written_by=office, endorsed_by=office, endorsed_at=when
        )
        minutes.confirmed_digest, minutes.confirmed_at, minutes.confirmed_where = minutes.digest, when, "演示"
        minutes.save(update_fields=["confirmed_digest", "confirmed_at", "confirmed_where"])
        if matter:
            report = links.petition_register(
                actor=office,
                channel="video",
                category="accusation",
                region=city,
                facts=MINUTES_TEMPLATE,
                is_anonymous=False,
                received_on=timezone.localdate(when),
                accused_name=r.accused_name,
                accused_unit=r.accused_unit,
                accused_post=r.accused_post,
                matter=matter,
                reporter_name=r.petitioner_name,
                reporter_phone=r.petitioner_phone,
            )
            r.case_ref = REPORT_REF.format(pk=report.pk, serial=report.serial_number)
            r.save(update_fields=["case_ref"])
