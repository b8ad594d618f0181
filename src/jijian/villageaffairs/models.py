"""村务监督: the village's 三重一大 (major_decision) register and the 四议两公开 (four_deliberations)
steps each decision walks, the rules each village sets and files with its township, and the
township's answers to the risk flags computed over them (flags.py).

A decision copies its village's rules when it is registered (`rules`): editing the village's rules
later never changes what an open decision is checked against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Defaults of a village's rules (per village in VillageRules; docs/villageaffairs.md).
DEFAULT_LARGE_AMOUNT = 50_000  # 元: 大额资金, set by each village and filed with the township
DEFAULT_MINUTES_LATE_DAYS = 7  # minutes recorded this many days after the meeting or later: flagged


def answer_working_days() -> int:
    """Working days the township has to answer a risk flag (JIJIAN_VILLAGE_FLAG_ANSWER_WORKING_DAYS,
    default 5); a decision keeps the figure of its rules' snapshot."""
    return settings.VILLAGE_FLAG_ANSWER_WORKING_DAYS


class DecisionCategory(models.TextChoices):
    MAJOR_MATTER = "major_matter", _("重大事项决策")
    CADRE_APPOINTMENT = "cadre_appointment", _("重要干部任免")
    MAJOR_PROJECT = "major_project", _("重大项目安排")
    LARGE_FUND = "large_fund", _("大额资金使用")


class Step(models.IntegerChoices):
    """The six steps of 四议两公开, in their order. Each depends on the one before it."""

    PROPOSAL = 1, _("村党组织提议")
    TWO_COMMITTEES = 2, _("村“两委”会商议")
    PARTY_MEETING = 3, _("党员大会审议")
    VILLAGERS_MEETING = 4, _("村民（代表）会议决议")
    RESOLUTION_PUBLIC = 5, _("决议公开")
    RESULT_PUBLIC = 6, _("实施结果公开")


class MeetingForm(models.TextChoices):
    """The forms the villagers' decision (Step.VILLAGERS_MEETING) may be taken in, each counted against
    a roll of its own in the village's filed rules (MEETING_FORM_ROLLS) and with a quorum of its own
    (flags.quorum_least): a 村民会议 of the adult villagers, a 村民会议 of one representative per
    household, or a 村民代表会议 of the representatives and the villagers' committee."""

    VILLAGERS = "villagers", _("村民会议（18周岁以上村民参加）")
    HOUSEHOLDS = "households", _("村民会议（户代表参加）")
    REPRESENTATIVES = "representatives", _("村民代表会议")


# The VillageRules field (and key of a decision's rules snapshot) each form's roll is read from.
MEETING_FORM_ROLLS: dict[str, str] = {
    MeetingForm.VILLAGERS: "adult_villagers",
    MeetingForm.HOUSEHOLDS: "households",
    MeetingForm.REPRESENTATIVES: "representatives",
}

# Steps that are meetings (attendance, votes, minutes); the other two are notices on the board.
MEETING_STEPS = frozenset({Step.PROPOSAL, Step.TWO_COMMITTEES, Step.PARTY_MEETING, Step.VILLAGERS_MEETING})
# Steps whose roll is fixed by the village's register (党员人数; for the villagers' decision the roll of
# the form it was taken in) and that need a quorum.
QUORUM_STEPS = frozenset({Step.PARTY_MEETING, Step.VILLAGERS_MEETING})
# The names the duty log's "decision_meeting" type uses for the steps (its "四议环节" choices).
DUTY_LOG_STEP_NAMES = {
    Step.PROPOSAL: "党支部提议",
    Step.TWO_COMMITTEES: "两委会商议",
    Step.PARTY_MEETING: "党员大会审议",
    Step.VILLAGERS_MEETING: "村民（代表）会议决议",
    Step.RESOLUTION_PUBLIC: "决议公开",
    Step.RESULT_PUBLIC: "结果公开",
}


