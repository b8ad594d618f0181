"""Writes of the integrity archives: create, edit (with the page's version), open with a reason,
merge a duplicate, add section entries, withdraw an entry entered in error (and enter its correction);
each write refreshes the archive's version of the year."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.access import unit_in_scope
from jijian.core.language import platform_language, written_in_platform_language
from jijian.core.models import CadreLevel, OrgUnit
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import typed_text, validate_id_number

from .access import archives_visible_to, can_keep
from .models import (
    HANDLING_KINDS,
    SECTION_MODELS,
    AnyEntry,
    ArchiveRecord,
    ArchiveYearVersion,
    FamilyMember,
    FamilyRelation,
    IntegrityArchive,
    MattersItem,
    PartyStatus,
    PersonalMattersReport,
    RecordKind,
    Sanction,
    SupervisedCategory,
)
from .sanctions import PROBATION_MONTHS, SANCTIONS, effect_ends_on

# The purpose an archive's photo is stored under (attachments follow the archive: apps.py).
PHOTO_PURPOSE = "archives.photo"
EDITABLE = ("name", "id_number", "org_unit", "post", "level", "category", "party_status", "notes")


def _clean(
    *,
    name: str,
    id_number: str,
    org_unit: OrgUnit,
    post: str,
    level: str,
    notes: str,
    category: str = SupervisedCategory.OTHER,
    party_status: str = PartyStatus.NONE,
) -> dict:
    name = typed_text(name, label=gettext("姓名"), limit=100, required=True)
    post = typed_text(post, label=gettext("职务"), limit=100)
    notes = typed_text(notes, label=gettext("备注"), limit=5000)
    id_number = (id_number or "").strip().upper()
    if id_number:
        validate_id_number(id_number)
    if level not in CadreLevel.values:
        raise ValidationError(gettext("请选择级别"))
    if category not in SupervisedCategory.values:
        raise ValidationError(gettext("请选择监察对象类别"))
    if party_status not in PartyStatus.values:
        raise ValidationError(gettext("请选择政治面貌"))
    return {
        "category": category,
        "party_status": party_status,
        "name": name,
        "id_number": id_number,
        "org_unit": org_unit,
        "post": post,
        "level": level,
        "notes": notes,
    }


def _require_keeper(actor, org_unit: OrgUnit) -> None:
    if not can_keep(actor):
        raise PermissionDenied
    if not unit_in_scope(actor, org_unit):
        raise ValidationError(gettext("所选单位不在本机关管辖范围内"))


def archive_create(
    *,
    actor,
    name: str,
    org_unit: OrgUnit,
    id_number: str = "",
    post: str = "",
    level: str,
    notes: str = "",
    category: str = SupervisedCategory.OTHER,
    party_status: str = PartyStatus.NONE,
) -> IntegrityArchive:
    data = _clean(
        name=name,
        id_number=id_number,
        org_unit=org_unit,
        post=post,
        level=level,
        notes=notes,
        category=category,
        party_status=party_status,
    )
    _require_keeper(actor, org_unit)
    try:
        with transaction.atomic():
            archive = IntegrityArchive.objects.create(created_by=actor, **data)
            audit_record(
                actor=actor,
                action="archive.create",
                obj=archive,
                org_unit_id=org_unit.pk,
                summary=f"建立廉情档案：{archive.name}",
            )
            refresh_year_version(archive)
    except IntegrityError:
        raise ValidationError(gettext("该身份证号已有廉情档案")) from None
    return archive


def archive_update(*, actor, archive: IntegrityArchive, version: int, **fields) -> IntegrityArchive:
    """Edit with the version the page was read at: an edit made meanwhile (another officer, another
    tab) makes this one fail with ConcurrentEditError and change nothing."""
    data = _clean(**{f: fields.get(f, getattr(archive, f)) for f in EDITABLE})
    _require_keeper(actor, archive.org_unit)
    _require_keeper(actor, data["org_unit"])
    changed = sorted(f for f in EDITABLE if data[f] != getattr(archive, f))
    try:
        with transaction.atomic():
            # One conditional UPDATE decides the race; save() then writes the encrypted field and its
            # blind index (QuerySet.update would leave the index stale).
            if not IntegrityArchive.objects.filter(pk=archive.pk, version=version, is_active=True).update(
                version=F("version") + 1, updated_at=timezone.now()
            ):
                raise ConcurrentEditError()
            for field, value in data.items():
                setattr(archive, field, value)
            archive.version = version + 1
            archive.save(update_fields=[*EDITABLE, "name_index", "id_number_index"])
            audit_record(
                actor=actor,
                action="archive.update",
                obj=archive,
                org_unit_id=archive.org_unit_id,
                summary=f"修改廉情档案：{archive.name}",
                after={"fields": changed},  # names of the changed fields, never the ID number
            )
            refresh_year_version(archive)
    except IntegrityError:
        raise ValidationError(gettext("该身份证号已有廉情档案")) from None
    archive.refresh_from_db()
    return archive


def archive_open(
    *, actor, archive: IntegrityArchive, reason: str, ip_address: str = "", printed: bool = False
) -> None:
    """Record that `actor` opened the archive, and why (docs/domain.md §3: access needs a reason and is
    logged); `printed`: opened to print it, recorded as 打印：<reason> (the limit is the reason's own).
    The caller resolved the archive through access.get_archive_for."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError(gettext("请填写查阅事由"))
    if len(reason) > 200:
        raise ValidationError(gettext("查阅事由不超过200字"))
    if printed:
        reason = f"打印：{reason}"
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="archive.open",
            obj=archive,
            org_unit_id=archive.org_unit_id,
            summary=f"查阅廉情档案：{archive.name}",
            after={"reason": reason},
            ip_address=ip_address,
        )


