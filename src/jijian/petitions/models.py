"""Reports from the public (信访举报) and the messages exchanged with the reporter.

Confidentiality is law (docs/domain.md §2): the reporter's identity is stored only SM4-GCM encrypted, with
a blind index on the ID number for repeat detection; the receipt code is never stored, only its slow
hash (receipt.py); and nothing about the request that brought a report in is kept — no address, no
user agent, no request metadata of any kind (tests/petitions/test_privacy.py scans every table)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijian.core.fields import BlindIndexField, EncryptedTextField
from jijian.core.models import CadreLevel, OrgUnit


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
    # Found by the platform's own supervision (a village risk flag), not received from anyone.
    SUPERVISION = "supervision", _("日常监督发现")


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
    RECEIVED = "received", _("已收到")  # registered, awaiting triage at its holder
    ACCEPTED = "accepted", _("已受理")  # handled at this level (supervision department; 案管室 informed)
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    FORWARDED = "forwarded", _("已转办")  # sent to another body, awaiting its answer
    CLOSED = "closed", _("已办结")


class NotAcceptedReason(models.TextChoices):
    """Matters a discipline commission does not accept (2020 检举控告工作规则)."""

    LEGAL_PROCEDURE = "legal_procedure", _("属于诉讼、仲裁、行政复议等法定途径解决的事项")
    OTHER_BODY = "other_body", _("属于其他机关职责范围")
    NO_SUBSTANCE = "no_substance", _("反映问题没有实质内容")
    OTHER = "other", _("其他不予受理情形")


class RouteKind(models.TextChoices):
    """分级负责、归口办理: who handles a report, decided by who manages the accused (routing.py)."""

    THIS_LEVEL = "this_level", _("本级办理")
    HIGHER = "higher", _("报送上级")  # restricted path: never in the ordinary register of this level
    OWN_HEAD = "own_head", _("反映本机关主要负责人，直接报送上级")
    LOWER = "lower", _("转下级办理")


class PetitionReport(models.Model):
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    accused_name = models.CharField(_("被反映人姓名"), max_length=100, blank=True, default="")
    accused_unit = models.CharField(_("被反映人单位"), max_length=200, blank=True, default="")
    accused_post = models.CharField(_("被反映人职务"), max_length=100, blank=True, default="")
    accused_level = models.CharField(
        _("被反映人级别"), max_length=20, choices=CadreLevel.choices, default=CadreLevel.OTHER
    )
    # Where staff know it (a letter or a visit names it): the accused's ID number, encrypted, with its
    # blind index, which finds the accused's integrity archive in another city (archive_links.py).
    accused_id_number = EncryptedTextField(_("被反映人身份证号"), blank=True, default="")
    accused_id_index = BlindIndexField(source="accused_id_number")
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
    # The Argon2id cost the hash was made with (receipt.scheme_id), so the cost can change.
    receipt_scheme = models.CharField(max_length=40, blank=True, default="", editable=False)
    # The accused's integrity archive (廉情档案), linked by staff from the candidates with the same name
    # in the region (archive_links.py). A plain id, not a foreign key, as Clue.archive_id: petitions
    # and archives are separate platforms that meet through core.links (archive_briefs), and archives
    # are never deleted. It was a foreign key until migration 0020, which kept the column and its index.
    archive_id = models.BigIntegerField(_("廉情档案"), null=True, blank=True, db_index=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=PetitionState.choices, default=PetitionState.RECEIVED
    )
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now, db_index=True)
    # 登记编号: "<unit code>-<year>-<serial>", assigned when registered (counter per unit and year).
    serial_number = models.CharField(_("登记编号"), max_length=40, blank=True, default="", db_index=True)
    # The commission that received it (where it was written, called in, handed in or submitted online)
    # and the one that holds it now. Staff see reports by holder: a report forwarded up leaves the
    # lower body's register (the restricted path).
    received_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("受理机关"), on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        OrgUnit, verbose_name=_("承办机关"), on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone_area_code = models.CharField(_("来电区号"), max_length=6, blank=True, default="")
    accused_name_index = BlindIndexField(source="accused_name")
    # Triage (routing.py): who manages the accused, whether it is about this commission's own head.
    managing_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("管理机关"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    about_own_head = models.BooleanField(_("反映本机关主要负责人"), default=False)
    route = models.CharField(_("办理方式"), max_length=20, choices=RouteKind.choices, blank=True, default="")
    # Higher-level matters travel a restricted path: not listed in the ordinary register of any level
    # below the one that handles them.
    restricted = models.BooleanField(_("按规定专门报送"), default=False)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("重复件，原件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    not_accepted_reason = models.CharField(
        _("不予受理理由"), max_length=20, choices=NotAcceptedReason.choices, blank=True, default=""
    )
    result = models.TextField(_("办理结果"), blank=True, default="")
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    acceptance_notice = models.TextField(_("受理告知"), blank=True, default="")
    acceptance_notified_on = models.DateField(_("受理告知日期"), null=True, blank=True)
    result_notice = models.TextField(_("办理结果告知"), blank=True, default="")
    result_notified_on = models.DateField(_("结果告知日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("信访举报件")
        verbose_name_plural = _("信访举报件")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["region", "state"], name="petition_region_state"),
            models.Index(fields=["holder", "state"], name="petition_holder_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} #{self.pk}"

    @property
    def masked_reporter(self) -> str:
        """What staff lists show ("张** 138****5678"); the full identity needs an audited reveal."""
        from jijian.core.sensitive.crypto import mask_phone, mask_text

        if self.is_anonymous:
            return str(_("匿名"))
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


class PetitionTransition(models.Model):
    """Every change of a report's state or holder: who, when, at which body, why."""

    report = models.ForeignKey(PetitionReport, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(max_length=20, choices=PetitionState.choices, blank=True, default="")
    to_state = models.CharField(max_length=20, choices=PetitionState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("说明"), blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("举报件流转记录")
        verbose_name_plural = _("举报件流转记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"

    @property
    def action_label(self) -> str:
        """What happened, for the steps that leave the state as it was (after acceptance)."""
        return str(TRANSITION_LABELS.get(self.action, ""))


# The report's steps that keep its state (handling/conclusion.py), by PetitionTransition.action.
TRANSITION_LABELS = {
    "close_request": _("提交办结报告，报领导审批"),
    "close_reject": _("办结报告被退回"),
    "extension_request": _("申请延长办结期限"),
    "extension_approve": _("批准延长办结期限"),
    "extension_reject": _("延长办结期限的申请被退回"),
    "urge": _("催办"),
    "supervise": _("督办"),
    "objection": _("举报人对办理结果提出异议"),
    "objection_upheld_request": _("拟维持原结论，答复报领导审批"),
    "objection_upheld_reject": _("维持原结论的答复被退回"),
    "objection_upheld": _("答复异议：维持原结论"),
    "objection_reopen": _("答复异议：重新办理"),
}


class ForwardAnswer(models.TextChoices):
    PENDING = "", _("待答复")
    ACCEPTED = "accepted", _("已接收办理")
    TRANSFERRED = "transferred", _("已转送")


class PetitionForward(models.Model):
    """One forward of a report to another body, tracked until that body answers (accepts it or
    transfers it on). A lower body must answer within 5 working days (`due_date`)."""

    report = models.ForeignKey(PetitionReport, on_delete=models.PROTECT, related_name="forwards")
    kind = models.CharField(_("转办方式"), max_length=20, choices=RouteKind.choices)
    from_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("转出机关"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("接收机关"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("转办说明"), blank=True, default="")
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("转办人")
    )
    forwarded_at = models.DateTimeField(_("转办时间"), default=timezone.now)
    due_date = models.DateField(_("答复期限"))
    answer = models.CharField(
        _("答复"), max_length=20, choices=ForwardAnswer.choices, blank=True, default=ForwardAnswer.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answer_note = models.TextField(_("答复说明"), blank=True, default="")

    class Meta:
        verbose_name = _("转办记录")
        verbose_name_plural = _("转办记录")
        ordering = ["-forwarded_at", "-pk"]
        indexes = [
            models.Index(fields=["from_unit", "answer"], name="forward_from_answer"),
            models.Index(fields=["to_unit", "answer"], name="forward_to_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.from_unit_id}→{self.to_unit_id} {self.forwarded_at:%Y-%m-%d}"


class DeadlineKind(models.TextChoices):
    ROUTE = "route", _("分流办理（5个工作日）")
    ACCEPTANCE_NOTICE = "acceptance_notice", _("受理告知（15个工作日）")
    FORWARD_ANSWER = "forward_answer", _("转办件接收或转送（5个工作日）")
    RESULT_NOTICE = "result_notice", _("办理结果告知（15个工作日）")
    LETTER_REPLY = "letter_reply", _("函询回复（15个工作日）")
    PRELIMINARY_CHECK = "preliminary_check", _("初步核实期限")
    QUARTERLY_FEEDBACK = "quarterly_feedback", _("季度办理结果反馈信访室")
    CONCLUSION = "conclusion", _("办结期限（受理后3个月）")
    OBJECTION_ANSWER = "objection_answer", _("答复举报人异议")


class PetitionDeadline(models.Model):
    """One statutory time limit on one item, counted on the working-day calendar (deadlines.py).
    Open while `met_at` is empty; the deadline board is one indexed scan of the open ones."""

    kind = models.CharField(_("时限类型"), max_length=30, choices=DeadlineKind.choices)
    report = models.ForeignKey(
        PetitionReport, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    clue = models.ForeignKey(
        "Clue", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    holder = models.ForeignKey(
        OrgUnit, verbose_name=_("承办机关"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("起算日"))
    due_date = models.DateField(_("期限"))
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Closed without being met, e.g. no acceptance notice for a repeat report.
    waived = models.BooleanField(_("无需办理"), default=False)
    # The limit before its first approved extension (PetitionApproval of kind EXTENSION); empty when
    # never extended.
    extended_from = models.DateField(_("原期限"), null=True, blank=True)
    # The strongest reminder sent to the holder about this limit once overdue (PetitionUrging):
    # shown on the deadline board. Cleared when the limit is extended.
    escalation = models.CharField(_("催督办"), max_length=10, blank=True, default="")
    # The holder has done its part and the limit waits on a leader's approval (deadlines/limits.py
    # LEADER_APPROVALS: the 办结 report, an answer upholding the result): set when the approval is asked,
    # cleared when a leader decides. Marked on the deadline board; the reminders go to the leaders. Kept
    # on the row, as `escalation` is, so the board reads it with the row rather than in another
    # statement (bench/README.md, "Petitions"); the demo's test checks it against the approvals.
    awaiting_leader = models.BooleanField(_("待领导审批"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(
                fields=["due_date"], name="deadline_open_due", condition=models.Q(met_at__isnull=True)
            ),
            models.Index(
                fields=["holder", "due_date"],
                name="deadline_open_holder_due",
                condition=models.Q(met_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_date}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None


class UnitCounter(models.Model):
    """Serial numbers per (unit, kind, year): 登记编号 of reports, 线索编号 of clues."""

    key = models.CharField(max_length=60, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


# --- problem clues (问题线索) -----------------------------------------------------------------------
class ClueSource(models.TextChoices):
    PETITION = "petition", _("信访举报")
    DUTY_RECORD = "duty_record", _("村级纪检委员履职发现")
    INSPECTION = "inspection", _("巡视巡察")
    OTHER_BODY = "other_body", _("其他机关移送")
    SUPERVISION = "supervision", _("日常监督发现")
    OTHER = "other", _("其他")


class Disposal(models.TextChoices):
    TALK_OR_LETTER = "talk_or_letter", _("谈话函询")
    PRELIMINARY_CHECK = "preliminary_check", _("初步核实")
    HOLD = "hold", _("暂存待查")
    CLOSE = "close", _("予以了结")
    TRANSFER = "transfer", _("转立案审查调查")


class ClueState(models.TextChoices):
    REGISTERED = "registered", _("已登记，待拟处置")
    PENDING_APPROVAL = "pending_approval", _("处置意见待审批")
    TALK_OR_LETTER = "talk_or_letter", _("谈话函询中")
    PRELIMINARY_CHECK = "preliminary_check", _("初步核实中")
    HELD = "held", _("暂存待查")
    CLOSED = "closed", _("已了结")
    TRANSFERRED = "transferred", _("已转立案审查调查")


class Form(models.TextChoices):
    """四种形态."""

    NONE = "", _("未运用")
    FORM_1 = "form_1", _("第一种形态")
    FORM_2 = "form_2", _("第二种形态")
    FORM_3 = "form_3", _("第三种形态")
    FORM_4 = "form_4", _("第四种形态")


class Sanction(models.TextChoices):
    NONE = "", _("无")
    CLEARED = "cleared", _("予以澄清")
    TALK_REMINDER = "talk_reminder", _("谈话提醒")
    CRITICISM = "criticism", _("批评教育")
    ORDERED_REVIEW = "ordered_review", _("责令检查")
    ADMONISHMENT = "admonishment", _("诫勉")
    WARNING = "warning", _("警告")
    SERIOUS_WARNING = "serious_warning", _("严重警告")
    ORGANISATIONAL_ADJUSTMENT = "organisational_adjustment", _("组织调整")
    REMOVAL_FROM_PARTY_POST = "removal_from_party_post", _("撤销党内职务")
    PROBATION = "probation", _("留党察看")
    EXPULSION = "expulsion", _("开除党籍")
    MAJOR_POST_ADJUSTMENT = "major_post_adjustment", _("重大职务调整")
    # 政务处分 (公职人员政务处分法): the light ones count under the second form, the heavy under the third.
    PUBLIC_WARNING = "public_warning", _("政务警告")
    PUBLIC_DEMERIT = "public_demerit", _("记过")
    PUBLIC_MAJOR_DEMERIT = "public_major_demerit", _("记大过")
    PUBLIC_DEMOTION = "public_demotion", _("降级")
    PUBLIC_DISMISSAL = "public_dismissal", _("撤职")
    PUBLIC_EXPULSION = "public_expulsion", _("开除公职")
    CRIMINAL = "criminal", _("涉嫌违法犯罪移送司法机关")


# Which form each outcome counts under (docs/domain.md §2).
SANCTION_FORM: dict[str, str] = {
    Sanction.NONE: Form.NONE,
    Sanction.CLEARED: Form.NONE,
    Sanction.TALK_REMINDER: Form.FORM_1,
    Sanction.CRITICISM: Form.FORM_1,
    Sanction.ORDERED_REVIEW: Form.FORM_1,
    Sanction.ADMONISHMENT: Form.FORM_1,
    Sanction.WARNING: Form.FORM_2,
    Sanction.SERIOUS_WARNING: Form.FORM_2,
    Sanction.ORGANISATIONAL_ADJUSTMENT: Form.FORM_2,
    Sanction.REMOVAL_FROM_PARTY_POST: Form.FORM_3,
    Sanction.PROBATION: Form.FORM_3,
    Sanction.EXPULSION: Form.FORM_3,
    Sanction.MAJOR_POST_ADJUSTMENT: Form.FORM_3,
    Sanction.PUBLIC_WARNING: Form.FORM_2,
    Sanction.PUBLIC_DEMERIT: Form.FORM_2,
    Sanction.PUBLIC_MAJOR_DEMERIT: Form.FORM_2,
    Sanction.PUBLIC_DEMOTION: Form.FORM_3,
    Sanction.PUBLIC_DISMISSAL: Form.FORM_3,
    Sanction.PUBLIC_EXPULSION: Form.FORM_3,
    Sanction.CRIMINAL: Form.FORM_4,
}

# The outcomes that are a sanction or organisational handling of the integrity archive, as the
# archive names them (core.links.archive_record_sanction): a clue concluded with one enters the
# accused's archive. Talks, criticism and clearing are no sanction (the first form's handlings enter
# the archive as records: ARCHIVE_HANDLING); 组织调整 and 重大职务调整 do not say which handling
# (调整职务, 免职, 降职… with different effect periods): the keeper enters those by hand.
ARCHIVE_SANCTION: dict[str, str] = {
    Sanction.ADMONISHMENT: "org_admonition",
    Sanction.WARNING: "party_warning",
    Sanction.SERIOUS_WARNING: "party_serious_warning",
    Sanction.REMOVAL_FROM_PARTY_POST: "party_removal",
    Sanction.PROBATION: "party_probation",
    Sanction.EXPULSION: "party_expulsion",
    Sanction.PUBLIC_WARNING: "public_warning",
    Sanction.PUBLIC_DEMERIT: "public_demerit",
    Sanction.PUBLIC_MAJOR_DEMERIT: "public_major_demerit",
    Sanction.PUBLIC_DEMOTION: "public_demotion",
    Sanction.PUBLIC_DISMISSAL: "public_dismissal",
    Sanction.PUBLIC_EXPULSION: "public_expulsion",
}

# The first form's handlings short of 诫勉 (谈话提醒, 批评教育, 责令检查), as the archive's records name
# them (core.links.archive_record_handling): a clue concluded with one enters the accused's archive as
# a record of it, dated the day the conclusion was approved. No effect period: the integrity opinion
# shows it and vetoes nothing. 予以澄清 clears the person and enters nothing.
ARCHIVE_HANDLING: dict[str, str] = {
    Sanction.TALK_REMINDER: "talk_reminder",
    Sanction.CRITICISM: "criticism",
    Sanction.ORDERED_REVIEW: "ordered_review",
}


class Clue(models.Model):
    """A problem clue, registered and numbered by the case management office (案管室) of `holder`."""

    number = models.CharField(_("线索编号"), max_length=40, unique=True)
    holder = models.ForeignKey(
        OrgUnit, verbose_name=_("承办机关"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("线索来源"), max_length=20, choices=ClueSource.choices)
    source_note = models.CharField(_("来源说明"), max_length=200, blank=True, default="")
    report = models.ForeignKey(
        PetitionReport,
        verbose_name=_("来源举报件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clues",
    )
    # The village member's duty record the clue was registered from (source DUTY_RECORD). A plain id:
    # petitions and reports are separate platforms that meet through core.links (clue_source_records
    # to choose it, duty_record_briefs to name it), and duty records are never deleted (is_deleted
    # marks them). On PostgreSQL they are partitioned by month with the primary key (id, month), which
    # no foreign key on the id alone could reference (docs/partitions.md). A foreign key without a
    # database constraint until migration 0021, which kept the column and its index.
    duty_record_id = models.BigIntegerField(_("来源履职纪实"), null=True, blank=True, db_index=True)
    # The accused's integrity archive (廉情档案), linked by the clue's handlers from the candidates of
    # the same name (clues/services.py), for a clue that has no source report linked to one (a duty
    # record, a superior's referral, an inspection). A generic reference by id, not a foreign key:
    # petitions and archives are separate platforms (core.links), and archives are never deleted.
    # Unset, the clue is about the archive its source report is linked to, if any (clue_archive_id).
    archive_id = models.BigIntegerField(_("廉情档案"), null=True, blank=True, db_index=True)
    accused_name = models.CharField(_("被反映人姓名"), max_length=100)
    accused_name_index = BlindIndexField(source="accused_name")
    accused_unit = models.CharField(_("被反映人单位"), max_length=200, blank=True, default="")
    accused_post = models.CharField(_("被反映人职务"), max_length=100, blank=True, default="")
    accused_level = models.CharField(
        _("被反映人级别"), max_length=20, choices=CadreLevel.choices, default=CadreLevel.OTHER
    )
    matter = models.CharField(_("问题类别"), max_length=20, choices=Matter.choices, default=Matter.OTHER)
    summary = models.TextField(_("主要问题"))
    state = models.CharField(
        _("状态"), max_length=20, choices=ClueState.choices, default=ClueState.REGISTERED
    )
    # The disposal in force once approved (empty while registered).
    disposal = models.CharField(
        _("处置方式"), max_length=20, choices=Disposal.choices, blank=True, default=""
    )
    # A proposal awaiting approval: what, with which outcome, by whom, and the state to return to
    # when it is rejected.
    pending_disposal = models.CharField(max_length=20, choices=Disposal.choices, blank=True, default="")
    pending_sanction = models.CharField(max_length=40, choices=Sanction.choices, blank=True, default="")
    pending_sanction_decided_on = models.DateField(null=True, blank=True)
    pending_note = models.TextField(blank=True, default="")
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pending_from_state = models.CharField(max_length=20, choices=ClueState.choices, blank=True, default="")
    outcome_form = models.CharField(
        _("四种形态"), max_length=10, choices=Form.choices, blank=True, default=""
    )
    outcome_sanction = models.CharField(
        _("处理结果"), max_length=40, choices=Sanction.choices, blank=True, default=""
    )
    outcome_note = models.TextField(_("处置结果说明"), blank=True, default="")
    # The day the sanction was decided (处分决定日期), for an outcome of ARCHIVE_SANCTION: the archive
    # counts its effect period from it. Empty for other outcomes, and for clues concluded before it
    # was asked (their archive entries keep the approval day they were entered with).
    sanction_decided_on = models.DateField(_("处分决定日期"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("问题线索")
        verbose_name_plural = _("问题线索")
        ordering = ["-registered_at", "-pk"]
        indexes = [models.Index(fields=["holder", "state"], name="clue_holder_state")]

    def __str__(self) -> str:
        return self.number


class ClueStep(models.Model):
    """Every hand-off of a clue, signed (签字背书): statement, who, when, SM3 of what was signed."""

    clue = models.ForeignKey(Clue, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(_("环节"), max_length=30)
    from_state = models.CharField(max_length=20, choices=ClueState.choices, blank=True, default="")
    to_state = models.CharField(max_length=20, choices=ClueState.choices)
    disposal = models.CharField(max_length=20, choices=Disposal.choices, blank=True, default="")
    # The outcome proposed or approved with an ending disposal (part of what was signed).
    sanction = models.CharField(max_length=40, choices=Sanction.choices, blank=True, default="")
    # Its decision date (处分决定日期), signed with it where there is one.
    sanction_decided_on = models.DateField(_("处分决定日期"), null=True, blank=True)
    note = models.TextField(_("意见"), blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # For a letter reply: the accused's superior who endorsed it (name and post as written on it).
    endorser = models.CharField(_("背书人"), max_length=100, blank=True, default="")
    endorsement_statement = models.CharField(max_length=255, blank=True, default="")
    endorsement_digest = models.CharField(max_length=64, blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("线索处置记录")
        verbose_name_plural = _("线索处置记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


# --- after acceptance: extension, 办结 approval, 催办/督办 (handling/conclusion.py) ----------------------
class ApprovalKind(models.TextChoices):
    EXTENSION = "extension", _("延长办结期限")
    CONCLUSION = "conclusion", _("办结报告")
    OBJECTION_UPHELD = "objection_upheld", _("异议答复（维持原结论）")


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("待领导审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已退回")


class PetitionApproval(models.Model):
    """A request that a commission leader decides: on an accepted report, an extension of the
    conclusion limit (with its reason and the new date) or the 办结 report (with the result); on a
    closed report, the answer upholding the result against the reporter's objection (with the
    answer). At most one of each kind pending per report."""

    report = models.ForeignKey(PetitionReport, on_delete=models.PROTECT, related_name="approvals")
    kind = models.CharField(_("审批事项"), max_length=20, choices=ApprovalKind.choices)
    state = models.CharField(
        _("审批状态"), max_length=20, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    # The reason for an extension, the result for a 办结 report, the answer for an objection upheld.
    text = models.TextField(_("理由或办理结果"))
    old_due_date = models.DateField(_("原期限"), null=True, blank=True)
    new_due_date = models.DateField(_("延长至"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报批人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("报批时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True, default="")

    class Meta:
        verbose_name = _("办理审批")
        verbose_name_plural = _("办理审批")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind"],
                condition=models.Q(state="pending"),
                name="approval_one_pending_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_state_display()}"


class UrgeKind(models.TextChoices):
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")


class PetitionUrging(models.Model):
    """催办 or 督办 of an overdue time limit: the supervising office's notice to the holder."""

    report = models.ForeignKey(PetitionReport, on_delete=models.PROTECT, related_name="urgings")
    deadline = models.ForeignKey(PetitionDeadline, on_delete=models.PROTECT, related_name="urgings")
    kind = models.CharField(_("方式"), max_length=10, choices=UrgeKind.choices)
    from_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("督促机关"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("承办机关"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("要求"), blank=True, default="")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发出人"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("发出时间"), default=timezone.now)

    class Meta:
        verbose_name = _("催办督办")
        verbose_name_plural = _("催办督办")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sent_at:%Y-%m-%d}"


# --- the reporter's objection to the result (异议; handling/objections.py) -------------------------------
class ObjectionChannel(models.TextChoices):
    LETTER = "letter", _("来信")
    PHONE = "phone", _("来电")
    VISIT = "visit", _("来访")
    ONLINE = "online", _("网上查询页面")


class ObjectionOutcome(models.TextChoices):
    PENDING = "", _("待答复")
    UPHELD = "upheld", _("维持原结论")
    REOPENED = "reopened", _("重新办理")


class PetitionObjection(models.Model):
    """A real-name reporter's objection to the result of a closed report, recorded by staff (a letter,
    a call, a visit) or raised by the reporter on the follow page, and answered by the holder within
    PETITION_OBJECTION_ANSWER_WORKING_DAYS: the original result upheld (a notice to the reporter), or
    the report reopened (back to 已受理: a new result needs a leader's approval again). Upholding is
    itself approved by a leader first (PetitionApproval, ApprovalKind.OBJECTION_UPHELD). At most one open
    per report; a later one needs new facts (`new_facts`)."""

    report = models.ForeignKey(PetitionReport, on_delete=models.PROTECT, related_name="objections")
    channel = models.CharField(_("提出方式"), max_length=10, choices=ObjectionChannel.choices)
    received_on = models.DateField(_("收到日期"))
    text = models.TextField(_("异议内容"))
    new_facts = models.TextField(_("新的事实和理由"), blank=True, default="")
    # Empty for an objection the reporter raised online (the reporter has no account).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The result and its notice the objection was about (a reopened report gets new ones).
    objected_result = models.TextField(_("原办理结果"), blank=True, default="")
    objected_notice = models.TextField(_("原结果告知"), blank=True, default="")
    outcome = models.CharField(
        _("答复结论"), max_length=10, choices=ObjectionOutcome.choices, blank=True, default=""
    )
    answer = models.TextField(_("答复内容"), blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("举报人异议")
        verbose_name_plural = _("举报人异议")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=models.Q(outcome=""), name="objection_one_open_per_report"
            )
        ]

    def __str__(self) -> str:
        return f"异议 {self.received_on} {self.get_outcome_display()}"

    @property
    def is_open(self) -> bool:
        return not self.outcome
