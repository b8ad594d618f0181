"""Evaluation (考评为主, docs/evaluation.md): the annual evaluation of village members by a rubric the
city configures, and mutual checks between townships (or counties) against the 四问四看 checklist.

Rubrics are versioned: editing a rubric nothing uses yet changes it; editing one already used (an
evaluation started with it, a round opened with it) makes a new version, and whatever started with
the old one keeps it (`EvaluationRubric.evaluations`, `CheckRubric.rounds` point at the row)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jijian.core.models import OrgUnit


# --- the annual evaluation -----------------------------------------------------------------------
class EvaluationRubric(models.Model):
    """How a year's evaluation is computed: the weights (percent, summing to 100) of the four parts,
    each scored 0–100, and the grades with their minimum total and allowance coefficient."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    # The versions of one rubric share `family` (the first version's id); `number` counts them.
    family = models.PositiveIntegerField(null=True, blank=True, editable=False)
    number = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(default=True)
    weight_reports = models.PositiveSmallIntegerField(_("月报权重（%）"), default=40)
    weight_training = models.PositiveSmallIntegerField(_("学习考试权重（%）"), default=20)
    weight_guidance = models.PositiveSmallIntegerField(_("派单办理权重（%）"), default=10)
    weight_township = models.PositiveSmallIntegerField(_("乡镇评价权重（%）"), default=30)
    # [{"grade": "excellent", "label": "优秀", "min": 90, "coefficient": "1.2"}, …] highest first.
    grades = models.JSONField(_("等次与系数"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("考评细则")
        verbose_name_plural = _("考评细则")

    def __str__(self) -> str:
        return gettext("%(name)s（第%(number)s版）") % {"name": self.name, "number": self.number}


class Evaluation(models.Model):
    """One village member's annual evaluation: started with a rubric (kept), the township's own
    assessment, and — once computed — the basis read from the other platforms, total, grade and
    coefficient."""

    class State(models.TextChoices):
        DRAFT = "draft", _("评价中")
        FINAL = "final", _("已确定")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("纪检委员"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    rubric = models.ForeignKey(EvaluationRubric, on_delete=models.PROTECT, related_name="evaluations")
    township_score = models.PositiveSmallIntegerField(_("乡镇评价得分"), null=True, blank=True)
    township_comment = models.TextField(_("乡镇评价意见"), blank=True, default="")
    basis = models.JSONField(default=dict, blank=True)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=20, blank=True, default="")
    grade_label = models.CharField(max_length=20, blank=True, default="")
    coefficient = models.DecimalField(_("补贴系数"), max_digits=4, decimal_places=2, null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("年度考评")
        verbose_name_plural = _("年度考评")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="evaluation_member_year")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}"


# --- mutual checks (互查互评互鉴, 四问四看) ---------------------------------------------------------
class CheckRubric(models.Model):
    """The checklist of a mutual check: items [{"code": "q1", "ask": "问…", "look": "看…", "max": 25}]."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    family = models.PositiveIntegerField(null=True, blank=True, editable=False)
    number = models.PositiveSmallIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(default=True)
    items = models.JSONField(_("检查项目"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("互查清单")
        verbose_name_plural = _("互查清单")

    def __str__(self) -> str:
        return gettext("%(name)s（第%(number)s版）") % {"name": self.name, "number": self.number}

    @property
    def max_total(self) -> int:
        return sum(int(i["max"]) for i in self.items)


class CheckRound(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    rubric = models.ForeignKey(CheckRubric, on_delete=models.PROTECT, related_name="rounds")
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("互查轮次")
        verbose_name_plural = _("互查轮次")

    def __str__(self) -> str:
        return self.title


class CheckPair(models.Model):
    """Unit `checker` checks unit `checked` in a round: item scores and the check's findings."""

    round = models.ForeignKey(CheckRound, on_delete=models.CASCADE, related_name="pairs")
    checker = models.ForeignKey(
        OrgUnit, verbose_name=_("检查单位"), on_delete=models.PROTECT, related_name="+"
    )
    checked = models.ForeignKey(
        OrgUnit, verbose_name=_("被检查单位"), on_delete=models.PROTECT, related_name="+"
    )
    scores = models.JSONField(default=dict, blank=True)  # {item code: score}
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("互查结对")
        verbose_name_plural = _("互查结对")
        constraints = [
            models.UniqueConstraint(fields=["round", "checked"], name="check_pair_checked_once"),
            models.CheckConstraint(
                condition=~models.Q(checker=models.F("checked")), name="check_pair_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checker_id}→{self.checked_id}"


class Finding(models.Model):
    """A problem the checkers found (with photos through the attachment store), and the lesson to
    share (互鉴): marked for sharing — when recorded, or later (services.finding_lesson_share) — it is
    proposed to the duty manual as a typical case."""

    pair = models.ForeignKey(CheckPair, on_delete=models.CASCADE, related_name="findings")
    item_code = models.CharField(_("检查项目"), max_length=20)
    description = models.TextField(_("发现的问题"))
    lesson = models.TextField(_("经验启示"), blank=True, default="")
    share = models.BooleanField(_("作为典型案例推荐"), default=False)
    manual_case_id = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("互查发现问题")
        verbose_name_plural = _("互查发现问题")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:40]


class Rectification(models.Model):
    """What the checked unit must put right by a deadline; it reports what it did, the checker
    (or the round's organiser) closes it or sends it back."""

    class State(models.TextChoices):
        OPEN = "open", _("整改中")
        REPORTED = "reported", _("已报整改")
        CLOSED = "closed", _("已销号")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    requirement = models.TextField(_("整改要求"))
    deadline = models.DateField(_("整改期限"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    report = models.TextField(_("整改情况"), blank=True, default="")
    reported_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("互查整改事项")
        verbose_name_plural = _("互查整改事项")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.requirement[:40]

    def is_overdue(self, today) -> bool:
        return self.state != self.State.CLOSED and self.deadline < today