# --- photo ---------------------------------------------------------------------------------------
def archive_photo_set(*, actor, archive: IntegrityArchive, file, ip_address: str = "") -> IntegrityArchive:
    """Store the person's photo through the attachment service (type from the content, re-encoded
    without metadata; a file that is not a JPG, PNG or WebP image is refused) and set it as the
    archive's photo, replacing the former one (kept as an attachment, no longer shown). Audited."""
    from jijian.attachments.models import AttachmentKind
    from jijian.attachments.services import attachment_store
    from jijian.core.roles import Module

    _require_keeper(actor, archive.org_unit)
    if not archive.is_active:
        raise ValidationError(gettext("该档案已合并或撤销"))
    with transaction.atomic():
        attachment = attachment_store(
            actor=actor,
            file=file,
            org_unit=archive.org_unit,
            module=Module.ARCHIVES,
            purpose=PHOTO_PURPOSE,
            object_id=archive.pk,
            ip_address=ip_address,
            kinds={AttachmentKind.IMAGE},  # a photo: anything else is refused before it is stored
        )
        before = archive.photo_id
        IntegrityArchive.objects.filter(pk=archive.pk).update(photo=attachment, updated_at=timezone.now())
        audit_record(
            actor=actor,
            action="archive.photo",
            obj=archive,
            org_unit_id=archive.org_unit_id,
            summary=f"{'更换' if before else '上传'}廉情档案照片：{archive.name}",
            before={"photo": before},
            after={"photo": attachment.pk},
            ip_address=ip_address,
        )
    archive.refresh_from_db()
    return archive


def archive_photo_jpeg(archive: IntegrityArchive) -> bytes | None:
    """The photo as a small JPEG (the attachment service's thumbnail: 320 px at most), or None. The
    caller resolved the archive through access.get_archive_for (scope and recusal)."""
    from jijian.attachments.services import NoThumbnail, attachment_thumbnail

    if archive.photo is None:
        return None
    try:
        return attachment_thumbnail(attachment=archive.photo)
    except NoThumbnail:
        return None


