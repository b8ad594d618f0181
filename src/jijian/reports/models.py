"""村级纪检委员履职月报: duty records (履职纪实), one monthly report per village and month, its
transitions, the configuration (duty types and their fields, the checklist, the rubric, the
deadline), and annual grades.

The expected-report row is the heart of the statistics (docs/domain.md §1): at the start of
each month one MonthlyReport row per village that is expected that month is created in state
NOT_STARTED, carrying the village's city / county / township ids *as of that month*. Expected,
submitted, on time, late, missing, zero and returned are then a GROUP BY over that one table, and a
later change of the org tree does not move old months."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import defaults


class ReportState(models.TextChoices):
    NOT_STARTED = "not_started", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    RESUBMITTED = "resubmitted", _("已重新提交")
    APPROVED = "approved", _("已审核通过")


# States in which the township has the report (counted as submitted).
SUBMITTED_STATES = frozenset({ReportState.SUBMITTED, ReportState.RESUBMITTED, ReportState.APPROVED})
# States in which the member may edit.
EDITABLE_STATES = frozenset({ReportState.NOT_STARTED, ReportState.DRAFT, ReportState.RETURNED})


class MemberKind(models.TextChoices):
    """Who files the monthly report: a village's discipline member (reviewed by the township), or a
    city-level department's (市直单位纪检委员, reviewed by the resident group overseeing the department,
    or by the commission's 党风政风监督室 where none does). One mechanism, one table: the kind picks the
    year's duty types and the reviewer (selectors.member_kind_of, services.may_review)."""

    VILLAGE = "village", _("村（社区）纪检委员")
    DEPARTMENT = "department", _("市直单位纪检委员")


class FieldType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("金额/小数")
    TEXT = "text", _("文字")
    BOOLEAN = "boolean", _("是/否")
    CHOICE = "choice", _("单选")
    MULTI = "multi", _("多选")


