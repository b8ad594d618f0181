"""Video reception (视频接访, docs/reception.md): an office's reception days and slots, the bookings
made on them, the recorded video session of each booking and its recordings.

A booking (VideoReception) belongs to the office that receives (a commission: city or county level)
and, when a township officer booked it for someone at the township terminal, to that township too:
both see it. The petitioner's identity, contact and the matter are encrypted; the ID number and the
phone have blind indexes (repeats, the petitioner's own status page)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijian.core.fields import BlindIndexField, EncryptedTextField
from jijian.core.models import CadreLevel, OrgUnit


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")


class ReceptionSchedule(models.Model):
    """One published slot of an office: every `weekday`, from `start` to `end`, for `capacity`
    petitioners. A weekday that is a holiday moves to the next working day (services.slot_dates)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("接访机关"), on_delete=models.PROTECT, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField(_("接访日"), choices=Weekday.choices)
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("每场名额"), default=4)
    # A leaders' reception day names the leader who receives; otherwise the office's officials do.
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接访领导"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("接访安排")
        verbose_name_plural = _("接访安排")
        ordering = ["org_unit", "weekday", "start"]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class ReceptionSlot(models.Model):
    """A schedule on one date: the row that booking locks, so that two petitioners racing for the last
    place cannot both get it (services.booking_create)."""

    schedule = models.ForeignKey(ReceptionSchedule, on_delete=models.PROTECT, related_name="slots")
    date = models.DateField()

    class Meta:
        verbose_name = _("接访场次")
        verbose_name_plural = _("接访场次")
        constraints = [models.UniqueConstraint(fields=["schedule", "date"], name="reception_slot_once")]

    def __str__(self) -> str:
        return f"{self.schedule_id}@{self.date}"


class ReceptionState(models.TextChoices):
    REQUESTED = "requested", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    IN_SESSION = "in_session", _("接访中")
    ENDED = "ended", _("已结束")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("未到场")


class Admission(models.TextChoices):
    """The petitioner's way into a running session: they wait in the waiting room until an official
    has checked who they are and admits them (only then does the browser get the room's PIN)."""

    NONE = "", _("未进入")
    WAITING = "waiting", _("等候中")
    ADMITTED = "admitted", _("已准入")
    REFUSED = "refused", _("未准入")


ACTIVE_STATES = (ReceptionState.REQUESTED, ReceptionState.CONFIRMED, ReceptionState.IN_SESSION)