# --- merge ---------------------------------------------------------------------------------------
def archive_merge(*, actor, keep: IntegrityArchive, drop: IntegrityArchive, reason: str) -> IntegrityArchive:
    """Merge the duplicate `drop` into `keep` (the same person filed twice): `drop`'s section entries
    move to `keep`, `drop` becomes inactive with merged_into=keep (the reports linked to it are read
    through `keep`), and the merge is an audit event with its reason. Both must be in the keeper's
    jurisdiction; two different recorded ID numbers are two persons and are refused."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError(gettext("请填写合并理由"))
    if keep.pk == drop.pk:
        raise ValidationError(gettext("不能与本档案合并"))
    _require_keeper(actor, keep.org_unit)
    _require_keeper(actor, drop.org_unit)
    if keep.id_number and drop.id_number and keep.id_number != drop.id_number:
        raise ValidationError(gettext("两份档案的身份证号不同，不是同一人，不能合并"))
    with transaction.atomic():
        locked = {
            a.pk: a for a in IntegrityArchive.objects.select_for_update().filter(pk__in=[keep.pk, drop.pk])
        }
        if not all(a.is_active for a in locked.values()) or len(locked) != 2:
            raise ConcurrentEditError()
        # One report a year (not withdrawn) and one sanction or handling per source: the survivor's
        # wins, the duplicate's stays on the (inactive) duplicate.
        kept_years = PersonalMattersReport.objects.filter(archive=keep, withdrawn_at__isnull=True).values(
            "year"
        )
        kept_refs = Sanction.objects.filter(archive=keep).exclude(source_ref="").values("source_ref")
        kept_record_refs = (
            ArchiveRecord.objects.filter(archive=keep).exclude(source_ref="").values("source_ref")
        )
        moved = {
            "family": FamilyMember.objects.filter(archive=drop).update(archive=keep),
            "matters": PersonalMattersReport.objects.filter(archive=drop)
            .exclude(year__in=kept_years, withdrawn_at__isnull=True)
            .update(archive=keep),
            "sanctions": Sanction.objects.filter(archive=drop)
            .exclude(source_ref__in=kept_refs)
            .update(archive=keep),
            "records": ArchiveRecord.objects.filter(archive=drop)
            .exclude(source_ref__in=kept_record_refs)
            .update(archive=keep),
        }
        id_number = drop.id_number
        drop.is_active = False
        drop.merged_into = keep
        drop.version += 1
        drop.updated_at = timezone.now()
        drop.save(update_fields=["is_active", "merged_into", "version", "updated_at"])
        if id_number and not keep.id_number:
            keep.id_number = id_number
        IntegrityArchive.objects.filter(merged_into=drop).update(merged_into=keep)
        keep.version += 1
        keep.updated_at = timezone.now()
        keep.save(update_fields=["id_number", "id_number_index", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="archive.merge",
            obj=keep,
            org_unit_id=keep.org_unit_id,
            summary=f"合并重复档案：{drop.name}（#{drop.pk}）并入 {keep.name}（#{keep.pk}）",
            after={"merged": drop.pk, "reason": reason, "moved": moved},
        )
        refresh_year_version(keep)
    return keep


# --- sections ------------------------------------------------------------------------------------
def _section_common(actor, archive: IntegrityArchive, source: str, recorded_on) -> dict:
    _require_keeper(actor, archive.org_unit)
    if not archive.is_active:
        raise ValidationError(gettext("该档案已合并或撤销"))
    if not archives_visible_to(actor).filter(pk=archive.pk).exists():
        # Recused (their own archive, a declared or recorded relative's): the page answers 404
        # before this; the service refuses any other caller too (API, import, command).
        raise PermissionDenied
    source = typed_text(source, label=gettext("材料来源"), limit=100, required=True)
    if recorded_on is None:
        raise ValidationError(gettext("请填写材料日期"))
    if recorded_on > timezone.localdate():
        raise ValidationError(gettext("材料日期不能晚于今天"))
    return {"archive": archive, "source": source, "recorded_on": recorded_on, "entered_by": actor}


def _correcting(model: type[AnyEntry], archive: IntegrityArchive, corrects: int | None):
    """The withdrawn entry a new one is entered to correct, locked: of the same section and archive,
    withdrawn, and not corrected yet. None without one. Called inside the entry's transaction."""
    if corrects is None:
        return None
    old = model.objects.select_for_update().filter(pk=corrects, archive=archive).first()
    if old is None or old.withdrawn_at is None:
        raise ValidationError(gettext("只能更正本档案中已撤销的条目"))
    if model.objects.filter(corrects_id=old.pk).exists():
        raise ValidationError(gettext("该条目已录入过更正内容"))
    return old


def _entered(actor, archive: IntegrityArchive, entry, what: str) -> None:
    after = {"section": entry._meta.model_name, "entry": entry.pk}
    if entry.corrects_id is not None:
        after["corrects"] = entry.corrects_id
    audit_record(
        actor=actor,
        action="archive.section_add",
        obj=archive,
        org_unit_id=archive.org_unit_id,
        summary=f"录入廉情档案{what}{'（更正）' if entry.corrects_id else ''}：{archive.name}",
        after=after,
    )
    IntegrityArchive.objects.filter(pk=archive.pk).update(updated_at=timezone.now())
    refresh_year_version(archive)


