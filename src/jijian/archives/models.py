"""Integrity archives (廉情档案, docs/domain.md §3): one archive per supervised person.

The person (name, ID number encrypted with a blind index, unit, post, level, category of the
Supervision Law, party membership) and the reports from the public linked to it
(petitions.PetitionReport.archive_id, a plain id read through core.links); the archive's sections (family members, personal-matters
reports, sanctions and organisational handling with their effect period, integrity talks,
commitments, gifts, audits and assessments), each with its source, date and who entered it; one
version per year (ArchiveYearVersion: what the archive held that year, to show what changed); and
the integrity opinion replies (党风廉政意见回复) to the organisation department.

Opening an archive needs a reason and is audited (access.py, services.archive_open); nobody opens
their own archive or that of a person they declared a relation to (回避申报)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jijian.core.fields import BlindIndexField, EncryptedTextField
from jijian.core.models import CadreLevel, OrgUnit


def name_keys(name: str) -> tuple[str, str]:
    """The pinyin initials and the full pinyin of a name, lower case, the surname read as a surname:
    郑军 → ("zj", "zhengjun"), 曾伟 → ("zw", "zengwei")."""
    from jijian.core.orgs.pinyin import person_name_keys

    initials, pinyin = person_name_keys(name)
    return initials[:20], pinyin[:100]


class SupervisedCategory(models.TextChoices):
    """The six categories of persons under supervision (监察法, the article listing 监察对象); stored
    as a category, not an article number (the law was amended in 2024)."""

    CIVIL_SERVANT = "civil_servant", _("公务员及参照公务员法管理的人员")
    PUBLIC_AFFAIRS = "public_affairs", _("法律法规授权或受委托管理公共事务的组织中从事公务的人员")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业管理人员")
    PUBLIC_INSTITUTION = "public_institution", _("公办教育、科研、文化、医疗卫生、体育等单位中从事管理的人员")
    GRASSROOTS = "grassroots", _("基层群众性自治组织中从事管理的人员")
    OTHER = "other", _("其他依法履行公职的人员")


class PartyStatus(models.TextChoices):
    MEMBER = "member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    OTHER_PARTY = "other_party", _("民主党派")
    NONE = "none", _("群众")


class IntegrityArchive(models.Model):
    name = models.CharField(_("姓名"), max_length=100)
    name_index = BlindIndexField(source="name")
    # For the list's search: "zj" or "zhengjun" finds 郑军 (exact match, computed on save).
    name_initials = models.CharField(max_length=20, blank=True, default="", db_index=True, editable=False)
    name_pinyin = models.CharField(max_length=100, blank=True, default="", db_index=True, editable=False)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number")
    # Where the person works: the archive is in the jurisdiction of whoever oversees this unit.
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField(_("职务"), max_length=100, blank=True, default="")
    # The rank as the petitions' routing uses it (who manages the person).
    level = models.CharField(_("级别"), max_length=20, choices=CadreLevel.choices, default=CadreLevel.OTHER)
    category = models.CharField(
        _("监察对象类别"), max_length=30, choices=SupervisedCategory.choices, default=SupervisedCategory.OTHER
    )
    party_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PartyStatus.choices, default=PartyStatus.NONE
    )
    notes = models.TextField(_("备注"), blank=True, default="")
    # The person's photo (证件照), stored through the attachment service (checked, re-encoded without
    # metadata); served only to who may open the archive (views.archive_photo).
    photo = models.ForeignKey(
        "attachments.Attachment",
        verbose_name=_("照片"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A duplicate archive merged into another (services.archive_merge): inactive, kept with its
    # sections moved and its linked reports still pointing at it (they are read through the survivor).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已合并至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("廉情档案")
        verbose_name_plural = _("廉情档案")
        constraints = [
            # One archive per person: the ID number, where known, is unique among active archives.
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(is_active=True) & ~models.Q(id_number_index=""),
                name="archive_one_per_id_number",
            )
        ]
        indexes = [models.Index(fields=["org_unit", "name_index"], name="archive_unit_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_initials, self.name_pinyin = name_keys(self.name)
        fields = kwargs.get("update_fields")
        if fields is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "name_initials", "name_pinyin"}
        super().save(*args, **kwargs)

    @property
    def must_report_matters(self) -> bool:
        """Whether the person files the yearly personal-matters report (县处级 and above)."""
        return self.level == CadreLevel.DIVISION


# --- the archive's sections ---------------------------------------------------------------------
class SectionEntry(models.Model):
    """What every section entry carries: where the material came from, its date, who entered it."""

    archive = models.ForeignKey(IntegrityArchive, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("材料来源"), max_length=100)
    recorded_on = models.DateField(_("材料日期"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    # An entry entered in error is withdrawn (撤销, services.section_entry_withdraw), never deleted nor
    # edited: it stays on the archive, marked, with who withdrew it, when and why, and no longer counts
    # (the opinions' facts, the flags). A correction is a new entry naming the withdrawn one it replaces.
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawal_reason = models.CharField(_("撤销理由"), max_length=500, blank=True, default="")
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("更正的条目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    # The edit counter a withdrawal is checked against (the page sends the version it showed).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class FamilyRelation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_SPOUSE = "child_spouse", _("子女的配偶")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他主要社会关系")


class FamilyMember(SectionEntry):
    """家庭成员及其从业情况. A staff member whose name is a recorded family member of the person does
    not open the archive (access.archives_visible_to: recusal)."""

    archive = models.ForeignKey(IntegrityArchive, on_delete=models.PROTECT, related_name="family")
    relation = models.CharField(_("关系"), max_length=20, choices=FamilyRelation.choices)
    name = EncryptedTextField(_("姓名"))
    name_index = BlindIndexField(source="name")
    employer = models.CharField(_("工作单位"), max_length=200, blank=True, default="")
    occupation = models.CharField(_("职务或从业情况"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["relation", "pk"]

    def __str__(self) -> str:
        return str(self.get_relation_display())


class MattersItem(models.TextChoices):
    """Items of the personal-matters report (领导干部报告个人有关事项规定)."""

    MARRIAGE = "marriage", _("本人婚姻变化")
    TRAVEL = "travel", _("因私出国（境）及证件")
    EMIGRATION = "emigration", _("配偶子女移居国（境）外")
    FAMILY_BUSINESS = "family_business", _("配偶、子女及其配偶从业")
    CRIMINAL = "criminal", _("配偶子女被追究刑事责任")
    INCOME = "income", _("工资及劳务所得")
    PROPERTY = "property", _("房产")
    INVESTMENT = "investment", _("投资（股票、基金、保险、企业）")


class PersonalMattersReport(SectionEntry):
    """个人有关事项报告 of one year (`year` is the year reported on; due by 31 January of the next)."""

    archive = models.ForeignKey(IntegrityArchive, on_delete=models.PROTECT, related_name="matters_reports")
    year = models.PositiveSmallIntegerField(_("报告年度"))
    items = models.JSONField(_("报告有变化的事项"), default=list, blank=True)
    summary = models.TextField(_("报告内容摘要"), blank=True, default="")

    class Meta:
        verbose_name = _("个人有关事项报告")
        verbose_name_plural = _("个人有关事项报告")
        ordering = ["-year"]
        constraints = [
            # One report a year among the entries not withdrawn: a correction enters the year anew.
            models.UniqueConstraint(
                fields=["archive", "year"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="archive_matters_one_active_per_year",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(year)s年度个人有关事项报告") % {"year": self.year}

    @property
    def is_late(self) -> bool:
        from .sanctions import matters_due_on

        return self.recorded_on > matters_due_on(self.year)

    def get_items_display(self) -> list[str]:
        labels = dict(MattersItem.choices)
        return [str(labels.get(i, i)) for i in self.items]


class Sanction(SectionEntry):
    """A party or public-office sanction (处分) or an organisational handling (组织处理). The effect
    period comes from the reference data (sanctions.SANCTIONS); a sanction from a clue's outcome
    carries the clue's reference in `source_ref` and enters an archive once — withdrawn or not: a
    sanction from a clue that a keeper withdrew is not entered again by the clue into that archive (its
    correction is entered by hand); the clue linked anew to another person's archive enters that one."""

    archive = models.ForeignKey(IntegrityArchive, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("处分或处理"), max_length=40)
    decided_on = models.DateField(_("决定（生效）日期"))
    authority = models.CharField(_("决定机关"), max_length=200, blank=True, default="")
    # 留党察看: the probation (12 or 24 months) the decision set; 0 otherwise.
    probation_months = models.PositiveSmallIntegerField(_("察看期（月）"), default=0)
    # The last day within the effect period; null for a sanction without end (开除).
    effect_ends_on = models.DateField(_("影响期截止"), null=True, blank=True)
    reason = models.TextField(_("事由"), blank=True, default="")
    source_ref = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        verbose_name = _("处分及组织处理")
        verbose_name_plural = _("处分及组织处理")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="archive_sanction_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def get_kind_display(self) -> str:
        from .sanctions import SANCTIONS

        return str(SANCTIONS[self.kind].name) if self.kind in SANCTIONS else self.kind

    def in_effect_on(self, day) -> bool:
        return self.decided_on <= day and (self.effect_ends_on is None or day <= self.effect_ends_on)


