"""Reports from the public (信访举报) and the messages exchanged with the reporter.

Confidentiality is law (DOMAIN.md §2): the reporter's identity is stored only SM4-GCM encrypted, with
a blind index on the ID number for repeat detection; the receipt code is never stored, only its slow
hash (receipt.py); and nothing about the request that brought a report in is kept — no address, no
user agent, no request metadata of any kind (tests/petitions/test_privacy.py scans every table)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijian.core.fields import BlindIndexField, EncryptedTextField
from jijian.core.models import OrgUnit


class Category(models.TextChoices):
    ACCUSATION = "accusation", _("检举")
    COMPLAINT = "complaint", _("控告")
    APPEAL = "appeal", _("申诉")
    SUGGESTION = "suggestion", _("批评建议")


class Channel(models.TextChoices):
    ONLINE = "online", _("网络举报")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    PHONE = "phone", _("电话（12388）")
    VIDEO = "video", _("视频接访")


class AccusedLevel(models.TextChoices):
    VILLAGE = "village", _("村（社区）干部")
    STAFF = "staff", _("一般干部")
    SECTION = "section", _("乡科级干部")
    DIVISION = "division", _("县处级干部")
    OTHER = "other", _("其他或不清楚")


class Matter(models.TextChoices):
    """Which discipline the report concerns (the six disciplines of the Party's disciplinary rules)."""

    POLITICAL = "political", _("政治纪律")
    ORGANIZATIONAL = "organizational", _("组织纪律")
    INTEGRITY = "integrity", _("廉洁纪律")
    MASSES = "masses", _("群众纪律")
    WORK = "work", _("工作纪律")
    LIFE = "life", _("生活纪律")
    OTHER = "other", _("其他或不清楚")


class PetitionState(models.TextChoices):
    RECEIVED = "received", _("已收到")
    ACCEPTED = "accepted", _("已受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    FORWARDED = "forwarded", _("已转办")
    CLOSED = "closed", _("已办结")


class PetitionReport(models.Model):
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    accused_name = models.CharField(_("被反映人姓名"), max_length=100, blank=True, default="")
    accused_unit = models.CharField(_("被反映人单位"), max_length=200, blank=True, default="")
    accused_post = models.CharField(_("被反映人职务"), max_length=100, blank=True, default="")
    accused_level = models.CharField(
        _("被反映人级别"), max_length=20, choices=AccusedLevel.choices, default=AccusedLevel.OTHER
    )
    # The county or township the report is about: decides whose jurisdiction it falls in.
    region = models.ForeignKey(
        OrgUnit, verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="+"
    )
    matter = models.CharField(_("反映问题类别"), max_length=20, choices=Matter.choices, default=Matter.OTHER)
    facts = models.TextField(_("主要问题和事实"))
    is_anonymous = models.BooleanField(_("匿名"), default=True)
    reporter_name = EncryptedTextField(_("举报人姓名"), blank=True, default="")
    reporter_id_number = EncryptedTextField(_("举报人身份证号"), blank=True, default="")
    reporter_id_index = BlindIndexField(source="reporter_id_number")
    reporter_phone = EncryptedTextField(_("举报人联系电话"), blank=True, default="")
    # Argon2id of the receipt code (receipt.py); the code itself is shown once and never stored.
    # Empty (NULL) for reports registered by staff that have no receipt.
    receipt_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    state = models.CharField(
        _("状态"), max_length=20, choices=PetitionState.choices, default=PetitionState.RECEIVED
    )
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now, db_index=True)
    acceptance_notice = models.TextField(_("受理告知"), blank=True, default="")
    acceptance_notified_on = models.DateField(_("受理告知日期"), null=True, blank=True)
    result_notice = models.TextField(_("办理结果告知"), blank=True, default="")
    result_notified_on = models.DateField(_("结果告知日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("信访举报件")
        verbose_name_plural = _("信访举报件")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["region", "state"], name="petition_region_state")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} #{self.pk}"

    @property
    def masked_reporter(self) -> str:
        """What staff lists show ("张** 138****5678"); the full identity needs an audited reveal."""
        from jijian.core.crypto import mask_phone, mask_text

        if self.is_anonymous:
            return "匿名"
        return f"{mask_text(self.reporter_name)} {mask_phone(self.reporter_phone)}"


class Direction(models.TextChoices):
    TO_REPORTER = "to_reporter", _("办理机关→举报人")
    FROM_REPORTER = "from_reporter", _("举报人→办理机关")


class PetitionMessage(models.Model):
    report = models.ForeignKey(
        PetitionReport, verbose_name=_("举报件"), on_delete=models.PROTECT, related_name="messages"
    )
    direction = models.CharField(_("方向"), max_length=20, choices=Direction.choices)
    body = models.TextField(_("内容"))
    # The staff member who wrote to the reporter; always empty for the reporter's own messages.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("举报沟通记录")
        verbose_name_plural = _("举报沟通记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.created_at:%Y-%m-%d}"