class VillageRules(models.Model):
    """What a village counts as 三重一大 and its rolls, set by the village and filed with the township."""

    village = models.OneToOneField(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="decision_rules"
    )
    large_amount = models.DecimalField(
        _("大额资金标准（元）"), max_digits=12, decimal_places=2, default=DEFAULT_LARGE_AMOUNT
    )
    item_types = models.TextField(_("“三重一大”事项范围"), blank=True, default="")
    party_members = models.PositiveIntegerField(_("党员人数"), default=0)
    # The rolls of the villagers' decision, one per MeetingForm; 0: not filed (that form cannot be
    # recorded). `representatives` is the 村民代表会议's membership: the representatives and the members
    # of the villagers' committee, as the law composes that meeting.
    representatives = models.PositiveIntegerField(_("村民代表会议组成人员人数"), default=0)
    adult_villagers = models.PositiveIntegerField(_("18周岁以上村民人数"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    minutes_late_days = models.PositiveSmallIntegerField(
        _("会议记录迟录天数（超过即提示）"), default=DEFAULT_MINUTES_LATE_DAYS
    )
    # The 环节停滞 rule's limits of this village (flags.py); empty: the platform's
    # (JIJIAN_VILLAGE_STEP_STALL_DAYS, JIJIAN_VILLAGE_RESULT_PUBLIC_DAYS). Never longer than those.
    step_stall_days = models.PositiveSmallIntegerField(
        _("环节停滞提示天数（空为平台规定）"), null=True, blank=True
    )
    result_public_days = models.PositiveSmallIntegerField(
        _("实施结果公开提示天数（空为平台规定）"), null=True, blank=True
    )
    filed_at = models.DateTimeField(_("报乡镇备案时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("村级“三重一大”规则")
        verbose_name_plural = _("村级“三重一大”规则")

    def __str__(self) -> str:
        return f"{self.village} 规则"

    def snapshot(self) -> dict:
        return {
            "large_amount": str(self.large_amount),
            "party_members": self.party_members,
            "representatives": self.representatives,
            "adult_villagers": self.adult_villagers,
            "households": self.households,
            "minutes_late_days": self.minutes_late_days,
            # None: the platform's limit, as it stands when a flag is computed.
            "step_stall_days": self.step_stall_days,
            "result_public_days": self.result_public_days,
            "item_types": self.item_types,
            "answer_working_days": answer_working_days(),
            "rules_version": self.version,
        }


class MajorDecision(models.Model):
    """One 三重一大 matter of a village, from the branch's proposal to the result made public."""

    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="major_decisions"
    )
    category = models.CharField(_("类别"), max_length=20, choices=DecisionCategory.choices)
    title = models.CharField(_("事项"), max_length=120)
    description = models.TextField(_("事项说明"), blank=True, default="")
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    # The village's rules when the decision was registered (VillageRules.snapshot()). A roll of the
    # villagers' decision it lacked (registered before the village filed it) is added once, from the
    # rules filed since, when a meeting is first recorded against it ("rolls_added": {key: version});
    # a roll it holds is never replaced.
    rules = models.JSONField(_("适用规则"), default=dict)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("“三重一大”事项")
        verbose_name_plural = _("“三重一大”事项")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["village", "created_at"])]

    def __str__(self) -> str:
        return self.title


class DecisionStep(models.Model):
    """One step of 四议两公开 as it happened: the meeting (date, roll, attendance, votes, minutes) or
    the notice (date, content), the notice-board photos and minutes files (jijian.attachments,
    purpose "villageaffairs.step"), and the village member's presence and supervision opinion."""

    decision = models.ForeignKey(MajorDecision, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(_("环节"), choices=Step.choices)
    held_on = models.DateField(_("日期"))
    # The villagers' decision only: the form it was taken in, whose roll `roll` is. "" on the other
    # steps, and on villagers' decisions recorded before the form was asked: those are read as they
    # were recorded, by the two-thirds rule of the 村民代表会议 (flags.py). The database's default too,
    # for rows written without the ORM (the benchmarks' generator).
    meeting_form = models.CharField(
        _("会议形式"), max_length=20, choices=MeetingForm.choices, blank=True, default="", db_default=""
    )
    roll = models.PositiveIntegerField(_("应到人数"), null=True, blank=True)
    attended = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    attendees = models.TextField(_("参会人员"), blank=True, default="")
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    minutes = models.TextField(_("会议记录 / 公开内容"), blank=True, default="")
    # SM3 of the normalised attendee list and minutes: the same list or text on another meeting of
    # the village is a flag (the falsified-record risk point), found by one indexed equality.
    attendees_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    minutes_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # Recorded although an earlier step was not: the member confirmed it and said why.
    out_of_sequence_reason = models.CharField(_("未按顺序登记的说明"), max_length=255, blank=True, default="")
    member_present = models.BooleanField(_("纪检委员到场监督"), default=False)
    member_opinion = models.TextField(_("监督意见"), blank=True, default="")
    duty_record_id = models.BigIntegerField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # Raised by each correction (StepCorrection): a correction from a stale page is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("四议两公开环节")
        verbose_name_plural = _("四议两公开环节")
        ordering = ["decision", "step"]
        constraints = [models.UniqueConstraint(fields=["decision", "step"], name="unique_decision_step")]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.get_step_display()}"


class StepCorrection(models.Model):
    """A recorded step corrected by its author: the values before the correction, the reason, who and
    when. The step itself holds the corrected values; these rows are its history."""

    step = models.ForeignKey(DecisionStep, on_delete=models.CASCADE, related_name="corrections")
    before = models.JSONField(_("更正前"))
    after = models.JSONField(_("更正后"))
    reason = models.CharField(_("更正原因"), max_length=255)
    corrected_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("更正时间"), default=timezone.now)

    class Meta:
        verbose_name = _("环节更正记录")
        verbose_name_plural = _("环节更正记录")
        ordering = ["step", "corrected_at", "pk"]

    def __str__(self) -> str:
        return f"{self.step_id} {self.corrected_at:%Y-%m-%d}"

    @property
    def meeting_form_changed(self) -> bool:
        """The correction changed the villagers' decision's form (or named it on a step recorded
        without one)."""
        return (self.before or {}).get("meeting_form", "") != (self.after or {}).get("meeting_form", "")

    @property
    def meeting_form_before(self) -> str:
        """The villagers' decision's form before the correction, named; "" when none was recorded."""
        form = (self.before or {}).get("meeting_form") or ""
        return str(MeetingForm(form).label) if form in MeetingForm.values else ""