def family_add(
    *,
    actor,
    archive,
    relation: str,
    name: str,
    employer: str = "",
    occupation: str = "",
    source: str,
    recorded_on,
    corrects: int | None = None,
) -> FamilyMember:
    """`corrects`: the withdrawn family entry this one replaces (a correction), if any."""
    common = _section_common(actor, archive, source, recorded_on)
    if relation not in FamilyRelation.values:
        raise ValidationError(gettext("请选择与本人的关系"))
    name = (name or "").strip()
    if not name:
        raise ValidationError(gettext("请填写家庭成员姓名"))
    with transaction.atomic():
        entry = FamilyMember.objects.create(
            corrects=_correcting(FamilyMember, archive, corrects),
            relation=relation,
            name=name,
            employer=(employer or "").strip(),
            occupation=(occupation or "").strip(),
            **common,
        )
        _entered(actor, archive, entry, "家庭成员")
    return entry


def matters_add(
    *,
    actor,
    archive,
    year: int,
    items: list[str],
    summary: str = "",
    source: str,
    recorded_on,
    corrects: int | None = None,
):
    """One report a year among those not withdrawn; `corrects` as for family_add."""
    common = _section_common(actor, archive, source, recorded_on)
    if not isinstance(year, int) or year < 2000 or year >= timezone.localdate().year + 1:
        raise ValidationError(gettext("报告年度不正确"))
    if recorded_on.year < year:
        raise ValidationError(gettext("填报日期不能早于报告年度"))
    bad = [i for i in items if i not in MattersItem.values]
    if bad:
        raise ValidationError(gettext("报告事项不正确"))
    if PersonalMattersReport.objects.filter(archive=archive, year=year, withdrawn_at__isnull=True).exists():
        raise ValidationError(gettext("%(year)s年度的个人有关事项报告已录入") % {"year": year})
    try:
        with transaction.atomic():
            entry = PersonalMattersReport.objects.create(
                corrects=_correcting(PersonalMattersReport, archive, corrects),
                year=year,
                items=sorted(set(items)),
                summary=(summary or "").strip(),
                **common,
            )
            _entered(actor, archive, entry, f"{year}年度个人有关事项报告")
    except IntegrityError:
        raise ValidationError(gettext("%(year)s年度的个人有关事项报告已录入") % {"year": year}) from None
    return entry


def sanction_add(
    *,
    actor,
    archive,
    kind: str,
    decided_on,
    probation_months: int = 0,
    authority: str = "",
    reason: str = "",
    source: str,
    recorded_on=None,
    source_ref: str = "",
    corrects: int | None = None,
) -> Sanction:
    """A sanction or organisational handling; its effect period is computed from the reference data.
    With `source_ref` (e.g. "clue:12", a clue's outcome) the same sanction enters once (withdrawn or
    not). `corrects` as for family_add."""
    common = _section_common(actor, archive, source, recorded_on or decided_on)
    if kind not in SANCTIONS:
        raise ValidationError(gettext("请选择处分或处理种类"))
    if decided_on is None:
        raise ValidationError(gettext("请填写决定日期"))
    if decided_on > timezone.localdate():
        raise ValidationError(gettext("决定日期不能晚于今天"))
    if not SANCTIONS[kind].probation:
        probation_months = 0
    try:
        ends = effect_ends_on(kind, decided_on, probation_months)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if source_ref and Sanction.objects.filter(archive=archive, source_ref=source_ref).exists():
        raise ValidationError(gettext("该处分已记入档案"))
    try:
        with transaction.atomic():
            entry = Sanction.objects.create(
                corrects=_correcting(Sanction, archive, corrects),
                kind=kind,
                decided_on=decided_on,
                probation_months=probation_months,
                effect_ends_on=ends,
                authority=(authority or "").strip(),
                reason=(reason or "").strip(),
                source_ref=source_ref,
                **common,
            )
            _entered(actor, archive, entry, "处分")
    except IntegrityError:
        raise ValidationError(gettext("该处分已记入档案")) from None
    return entry