class DutyType(models.Model):
    """A kind of duty record, with the fields a member fills in, versioned by year: editing next
    year's configuration never changes this year's records."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    member_kind = models.CharField(
        _("适用委员"), max_length=12, choices=MemberKind.choices, default=MemberKind.VILLAGE
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=255, blank=True, default="")
    # [{"name": "amount", "label": "金额（元）", "type": "decimal", "required": true, "min": 0, "max": 1e8,
    #   "choices": [...]}]
    fields = models.JSONField(_("字段"), default=list, blank=True)
    counts_as_clue = models.BooleanField(_("计为发现问题线索"), default=False)
    manual_slug = models.CharField(_("履职手册条目"), max_length=60, blank=True, default="")
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("履职事项类型")
        verbose_name_plural = _("履职事项类型")
        ordering = ["year", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "member_kind", "code"], name="unique_duty_type_year_kind_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class ChecklistItem(models.Model):
    """履职清单: what a member must do each month (e.g. ≥ 10 household visits), per year."""

    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    duty_type = models.ForeignKey(
        DutyType, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    min_per_month = models.PositiveSmallIntegerField(_("每月至少"), default=1)
    # Sum this integer field of the records instead of counting them (e.g. "households" visited).
    measure_field = models.CharField(_("计量字段"), max_length=40, blank=True, default="")
    note = models.CharField(_("说明"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("履职清单")
        verbose_name_plural = _("履职清单")
        constraints = [models.UniqueConstraint(fields=["year", "duty_type"], name="unique_checklist_item")]

    def __str__(self) -> str:
        return f"{self.duty_type.name} ≥ {self.min_per_month}"


class ReportSettings(models.Model):
    """Per city: deadline and reminder rules, and the review rubric (configurable; docs/domain.md §1)."""

    city = models.OneToOneField("core.OrgUnit", on_delete=models.CASCADE, related_name="report_settings")
    deadline_day = models.PositiveSmallIntegerField(_("截止日（次月几日）"), default=5)
    # From this day of the month on the month's report may be submitted without confirming that the
    # month's duty log closes early (issue 16: an early submit locked the log on the 5th).
    submittable_from_day = models.PositiveSmallIntegerField(
        _("可提交日（当月几日起）"), default=defaults.SUBMITTABLE_FROM_DAY
    )
    # Evidence rules that need the photo as taken: the phone uploads it uncompressed and the bytes
    # as received are kept encrypted beside the re-encoded copy. Otherwise the phone compresses.
    keep_photo_originals = models.BooleanField(_("保留照片原件（作为证据）"), default=False)
    remind_days_before = models.PositiveSmallIntegerField(_("截止前几天提醒"), default=3)
    escalate_county_after_days = models.PositiveSmallIntegerField(_("逾期几天报县级"), default=3)
    # [{"key": "complete", "label": "内容完整", "max": 40}, ...]
    rubric = models.JSONField(_("评分细则"), default=list, blank=True)
    # When the annual grade proposes 不称职 (reports/grades.py).
    incompetent_missing_months = models.PositiveSmallIntegerField(
        _("不称职：漏报月数达到"), default=defaults.INCOMPETENT_MISSING_MONTHS
    )
    incompetent_min_submission_pct = models.PositiveSmallIntegerField(
        _("不称职：报送率低于（%）"), default=defaults.INCOMPETENT_MIN_SUBMISSION_PCT
    )
    incompetent_rate_from_months = models.PositiveSmallIntegerField(
        _("报送率规则自应报满几个月起适用"), default=defaults.INCOMPETENT_RATE_FROM_MONTHS
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("月报设置")
        verbose_name_plural = _("月报设置")

    def __str__(self) -> str:
        return f"{self.city} 月报设置"


class MonthlyReport(models.Model):
    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="monthly_reports"
    )
    month = models.DateField(_("月份"), help_text="the first day of the month")
    # The reporting unit is `village`: a village (community), or a city-level department for a
    # department discipline member's report (member_kind says which).
    member_kind = models.CharField(
        _("委员类别"), max_length=12, choices=MemberKind.choices, default=MemberKind.VILLAGE
    )
    member = models.ForeignKey(
        "core.User",
        verbose_name=_("纪检委员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="monthly_reports",
    )
    # The village's ancestors as of this month (never rewritten when the tree changes later).
    city_id_at = models.BigIntegerField(null=True, db_index=True)
    county_id_at = models.BigIntegerField(null=True, db_index=True)
    township_id_at = models.BigIntegerField(null=True, db_index=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=ReportState.choices, default=ReportState.NOT_STARTED
    )
    deadline = models.DateField(_("截止日期"))
    # From this day on the report may be submitted without an early-submit confirmation, fixed when
    # the row is opened from the city's setting (null on rows opened before: the default day).
    submittable_from = models.DateField(_("可提交日期"), null=True, blank=True)
    # Submitted before `submittable_from`, with the member's confirmation that the log closes.
    is_early = models.BooleanField(_("提前提交"), default=False)
    is_zero_report = models.BooleanField(_("零报告"), default=False)
    summary = models.TextField(_("本月履职情况"), blank=True, default="")
    problems = models.TextField(_("发现的问题及处理"), blank=True, default="")
    # Counts per duty type code, pre-filled from the duty log and completed by the member.
    counts = models.JSONField(_("各类事项数量"), default=dict, blank=True)
    # Why a count is above what the duty log supports (required then, to submit).
    counts_note = models.TextField(_("数量说明"), blank=True, default="")
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(default=False)
    late_days = models.PositiveSmallIntegerField(default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_count = models.PositiveSmallIntegerField(default=0)
    return_reason = models.TextField(_("退回原因"), blank=True, default="")
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=1, null=True, blank=True)
    score_detail = models.JSONField(default=dict, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True, default="")
    # 签字背书: the statement, who, when, and the SM3 digest of the content that was endorsed.
    endorsement_statement = models.CharField(max_length=255, blank=True, default="")
    endorsed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    endorsed_at = models.DateTimeField(null=True, blank=True)
    endorsement_digest = models.CharField(max_length=64, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    # Who wrote the current version and from which device ("<user id>:<device id>", "<user id>:"
    # without a device id, empty after a reviewer's return or approval): a stale save from that same
    # device is the member's own newer work, not a conflict; from their other device, it is named so.
    draft_saved_from = models.CharField(max_length=80, blank=True, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("履职月报")
        verbose_name_plural = _("履职月报")
        ordering = ["-month", "village__path"]
        constraints = [
            models.UniqueConstraint(fields=["village", "month"], name="unique_report_village_month")
        ]
        indexes = [
            models.Index(fields=["month", "county_id_at"]),
            models.Index(fields=["month", "township_id_at", "state"]),
            models.Index(fields=["member", "month"]),
            # Month statistics of a whole city as an index-only scan on PostgreSQL (ignored on SQLite).
            models.Index(
                fields=["month", "city_id_at"],
                include=[
                    "member_kind",
                    "county_id_at",
                    "township_id_at",
                    "state",
                    "is_late",
                    "is_zero_report",
                    "return_count",
                ],
                name="report_month_city_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.month:%Y-%m}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_submitted(self) -> bool:
        return self.state in SUBMITTED_STATES


class ReportTransition(models.Model):
    """Every change of state, with who, when and why."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=ReportState.choices)
    to_state = models.CharField(max_length=16, choices=ReportState.choices)
    actor = models.ForeignKey("core.User", null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("月报流转记录")
        verbose_name_plural = _("月报流转记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_state} → {self.to_state}"


class DutyRecord(models.Model):
    """履职纪实: one thing a member did, recorded as it happened."""

    member = models.ForeignKey(
        "core.User", verbose_name=_("纪检委员"), on_delete=models.PROTECT, related_name="duty_records"
    )
    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="duty_records"
    )
    month = models.DateField(_("月份"), db_index=True)
    duty_type = models.ForeignKey(
        DutyType, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="records"
    )
    occurred_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True, default="")
    notes = models.TextField(_("情况记录"), blank=True, default="")
    data = models.JSONField(_("事项数据"), default=dict, blank=True)
    # Client-generated id so that an offline submission sent twice creates one record.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    # The village's ancestors as of the record's month (those of the month's MonthlyReport row when it
    # exists, else the village's when recorded): statistics count duties where the village was then.
    city_id_at = models.BigIntegerField(null=True)
    county_id_at = models.BigIntegerField(null=True)
    township_id_at = models.BigIntegerField(null=True)
    is_deleted = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("履职纪实")
        verbose_name_plural = _("履职纪实")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["village", "month"]),
            models.Index(fields=["month", "county_id_at"], name="duty_month_county_at"),
            models.Index(fields=["month", "township_id_at"], name="duty_month_township_at"),
            models.Index(fields=["month", "city_id_at"], name="duty_month_city_at"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.duty_type.name}"


