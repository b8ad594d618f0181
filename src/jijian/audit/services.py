"""Writing, sealing and verifying the audit trail. Every service that changes state calls
audit_record() inside its own transaction.

Writing never waits for another writer: an entry gets the SM3 hash of its own content at once, and
audit_seal() (Celery beat, every 10 s) chains the new entries in id order a few seconds later, under
one lock that only the sealer takes. docs/audit.md explains the whole scheme."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from jijian.partitions import first_of_month, is_partitioned_database, partitions_detach
from jijian.smcrypto import sm3_hex

from .models import AuditCheckpoint, AuditEvent, AuditSeal

GENESIS = "0" * 64
MIN_RETENTION_DAYS = 180  # 网络安全法 art. 21: network logs kept at least six months


def _normalize(value):
    """The canonical JSON value of `value`, the same before and after a database round trip.

    PostgreSQL's jsonb keeps numbers as `numeric` and reorders keys; SQLite keeps the text. So keys
    are sorted (json.dumps), a float with an integral value becomes an int (jsonb hands 1e20 or 2.0
    back as the integer it equals), NaN/Infinity are refused (not JSON; jsonb rejects them), NUL
    characters are dropped (PostgreSQL text cannot hold them), and anything else becomes its str()."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("audit values must be finite numbers")
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_normalize(str(k)): _normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_normalize(v) for v in items]
    return _normalize(str(value))


def _timestamp(created) -> str:
    if isinstance(created, datetime):
        # Microseconds survive both SQLite (ISO text) and PostgreSQL (timestamptz); UTC either way.
        return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(created)


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "created_at": _timestamp(event.created_at),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "ip": event.ip_address,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "org_unit_id": event.org_unit_id,
        "summary": event.summary,
        "before": _normalize(event.before),
        "after": _normalize(event.after),
    }
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode()


def content_hash_of(event: AuditEvent) -> str:
    return sm3_hex(_canonical(event))


def chain_hash_of(prev_hash: str, seq: int, content_hash: str, event_id: int) -> str:
    return sm3_hex(f"{prev_hash}|{seq}|{event_id}|{content_hash}".encode())


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
    """Append one entry. Call it inside the transaction of the change it records, so that the entry
    and the change commit or roll back together. `ip_address` is kept for staff only (an anonymous
    reporter leaves no address)."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
        if org_unit_id is None:
            org_unit_id = getattr(obj, "org_unit_id", None)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        created_at=timezone.now(),
        actor=actor_obj,
        actor_name=_normalize(actor_obj.full_name if actor_obj else "")[:120],
        ip_address=ip_address[:45] if actor_obj else "",
        action=action,
        object_type=object_type,
        object_id=_normalize(str(object_id))[:64],
        org_unit_id=org_unit_id,
        summary=_normalize(summary)[:255],
        before=_normalize(before),
        after=_normalize(after),
    )
    event.content_hash = content_hash_of(event)
    event.save()
    return event


def audit_seal(*, batch: int = 5000) -> int:
    """Chain the unsealed entries, oldest id first. Safe to run concurrently (one sealer holds the
    seal row lock, the other waits and then finds nothing left) and safe to run twice. An entry whose
    transaction commits after a later id was sealed simply gets the next seq: seq is seal order."""
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


def audit_head() -> tuple[int, str]:
    """(seq, chain hash) of the last sealed entry: copy it somewhere the database administrator
    cannot write (docs/audit.md) and pass it to audit_verify(anchor=...) later."""
    seal = AuditSeal.objects.filter(pk=1).first()
    return (seal.last_seq, seal.last_hash) if seal else (0, GENESIS)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    problem: str = ""


def audit_verify(*, chunk: int = 5000, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the sealed chain in seq order and recompute every hash, from the genesis hash or from the
    newest retention checkpoint; then the seal row (the chain's end); then the unsealed entries' own
    hashes. Returns the first problem found:

    - an entry whose content no longer matches its content hash (edited);
    - a seq that is missing (an entry deleted; the entry after the gap is named);
    - an entry whose chain hash does not follow from its predecessor (rows swapped, reordered, or
      edited together with their content hash);
    - fewer or more sealed entries, or another last hash, than the seal row records (the last
      entries deleted, or entries appended outside the sealer);
    - with `anchor=(seq, hash)` kept outside the database: a chain rewritten from that point on.
    """
    checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    start = checkpoint.seq if checkpoint else 0
    prev = checkpoint.chain_hash if checkpoint else GENESIS
    expected_seq, checked, last_seen = start + 1, 0, start
    anchor_seen = anchor is None
    if anchor is not None and anchor[0] <= start:
        if anchor[0] < start or anchor[1] != prev:
            return VerifyResult(
                False,
                0,
                None,
                anchor[0],
                f"外部留存的链头（第 {anchor[0]} 条）早于保留期检查点（第 {start} 条）或与之不符，"
                "请用清理之后留存的链头比对",
            )
        anchor_seen = True
    while True:
        rows = list(AuditEvent.objects.filter(seq__isnull=False, seq__gt=last_seen).order_by("seq")[:chunk])
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    event.pk,
                    expected_seq,
                    f"缺少序号 {expected_seq} 的日志（已被删除），其后的日志为 id={event.pk}",
                )
            if content_hash_of(event) != event.content_hash:
                return VerifyResult(False, checked, event.pk, event.seq, "日志内容被修改（内容哈希不符）")
            if chain_hash_of(prev, event.seq, event.content_hash, event.pk) != event.chain_hash:
                return VerifyResult(
                    False, checked, event.pk, event.seq, "链哈希不符（日志被修改、替换或调换了顺序）"
                )
            if anchor is not None and event.seq == anchor[0]:
                if event.chain_hash != anchor[1]:
                    return VerifyResult(
                        False,
                        checked,
                        event.pk,
                        event.seq,
                        "与外部留存的链头哈希不符（此前的日志链被整体改写）",
                    )
                anchor_seen = True
            prev = event.chain_hash
            expected_seq += 1
            checked += 1
            last_seen = event.seq
    if anchor is not None and not anchor_seen:
        return VerifyResult(
            False,
            checked,
            None,
            anchor[0],
            f"外部留存的链头为第 {anchor[0]} 条，现只到第 {last_seen} 条（末尾日志被删除）",
        )
    seal = AuditSeal.objects.filter(pk=1).first()
    sealed_seq, sealed_hash = (seal.last_seq, seal.last_hash) if seal else (0, GENESIS)
    if sealed_seq != last_seen or sealed_hash != prev:
        last = (
            AuditEvent.objects.filter(seq=last_seen).values_list("pk", flat=True).first()
            if last_seen
            else None
        )
        if sealed_seq > last_seen:
            problem = (
                f"链尾不符：封存记录到第 {sealed_seq} 条，实际只到第 {last_seen} 条，"
                f"第 {last_seen + 1} 条起的日志已被删除（最后一条完好的日志 id={last}）"
            )
            return VerifyResult(False, checked, None, last_seen + 1, problem)
        if seal is None:
            return VerifyResult(
                False, checked, None, None, f"封存记录缺失（被删除），而已封存的日志有 {checked} 条"
            )
        if last_seen > sealed_seq:
            extra = AuditEvent.objects.filter(seq=sealed_seq + 1).values_list("pk", flat=True).first()
            return VerifyResult(
                False,
                checked,
                extra,
                sealed_seq + 1,
                f"链尾不符：封存记录到第 {sealed_seq} 条，实际有第 {last_seen} 条（有日志绕过封存被追加）",
            )
        return VerifyResult(
            False, checked, last, last_seen or None, "链尾不符：封存记录的最后哈希与日志链不一致"
        )
    for event in AuditEvent.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=chunk):
        if content_hash_of(event) != event.content_hash:
            return VerifyResult(False, checked, event.pk, None, "尚未封存的日志内容被修改（内容哈希不符）")
    return VerifyResult(True, checked)


