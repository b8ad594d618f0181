from __future__ import annotations

from datetime import date, time, timedelta

from jijian.core.demo import fake_id_number
from jijian.reception.models import ReceptionSchedule, ReceptionSlot, VideoReception

ID_NUMBER = "421321198001010015"


def valid_id(n: int = 0) -> str:
    import random

    return fake_id_number(random.Random(n))


def schedule(unit, *, weekday: int = 1, capacity: int = 2, receiver=None) -> ReceptionSchedule:
    return ReceptionSchedule.objects.create(
        org_unit=unit, weekday=weekday, start=time(9), end=time(11), capacity=capacity, receiver=receiver
    )


def petitioner(n: int = 0) -> dict:
    return {
        "petitioner_name": f"张{n}",
        "petitioner_id_number": valid_id(n),
        "petitioner_phone": f"1390722{n:04d}",
        "accused_name": "王某",
        "accused_unit": "厉山镇神农村",
        "accused_post": "村主任",
        "matter": "反映村集体土地补偿款发放不公开的问题，请求核查。",
    }


def reception(
    unit, *, township=None, state="requested", day: date | None = None, booked_by=None
) -> VideoReception:
    """A reception row made directly (for views and the matrix; booking itself is tested through
    services.booking_create)."""
    sch = schedule(unit)
    slot = ReceptionSlot.objects.create(schedule=sch, date=day or date.today() + timedelta(days=1))
    return VideoReception.objects.create(
        slot=slot, org_unit=unit, township=township, state=state, booked_by=booked_by, **petitioner(99)
    )


TEXT = "接访时间：今日上午。信访人反映村集体土地补偿款发放不公开，请求核查。接访人员答复：依规受理，十五个工作日内告知。"