class FlagAnswer(models.Model):
    """The township's answer to one risk flag of a decision (flags.py names the flag by its key): a
    written answer, or a problem clue opened in the petitions register (its register number kept)."""

    decision = models.ForeignKey(MajorDecision, on_delete=models.CASCADE, related_name="flag_answers")
    flag_key = models.CharField(max_length=40)
    answer = models.TextField(_("处理意见"))
    # Set when the township opened a clue from the flag (petitions, through core.links.petition_register).
    clue_serial = models.CharField(_("问题线索登记编号"), max_length=40, blank=True, default="")
    answered_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("风险提示处理")
        verbose_name_plural = _("风险提示处理")
        constraints = [models.UniqueConstraint(fields=["decision", "flag_key"], name="unique_flag_answer")]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.flag_key}"


class SplitFlagAnswer(models.Model):
    """The township's answer to one split-expense flag (疑似拆分报账, reimbursements.split_expenses),
    as FlagAnswer is to a decision's flag. The flag is named by its village and the vouchers of its
    window (`flag_key`, the SM3 digest of their ids; the ids kept in `vouchers`): a window that later
    gains a voucher is another flag, and this answer stays on record."""

    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    flag_key = models.CharField(max_length=64)
    vouchers = models.JSONField(_("涉及凭证"), default=list)
    answer = models.TextField(_("处理意见"))
    clue_serial = models.CharField(_("问题线索登记编号"), max_length=40, blank=True, default="")
    answered_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("拆分报账提示处理")
        verbose_name_plural = _("拆分报账提示处理")
        constraints = [
            models.UniqueConstraint(fields=["village", "flag_key"], name="unique_split_flag_answer")
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.flag_key[:12]}"


# --- the reimbursement co-sign chain (报账联审联签) --------------------------------------------------
class ChainStep(models.TextChoices):
    """The signatures a village voucher may need; which, and in what order, each township sets
    (ReimbursementChain). The handler's entry comes first and the township 三资 agency's booking last."""

    SUPERVISION_COMMITTEE = "supervision_committee", _("村务监督委员会审核")
    MEMBER_RECHECK = "member_recheck", _("纪检委员复审签字")
    SECRETARY = "secretary", _("村党组织书记签字")
    CHAIR = "chair", _("村委会主任签字")
    TOWNSHIP_LEADER = "township_leader", _("乡镇领导签批")
    AGENCY_BOOKING = "agency_booking", _("乡镇三资代理中心记账")


# Steps signed at the township, recorded by the township committee with the signer's name; the others
# in the village, recorded by the member.
TOWNSHIP_CHAIN_STEPS = frozenset({ChainStep.TOWNSHIP_LEADER, ChainStep.AGENCY_BOOKING})
DEFAULT_CHAIN = [
    ChainStep.SUPERVISION_COMMITTEE,
    ChainStep.MEMBER_RECHECK,
    ChainStep.SECRETARY,
    ChainStep.CHAIR,
]
DEFAULT_TOWNSHIP_APPROVAL_FROM = 10_000  # 元: at or above, the township leader signs before booking
DEFAULT_OBJECTION_WORKING_DAYS = 5