class AuditChainBroken(Exception):
    """The chain does not verify: pruning refuses to run."""


def audit_prune(*, now: datetime | None = None) -> int:
    """Delete the sealed entries older than the retention period (settings.AUDIT_RETENTION_DAYS, never
    under 180 days), oldest first and only as a contiguous run from the start of the chain, after
    writing a checkpoint with the chain hash of the last entry removed, so that the rest still
    verifies. Refuses (AuditChainBroken) when the chain does not verify: tampered evidence is never
    pruned away. Records itself as an audit entry. Safe to run twice. On PostgreSQL the months of the
    run that lie wholly before the cutoff's month are detached as tables rather than deleted
    (jijian.partitions); the rest of the run is deleted."""
    days = max(int(getattr(settings, "AUDIT_RETENTION_DAYS", 365)), MIN_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        seal, _ = AuditSeal.objects.select_for_update().get_or_create(pk=1)
        checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
        start = checkpoint.seq if checkpoint else 0
        first_young = (
            AuditEvent.objects.filter(seq__gt=start, created_at__gte=cutoff)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        upto = min(first_young - 1, seal.last_seq) if first_young else seal.last_seq
        if upto <= start:
            return 0
        result = audit_verify()
        if not result.ok:
            raise AuditChainBroken(
                f"审计链校验失败，拒绝清理：日志 id={result.first_bad_id} "
                f"序号={result.first_bad_seq}：{result.problem}"
            )
        last = AuditEvent.objects.get(seq=upto)
        AuditCheckpoint.objects.create(
            seq=upto, chain_hash=last.chain_hash, pruned_before=cutoff, pruned_count=upto - start
        )
        detached: list[str] = []
        if is_partitioned_database(AuditEvent.objects.db):
            # Whole months before the cutoff's month, all of whose entries are in the run being
            # removed, leave as tables (docs/partitions.md): no row is deleted, nothing is rewritten.
            detached = partitions_detach(
                AuditEvent._meta.db_table,
                before=first_of_month(timezone.localtime(cutoff).date()),
                using=AuditEvent.objects.db,
                only_if="seq IS NOT NULL AND seq <= %s",
                params=(upto,),
            )
        # AuditEvent's own queryset refuses delete(); this is the one place that removes entries, through
        # a plain QuerySet of the model, below the checkpoint just written (the PostgreSQL trigger
        # checks the same bound).
        models.QuerySet(model=AuditEvent).filter(seq__gt=start, seq__lte=upto).delete()
        removed = upto - start  # the chain verified: each of these seqs was there once
        audit_record(
            action="audit.prune",
            object_type="audit.auditcheckpoint",
            object_id=upto,
            summary=f"按保留期 {days} 天清理审计日志 {removed} 条（序号 {start + 1}–{upto}）",
            after={
                "retention_days": days,
                "cutoff": cutoff.isoformat(),
                "from_seq": start + 1,
                "to_seq": upto,
                "checkpoint_hash": last.chain_hash,
                "detached_partitions": detached,
            },
        )
        return removed