class AnnualGrade(models.Model):
    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        COMPETENT = "competent", _("称职")
        BASIC = "basic", _("基本称职")
        INCOMPETENT = "incompetent", _("不称职")

    member = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="annual_grades")
    village = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    proposed = models.CharField(_("建议等次"), max_length=12, choices=Grade.choices)
    proposal_basis = models.JSONField(default=dict, blank=True)
    grade = models.CharField(_("评定等次"), max_length=12, choices=Grade.choices, blank=True, default="")
    reason = models.TextField(_("理由"), blank=True, default="")
    set_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("月报年度等次")
        verbose_name_plural = _("月报年度等次")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="unique_grade_member_year")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year} {self.grade or self.proposed}"


class MissingReportTalk(models.Model):
    """A talk the reviewer of a member's reports held because reports were missing (the duty manual's
    follow-up: a reminder talk first, then an accountability interview; reports.talks). Append-only:
    what was said is a record, never edited."""

    class Kind(models.TextChoices):
        REMINDER_TALK = "reminder_talk", _("提醒谈话")
        ACCOUNTABILITY_INTERVIEW = "accountability_interview", _("约谈")

    member = models.ForeignKey(
        "core.User", verbose_name=_("纪检委员"), on_delete=models.PROTECT, related_name="missing_report_talks"
    )
    # The member's village (or department) when the talk was held: the jurisdiction of the record.
    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("方式"), max_length=30, choices=Kind.choices)
    held_on = models.DateField(_("谈话日期"))
    # The months missing on that day (first day of each month, ISO dates): what the talk was about.
    months = models.JSONField(_("未报月份"), default=list)
    notes = models.TextField(_("谈话内容及本人表态"))
    held_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("未报月报谈话")
        verbose_name_plural = _("未报月报谈话")
        constraints = [
            # A double click records one talk, not two.
            models.UniqueConstraint(fields=["member", "kind", "held_on"], name="unique_missing_report_talk")
        ]
        indexes = [models.Index(fields=["member", "held_on"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.held_on}"
