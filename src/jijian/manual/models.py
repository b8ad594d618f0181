"""The duty manual (履职手册, docs/manual.md): one page per task of a city, keyed by a stable topic code
(a duty type code of the duty log, a 四议两公开 decision step, a voucher signature step, or a code of
the manual's own), with its steps, the roles involved, the checkpoints and the documents; typical
cases with their lesson; and every published version of every page, each with its change note.

The topic code is the link: the duty log and the village-affairs screens put `/manual/topic/<code>/`
on their pages without importing this app, and this app knows their codes only as strings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jijian.core.models import OrgUnit


class TopicKind(models.TextChoices):
    DUTY_TYPE = "duty_type", _("履职事项")
    DECISION_STEP = "decision_step", _("四议两公开环节")
    VOUCHER_STEP = "voucher_step", _("报账签字环节")
    GENERAL = "general", _("综合")


class ManualPage(models.Model):
    """The current text of a task's page; every saved text is also a PageVersion (number = version)."""

    city = models.ForeignKey(OrgUnit, verbose_name=_("市"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("主题代码"), max_length=60)
    kind = models.CharField(_("类别"), max_length=20, choices=TopicKind.choices, default=TopicKind.GENERAL)
    title = models.CharField(_("标题"), max_length=100)
    summary = models.TextField(_("概述"), blank=True, default="")
    # One entry a line on the form: the workflow's steps in order, who takes part, what to check,
    # which documents are made or kept.
    steps = models.JSONField(_("工作流程"), default=list, blank=True)
    roles = models.JSONField(_("参与人员"), default=list, blank=True)
    checkpoints = models.JSONField(_("监督要点"), default=list, blank=True)
    documents = models.JSONField(_("台账资料"), default=list, blank=True)
    sort_order = models.IntegerField(_("排序"), default=0)
    # Search keys, written by the services: the page's text, and the pinyin initials of its title.
    search_text = models.TextField(default="", editable=False)
    title_initials = models.CharField(max_length=50, default="", db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("手册条目")
        verbose_name_plural = _("手册条目")
        ordering = ["sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="manual_page_code_once")]

    def __str__(self) -> str:
        return self.title


class PageVersion(models.Model):
    """One published text of a page, never changed afterwards."""

    page = models.ForeignKey(ManualPage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=100)
    summary = models.TextField(_("概述"), blank=True, default="")
    steps = models.JSONField(default=list, blank=True)
    roles = models.JSONField(default=list, blank=True)
    checkpoints = models.JSONField(default=list, blank=True)
    documents = models.JSONField(default=list, blank=True)
    change_note = models.CharField(_("修订说明"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("手册页面版本")
        verbose_name_plural = _("手册页面版本")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="manual_version_once")]

    def __str__(self) -> str:
        return gettext("%(name)s（第%(number)s版）") % {"name": self.title, "number": self.number}


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("已发布")


class TypicalCase(models.Model):
    """A typical case (典型案例): what happened and the lesson. Proposed from elsewhere (the
    manual_case_propose port) it waits as a draft until the city's editor publishes it."""

    city = models.ForeignKey(OrgUnit, verbose_name=_("市"), on_delete=models.PROTECT, related_name="+")
    page = models.ForeignKey(
        ManualPage,
        verbose_name=_("所属条目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    title = models.CharField(_("标题"), max_length=100)
    situation = models.TextField(_("基本情况"))
    lesson = models.TextField(_("启示"))
    # A stable name of the source object ("evaluation.finding:7") or a description of it ("曾都区某村").
    source = models.CharField(_("来源"), max_length=100, blank=True, default="")
    status = models.CharField(_("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    search_text = models.TextField(default="", editable=False)
    title_initials = models.CharField(max_length=50, default="", db_index=True, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "source"], condition=~models.Q(source=""), name="manual_case_source_once"
            )
        ]

    def __str__(self) -> str:
        return self.title