class RecordKind(models.TextChoices):
    TALK = "talk", _("廉政谈话")
    # The first form's handlings short of 诫勉 (谈话提醒, 批评教育, 责令检查): no effect period and no
    # bar to promotion, but a fact the integrity opinion shows (HANDLING_KINDS). 诫勉, which bars
    # promotion for six months, is a Sanction (sanctions.py, org_admonition).
    TALK_REMINDER = "talk_reminder", _("谈话提醒")
    CRITICISM = "criticism", _("批评教育")
    ORDERED_REVIEW = "ordered_review", _("责令检查")
    COMMITMENT = "commitment", _("廉政承诺")
    GIFT = "gift", _("拒收或上交礼品礼金")
    AUDIT = "audit", _("审计")
    ASSESSMENT = "assessment", _("考核评议")


# The records that are a handling of the person (第一种形态: 谈话提醒, 批评教育, 责令检查): the
# integrity opinion lists them among the facts and counts them as "reported but closed", never as a veto.
HANDLING_KINDS = frozenset({RecordKind.TALK_REMINDER, RecordKind.CRITICISM, RecordKind.ORDERED_REVIEW})


class ArchiveRecord(SectionEntry):
    """The simpler sections: integrity talks, the first form's handlings short of 诫勉 (谈话提醒,
    批评教育, 责令检查), commitments, gifts refused or handed in, audits and assessments — a dated
    summary (and the value, for gifts). A handling from a clue's outcome carries the clue's reference
    in `source_ref` and enters an archive once, withdrawn or not, as a sanction does."""

    archive = models.ForeignKey(IntegrityArchive, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("类别"), max_length=20, choices=RecordKind.choices)
    summary = models.TextField(_("内容"))
    amount = models.DecimalField(_("价值（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    source_ref = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        verbose_name = _("档案记录")
        verbose_name_plural = _("档案记录")
        ordering = ["kind", "-recorded_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="archive_record_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


# An entry of any section, and the sections as the pages name them (archives/<id>/add/<section>/,
# …/withdraw/<section>/<entry>/).
AnyEntry = FamilyMember | PersonalMattersReport | Sanction | ArchiveRecord
SECTION_MODELS: dict[str, type[AnyEntry]] = {
    "family": FamilyMember,
    "matters": PersonalMattersReport,
    "sanction": Sanction,
    "record": ArchiveRecord,
}


class ArchiveYearVersion(models.Model):
    """What the archive held in one year: refreshed by every write of that year (services), kept as
    it stood at the year's end, so that the page shows what changed from one year to the next."""

    archive = models.ForeignKey(IntegrityArchive, on_delete=models.PROTECT, related_name="year_versions")
    year = models.PositiveSmallIntegerField()
    content = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("档案年度版本")
        verbose_name_plural = _("档案年度版本")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["archive", "year"], name="archive_one_version_a_year")]

    def __str__(self) -> str:
        return gettext("%(year)s年版") % {"year": self.year}


# --- integrity opinion replies (党风廉政意见回复) ------------------------------------------------
class OpinionPurpose(models.TextChoices):
    PROMOTION = "promotion", _("提拔任用")
    COMMENDATION = "commendation", _("评先评优")
    ELECTION = "election", _("换届提名")
    TRANSFER = "transfer", _("交流调任")
    OTHER = "other", _("其他")


class OpinionState(models.TextChoices):
    SUBMITTED = "submitted", _("待答复")
    DRAFTED = "drafted", _("待审签")
    SIGNED = "signed", _("已答复")


class OpinionVerdict(models.TextChoices):
    NO_OBJECTION = "no_objection", _("无影响")
    REPORTED_CLOSED = "reported_closed", _("有反映已了结")
    UNDER_VERIFICATION = "under_verification", _("正在核查，建议暂缓")
    IN_EFFECT = "in_effect", _("处分影响期内，不同意")
    NOT_FOUND = "not_found", _("未建立廉情档案")


class OpinionRequest(models.Model):
    """A request of the organisation department (征求意见函) about a list of people."""

    ref_no = models.CharField(_("来函文号"), max_length=60)
    purpose = models.CharField(_("征求意见事由"), max_length=20, choices=OpinionPurpose.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    # The requesting organisation department's unit: the request is in the jurisdiction of whoever
    # oversees it (the commission of that city or county).
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("答复期限"))
    state = models.CharField(max_length=20, choices=OpinionState.choices, default=OpinionState.SUBMITTED)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    drafted_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("党风廉政意见回复")
        verbose_name_plural = _("党风廉政意见回复")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return self.ref_no


class OpinionPerson(models.Model):
    request = models.ForeignKey(OpinionRequest, on_delete=models.CASCADE, related_name="persons")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("姓名"), max_length=100)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_index = BlindIndexField(source="id_number")
    post = models.CharField(_("单位职务"), max_length=200, blank=True, default="")
    archive = models.ForeignKey(
        IntegrityArchive, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verdict = models.CharField(
        _("意见"), max_length=30, choices=OpinionVerdict.choices, blank=True, default=""
    )
    facts = models.JSONField(default=list, blank=True)
    wording = models.TextField(_("回复意见"), blank=True, default="")

    class Meta:
        verbose_name = _("征求意见人员")
        verbose_name_plural = _("征求意见人员")
        ordering = ["position"]

    def __str__(self) -> str:
        return str(self.name)


class OpinionEndorsement(models.Model):
    """One office's confirmation of its part of a drafted reply (签字背书): 信访室 for the reports, 案件监督
    管理室 for clues and investigations, 审理室 for sanctions. A new draft clears them; the leader signs
    only once every endorsing office has endorsed (opinions.ENDORSERS)."""

    request = models.ForeignKey(OpinionRequest, on_delete=models.CASCADE, related_name="endorsements")
    office = models.CharField(_("科室"), max_length=40)
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    endorsed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("核查说明"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("意见会签")
        verbose_name_plural = _("意见会签")
        ordering = ["endorsed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "office"], name="opinion_one_endorsement_per_office")
        ]

    def __str__(self) -> str:
        return self.office