class VideoReception(models.Model):
    slot = models.ForeignKey(ReceptionSlot, on_delete=models.PROTECT, related_name="receptions")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("接访机关"), on_delete=models.PROTECT, related_name="+"
    )
    # The township whose terminal the petitioner uses (booked there by a township officer), or none.
    township = models.ForeignKey(
        OrgUnit,
        verbose_name=_("乡镇接访点"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=ReceptionState.choices, default=ReceptionState.REQUESTED
    )
    petitioner_name = EncryptedTextField(_("信访人姓名"))
    petitioner_id_number = EncryptedTextField(_("身份证号"))
    petitioner_id_index = BlindIndexField(source="petitioner_id_number")
    petitioner_phone = EncryptedTextField(_("手机号码"))
    petitioner_phone_index = BlindIndexField(source="petitioner_phone")
    accused_name = EncryptedTextField(_("被反映人姓名"))
    accused_unit = EncryptedTextField(_("被反映人单位"))
    accused_post = EncryptedTextField(_("被反映人职务"), blank=True, default="")
    matter = EncryptedTextField(_("反映事项"))
    # Who manages the accused (干部管理权限): their rank and where they work decide which office
    # receives (services.receiving_office); 其他或不清楚 leaves it to the office.
    accused_level = models.CharField(
        _("被反映人级别"), max_length=20, choices=CadreLevel.choices, default=CadreLevel.OTHER
    )
    accused_region = models.ForeignKey(
        OrgUnit,
        verbose_name=_("被反映人所在地"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # The office that handed the booking on (转交) to the managing one, and why (services.booking_transfer).
    transferred_from = models.ForeignKey(
        OrgUnit,
        verbose_name=_("转交机关"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    transfer_reason = models.CharField(_("转交理由"), max_length=200, blank=True, default="")
    # The petitioner's credential to follow the booking and join the session: a keyed hash of the
    # booking code shown once when the booking is made (services.booking_code_*).
    code_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_reason = models.CharField(_("取消原因"), max_length=200, blank=True, default="")
    # The media room (Janus VideoRoom) while the session runs; its secret and PIN encrypted.
    room_id = models.BigIntegerField(null=True, blank=True, unique=True)
    room_secret = EncryptedTextField(blank=True, default="")
    room_pin = EncryptedTextField(blank=True, default="")
    rec_dir = models.CharField(max_length=255, blank=True, default="")
    # The Janus host the room was placed on (media.place_room: the least loaded of RECEPTION_JANUS_HOSTS).
    janus_url = models.CharField(max_length=255, blank=True, default="")
    # The waiting room: the petitioner waits until an official admits (or refuses) them.
    admission = models.CharField(
        _("等候室"), max_length=20, choices=Admission.choices, blank=True, default=Admission.NONE
    )
    waiting_since = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reminded_at = models.DateTimeField(null=True, blank=True)  # the SMS reminder the day before
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # A generic reference to the case it belongs to ("petitions.petitionreport:42"), set by the link.
    case_ref = models.CharField(_("关联案件"), max_length=80, blank=True, default="")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("视频接访")
        verbose_name_plural = _("视频接访")
        ordering = ["slot__date", "slot__schedule__start", "pk"]
        indexes = [models.Index(fields=["org_unit", "state"], name="reception_unit_state")]

    def __str__(self) -> str:
        return f"视频接访 {self.pk}"


class RecordingState(models.TextChoices):
    PENDING = "pending", _("待转换")
    VERIFIED = "verified", _("已转换并核验")
    FAILED = "failed", _("转换失败")
    PURGED = "purged", _("已过保存期限删除")


class ReceptionRecording(models.Model):
    """One participant's recording of a session: Janus's raw per-track files (kept until the
    converted file is verified), the converted file, its SHA-256 and duration."""

    reception = models.ForeignKey(VideoReception, on_delete=models.PROTECT, related_name="recordings")
    participant = models.CharField(_("参与方"), max_length=100)
    # One recording per join: a participant who reconnects has a segment per connection.
    segment = models.CharField(max_length=40)
    raw_files = models.JSONField(default=list)
    file_path = models.CharField(max_length=255, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    duration_seconds = models.FloatField(null=True, blank=True)
    streams = models.JSONField(default=dict)  # per stream: codec, packets, duration
    state = models.CharField(max_length=20, choices=RecordingState.choices, default=RecordingState.PENDING)
    error = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Past the retention period the file is removed (recordings.retention_purge); the row, its
    # SHA-256 and duration stay as the record that it existed.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接访录像")
        verbose_name_plural = _("接访录像")
        constraints = [
            models.UniqueConstraint(
                fields=["reception", "participant", "segment"], name="recording_once_per_segment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reception_id}:{self.participant}"


MINUTES_TEMPLATE = """接访时间：
接访地点：视频接访
接访人员：
信访人：
被反映人及单位、职务：
反映的主要问题：
信访人的诉求：
接访人员的答复和处理意见：
"""


class ReceptionMinutes(models.Model):
    """The minutes (接访笔录) of one reception: written by an official during or after the session,
    read back to the petitioner and confirmed on screen (the confirmation names the text it
    confirmed by its digest: a later edit needs a new confirmation), then endorsed (签字背书), after
    which they do not change."""

    reception = models.OneToOneField(VideoReception, on_delete=models.PROTECT, related_name="minutes")
    text = EncryptedTextField(_("笔录内容"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    confirmed_digest = models.CharField(max_length=64, blank=True, default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_where = models.CharField(max_length=40, blank=True, default="")
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    endorsed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("接访笔录")
        verbose_name_plural = _("接访笔录")

    def __str__(self) -> str:
        return f"接访笔录 {self.reception_id}"

    @property
    def digest(self) -> str:
        import hashlib

        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def is_confirmed(self) -> bool:
        return bool(self.confirmed_at) and self.confirmed_digest == self.digest


class ReceptionChatMessage(models.Model):
    """A text message written in the session's chat: part of the record, like the recording."""

    reception = models.ForeignKey(VideoReception, on_delete=models.PROTECT, related_name="chat_messages")
    participant = models.CharField(max_length=100)
    display = models.CharField(max_length=50)
    text = EncryptedTextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("接访文字消息")
        verbose_name_plural = _("接访文字消息")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reception_id}:{self.participant}"
