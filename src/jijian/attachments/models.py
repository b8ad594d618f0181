"""The one attachment store. A row per accepted file; the bytes live in the default storage under a
random name (never a user-supplied path), outside the web root, and go out only through the
download view after a jurisdiction check. Only jijian.attachments.services writes these rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijian.core.models import OrgUnit
from jijian.core.roles import Module

from .sniff import Kind


class AttachmentKind(models.TextChoices):
    IMAGE = Kind.IMAGE, _("图片")
    PDF = Kind.PDF, _("PDF 文档")
    OFFICE = Kind.OFFICE, _("Office 文档")
    AUDIO = Kind.AUDIO, _("音频")
    VIDEO = Kind.VIDEO, _("视频")


class Attachment(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    module = models.CharField(_("业务模块"), max_length=20, choices=Module.choices)
    # What the file belongs to: a dotted purpose ("reports.duty_log") and that object's id.
    purpose = models.CharField(_("用途"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, default="")
    # Empty for the public (an anonymous report with evidence attached).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("类别"), max_length=10, choices=AttachmentKind.choices)
    mime = models.CharField(_("类型"), max_length=100)
    extension = models.CharField(_("扩展名"), max_length=10)
    size = models.BigIntegerField(_("大小（字节）"))
    sm3 = models.CharField(_("SM3 摘要"), max_length=64, db_index=True)
    original_size = models.BigIntegerField(_("原文件大小（字节）"))
    original_sm3 = models.CharField(_("原文件 SM3 摘要"), max_length=64)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    # keep_original=True: the bytes as received, SM4-GCM encrypted under data key `evidence_key_id`.
    evidence_storage_name = models.CharField(max_length=255, blank=True, default="", editable=False)
    evidence_key_id = models.CharField(max_length=32, blank=True, default="", editable=False)
    # An image's 320 px preview, made at its first view and kept (services.attachment_thumbnail): for an
    # image stored once it is encrypted like the original, under `evidence_key_id`.
    thumbnail_storage_name = models.CharField(max_length=255, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [
            models.Index(fields=["purpose", "object_id"], name="attachment_owner"),
            models.Index(fields=["org_unit", "module"], name="attachment_scope"),
            # The orphan sweep asks, for each batch of stored names, which rows name them.
            models.Index(fields=["evidence_storage_name"], name="attachment_evidence_name"),
            models.Index(fields=["thumbnail_storage_name"], name="attachment_thumbnail_name"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def has_evidence_original(self) -> bool:
        return bool(self.evidence_storage_name)
