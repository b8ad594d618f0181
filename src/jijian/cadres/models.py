"""The village discipline members' posts and how the township guides them (三为主), and township
cadres learning on county cases (跟案学习).

- A village's discipline member post is held by one person at a time: the holdings (PostHolding) are
  the history of who held it when, periods that never overlap (one open holding per village and per
  person is a database constraint; services check the closed ones). A holding begins with an approved
  nomination and ends by replacement, dismissal or resignation; the holder's village-member role ends
  with it (role_ended_at). Once a village's post has a holding on record the holdings alone say who
  holds it; a post never recorded is taken to be held by the village's member with the role, whose
  period an approval of a successor records and ends.
- A nomination (Nomination) is the township's proposal of a candidate, vetted when made (the
  integrity archive's opinion through core.links.archive_vetting, the relations that forbid the post)
  and decided by the county.
- A guidance task (GuidanceTask) is issued by the township to a member with a deadline in working
  days; the member's answer becomes a duty record of the duty log (core.links.duty_log_record). A
  task still open when the member's holding ends is closed with it (closed_on): kept on record,
  neither open nor overdue from then on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


# --- 跟案学习 ------------------------------------------------------------------------------------
class CasePlacement(models.Model):
    """A township cadre placed on a county case to learn, with a period and a mentor; at the end the
    cadre writes a learning report and the county records its assessment."""

    org_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("选派单位"), on_delete=models.PROTECT, related_name="+"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("跟案干部"), on_delete=models.PROTECT, related_name="+"
    )
    case_name = models.CharField(_("跟学案件"), max_length=200)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("带教导师"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    report = models.TextField(_("学习报告"), blank=True, default="")
    reported_at = models.DateTimeField(_("报告提交时间"), null=True, blank=True)
    assessment = models.TextField(_("县级评价"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("跟案学习")
        verbose_name_plural = _("跟案学习")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="placement_period_order")
        ]

    def __str__(self) -> str:
        return self.case_name

    @property
    def stage(self) -> str:
        if self.recorded_at:
            return gettext("已记录")
        if self.reported_at:
            return gettext("待县级记录")
        return gettext("跟案学习中")


# --- 三为主: nomination and posts ---------------------------------------------------------------
class NominationState(models.TextChoices):
    SUBMITTED = "submitted", _("待县级审批")
    APPROVED = "approved", _("已批准任职")
    REJECTED = "rejected", _("未批准")


class Nomination(models.Model):
    """The township's nomination of a candidate for a village's discipline member post."""

    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("候选人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("提名理由"))
    committee_names = models.TextField(_("村“两委”成员"), blank=True, default="")
    away_from_home = models.BooleanField(_("异地任职"), default=False)
    away_reason = models.CharField(_("异地任职说明"), max_length=500, blank=True, default="")
    vetting = models.JSONField(_("廉情档案意见"), default=dict, blank=True)
    vetted_at = models.DateTimeField(null=True, blank=True)
    relation_findings = models.JSONField(_("禁止任职的亲属关系"), default=list, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=NominationState.choices, default=NominationState.SUBMITTED
    )
    starts_on = models.DateField(_("任职日期"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("提名选聘")
        verbose_name_plural = _("提名选聘")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One nomination of a village waits for the county at a time.
            models.UniqueConstraint(
                fields=["village"], condition=Q(state="submitted"), name="one_pending_nomination_per_village"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id}:{self.candidate_id}"

    @property
    def forbidden(self) -> bool:
        """The facts bar the post: a forbidding relation, or a sanction still in effect."""
        return bool(self.relation_findings) or self.vetting.get("verdict") == "in_effect"


class EndReason(models.TextChoices):
    REPLACED = "replaced", _("更换")
    DISMISSED = "dismissed", _("免职")
    RESIGNED = "resigned", _("辞职")


class PostHolding(models.Model):
    """One period in which one person held a village's discipline member post (ended_on: the last
    day held; open while null)."""

    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("任职人"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    end_reason = models.CharField(_("离任原因"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("离任说明"), max_length=500, blank=True, default="")
    away_from_home = models.BooleanField(_("异地任职"), default=False)
    nomination = models.OneToOneField(
        Nomination, null=True, blank=True, on_delete=models.PROTECT, related_name="holding"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the holder's village-member role ended with the holding (core.accounts.role_end), or it was
    # found with nothing to end; null while held, and for a holding dated to end later until the day
    # after its last day (services.post_holding_roles_end). A registered past period (建档) ends nothing.
    role_ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("纪检委员任职")
        verbose_name_plural = _("纪检委员任职")
        ordering = ["village_id", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=Q(ended_on__isnull=True), name="one_holder_per_village_post"
            ),
            models.UniqueConstraint(
                fields=["holder"], condition=Q(ended_on__isnull=True), name="one_post_per_holder"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="holding_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id}:{self.holder_id}"


# --- 指导为主: guidance tasks --------------------------------------------------------------------
class TaskKind(models.TextChoices):
    DISPATCH = "dispatch", _("派单")
    TOPIC = "topic", _("点题")


class GuidanceTask(models.Model):
    """A task the township issues to a village member, due a number of working days after issue."""

    org_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("派单单位"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("纪检委员"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=TaskKind.choices)
    title = models.CharField(_("任务"), max_length=100)
    body = models.TextField(_("要求"), blank=True, default="")
    issued_on = models.DateField(_("派发日期"))
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    due_on = models.DateField(_("截止日期"))
    answer = models.TextField(_("办理情况"), blank=True, default="")
    answered_on = models.DateField(_("办结日期"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    duty_record_id = models.BigIntegerField(null=True, blank=True)
    duty_note = models.CharField(max_length=500, blank=True, default="")
    # The member's holding ended (the last day held) while the task was open: closed with it.
    closed_on = models.DateField(_("离任终止日期"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("派单点题")
        verbose_name_plural = _("派单点题")
        ordering = ["-issued_on", "-pk"]
        indexes = [
            models.Index(fields=["member", "issued_on"], name="task_member_issued"),
            models.Index(fields=["village", "due_on"], name="task_village_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        """Open past its deadline, or answered after it (a task closed with the member's holding is
        neither)."""
        if self.answered_on is not None:
            return self.answered_on > self.due_on
        if self.closed_on is not None:
            return False
        return today > self.due_on
