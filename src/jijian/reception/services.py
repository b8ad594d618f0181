"""Writes of video reception: the booking (public or at a township terminal), its confirmation,
rescheduling, cancellation and no-show; the session (media room) start and end; join tokens.

Booking locks the slot's row (ReceptionSlot) and counts the active bookings under that lock, so two
petitioners racing for the last place cannot both get it. Every change is one transaction with its
audit event; a change made from a page carries the version it was read at (ConcurrentEditError)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.audit.services import audit_record
from jijian.core.models import CadreLevel, OrgUnit, User
from jijian.core.notify import notify
from jijian.core.orgs.management import commission_chain, managing_commission
from jijian.core.orgs.workdays import is_working_day, next_working_day_on_or_after
from jijian.core.roles import Role
from jijian.core.sensitive.crypto import blind_index
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import validate_id_number, validate_mobile

from . import media
from .access import OFFICE_KINDS, is_receiver, is_township_officer
from .models import (
    ACTIVE_STATES,
    Admission,
    ReceptionMinutes,
    ReceptionSchedule,
    ReceptionSlot,
    ReceptionState,
    VideoReception,
)
from .recordings import publisher_id

SLOT_FULL = gettext_lazy("该场次名额已满，请选择其他场次")
NOT_A_SLOT = gettext_lazy("所选日期不是该机关的接访日")
SMS_CODE_WRONG = gettext_lazy("短信验证码不正确或已过期，请重新获取")


# --- the calendar ------------------------------------------------------------------------------------
def slot_dates(schedule: ReceptionSchedule, start: date, end: date) -> list[date]:
    """The dates in [start, end] on which `schedule` receives: its weekday when that is a working day;
    when the weekday falls on a holiday, the next working day instead (the reception is shifted, not
    dropped)."""
    days: set[date] = set()
    d = start - timedelta(days=14)  # a weekday before `start` may shift into the range
    while d <= end:
        if d.weekday() == schedule.weekday:
            held = d if is_working_day(d) else next_working_day_on_or_after(d)
            if start <= held <= end:
                days.add(held)
        d += timedelta(days=1)
    return sorted(days)


def booking_window(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today + timedelta(days=1), today + timedelta(days=settings.RECEPTION_BOOKING_DAYS)


def slots_open(schedules, today: date | None = None) -> list[dict]:
    """The bookable (schedule, date) pairs of the window with their remaining places."""
    first, last = booking_window(today)
    out = []
    for schedule in schedules:
        for day in slot_dates(schedule, first, last):
            taken = VideoReception.objects.filter(
                slot__schedule=schedule, slot__date=day, state__in=ACTIVE_STATES
            ).count()
            out.append({"schedule": schedule, "date": day, "left": max(schedule.capacity - taken, 0)})
    out.sort(key=lambda s: (s["date"], s["schedule"].start, s["schedule"].org_unit_id))
    return out


def schedule_create(
    *, actor: User, org_unit, weekday: int, start, end, capacity: int, receiver: User | None = None
) -> ReceptionSchedule:
    from jijian.core.access import unit_in_scope

    if not (actor.role_set & {Role.PETITION_OFFICE}) or not unit_in_scope(actor, org_unit):
        raise PermissionDenied
    if org_unit.kind not in OFFICE_KINDS:
        raise ValidationError(gettext("接访机关须为市、县（市、区）纪委监委或管理区"))
    if weekday not in range(5):
        raise ValidationError(gettext("接访日须为星期一至星期五"))
    if start >= end:
        raise ValidationError(gettext("结束时间须晚于开始时间"))
    if not 1 <= capacity <= 50:
        raise ValidationError(gettext("每场名额须在1至50之间"))
    overlapping = ReceptionSchedule.objects.filter(
        org_unit=org_unit, weekday=weekday, is_active=True, start__lt=end, end__gt=start
    )
    if receiver is not None:
        overlapping = overlapping.filter(receiver=receiver)
    if overlapping.exists():
        raise ValidationError(gettext("与本机关同一接访日已有的时段重叠"))
    with transaction.atomic():
        schedule = ReceptionSchedule.objects.create(
            org_unit=org_unit, weekday=weekday, start=start, end=end, capacity=capacity, receiver=receiver
        )
        audit_record(
            actor=actor, action="reception.schedule_create", obj=schedule, summary=f"发布接访安排：{schedule}"
        )
    return schedule


# --- who receives: the office that manages the accused (干部管理权限) -----------------------------------
def receiving_office(region: OrgUnit | None, level: str) -> OrgUnit | None:
    """The office whose slots a booking about a cadre of `level` working in `region` takes: the
    commission that manages such a cadre (core's rule, the one petitions routes reports by), or the
    nearest office above it where that commission holds no reception days (a township committee's
    cadres are received by its county-level office). None for 其他或不清楚: any office, which decides
    (and may transfer). A division-level cadre (县处级) goes to the city wherever they work."""
    if level not in CadreLevel.values or level == CadreLevel.OTHER:
        return None
    if region is None:
        raise ValidationError(gettext("请选择被反映人所在地（县、市、区）"))
    managing = managing_commission(region, level)
    return next((u for u in commission_chain(managing) if u.kind in OFFICE_KINDS), None)


def slots_for(slots: list[dict], office: OrgUnit | None) -> list[dict]:
    """The open slots a booking routed to `office` may take (all of them when no office is decided)."""
    if office is None:
        return slots
    return [s for s in slots if s["schedule"].org_unit_id == office.pk]


def wrong_office_message(*, office: OrgUnit, level: str, chosen: OrgUnit) -> str:
    return gettext(
        "所选场次属于%(chosen)s。被反映人是%(level)s，按干部管理权限应由%(office)s接访，请选择%(office)s的场次"
    ) % {"chosen": chosen.name, "level": CadreLevel(level).label, "office": office.name}


def _check_routing(schedule: ReceptionSchedule, region: OrgUnit | None, level: str) -> None:
    if level not in CadreLevel.values:
        raise ValidationError(gettext("请选择被反映人级别"))
    office = receiving_office(region, level)
    if office is not None and schedule.org_unit_id != office.pk:
        raise ValidationError(wrong_office_message(office=office, level=level, chosen=schedule.org_unit))


# --- the petitioner's phone check (SMS code) -----------------------------------------------------------
def _code_key(phone: str) -> str:
    return f"reception.sms:{blind_index(phone)}"


def sms_code_send(*, phone: str) -> None:
    """Send a 6-digit code to `phone` (the booking form checks it: the phone is the petitioner's)."""
    from jijian.core.notify_backends import backend_for

    phone = validate_mobile(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_code_key(phone), {"code": code, "tries": 0}, settings.RECEPTION_SMS_CODE_SECONDS)
    backend_for("sms").send(
        to=phone,
        subject="视频接访预约验证码",
        text=f"验证码 {code}，{settings.RECEPTION_SMS_CODE_SECONDS // 60} 分钟内有效。",
        idempotency_key=f"jijian-reception-code-{secrets.token_hex(8)}",
    )


def sms_code_check(*, phone: str, code: str) -> None:
    key = _code_key(phone)
    held = cache.get(key)
    if not held or held["tries"] >= 5:
        raise ValidationError(SMS_CODE_WRONG)
    if not secrets.compare_digest(held["code"].encode(), (code or "").strip().encode()):
        held["tries"] += 1
        cache.set(key, held, settings.RECEPTION_SMS_CODE_SECONDS)
        raise ValidationError(SMS_CODE_WRONG)
    cache.delete(key)


# --- booking ---------------------------------------------------------------------------------------
def booking_code_hash(code: str) -> str:
    return blind_index("reception-code:" + (code or "").strip().upper())


def _clean_petitioner(d: dict) -> dict:
    out = {
        k: (d.get(k) or "").strip()
        for k in ("petitioner_name", "accused_name", "accused_unit", "accused_post", "matter")
    }
    if not out["petitioner_name"] or len(out["petitioner_name"]) > 50:
        raise ValidationError(gettext("请填写信访人真实姓名（不超过50字）"))
    out["petitioner_id_number"] = validate_id_number(d.get("petitioner_id_number", ""))
    out["petitioner_phone"] = validate_mobile(d.get("petitioner_phone", ""))
    if not out["accused_name"] or not out["accused_unit"]:
        raise ValidationError(gettext("请填写被反映人的姓名和单位"))
    if max(len(out["accused_name"]), len(out["accused_unit"]), len(out["accused_post"])) > 100:
        raise ValidationError(gettext("被反映人的姓名、单位、职务各不超过100字"))
    if len(out["matter"]) < 10 or len(out["matter"]) > 2000:
        raise ValidationError(gettext("请简要写明反映事项（10至2000字）"))
    return out


def _lock_slot(schedule: ReceptionSchedule, day: date, *, exclude: int | None = None) -> ReceptionSlot:
    """Get the slot row, locked, and refuse when it is full."""
    slot, _ = ReceptionSlot.objects.get_or_create(schedule=schedule, date=day)
    slot = ReceptionSlot.objects.select_for_update().get(pk=slot.pk)
    taken_qs = VideoReception.objects.filter(slot=slot, state__in=ACTIVE_STATES)
    if exclude is not None:
        taken_qs = taken_qs.exclude(pk=exclude)
    taken = taken_qs.count()
    if taken >= schedule.capacity:
        raise ValidationError(SLOT_FULL)
    return slot


def _check_date(schedule: ReceptionSchedule, day: date) -> None:
    first, last = booking_window()
    if not first <= day <= last:
        raise ValidationError(
            gettext("只能预约 %(first)s 至 %(last)s 之间的场次")
            % {"first": format(first, "%Y-%m-%d"), "last": format(last, "%Y-%m-%d")}
        )
    if day not in slot_dates(schedule, day, day):
        raise ValidationError(NOT_A_SLOT)


def booking_create(
    *,
    actor: User | None,
    schedule: ReceptionSchedule,
    day: date,
    sms_code: str = "",
    accused_level: str = CadreLevel.OTHER,
    accused_region: OrgUnit | None = None,
    **petitioner,
) -> tuple[VideoReception, str]:
    """Book a place. Online (actor None) the phone must be verified by the SMS code; a township officer
    (actor) books for someone at the township terminal, having seen their ID card. The slot must be
    one of the office that manages the accused (receiving_office), unless their level is unknown.
    Returns the booking and its booking code (shown once to the petitioner)."""
    data = _clean_petitioner(petitioner)
    if not schedule.is_active:
        raise ValidationError(NOT_A_SLOT)
    _check_routing(schedule, accused_region, accused_level)
    _check_date(schedule, day)
    township = None
    if actor is not None:
        if not is_township_officer(actor) or not actor.org_unit.is_township:
            raise PermissionDenied
        township = actor.org_unit
    else:
        sms_code_check(phone=data["petitioner_phone"], code=sms_code)
    code = secrets.token_hex(5).upper()
    with transaction.atomic():
        slot = _lock_slot(schedule, day)
        if VideoReception.objects.filter(
            slot__date=day,
            petitioner_id_index=blind_index(data["petitioner_id_number"]),
            state__in=ACTIVE_STATES,
        ).exists():
            raise ValidationError(gettext("该身份证号当天已有视频接访预约"))
        reception = VideoReception.objects.create(
            slot=slot,
            org_unit=schedule.org_unit,
            township=township,
            booked_by=actor,
            code_hash=booking_code_hash(code),
            accused_level=accused_level,
            accused_region=accused_region,
            **data,
        )
        audit_record(
            actor=actor,
            action="reception.book",
            obj=reception,
            summary=f"预约视频接访：{schedule.org_unit} {day:%Y-%m-%d} {schedule.start:%H:%M}",
            after={
                "township": township.pk if township else None,
                "accused_level": accused_level,
                "accused_region": accused_region.pk if accused_region else None,
            },
        )
        for officer in _receivers_of(schedule):
            notify(
                recipient=officer,
                title=f"新的视频接访预约待确认：{day:%m月%d日} {schedule.start:%H:%M}",
                link=f"/reception/{reception.pk}/",
                dedup_key=f"reception.book.{reception.pk}",
            )
    return reception, code


def _receivers_of(schedule: ReceptionSchedule):
    if schedule.receiver_id:
        return [schedule.receiver]
    return list(
        User.objects.filter(org_unit=schedule.org_unit, is_active=True, roles__role=Role.PETITION_OFFICE)
    )


def reception_by_code(code: str) -> VideoReception | None:
    if not code or len(code) > 20:
        return None
    return (
        VideoReception.objects.select_related("org_unit", "slot__schedule")
        .filter(code_hash=booking_code_hash(code))
        .first()
    )


def _sms_petitioner(reception: VideoReception, text: str) -> None:
    from .tasks import petitioner_sms

    transaction.on_commit(partial(petitioner_sms.delay, reception.pk, text))


def _transition(
    reception: VideoReception, *, version: int | None, to: str, allowed: tuple[str, ...], **fields
) -> None:
    qs = VideoReception.objects.filter(pk=reception.pk, state__in=allowed)
    if version is not None:
        qs = qs.filter(version=version)
    if not qs.update(state=to, version=F("version") + 1, **fields):
        current = VideoReception.objects.get(pk=reception.pk)
        if version is not None and current.version != version:
            raise ConcurrentEditError()
        raise ValidationError(
            gettext("该接访当前为“%(state)s”，不能进行此操作") % {"state": current.get_state_display()}
        )
    reception.refresh_from_db()


def _require_receiver(actor: User, reception: VideoReception) -> None:
    if not is_receiver(actor, reception):
        raise PermissionDenied


def booking_confirm(*, actor: User, reception: VideoReception, version: int) -> VideoReception:
    _require_receiver(actor, reception)
    with transaction.atomic():
        _transition(
            reception,
            version=version,
            to=ReceptionState.CONFIRMED,
            allowed=(ReceptionState.REQUESTED,),
            confirmed_at=timezone.now(),
            confirmed_by=actor,
        )
        audit_record(actor=actor, action="reception.confirm", obj=reception, summary="确认视频接访预约")
        slot = reception.slot
        _sms_petitioner(
            reception,
            f"您预约的视频接访已确认：{slot.date:%Y年%m月%d日} {slot.schedule.start:%H:%M}，"
            "请届时凭预约查询码进入。",
        )
        _tell_township(reception, "视频接访预约已确认")
    return reception


def reminders_send(today: date | None = None) -> int:
    """SMS the petitioners whose confirmed reception is on the next working day (once: reminded_at)."""
    from jijian.core.orgs.workdays import add_working_days

    today = today or timezone.localdate()
    day = add_working_days(today, 1)
    sent = 0
    for reception in VideoReception.objects.select_related("slot__schedule", "org_unit").filter(
        state=ReceptionState.CONFIRMED, slot__date__gt=today, slot__date__lte=day, reminded_at__isnull=True
    ):
        with transaction.atomic():
            if not VideoReception.objects.filter(pk=reception.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            ):
                continue
            slot = reception.slot
            _sms_petitioner(
                reception,
                f"提醒：您预约的视频接访在 {slot.date:%m月%d日} {slot.schedule.start:%H:%M}（{reception.org_unit.name}），"
                "请届时凭预约查询码进入。",
            )
            _tell_township(reception, f"明日视频接访提醒：{slot.date:%m月%d日} {slot.schedule.start:%H:%M}")
            sent += 1
    return sent


def _tell_township(reception: VideoReception, title: str) -> None:
    if reception.booked_by is not None:
        notify(recipient=reception.booked_by, title=title, link=f"/reception/{reception.pk}/")


def booking_reschedule(
    *, actor: User, reception: VideoReception, version: int, schedule: ReceptionSchedule, day: date
) -> VideoReception:
    _require_receiver(actor, reception)
    if schedule.org_unit_id != reception.org_unit_id:
        raise ValidationError(gettext("只能改约到本机关的接访场次"))
    _check_date(schedule, day)
    with transaction.atomic():
        slot = _lock_slot(schedule, day, exclude=reception.pk)
        _transition(
            reception,
            version=version,
            to=ReceptionState.CONFIRMED,
            allowed=(ReceptionState.REQUESTED, ReceptionState.CONFIRMED),
            slot=slot,
            confirmed_at=timezone.now(),
            confirmed_by=actor,
        )
        audit_record(
            actor=actor,
            action="reception.reschedule",
            obj=reception,
            summary=f"视频接访改约至 {day:%Y-%m-%d} {schedule.start:%H:%M}",
        )
        _sms_petitioner(reception, f"您的视频接访已改约至 {day:%Y年%m月%d日} {schedule.start:%H:%M}。")
        _tell_township(reception, "视频接访已改约")
    return reception


def booking_transfer(
    *,
    actor: User,
    reception: VideoReception,
    version: int,
    accused_level: str,
    accused_region: OrgUnit | None,
    reason: str,
    schedule: ReceptionSchedule,
    day: date,
) -> VideoReception:
    """转交: the receiving office finds the accused is managed by another commission (the level or the
    place was wrong) and hands the booking on to that commission's office, on one of its slots, with a
    reason. The same booking moves (its code, history and audit trail stay); it waits for the new
    office's confirmation, the petitioner is told by SMS and the booking township notified."""
    _require_receiver(actor, reception)
    reason = (reason or "").strip()
    if len(reason) < 2 or len(reason) > 200:
        raise ValidationError(gettext("请填写转交理由（2至200字）"))
    office = receiving_office(accused_region, accused_level)
    if office is None:
        raise ValidationError(gettext("请选择被反映人级别：级别不清楚的由本机关接访，无需转交"))
    if office.pk == reception.org_unit_id:
        raise ValidationError(gettext("被反映人由本机关（%(name)s）管理，无需转交") % {"name": office.name})
    if schedule.org_unit_id != office.pk or not schedule.is_active:
        raise ValidationError(
            wrong_office_message(office=office, level=accused_level, chosen=schedule.org_unit)
        )
    _check_date(schedule, day)
    before = {
        "org_unit": reception.org_unit_id,
        "slot": reception.slot_id,
        "accused_level": reception.accused_level,
        "accused_region": reception.accused_region_id,
        "state": reception.state,
    }
    source = reception.org_unit
    with transaction.atomic():
        slot = _lock_slot(schedule, day, exclude=reception.pk)
        _transition(
            reception,
            version=version,
            to=ReceptionState.REQUESTED,
            allowed=(ReceptionState.REQUESTED, ReceptionState.CONFIRMED),
            slot=slot,
            org_unit=office,
            accused_level=accused_level,
            accused_region=accused_region,
            transferred_from=source,
            transfer_reason=reason,
            confirmed_at=None,
            confirmed_by=None,
            reminded_at=None,
        )
        audit_record(
            actor=actor,
            action="reception.transfer",
            obj=reception,
            summary=f"视频接访转交{office.name}：{reason}",
            before=before,
            after={
                "org_unit": office.pk,
                "slot": slot.pk,
                "accused_level": accused_level,
                "accused_region": accused_region.pk if accused_region else None,
                "state": ReceptionState.REQUESTED,
            },
        )
        _sms_petitioner(
            reception,
            f"您预约的视频接访按干部管理权限已转交{office.name}，"
            f"改约至 {day:%Y年%m月%d日} {schedule.start:%H:%M}，待该机关确认后另行短信通知。",
        )
        _tell_township(reception, f"视频接访已转交{office.name}")
        for officer in _receivers_of(schedule):
            notify(
                recipient=officer,
                title=f"转交的视频接访预约待确认：{day:%m月%d日} {schedule.start:%H:%M}（{source.name}转来）",
                link=f"/reception/{reception.pk}/",
                dedup_key=f"reception.transfer.{reception.pk}.{reception.version}",
            )
    return reception


def booking_cancel(
    *, actor: User | None, reception: VideoReception, version: int | None, reason: str
) -> VideoReception:
    """Cancel: by a receiver or the township officer who booked (with a reason), or by the petitioner
    with the booking code (actor None; the view checked the code)."""
    reason = (reason or "").strip()
    if actor is not None:
        if not (is_receiver(actor, reception) or reception.booked_by_id == actor.pk):
            raise PermissionDenied
        if len(reason) < 2 or len(reason) > 200:
            raise ValidationError(gettext("请填写取消原因（2至200字）"))
    with transaction.atomic():
        _transition(
            reception,
            version=version,
            to=ReceptionState.CANCELLED,
            allowed=(ReceptionState.REQUESTED, ReceptionState.CONFIRMED),
            closed_reason=reason[:200] or "信访人取消",
        )
        audit_record(actor=actor, action="reception.cancel", obj=reception, summary=f"取消视频接访：{reason}")
        if actor is not None:
            _sms_petitioner(reception, "您预约的视频接访已取消，如需反映问题请重新预约或拨打12388。")
    return reception


def booking_no_show(*, actor: User, reception: VideoReception, version: int) -> VideoReception:
    """Record that the petitioner did not come: only once the slot has begun."""
    _require_receiver(actor, reception)
    slot = reception.slot
    begins = timezone.make_aware(datetime.combine(slot.date, slot.schedule.start))
    if timezone.now() < begins:
        raise ValidationError(gettext("接访时间未到，不能登记未到场"))
    with transaction.atomic():
        _transition(
            reception, version=version, to=ReceptionState.NO_SHOW, allowed=(ReceptionState.CONFIRMED,)
        )
        audit_record(actor=actor, action="reception.no_show", obj=reception, summary="信访人未到场")
    return reception


# --- the session ---------------------------------------------------------------------------------
def session_start(*, actor: User, reception: VideoReception) -> VideoReception:
    """Open the media room (a Janus VideoRoom with a secret, a PIN and locked recording) and the
    session. On the reception's date only. Janus not reachable: refused with that message, the
    booking unchanged."""
    _require_receiver(actor, reception)
    if reception.state == ReceptionState.IN_SESSION:
        return reception
    if reception.state != ReceptionState.CONFIRMED:
        raise ValidationError(
            gettext("该接访当前为“%(state)s”，不能开始") % {"state": reception.get_state_display()}
        )
    if reception.slot.date != timezone.localdate():
        raise ValidationError(gettext("只能在预约当天开始视频接访"))
    room_id = 10_000_000 + reception.pk
    secret, pin = secrets.token_urlsafe(18), f"{secrets.randbelow(10**8):08d}"
    rec_dir = media.recording_dir(reception.pk)
    url = media.place_room()
    media.room_create(
        room_id=room_id,
        secret=secret,
        pin=pin,
        rec_dir=rec_dir,
        description=f"reception-{reception.pk}",
        url=url,
    )
    with transaction.atomic():
        _transition(
            reception,
            version=None,
            to=ReceptionState.IN_SESSION,
            allowed=(ReceptionState.CONFIRMED,),
            room_id=room_id,
            rec_dir=str(rec_dir),
            janus_url=url,
            admission=Admission.NONE,
            waiting_since=None,
            admitted_at=None,
            admitted_by=None,
            started_at=timezone.now(),
        )
        reception.room_secret, reception.room_pin = secret, pin
        reception.save(update_fields=["room_secret", "room_pin"])
        audit_record(
            actor=actor,
            action="reception.start",
            obj=reception,
            summary="开始视频接访（录像）",
            after={"janus": url},
        )
        _tell_township(reception, "视频接访已开始，请在乡镇接访点进入")
    return reception


def session_end(*, actor: User, reception: VideoReception) -> VideoReception:
    """Close the room first (Janus closes every recording), then end the session and queue the
    conversion of the recordings. A Janus that is not reachable has closed its files already."""
    from .tasks import recordings_convert

    _require_receiver(actor, reception)
    if reception.state != ReceptionState.IN_SESSION:
        raise ValidationError(
            gettext("该接访当前为“%(state)s”，不能结束") % {"state": reception.get_state_display()}
        )
    try:
        media.room_destroy(room_id=reception.room_id, secret=reception.room_secret, url=reception.janus_url)
    except media.JanusError as error:
        if error.messages[0] not in (media.UNREACHABLE, media.MISSING):
            raise
    with transaction.atomic():
        _transition(
            reception,
            version=None,
            to=ReceptionState.ENDED,
            allowed=(ReceptionState.IN_SESSION,),
            ended_at=timezone.now(),
        )
        audit_record(actor=actor, action="reception.end", obj=reception, summary="结束视频接访")
        transaction.on_commit(partial(recordings_convert.delay, reception.pk))
    return reception


# --- join tokens -----------------------------------------------------------------------------------
JOIN_SALT = "jijian.reception.join"
PETITIONER = "petitioner"


def join_token_mint(*, reception: VideoReception, participant: str, display: str) -> str:
    """A short-lived token to join this reception's room as `participant` ("petitioner", or
    "official:<user id>")."""
    return signing.TimestampSigner(salt=JOIN_SALT).sign_object(
        {"r": reception.pk, "p": participant, "d": display[:50], "n": secrets.token_hex(4)}
    )


def join_token_check(*, token: str, reception: VideoReception) -> dict:
    """The token's claims, if it is genuine, unexpired, for this reception and the session is open."""
    try:
        claims = signing.TimestampSigner(salt=JOIN_SALT).unsign_object(
            token or "", max_age=settings.RECEPTION_JOIN_TOKEN_SECONDS
        )
    except signing.SignatureExpired:
        raise ValidationError(gettext("入会凭证已过期，请返回重新进入")) from None
    except signing.BadSignature:
        raise ValidationError(gettext("入会凭证无效")) from None
    if claims.get("r") != reception.pk:
        raise ValidationError(gettext("入会凭证不属于本次接访"))
    if reception.state != ReceptionState.IN_SESSION:
        raise ValidationError(gettext("本次视频接访未在进行中"))
    return claims


def session_seconds(reception: VideoReception) -> int:
    """The session's length: its slot's, from the schedule's start to its end (at least a join
    token's lifetime)."""
    schedule, day = reception.slot.schedule, reception.slot.date
    length = datetime.combine(day, schedule.end) - datetime.combine(day, schedule.start)
    return max(int(length.total_seconds()), settings.RECEPTION_JOIN_TOKEN_SECONDS)


def join_details(*, reception: VideoReception, claims: dict) -> dict:
    """What the browser needs to join the room: the Janus address, the room, its PIN, ICE servers
    (with an intranet TURN, a credential for this participant valid for the session's length) and
    the name it is shown by (the recordings are named after it)."""
    pid = publisher_id(claims["p"])
    return {
        "janus": media.public_url(reception.janus_url),
        "room": reception.room_id,
        "pin": reception.room_pin,
        "id": pid,
        "display": claims["d"],
        "ice_servers": media.ice_servers(tag=f"{reception.pk}-{pid}", seconds=session_seconds(reception)),
    }


# --- the waiting room ------------------------------------------------------------------------------
WAITING = gettext_lazy("您已进入等候室。接访人员核对您的身份后会请您进入，请不要关闭本页面。")
REFUSED = gettext_lazy("接访人员未同意您进入本次视频接访。如有疑问，请联系接访机关。")


def petitioner_knock(*, reception: VideoReception) -> str:
    """The petitioner (booking code or township terminal) enters: the first time in a session they are
    put in the waiting room (audited). Returns the admission: only "admitted" gets the room."""
    with transaction.atomic():
        updated = VideoReception.objects.filter(
            pk=reception.pk, state=ReceptionState.IN_SESSION, admission=Admission.NONE
        ).update(admission=Admission.WAITING, waiting_since=timezone.now())
        reception.refresh_from_db()
        if updated:
            audit_record(action="reception.wait", obj=reception, summary="信访人进入等候室")
    return reception.admission


def petitioner_admit(*, actor: User, reception: VideoReception, admit: bool) -> VideoReception:
    """An official of the receiving office, having checked the waiting petitioner's identity, admits
    them into the room (their browser then gets the room and its PIN) or refuses them. A refused
    petitioner may still be admitted afterwards (a mistake, a second check); an admitted one stays in."""
    _require_receiver(actor, reception)
    allowed = (Admission.WAITING, Admission.REFUSED) if admit else (Admission.WAITING,)
    with transaction.atomic():
        if not VideoReception.objects.filter(
            pk=reception.pk, state=ReceptionState.IN_SESSION, admission__in=allowed
        ).update(
            admission=Admission.ADMITTED if admit else Admission.REFUSED,
            admitted_at=timezone.now(),
            admitted_by=actor,
        ):
            reception.refresh_from_db()
            if reception.state != ReceptionState.IN_SESSION:
                raise ValidationError(gettext("本次视频接访未在进行中"))
            raise ValidationError(
                gettext("信访人当前为“%(admission)s”，不能进行此操作")
                % {"admission": reception.get_admission_display()}
            )
        reception.refresh_from_db()
        audit_record(
            actor=actor,
            action="reception.admit" if admit else "reception.refuse",
            obj=reception,
            summary="核对身份后准入信访人" if admit else "未准入等候中的信访人",
        )
    return reception


def join_answer(*, reception: VideoReception, claims: dict) -> tuple[dict, int]:
    """The join endpoint's answer and status: officials get the room at once; the petitioner waits
    (a fresh join token to ask again with, the page polls) until admitted, and is told if refused."""
    if claims["p"] != PETITIONER:
        return join_details(reception=reception, claims=claims), 200
    admission = petitioner_knock(reception=reception)
    if admission == Admission.ADMITTED:
        details = join_details(reception=reception, claims=claims)
        details["upload_token"] = upload_token_mint(reception=reception)
        return details, 200
    if admission == Admission.REFUSED:
        return {"error": REFUSED, "refused": True}, 403
    token = join_token_mint(reception=reception, participant=claims["p"], display=claims["d"])
    return {"waiting": True, "message": WAITING, "token": token}, 202


# --- the petitioner's uploads during the session ------------------------------------------------------
UPLOAD_SALT = "jijian.reception.upload"
# The request header that carries the upload token (room.js); the app server reads it before the body.
UPLOAD_TOKEN_HEADER = "X-Upload-Token"


def upload_token_mint(*, reception: VideoReception) -> str:
    """The admitted petitioner's credential to hand in documents from their own device during the
    session: for this reception, valid for the session's length (the join token lasts two minutes)."""
    return signing.TimestampSigner(salt=UPLOAD_SALT).sign_object({"r": reception.pk, "p": PETITIONER})


def upload_token_check(*, token: str, reception: VideoReception) -> None:
    try:
        claims = signing.TimestampSigner(salt=UPLOAD_SALT).unsign_object(
            token or "", max_age=session_seconds(reception) + 3600
        )
    except signing.SignatureExpired:
        raise ValidationError(gettext("上传凭证已过期，请重新进入视频接访")) from None
    except signing.BadSignature:
        raise ValidationError(gettext("上传凭证无效")) from None
    if claims.get("r") != reception.pk:
        raise ValidationError(gettext("上传凭证不属于本次接访"))
    if reception.state != ReceptionState.IN_SESSION or reception.admission != Admission.ADMITTED:
        raise ValidationError(gettext("只能在视频接访进行中上传材料"))


def upload_token_signed(*, token: str, pk: int) -> bool:
    """Whether `token` is an upload token this server signed for reception `pk`: the signature and
    the reception only, without the database or the expiry (upload_token_check() checks those).
    Asked by the app server before it reads an upload's body (config/bodylimits.py)."""
    if not token or len(token) > 500:
        return False
    try:
        claims = signing.TimestampSigner(salt=UPLOAD_SALT).unsign_object(token)
    except signing.BadSignature:
        return False
    return isinstance(claims, dict) and claims.get("r") == pk


def petitioner_document_add(*, reception: VideoReception, token: str, file, ip_address: str = ""):
    """A document the admitted petitioner uploads from their own phone or computer during the session:
    stored with the reception through the attachment service with the public portal's limits (kind,
    size, content checks; Chinese messages), audited, and carried into the case like the others."""
    from jijian.attachments.services import attachment_store
    from jijian.core.roles import Module

    upload_token_check(token=token, reception=reception)
    with transaction.atomic():
        attachment = attachment_store(
            actor=None,
            file=file,
            org_unit=reception.org_unit,
            module=Module.RECEPTION,
            purpose=DOCUMENT_PURPOSE,
            object_id=reception.pk,
            keep_original=True,
            name=getattr(file, "name", None),
            ip_address=ip_address,
            public=True,
        )
        audit_record(
            action="reception.petitioner_document",
            obj=reception,
            summary=f"信访人在接访中上传材料：{attachment}",
            ip_address=ip_address,
        )
    return attachment


# --- minutes (接访笔录) ------------------------------------------------------------------------------
MINUTES_STATES = (ReceptionState.IN_SESSION, ReceptionState.ENDED)


def minutes_save(
    *, actor: User, reception: VideoReception, text: str, version: int | None
) -> ReceptionMinutes:
    """Write or rewrite the minutes (during or after the session) with the version the page was read
    at. A text changed after the petitioner confirmed it needs confirming again; endorsed minutes
    do not change."""
    _require_receiver(actor, reception)
    if reception.state not in MINUTES_STATES:
        raise ValidationError(gettext("接访开始后才能制作笔录"))
    text = (text or "").strip()
    if len(text) < 20 or len(text) > 20000:
        raise ValidationError(gettext("笔录内容须在20至20000字之间"))
    with transaction.atomic():
        minutes = ReceptionMinutes.objects.select_for_update().filter(reception=reception).first()
        if minutes is None:
            if version not in (None, 0):
                raise ConcurrentEditError()
            minutes = ReceptionMinutes.objects.create(reception=reception, text=text, written_by=actor)
        else:
            if minutes.endorsed_at:
                raise ValidationError(gettext("笔录已签字背书，不能再修改"))
            if version != minutes.version:
                raise ConcurrentEditError()
            minutes.text, minutes.written_by, minutes.updated_at = text, actor, timezone.now()
            minutes.version += 1
            minutes.save()
        audit_record(
            actor=actor,
            action="reception.minutes_save",
            obj=reception,
            summary="制作接访笔录",
            after={"version": minutes.version, "digest": minutes.digest},
        )
    return minutes


def minutes_confirm(*, reception: VideoReception, digest: str, where: str) -> ReceptionMinutes:
    """The petitioner confirms the minutes as read back on screen (their status page, with the booking
    code; or the township terminal). `digest` names the text they saw: if the minutes changed since,
    the confirmation is refused and the new text shown."""
    with transaction.atomic():
        minutes = ReceptionMinutes.objects.select_for_update().filter(reception=reception).first()
        if minutes is None:
            raise ValidationError(gettext("尚无接访笔录"))
        if minutes.endorsed_at:
            raise ValidationError(gettext("笔录已签字背书"))
        if not secrets.compare_digest(minutes.digest.encode(), (digest or "").encode()):
            raise ValidationError(gettext("笔录内容已更新，请重新阅读后确认"))
        minutes.confirmed_digest, minutes.confirmed_at, minutes.confirmed_where = (
            minutes.digest,
            timezone.now(),
            where[:40],
        )
        minutes.save(update_fields=["confirmed_digest", "confirmed_at", "confirmed_where"])
        audit_record(
            action="reception.minutes_confirm",
            obj=reception,
            summary=f"信访人确认接访笔录（{where}）",
            after={"digest": minutes.digest},
        )
    return minutes


def minutes_endorse(*, actor: User, reception: VideoReception, version: int) -> ReceptionMinutes:
    """The official endorses (签字背书) the minutes the petitioner confirmed, after the session."""
    _require_receiver(actor, reception)
    if reception.state != ReceptionState.ENDED:
        raise ValidationError(gettext("接访结束后才能签字背书"))
    with transaction.atomic():
        minutes = ReceptionMinutes.objects.select_for_update().filter(reception=reception).first()
        if minutes is None:
            raise ValidationError(gettext("尚无接访笔录"))
        if minutes.version != version:
            raise ConcurrentEditError()
        if minutes.endorsed_at:
            raise ValidationError(gettext("笔录已签字背书"))
        if not minutes.is_confirmed:
            raise ValidationError(gettext("信访人尚未确认当前笔录，不能签字背书"))
        minutes.endorsed_by, minutes.endorsed_at = actor, timezone.now()
        minutes.version += 1
        minutes.save(update_fields=["endorsed_by", "endorsed_at", "version"])
        audit_record(
            actor=actor,
            action="reception.minutes_endorse",
            obj=reception,
            summary="接访笔录签字背书",
            after={"digest": minutes.digest},
        )
    return minutes


# --- the case (petitions, through core.links) -------------------------------------------------------
REPORT_REF = "petitions.petitionreport:{pk}|{serial}"


def _case_ready(actor: User, reception: VideoReception) -> ReceptionMinutes:
    _require_receiver(actor, reception)
    if reception.case_ref:
        raise ValidationError(gettext("本次接访已关联信访举报"))
    minutes = ReceptionMinutes.objects.filter(reception=reception).first()
    if reception.state != ReceptionState.ENDED or minutes is None or not minutes.endorsed_at:
        raise ValidationError(gettext("接访结束且笔录签字背书后，才能登记或关联信访举报"))
    return minutes


def _set_case(actor: User, reception: VideoReception, report, how: str) -> None:
    if not VideoReception.objects.filter(pk=reception.pk, case_ref="").update(
        case_ref=REPORT_REF.format(pk=report.pk, serial=report.serial_number), version=F("version") + 1
    ):
        raise ValidationError(gettext("本次接访已关联信访举报"))
    reception.refresh_from_db()
    audit_record(
        actor=actor, action="reception.case", obj=reception, summary=f"{how}信访举报 {report.serial_number}"
    )


def case_register(*, actor: User, reception: VideoReception, category: str, matter: str = "") -> str:
    """One click: the session becomes a registered report at the office's commission (channel 视频接访,
    received on the session's date so its time limits run from then; the accused, the matter and the
    petitioner carried over; the endorsed minutes as its facts; the verified recordings attached).
    `matter` is the report's 反映问题类别 (petitions' default, 其他或不清楚, when empty): the reception
    statistics count the session under it. Returns the report's register number."""
    from django.core.files import File

    from jijian.core import links

    minutes = _case_ready(actor, reception)
    recordings = list(reception.recordings.filter(state="verified").order_by("participant", "segment"))
    handles = [open(rec.file_path, "rb") for rec in recordings]  # noqa: SIM115 - closed below
    try:
        files = [
            File(h, name=f"接访录像-{rec.participant.replace(':', '-')}-{rec.segment}.webm")
            for h, rec in zip(handles, recordings, strict=True)
        ]
        hashes = "\n".join(f"{rec.participant}（{rec.segment}）SHA-256 {rec.sha256}" for rec in recordings)
        with transaction.atomic():
            VideoReception.objects.select_for_update().filter(pk=reception.pk).first()
            report = links.petition_register(
                actor=actor,
                channel="video",
                category=category,
                region=reception.township or reception.org_unit,
                facts=f"{minutes.text}\n\n【视频接访录像】\n{hashes}".strip(),
                is_anonymous=False,
                received_on=timezone.localdate(reception.started_at or reception.ended_at),
                accused_name=reception.accused_name,
                accused_unit=reception.accused_unit,
                accused_post=reception.accused_post,
                matter=matter,
                reporter_name=reception.petitioner_name,
                reporter_id_number=reception.petitioner_id_number,
                reporter_phone=reception.petitioner_phone,
                files=files,
            )
            _set_case(actor, reception, report, "登记为")
    finally:
        for h in handles:
            h.close()
    return report.serial_number


def case_link(*, actor: User, reception: VideoReception, serial: str) -> str:
    """Link the session to a report already registered (its register number, in the actor's reach)."""
    from jijian.core import links

    _case_ready(actor, reception)
    report = links.petition_by_serial(actor, serial)
    if report is None:
        raise ValidationError(gettext("未找到该登记编号的信访举报，或不在您的管辖范围内"))
    with transaction.atomic():
        _set_case(actor, reception, report, "关联")
    return report.serial_number


# --- documents shown or handed in during the session ----------------------------------------------------
DOCUMENT_PURPOSE = "reception.document"


def document_add(*, actor: User, reception: VideoReception, files, ip_address: str = ""):
    """Store the documents shown or handed in during the session (or just after it) with the
    reception, through the attachment service (its checks of kind, size and content), all or nothing:
    one refused file keeps none of them. The receiving office, or the township terminal for the
    petitioner at its PC; the documents follow the reception's access. Returns the attachments."""
    from jijian.attachments.services import ALL_KINDS, attachments_store_all
    from jijian.core.roles import Module

    terminal = bool(reception.township_id) and reception.township_id == actor.org_unit_id
    if not (is_receiver(actor, reception) or terminal):
        raise PermissionDenied
    if reception.state not in MINUTES_STATES:
        raise ValidationError(gettext("接访进行中或结束后才能上传材料"))
    with transaction.atomic():
        attachments = attachments_store_all(
            actor=actor,
            files=files,
            org_unit=reception.township if terminal and reception.township else reception.org_unit,
            module=Module.RECEPTION,
            purpose=DOCUMENT_PURPOSE,
            object_id=reception.pk,
            keep_original=True,
            ip_address=ip_address,
            # What the petitioner shows or hands in may be a recording or a video of their own.
            kinds=ALL_KINDS,
        )
        for attachment in attachments:
            audit_record(
                actor=actor,
                action="reception.document_add",
                obj=reception,
                summary=f"接访材料入卷：{attachment}",
                ip_address=ip_address,
            )
    return attachments