def _survivor(archive_id: int) -> IntegrityArchive:
    """The archive an entry from another platform goes to: `archive_id`, or the survivor it was merged
    into. Raises IntegrityArchive.DoesNotExist for a missing one."""
    archive = IntegrityArchive.objects.select_related("org_unit").get(pk=archive_id)
    while archive.merged_into_id is not None:
        archive = IntegrityArchive.objects.select_related("org_unit").get(pk=archive.merged_into_id)
    return archive


def sanction_from_source(
    *,
    actor,
    archive_id: int,
    kind: str,
    decided_on,
    authority: str = "",
    reason: str = "",
    source: str,
    source_ref: str,
) -> int:
    """A sanction decided elsewhere (a clue's approved conclusion, core.links.archive_record_sanction)
    entering the archive: once per archive and `source_ref` — the same source again returns the entry
    already made in that archive, withdrawn or not (a keeper withdrew it as entered in error: the
    source does not enter it again, the keeper enters the correction by hand). A merged duplicate's
    survivor takes the entry, and finds the one the merge moved into it. The same source sent to
    another person's archive (a clue linked anew after a namesake was chosen in error) enters that
    one; the entry in the first stays until its keepers withdraw it. The actor approved the decision
    on the other platform; they need not keep archives, so the keeper's check is not asked here, but
    the archive must exist. A 留党察看 whose probation the source does not state is counted at its
    longest (two years), said so in the reason."""
    if kind not in SANCTIONS:
        raise ValidationError(gettext("处分或处理种类不正确"))
    archive = _survivor(archive_id)
    existing = _entered_from(Sanction, archive, source_ref)
    if existing is not None:
        return existing
    probation = 0
    reason = (reason or "").strip()
    if SANCTIONS[kind].probation:
        probation = max(PROBATION_MONTHS)
        reason = (reason + "（察看期未载明，按二年计算影响期，请核对）").strip()
    try:
        with transaction.atomic():
            entry = Sanction.objects.create(
                archive=archive,
                kind=kind,
                decided_on=decided_on,
                probation_months=probation,
                effect_ends_on=effect_ends_on(kind, decided_on, probation),
                authority=(authority or "").strip()[:200],
                reason=reason,
                source=source[:100],
                source_ref=source_ref,
                recorded_on=decided_on,
                entered_by=actor,
            )
            _entered_from_source(actor, archive, entry, action="archive.sanction_from_source", source=source)
    except IntegrityError:  # the same source entered meanwhile
        return (
            Sanction.objects.filter(archive=archive, source_ref=source_ref).values_list("pk", flat=True).get()
        )
    return entry.pk


def record_from_source(
    *,
    actor,
    archive_id: int,
    kind: str,
    recorded_on,
    summary: str,
    source: str,
    source_ref: str,
) -> int:
    """A first-form handling decided elsewhere (谈话提醒, 批评教育 or 责令检查 concluding a clue,
    core.links.archive_record_handling) entering the archive as a record of its kind: once per archive
    and `source_ref`, withdrawn or not, in the survivor of a merged duplicate — the rules of
    sanction_from_source. It has no effect period: the integrity opinion shows it and vetoes nothing."""
    if kind not in HANDLING_KINDS:
        raise ValidationError(gettext("处理种类不正确"))
    archive = _survivor(archive_id)
    existing = _entered_from(ArchiveRecord, archive, source_ref)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = ArchiveRecord.objects.create(
                archive=archive,
                kind=kind,
                summary=(summary or "").strip() or source,
                source=source[:100],
                source_ref=source_ref,
                recorded_on=recorded_on,
                entered_by=actor,
            )
            _entered_from_source(actor, archive, entry, action="archive.record_from_source", source=source)
    except IntegrityError:  # the same source entered meanwhile
        return (
            ArchiveRecord.objects.filter(archive=archive, source_ref=source_ref)
            .values_list("pk", flat=True)
            .get()
        )
    return entry.pk


def _entered_from(model: type[Sanction] | type[ArchiveRecord], archive, source_ref: str) -> int | None:
    """The entry `source_ref` already made in `archive`, withdrawn or not, or None."""
    if not source_ref:  # the caller's mistake, never the user's: an entry from a source names it
        raise ValueError("source_ref is required")
    return model.objects.filter(archive=archive, source_ref=source_ref).values_list("pk", flat=True).first()


