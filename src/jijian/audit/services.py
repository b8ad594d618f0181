"""Writing, sealing and verifying the audit trail. Every service that changes state calls
audit_record() inside its own transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from jijian.core.crypto import sm3_hex

from .models import AuditEvent, AuditSeal

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    created = event.created_at
    if isinstance(created, datetime):
        created = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {
        "created_at": created,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "ip": event.ip_address,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "org_unit_id": event.org_unit_id,
        "summary": event.summary,
        "before": event.before,
        "after": event.after,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def content_hash_of(event: AuditEvent) -> str:
    return sm3_hex(_canonical(event))


def chain_hash_of(prev_hash: str, seq: int, content_hash: str, event_id: int) -> str:
    return sm3_hex(f"{prev_hash}|{seq}|{event_id}|{content_hash}".encode())


def _json_safe(value):
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def audit_record(
    *,
    actor=None,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    org_unit_id: int | None = None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    ip_address: str = "",
) -> AuditEvent:
    """Append one entry. Call it inside the transaction of the change it records."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
        if org_unit_id is None:
            org_unit_id = getattr(obj, "org_unit_id", None)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        created_at=timezone.now(),
        actor=actor_obj,
        actor_name=(actor_obj.full_name if actor_obj else "")[:120],
        ip_address=ip_address if actor_obj else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        org_unit_id=org_unit_id,
        summary=summary[:255],
        before=_json_safe(before),
        after=_json_safe(after),
    )
    event.content_hash = content_hash_of(event)
    event.save()
    return event


def audit_seal(*, batch: int = 5000) -> int:
    """Chain the unsealed entries, oldest id first. Safe to run concurrently (one wins the seal row
    lock, the other waits and then finds nothing to do) and safe to run twice."""
    sealed = 0
    while True:
        with transaction.atomic():
            seal, _ = AuditSeal.objects.select_for_update().get_or_create(pk=1)
            pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:batch])
            if not pending:
                return sealed
            seq, prev = seal.last_seq, seal.last_hash
            for event in pending:
                seq += 1
                event.seq = seq
                event.chain_hash = chain_hash_of(prev, seq, event.content_hash, event.pk)
                prev = event.chain_hash
            AuditEvent.objects.bulk_update(pending, ["seq", "chain_hash"])
            seal.last_seq, seal.last_hash = seq, prev
            seal.save(update_fields=["last_seq", "last_hash"])
            sealed += len(pending)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    problem: str = ""


def audit_verify(*, chunk: int = 5000) -> VerifyResult:
    """Walk the sealed chain in seq order and recompute every hash. Names the first entry that was
    altered (content hash), removed (a gap in seq), or reordered (chain hash)."""
    prev, expected_seq, checked = GENESIS, 1, 0
    last_seen = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__isnull=False, seq__gt=last_seen).order_by("seq")[:chunk])
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return VerifyResult(False, checked, event.pk, event.seq,
                                    f"缺少序号 {expected_seq} 的日志（已被删除）/ entry seq {expected_seq} removed")
            if content_hash_of(event) != event.content_hash:
                return VerifyResult(False, checked, event.pk, event.seq, "日志内容被修改 / content altered")
            if chain_hash_of(prev, event.seq, event.content_hash, event.pk) != event.chain_hash:
                return VerifyResult(False, checked, event.pk, event.seq,
                                    "链哈希不符（被修改、替换或调换顺序）/ chain broken: altered or reordered")
            prev = event.chain_hash
            expected_seq += 1
            checked += 1
            last_seen = event.seq
    seal = AuditSeal.objects.filter(pk=1).first()
    if seal and (seal.last_seq != checked or seal.last_hash != prev):
        return VerifyResult(False, checked, None, seal.last_seq,
                            f"链尾不符：应有 {seal.last_seq} 条，实有 {checked} 条（末尾日志被删除）/ tail removed")
    return VerifyResult(True, checked)
