"""Writes of the integrity archives: create, edit (with the page's version), open with a reason."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jijian.audit.services import audit_record
from jijian.core.access import unit_in_scope
from jijian.core.models import OrgUnit
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import validate_id_number
from jijian.petitions.models import AccusedLevel

from .access import can_keep
from .models import IntegrityArchive

EDITABLE = ("name", "id_number", "org_unit", "post", "level", "notes")


def _clean(*, name: str, id_number: str, org_unit: OrgUnit, post: str, level: str, notes: str) -> dict:
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写姓名")
    if len(name) > 100 or len(post or "") > 100 or len(notes or "") > 5000:
        raise ValidationError("姓名、职务不超过100字，备注不超过5000字")
    id_number = (id_number or "").strip().upper()
    if id_number:
        validate_id_number(id_number)
    if level not in AccusedLevel.values:
        raise ValidationError("请选择级别")
    return {
        "name": name,
        "id_number": id_number,
        "org_unit": org_unit,
        "post": (post or "").strip(),
        "level": level,
        "notes": (notes or "").strip(),
    }


def _require_keeper(actor, org_unit: OrgUnit) -> None:
    if not can_keep(actor):
        raise PermissionDenied
    if not unit_in_scope(actor, org_unit):
        raise ValidationError("所选单位不在本机关管辖范围内")


def archive_create(
    *, actor, name: str, org_unit: OrgUnit, id_number: str = "", post: str = "", level: str, notes: str = ""
) -> IntegrityArchive:
    data = _clean(name=name, id_number=id_number, org_unit=org_unit, post=post, level=level, notes=notes)
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
    except IntegrityError:
        raise ValidationError("该身份证号已有廉情档案") from None
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
    except IntegrityError:
        raise ValidationError("该身份证号已有廉情档案") from None
    archive.refresh_from_db()
    return archive


def archive_open(*, actor, archive: IntegrityArchive, reason: str, ip_address: str = "") -> None:
    """Record that `actor` opened the archive, and why (DOMAIN.md §3: access needs a reason and is
    logged). The caller resolved the archive through access.get_archive_for."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError("请填写查阅事由")
    if len(reason) > 200:
        raise ValidationError("查阅事由不超过200字")
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