def _entered_from_source(actor, archive: IntegrityArchive, entry, *, action: str, source: str) -> None:
    with platform_language():
        audit_record(
            actor=actor,
            action=action,
            obj=archive,
            org_unit_id=archive.org_unit_id,
            summary=f"{source}的处理结果记入廉情档案：{archive.name}，{entry.get_kind_display()}",
            after={"entry": entry.pk, "kind": entry.kind, "source_ref": entry.source_ref},
        )
    IntegrityArchive.objects.filter(pk=archive.pk).update(updated_at=timezone.now())
    refresh_year_version(archive)


def record_add(
    *,
    actor,
    archive,
    kind: str,
    summary: str,
    amount=None,
    source: str,
    recorded_on,
    corrects: int | None = None,
) -> ArchiveRecord:
    """`corrects` as for family_add."""
    common = _section_common(actor, archive, source, recorded_on)
    if kind not in RecordKind.values:
        raise ValidationError(gettext("请选择记录类别"))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError(gettext("请填写内容"))
    if amount is not None and amount < 0:
        raise ValidationError(gettext("价值不能为负数"))
    with transaction.atomic():
        entry = ArchiveRecord.objects.create(
            corrects=_correcting(ArchiveRecord, archive, corrects),
            kind=kind,
            summary=summary,
            amount=amount,
            **common,
        )
        _entered(actor, archive, entry, str(RecordKind(kind).label))
    return entry


# --- withdrawal ----------------------------------------------------------------------------------
def entry_label(entry: AnyEntry) -> str:
    """What an entry is, for the audit trail and the pages: 家庭成员（配偶）, 2025年度个人有关事项报告,
    处分（记过）, 廉政谈话. Read under platform_language() where it is stored."""
    if isinstance(entry, FamilyMember):
        return gettext("家庭成员（%(relation)s）") % {"relation": entry.get_relation_display()}
    if isinstance(entry, Sanction):
        return gettext("处分（%(kind)s）") % {"kind": entry.get_kind_display()}
    return str(entry)


def section_entry_withdraw(
    *, actor, entry: AnyEntry, version: int, reason: str, ip_address: str = ""
) -> AnyEntry:
    """Withdraw (撤销) a section entry entered in error. Who may enter entries may withdraw them (the
    keepers, in the jurisdiction of the archive's unit, not recused: the caller resolved the archive
    through access.get_archive_for, and a recused actor is refused here too); a reason is required; `version` is the entry's version
    the page showed: an entry withdrawn or moved (a merge) meanwhile is refused and nothing changes.
    The entry stays on the archive, marked with who withdrew it, when and why; it no longer counts in
    the opinions' facts nor in the archive's flags. A correction is a new entry naming it (`corrects`).
    Audited (archive.section_withdraw, with the reason)."""
    archive = entry.archive
    _require_keeper(actor, archive.org_unit)
    if not archive.is_active:
        raise ValidationError(gettext("该档案已合并或撤销"))
    if not archives_visible_to(actor).filter(pk=archive.pk).exists():
        # Recused (their own archive, a declared or recorded relative's, one naming them as family):
        # the page answers 404 before this; the service refuses any other caller too, so nobody
        # withdraws the entry that keeps them out of an archive.
        raise PermissionDenied
    reason = typed_text(reason, label=gettext("撤销理由"), limit=500)
    if len(reason) < 2:
        raise ValidationError(gettext("请填写撤销理由"))
    model = type(entry)
    with transaction.atomic():
        locked = model.objects.select_for_update().filter(pk=entry.pk, archive=archive).first()
        if locked is None:  # moved to another archive by a merge meanwhile
            raise ConcurrentEditError()
        if locked.withdrawn_at is not None:
            raise ValidationError(gettext("该条目已撤销"))
        if locked.version != version:
            raise ConcurrentEditError()
        now = timezone.now()
        model.objects.filter(pk=entry.pk, version=version).update(
            withdrawn_at=now, withdrawn_by=actor, withdrawal_reason=reason, version=F("version") + 1
        )
        with platform_language():
            what = entry_label(locked)
        audit_record(
            actor=actor,
            action="archive.section_withdraw",
            obj=archive,
            org_unit_id=archive.org_unit_id,
            summary=f"撤销廉情档案{what}：{archive.name}",
            after={"section": model._meta.model_name, "entry": entry.pk, "reason": reason},
            ip_address=ip_address,
        )
        IntegrityArchive.objects.filter(pk=archive.pk).update(updated_at=now)
        refresh_year_version(archive)
    entry.refresh_from_db()
    return entry