class ReimbursementChain(models.Model):
    """A township's co-sign chain for its villages' vouchers: the village signatures in order, from
    which amount the township leader must also sign, and the time limit of an objection's answer."""

    township = models.OneToOneField(
        "core.OrgUnit",
        verbose_name=_("乡镇（街道）"),
        on_delete=models.PROTECT,
        related_name="reimbursement_chain",
    )
    steps = models.JSONField(_("签字顺序"), default=list)
    township_approval_from = models.DecimalField(
        _("乡镇领导签批起点（元）"), max_digits=12, decimal_places=2, default=DEFAULT_TOWNSHIP_APPROVAL_FROM
    )
    objection_working_days = models.PositiveSmallIntegerField(
        _("异议处理时限（工作日）"), default=DEFAULT_OBJECTION_WORKING_DAYS
    )
    updated_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("报账签字流程")
        verbose_name_plural = _("报账签字流程")

    def __str__(self) -> str:
        return f"{self.township} 报账签字流程"


class VoucherState(models.TextChoices):
    SIGNING = "signing", _("签字中")
    OBJECTED = "objected", _("有异议，待乡镇处理")
    BOOKED = "booked", _("已记账")
    REJECTED = "rejected", _("不予报销")


class Voucher(models.Model):
    """One village reimbursement voucher and the chain it walks. `chain` is the township's chain when
    the voucher was entered, the township leader included when the amount called for it: a chain
    edited later never changes a voucher already on its way."""

    village = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="vouchers"
    )
    purpose = models.CharField(_("用途"), max_length=120)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    spent_on = models.DateField(_("支出日期"))
    handler_name = models.CharField(_("经手人"), max_length=50)
    chain = models.JSONField(_("签字流程"), default=list)
    objection_working_days = models.PositiveSmallIntegerField(default=DEFAULT_OBJECTION_WORKING_DAYS)
    state = models.CharField(
        _("状态"), max_length=10, choices=VoucherState.choices, default=VoucherState.SIGNING
    )
    objection_due = models.DateField(_("异议处理期限"), null=True, blank=True)
    booked_at = models.DateTimeField(_("记账时间"), null=True, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # The key the entry form carries: the same form sent twice (a double tap, a resend after a lost
    # answer) enters one voucher.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("报账凭证")
        verbose_name_plural = _("报账凭证")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["village", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount}"


class VoucherSignature(models.Model):
    """One step of a voucher's chain: who signed (by name: the person who signed on paper, typed by the
    account that recorded it, `recorded_by`; the member's re-check by the member's own account), when,
    the opinion — or the objection that stopped the chain, and the township's answer."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="signatures")
    step = models.CharField(_("环节"), max_length=24, choices=ChainStep.choices)
    signer_name = models.CharField(_("签字人"), max_length=50)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签字时间"), default=timezone.now)
    opinion = models.CharField(_("意见"), max_length=500, blank=True, default="")
    is_objection = models.BooleanField(_("提出异议"), default=False)
    # 签字背书 of the member's re-check: the SM3 digest of the voucher as it was signed.
    endorsement_digest = models.CharField(max_length=64, blank=True, default="")
    resolution = models.CharField(_("乡镇处理意见"), max_length=500, blank=True, default="")
    resolved_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("报账签字")
        verbose_name_plural = _("报账签字")
        ordering = ["voucher", "signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.voucher_id} {self.step} {self.signer_name}"


# --- 四亮 public board ------------------------------------------------------------------------------
class PublicBoard(models.Model):
    """四亮 (public_board): the village member's public page — 亮身份 (name, post, village), 亮职责,
    亮承诺, 亮成效 (the year's supervision, computed) — and how to reach them. Written by the member;
    a mobile number shows only with the member's recorded consent."""

    village = models.OneToOneField(
        "core.OrgUnit", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="public_board"
    )
    member = models.ForeignKey(
        "core.User", verbose_name=_("纪检委员"), on_delete=models.PROTECT, related_name="+"
    )
    duties = models.TextField(_("亮职责"))
    commitments = models.TextField(_("亮承诺"))
    contact = models.CharField(_("联系方式"), max_length=200, blank=True, default="")
    phone_consent = models.BooleanField(_("本人同意公开手机号码"), default=False)
    # The member's photo: an attachment (purpose "villageaffairs.board_photo") of the village's unit,
    # uploaded by the member or the township committee; the public page and poster show it.
    photo_id = models.BigIntegerField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("四亮公示")
        verbose_name_plural = _("四亮公示")

    def __str__(self) -> str:
        return f"{self.village} 四亮"
