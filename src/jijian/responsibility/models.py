"""Primary responsibility for clean governance (主体责任, docs/responsibility.md).

A party organisation is a core OrgUnit of kind "party_org" (党委、党组、党支部 of a city-level
department). This app adds:

- its leadership (LeadershipMember): the secretary, who is the first responsible person (第一责任人),
  the other members, each responsible for their own portfolio as well (一岗双责), and the
  discipline member (纪检委员);
- the templates a commission publishes each year (ListTemplate) and each organisation's yearly list
  (ResponsibilityItem): items copied from the templates when the list is generated, plus items the
  organisation adds; an item copies what it needs, so a later template edit never changes a list
  that records already point to;
- fulfilment records (FulfilmentRecord, 全程纪实) made as the work happens, each for one item and one
  period of it, with files (jijian.attachments) and the commission's comments (RecordComment);
- accountability interviews (AccountabilityInterview, 约谈) held by the supervising office.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijian.core.models import OrgUnit


class Holder(models.TextChoices):
    """Whose duty an item is: the three holders of primary responsibility."""

    ORGANISATION = "organisation", _("党组织（领导班子）")
    SECRETARY = "secretary", _("书记（第一责任人）")
    MEMBER = "member", _("班子成员（一岗双责）")


class MemberRole(models.TextChoices):
    SECRETARY = "secretary", _("书记（第一责任人）")
    MEMBER = "member", _("班子成员（一岗双责）")
    DISCIPLINE_MEMBER = "discipline_member", _("纪检委员")


class Frequency(models.TextChoices):
    """How often an item is due: its periods in the year."""

    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年（按完成时限）")


class Polarity(models.TextChoices):
    POSITIVE = "positive", _("责任清单（必须为）")
    NEGATIVE = "negative", _("负面清单（不可为）")


class RecordType(models.TextChoices):
    MEETING = "meeting", _("会议（党委会、党组会、支委会）")
    STUDY = "study", _("学习")
    TALK = "talk", _("谈心谈话、提醒谈话")
    INSPECTION = "inspection", _("分管领域检查")
    REPORT = "report", _("向上级报告")
    SAME_LEVEL_SUPERVISION = "same_level_supervision", _("同级监督")
    OTHER = "other", _("其他")


class LeadershipMember(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=100, blank=True, default="")
    role = models.CharField(_("责任身份"), max_length=20, choices=MemberRole.choices)
    portfolio = models.CharField(_("分管领域"), max_length=200, blank=True, default="")
    is_active = models.BooleanField(_("在任"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("党组织班子成员")
        verbose_name_plural = _("党组织班子成员")
        constraints = [
            # One secretary in office per organisation.
            models.UniqueConstraint(
                fields=["org_unit"],
                condition=models.Q(role="secretary", is_active=True),
                name="resp_one_secretary",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ItemFields(models.Model):
    """What a template item and a list item both say."""

    holder = models.CharField(_("责任主体"), max_length=20, choices=Holder.choices)
    polarity = models.CharField(
        _("清单类别"), max_length=10, choices=Polarity.choices, default=Polarity.POSITIVE
    )
    title = models.CharField(_("事项"), max_length=200)
    requirement = models.TextField(_("工作要求"), blank=True, default="")
    frequency = models.CharField(
        _("频次"), max_length=12, choices=Frequency.choices, default=Frequency.YEARLY
    )
    # For a yearly item: the day it is due (Dec 31 when empty). Periods of the other frequencies end
    # with their month, quarter or half-year.
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    supervising_office = models.CharField(_("监督主体"), max_length=100, blank=True, default="党风政风监督室")
    evidence = models.CharField(_("佐证材料"), max_length=200, blank=True, default="")
    record_type = models.CharField(
        _("纪实类型"), max_length=30, choices=RecordType.choices, default=RecordType.OTHER
    )

    class Meta:
        abstract = True


class ListTemplate(ItemFields):
    """One item of the yearly template a commission (city or county) publishes for the party
    organisations under it."""

    publisher = models.ForeignKey(
        OrgUnit, verbose_name=_("发布机关"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("责任清单模板")
        verbose_name_plural = _("责任清单模板")
        indexes = [models.Index(fields=["publisher", "year"], name="resp_template_year")]

    def __str__(self) -> str:
        return self.title


class ResponsibilityItem(ItemFields):
    """One item of an organisation's yearly list (责任清单). `member` names the leadership member for
    an item of a member (一岗双责); `template` the template it was copied from (empty: the
    organisation's own item)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    member = models.ForeignKey(
        LeadershipMember,
        verbose_name=_("班子成员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    template = models.ForeignKey(
        ListTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("责任清单事项")
        verbose_name_plural = _("责任清单事项")
        indexes = [models.Index(fields=["org_unit", "year"], name="resp_item_org_year")]

    def __str__(self) -> str:
        return self.title


class FulfilmentRecord(models.Model):
    """One thing done, recorded as it happens (一事一记、随做随记), for one item and one period of it.
    Entered after that period's deadline, it is late (is_late) and carries the reason."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        ResponsibilityItem, verbose_name=_("清单事项"), on_delete=models.PROTECT, related_name="records"
    )
    period = models.PositiveSmallIntegerField(_("期次"))
    record_type = models.CharField(_("纪实类型"), max_length=30, choices=RecordType.choices)
    occurred_on = models.DateField(_("日期"))
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容（会议记录、谈话要点等）"))
    participants = models.CharField(_("参加人员"), max_length=500, blank=True, default="")
    # A meeting: the ten minutes of integrity education before it, and the 三重一大 decisions.
    integrity_ten_minutes = models.BooleanField(_("开展会前廉政十分钟"), default=False)
    integrity_topic = models.CharField(_("廉政十分钟内容"), max_length=200, blank=True, default="")
    major_decision = models.BooleanField(_("研究“三重一大”事项"), default=False)
    major_decision_procedure = models.BooleanField(_("“三重一大”按规定程序决策"), default=False)
    is_late = models.BooleanField(_("逾期补录"), default=False)
    late_reason = models.CharField(_("补录事由"), max_length=500, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("履责纪实")
        verbose_name_plural = _("履责纪实")
        indexes = [models.Index(fields=["item", "period"], name="resp_record_item_period")]

    def __str__(self) -> str:
        return self.title


class RecordComment(models.Model):
    """The supervising office's comment on a record: it reads and comments, never edits."""

    record = models.ForeignKey(FulfilmentRecord, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("批注"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("纪实批注")
        verbose_name_plural = _("纪实批注")

    def __str__(self) -> str:
        return self.text[:20]


class InterviewOutcome(models.TextChoices):
    NONE = "none", _("约谈提醒，不予问责")
    CHECK = "check", _("问责：检查")
    CIRCULATE = "circulate", _("问责：通报")
    REORGANISE = "reorganise", _("问责：改组")
    ADMONISH = "admonish", _("问责：诫勉")
    ORG_ADJUST = "org_adjust", _("问责：组织调整或组织处理")
    DISCIPLINE = "discipline", _("问责：纪律处分")


class AccountabilityInterview(models.Model):
    """An accountability interview (约谈) the supervising office held with an organisation, usually
    about a red item, with the outcome and its follow-up."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        ResponsibilityItem,
        verbose_name=_("相关清单事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    held_on = models.DateField(_("约谈日期"))
    interviewee = models.CharField(_("约谈对象"), max_length=100)
    reason = models.TextField(_("约谈事由"))
    outcome = models.CharField(_("处理结果"), max_length=12, choices=InterviewOutcome.choices)
    follow_up = models.TextField(_("整改要求及跟踪"), blank=True, default="")
    follow_up_due = models.DateField(_("整改期限"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    follow_up_result = models.TextField(_("整改结果"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")

    def __str__(self) -> str:
        return f"{self.held_on} {self.interviewee}"


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class RiskPoint(models.Model):
    """A corruption risk (廉政风险点) in one business process of a unit, with its prevention measures and
    owner, reviewed every year. Kept by the party organisation (its discipline member, through the
    liaison's account), read by the supervising office."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    process = models.CharField(_("业务流程"), max_length=100)
    description = models.TextField(_("风险表现"))
    level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    measures = models.TextField(_("防控措施"))
    owner = models.CharField(_("责任人"), max_length=100)
    reviewed_year = models.PositiveSmallIntegerField(_("最近复核年度"), null=True, blank=True)
    review_note = models.CharField(_("复核意见"), max_length=500, blank=True, default="")
    is_active = models.BooleanField(_("有效"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("廉政风险点")
        verbose_name_plural = _("廉政风险点")

    def __str__(self) -> str:
        return f"{self.process}：{self.description[:20]}"


class RiskCheckResult(models.TextChoices):
    NORMAL = "normal", _("未发现问题")
    PROBLEM = "problem", _("发现问题")


class RiskCheck(models.Model):
    """A discipline member's check against a risk point (e.g. reading a 三重一大 meeting's minutes)."""

    risk_point = models.ForeignKey(RiskPoint, on_delete=models.PROTECT, related_name="checks")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(_("检查日期"))
    finding = models.TextField(_("检查情况"))
    result = models.CharField(_("检查结果"), max_length=10, choices=RiskCheckResult.choices)
    follow_up = models.TextField(_("提醒、报告及整改"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("风险点检查")
        verbose_name_plural = _("风险点检查")

    def __str__(self) -> str:
        return f"{self.checked_on} {self.risk_point_id}"


class Grade(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


class AnnualAssessment(models.Model):
    """The supervising office's yearly assessment (考核) of an organisation's primary responsibility,
    made with the evidence at hand (the periods done on time, late and red, interviews, risk checks)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("考核等次"), max_length=12, choices=Grade.choices)
    score = models.PositiveSmallIntegerField(_("得分"))
    basis = models.TextField(_("考核依据"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year"], name="resp_one_assessment_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_grade_display()}"


# --- same-level supervision by the department's discipline member -----------------------------------
class SupervisionKind(models.TextChoices):
    MEETING = "meeting", _("列席领导班子会议")
    REMINDER = "reminder", _("同级监督提醒")
    REPORT_UP = "report_up", _("向派驻纪检监察组报告")


class SupervisionRecord(models.Model):
    """同级监督纪实: what a city-level department's discipline member (市直单位纪检委员) did about their
    own department's leadership — a leadership meeting attended (with the 会前廉政十分钟 held before
    it, or not), a reminder given, a matter reported upward. Entered once here; it goes into the
    member's duty log (core.links.duty_log_record) and so into their monthly report."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("市直单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=SupervisionKind.choices)
    occurred_on = models.DateField(_("日期"))
    subject = models.CharField(_("会议/对象/事项"), max_length=200)
    content = models.TextField(_("情况记录（提出的意见、提醒内容、报告内容）"))
    integrity_ten_minutes = models.BooleanField(_("会前开展廉政十分钟"), default=False)
    integrity_topic = models.CharField(_("廉政十分钟内容"), max_length=200, blank=True, default="")
    # The duty records it became (reports.DutyRecord ids, through the port), null when the log refused.
    duty_record_id = models.BigIntegerField(null=True, blank=True, editable=False)
    ten_minutes_duty_record_id = models.BigIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("同级监督纪实")
        verbose_name_plural = _("同级监督纪实")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["org_unit", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"