# --- yearly versions -----------------------------------------------------------------------------
@written_in_platform_language  # a stored version: its labels read the same whoever's action refreshed it
def snapshot(archive: IntegrityArchive) -> dict:
    """What the archive holds now, as display lines keyed by a stable key (for the yearly diff):
    `entries` every entry, withdrawn ones included (they were entered), `withdrawn` the reason of each
    withdrawn one. Never the ID number in full."""
    from jijian.core.sensitive.crypto import mask_id_number

    basic = {
        "姓名": archive.name,
        "身份证号": mask_id_number(archive.id_number),
        "所在单位": archive.org_unit.name,
        "职务": archive.post,
        "级别": str(archive.get_level_display()),
        "监察对象类别": str(archive.get_category_display()),
        "政治面貌": str(archive.get_party_status_display()),
    }
    entries: dict[str, str] = {}
    withdrawn: dict[str, str] = {}
    for section, model in SECTION_MODELS.items():
        gone = model.objects.filter(archive=archive, withdrawn_at__isnull=False)
        for key, reason in gone.values_list("pk", "withdrawal_reason"):
            withdrawn[f"{section}:{key}"] = reason
    for f in FamilyMember.objects.filter(archive=archive):
        entries[f"family:{f.pk}"] = (
            f"家庭成员：{f.get_relation_display()} {f.name}，{f.employer} {f.occupation}".rstrip("， ")
        )
    for r in PersonalMattersReport.objects.filter(archive=archive):
        entries[f"matters:{r.pk}"] = f"{r.year}年度个人有关事项报告（{r.recorded_on:%Y-%m-%d}填报）"
    for s in Sanction.objects.filter(archive=archive):
        entries[f"sanction:{s.pk}"] = f"{s.get_kind_display()}（{s.decided_on:%Y-%m-%d}）"
    for rec in ArchiveRecord.objects.filter(archive=archive):
        entries[f"record:{rec.pk}"] = (
            f"{rec.get_kind_display()}（{rec.recorded_on:%Y-%m-%d}）：{rec.summary[:40]}"
        )
    return {"basic": basic, "entries": entries, "withdrawn": withdrawn}


def refresh_year_version(archive: IntegrityArchive, *, year: int | None = None) -> None:
    """Store what the archive holds as its version of `year` (this year by default)."""
    year = year or timezone.localdate().year
    ArchiveYearVersion.objects.update_or_create(
        archive=archive, year=year, defaults={"content": snapshot(archive), "updated_at": timezone.now()}
    )


def year_changes(archive: IntegrityArchive) -> list[dict]:
    """Each yearly version, newest first, with what changed from the year before: the basic data
    changed ("职务：副镇长 → 镇长"), section entries added, withdrawn (with the reason) and removed."""
    versions = list(ArchiveYearVersion.objects.filter(archive=archive).order_by("year"))
    out = []
    previous: dict = {"basic": {}, "entries": {}}
    for v in versions:
        basic, before = v.content.get("basic", {}), previous.get("basic", {})
        changed = [
            f"{k}：{before.get(k) or '—'} → {basic.get(k) or '—'}"
            for k in basic
            if before and before.get(k) != basic.get(k)
        ]
        entries, before_entries = v.content.get("entries", {}), previous.get("entries", {})
        added = [entries[k] for k in entries if k not in before_entries]
        removed = [before_entries[k] for k in before_entries if k not in entries]
        withdrawn, before_withdrawn = v.content.get("withdrawn", {}), previous.get("withdrawn", {})
        withdrawn_now = [
            f"{entries[k]}（撤销理由：{reason}）"
            for k, reason in withdrawn.items()
            if k in entries and k not in before_withdrawn
        ]
        out.append(
            {
                "year": v.year,
                "changed": changed,
                "added": added,
                "withdrawn": withdrawn_now,
                "removed": removed,
                "first": not before,
            }
        )
        previous = v.content
    return list(reversed(out))


def archive_list_exported(*, actor, count: int, filters: dict) -> None:
    audit_record(
        actor=actor,
        action="archive.export",
        org_unit_id=actor.org_unit_id,
        summary=f"导出廉情档案名单（{count}人）",
        after={
            "q": bool(filters.get("q")),
            "post": bool(filters.get("post")),
            "unit": getattr(filters.get("unit"), "pk", None),
            "count": count,
        },
    )
