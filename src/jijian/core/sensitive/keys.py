"""Key management for the encrypted fields: status, a new primary key, rotation, retirement and the
rebuild of blind indexes. The `jijian keys` command calls these; docs/keys.md is the procedure.

Rotation runs while the system serves (no downtime): every value is rewritten in batches, each batch in
its own short transaction, and each row is written only if its ciphertext is still the one that was
read (compare-and-set on the stored ciphertext). A ciphertext is never written twice (random nonce),
so "unchanged ciphertext" means "nobody edited this value meanwhile": a concurrent edit wins and is
never overwritten with the older plaintext. It is idempotent (a second run finds nothing to do) and
resumable (it works from what is stored, not from a saved position): run it again after an
interruption or when it reports values skipped because of concurrent edits.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models, router, transaction
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.fields import BlindIndexField, EncryptedTextField
from jijian.core.models import KeyFingerprint
from jijian.core.sensitive import crypto


class KeyOperationError(Exception):
    """A refused key operation; the message is for the operator (Chinese)."""


# --- discovery -----------------------------------------------------------------------------------
def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every EncryptedTextField of every installed concrete model (each column once: inherited fields
    are listed on the model that owns the table)."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for f in meta.local_concrete_fields:
            if isinstance(f, EncryptedTextField):
                found.append((model, f))
    return found


def blind_index_fields() -> list[tuple[type[models.Model], BlindIndexField]]:
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for f in meta.local_concrete_fields:
            if isinstance(f, BlindIndexField):
                found.append((model, f))
    return found


# Other users of the data keys: things encrypted outside EncryptedTextField (e.g. attachments' evidence
# originals, files in storage), each counted per key id. `retire` refuses while any of them uses the
# key; `rotate` calls their own re-encryption when they provide one.
@dataclass(frozen=True)
class KeyUser:
    label: str
    count: Callable[[str], int]  # items under a key id
    rotate: Callable[[], int] | None = None  # re-encrypt under the primary key; returns how many
    key_ids: Callable[[], set[str]] | None = None  # every key id its items use (restore's key check)


_KEY_USERS: dict[str, KeyUser] = {}


def register_key_user(
    label: str,
    count: Callable[[str], int],
    rotate: Callable[[], int] | None = None,
    key_ids: Callable[[], set[str]] | None = None,
) -> None:
    """Declare that `label` stores data encrypted under data keys: `count(kid)` says how many items
    use `kid`; `rotate()`, if given, re-encrypts them under the primary key (idempotent, resumable,
    safe while serving) and returns how many it rewrote. Call it from the owning app's
    AppConfig.ready(). `key_ids()`, if given, lists the key ids its items use, so that a restore
    refuses data whose keys are missing."""
    _KEY_USERS[label] = KeyUser(label, count, rotate, key_ids)


def key_users() -> dict[str, KeyUser]:
    users = dict(_KEY_USERS)
    # Attachments keep the original bytes of evidence SM4-GCM encrypted under a data key recorded per
    # row; counted here in case the attachments app does not register itself.
    label = "attachments.attachment.evidence_key_id"
    if label not in users and apps.is_installed("jijian.attachments"):
        try:
            model = apps.get_model("attachments", "Attachment")
            model._meta.get_field("evidence_key_id")
        except LookupError:
            pass
        else:
            users[label] = KeyUser(label, lambda kid: model._base_manager.filter(evidence_key_id=kid).count())
    return users


def _label(model: type[models.Model], f: models.Field) -> str:
    return f"{model._meta.label_lower}.{f.name}"


def _stored(model: type[models.Model], f: models.Field) -> models.QuerySet:
    """Rows with a non-empty stored value, annotated with the raw stored text as `_raw` (a Cast to
    plain text is not decrypted) and ordered by primary key."""
    raw = Cast(f.name, output_field=models.TextField())
    return model._base_manager.annotate(_raw=raw).exclude(_raw__isnull=True).exclude(_raw="").order_by("pk")


def _with_head(qs: models.QuerySet, prefix: str) -> models.QuerySet:
    # Substr + equality, not startswith: LIKE ignores case on SQLite.
    return qs.annotate(_head=Substr("_raw", 1, len(prefix)))


def _prefix(version: str, kid: str) -> str:
    return f"{version}${kid}$"


def _actor_note() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "?"


# --- status --------------------------------------------------------------------------------------
@dataclass
class FieldStatus:
    label: str
    total: int
    by_key: dict[str, int]  # key id -> values in the current format under it
    legacy: dict[str, int]  # key id -> values in the old sm4g1 format under it
    unknown: int  # values under a key id the keyring does not hold (or not encrypted at all)


@dataclass
class OtherStatus:
    label: str
    by_key: dict[str, int]
    rotated: bool  # whether `rotate` re-encrypts it


@dataclass
class KeyStatus:
    source: str
    primary: str
    key_ids: tuple[str, ...]
    fields: list[FieldStatus]
    others: list[OtherStatus] = field(default_factory=list)
    index: IndexKeyCheck | None = None

    def count_for(self, kid: str) -> int:
        in_fields = sum(fs.by_key.get(kid, 0) + fs.legacy.get(kid, 0) for fs in self.fields)
        return in_fields + sum(o.by_key.get(kid, 0) for o in self.others)

    @property
    def pending(self) -> int:
        """Values `rotate` would rewrite: not in the current format under the primary key."""
        return sum(fs.total - fs.by_key.get(self.primary, 0) for fs in self.fields)


def key_status() -> KeyStatus:
    ring = crypto.reload_keyring()
    result = []
    for model, f in encrypted_fields():
        qs = _stored(model, f)
        total = qs.count()
        by_key: dict[str, int] = {}
        legacy: dict[str, int] = {}
        for kid in ring.key_ids:
            for version, bucket in ((crypto.PREFIX, by_key), (crypto.PREFIX_V1, legacy)):
                prefix = _prefix(version, kid)
                bucket[kid] = _with_head(qs, prefix).filter(_head=prefix).count()
        unknown = total - sum(by_key.values()) - sum(legacy.values())
        result.append(FieldStatus(_label(model, f), total, by_key, legacy, unknown))
    others = [
        OtherStatus(label, {kid: user.count(kid) for kid in ring.key_ids}, user.rotate is not None)
        for label, user in key_users().items()
    ]
    return KeyStatus(ring.source, ring.primary_id, ring.key_ids, result, others, index_key_check(ring=ring))


# --- check: do the keys open the data? -----------------------------------------------------------
@dataclass
class KeyCheck:
    """Which key ids the stored data uses and whether this keyring opens it."""

    key_ids: tuple[str, ...]  # the keyring's
    needed: dict[str, list[str]] = field(default_factory=dict)  # key id -> columns / users using it
    failed: dict[str, list[str]] = field(default_factory=dict)  # key id -> columns its sample fails in
    sampled: int = 0
    index: IndexKeyCheck | None = None  # the blind-index key (None: no keyring to check it with)

    @property
    def missing(self) -> list[str]:
        return sorted(kid for kid in self.needed if kid not in self.key_ids)

    @property
    def data_ok(self) -> bool:
        return not self.missing and not self.failed

    @property
    def ok(self) -> bool:
        return self.data_ok and (self.index is None or self.index.ok)

    def problem(self) -> str:
        """The operator's message naming the key ids, or "" when the keys open the data."""
        if self.ok:
            return ""
        if self.data_ok:
            return self.index.problem() if self.index else ""
        parts = [
            f"数据需要密钥 {'、'.join(sorted(self.needed))}；本实例的密钥环有 {'、'.join(self.key_ids) or '（无）'}"
        ]
        if self.missing:
            uses = "；".join(f"{kid}：{'、'.join(self.needed[kid])}" for kid in self.missing)
            parts.append(f"缺少密钥 {'、'.join(self.missing)}（{uses}）")
        if self.failed:
            fails = "；".join(f"{kid}：{'、'.join(cols)}" for kid, cols in sorted(self.failed.items()))
            parts.append(
                f"密钥 {'、'.join(sorted(self.failed))} 与加密这些数据时的密钥不同，无法解密（{fails}）"
            )
        if self.index is not None and not self.index.ok:
            parts.append(self.index.problem())
        return "。".join(parts)


# The stored fingerprint's states, for `keys status` and the messages.
INDEX_MATCHES = "matches"
INDEX_DIFFERS = "differs"
INDEX_UNRECORDED = "unrecorded"
INDEX_MISSING = "missing"  # a fingerprint is recorded, but there is no keyring to compare it with


@dataclass
class IndexKeyCheck:
    """Whether the configured blind-index key is the one the data was written with: the fingerprint
    stored with the data (core.KeyFingerprint) and a recomputation of a few stored blind indexes from
    their decrypted sources (which also covers data from before the fingerprint was recorded)."""

    fingerprint: str  # INDEX_MATCHES, INDEX_DIFFERS, INDEX_UNRECORDED or INDEX_MISSING
    sampled: int = 0  # stored indexes recomputed
    sample_matches: int = 0  # of which equal to the stored one

    @property
    def ok(self) -> bool:
        if self.fingerprint in (INDEX_DIFFERS, INDEX_MISSING):
            return False
        # A stale index here and there (an update() that bypassed the field) is not a wrong key: only
        # when not one sampled index can be recomputed is the key another.
        return not self.sampled or self.sample_matches > 0

    def problem(self) -> str:
        if self.ok:
            return ""
        if self.fingerprint == INDEX_MISSING:
            return "没有盲索引密钥（JIJIAN_INDEX_KEY 或密钥文件的 index），而数据中的盲索引和举报人查询码是用它写入的"
        why = (
            "与数据中记录的盲索引密钥指纹不符"
            if self.fingerprint == INDEX_DIFFERS
            else f"抽样重算的 {self.sampled} 个盲索引无一相符"
        )
        return (
            f"盲索引密钥（JIJIAN_INDEX_KEY 或密钥文件的 index）不是写入这些数据时的密钥：{why}。"
            "用它运行，按姓名、身份证号、手机号的查找和举报人查询码都会查不到。"
            "请放回原盲索引密钥；确需更换时按 docs/keys.md「更换盲索引密钥」运行 `jijian keys reindex`"
        )


def _index_fingerprint_state(ring: crypto.Keyring | None, tables: set[str]) -> str:
    if KeyFingerprint._meta.db_table not in tables:
        return INDEX_UNRECORDED  # data from before the fingerprint (restored, not yet migrated)
    stored = KeyFingerprint.objects.filter(name="index").values_list("digest", flat=True).first()
    if stored is None:
        return INDEX_UNRECORDED
    if ring is None:
        return INDEX_MISSING
    return INDEX_MATCHES if stored == crypto.index_key_fingerprint(ring=ring) else INDEX_DIFFERS


def index_key_check(*, ring: crypto.Keyring | None, per_column: int = 2) -> IndexKeyCheck:
    """Compare the stored fingerprint and recompute up to `per_column` stored blind indexes of every
    blind-indexed column (the first rows with a value: indexed lookups, cheap enough for start-up).
    Without a keyring: whether the data records an index key it would need."""
    tables = set(connection.introspection.table_names())
    result = IndexKeyCheck(_index_fingerprint_state(ring, tables))
    if ring is None:
        return result
    for model, f in blind_index_fields():
        if model._meta.db_table not in tables:
            continue
        source = model._meta.get_field(f.source)
        rows = (
            model._base_manager.annotate(_raw=Cast(source.name, output_field=models.TextField()))
            .exclude(**{f.attname: ""})
            .exclude(_raw__isnull=True)
            .exclude(_raw="")
            .order_by("pk")
            .values_list("_raw", f.attname)[:per_column]
        )
        for raw, stored in rows:
            try:
                plain = source.decrypt(raw, ring=ring) if isinstance(source, EncryptedTextField) else raw
            except crypto.CryptoError:
                continue  # a data-key problem, reported as such
            result.sampled += 1
            if f.compute(plain, ring=ring) == stored:
                result.sample_matches += 1
    return result


def index_key_record(*, ring: crypto.Keyring | None = None) -> None:
    """Store the fingerprint of the configured index key (after every blind index was recomputed
    under it)."""
    ring = ring or crypto.reload_keyring()
    KeyFingerprint.objects.update_or_create(
        name="index",
        defaults={"digest": crypto.index_key_fingerprint(ring=ring), "recorded_at": timezone.now()},
    )


def key_ids_in_data() -> set[str]:
    """Every key id some stored value or registered key user uses (a full scan of the encrypted
    columns: for restores and key generation, not for requests)."""
    return set(key_check(ring=None, decrypt=False, index=False).needed)


def _stored_sample(model: type[models.Model], f: models.Field) -> Iterator[str]:
    """The first and the last stored value of a column (by primary key): what start-up looks at."""
    qs = _stored(model, f).values_list("_raw", flat=True)
    yield from qs[:1]
    yield from qs.reverse()[:1]


def key_check(
    *,
    ring: crypto.Keyring | None = None,
    decrypt: bool = True,
    sample_only: bool = False,
    index: bool = True,
) -> KeyCheck:
    """Every key id the encrypted columns (and registered key users) use, and, for each column and
    key id, whether one stored value decrypts under this keyring: a key under the right id but with
    other bytes (a key file generated afresh) is caught too. Unless index=False, the blind-index key
    is checked as well (`index_key_check`; without a keyring: whether the data needs one).

    sample_only (the start-up check): the key ids of the first and the last value of each column
    instead of every value, a handful of indexed queries: it catches a missing or different key file,
    not a single old value under a retired key (`jijian keys check` reads every value)."""
    if decrypt and ring is None:
        ring = crypto.reload_keyring()
    result = KeyCheck(key_ids=ring.key_ids if ring else ())
    tables = set(connection.introspection.table_names()) if sample_only else None
    for model, f in encrypted_fields():
        if tables is not None and model._meta.db_table not in tables:
            continue  # not migrated yet: nothing stored
        label = _label(model, f)
        samples: dict[str, str] = {}
        values = (
            _stored_sample(model, f)
            if sample_only
            else _stored(model, f).values_list("_raw", flat=True).iterator(chunk_size=2000)
        )
        for raw in values:
            kid = crypto.key_id_of(raw)
            if kid is not None and kid not in samples:
                samples[kid] = raw
        for kid, raw in samples.items():
            result.needed.setdefault(kid, []).append(label)
            if not decrypt or ring is None or kid not in ring.key_ids:
                continue
            result.sampled += 1
            try:
                f.decrypt(raw, ring=ring)
            except crypto.CryptoError:
                result.failed.setdefault(kid, []).append(label)
    for label, user in key_users().items():
        if user.key_ids is not None:
            for kid in sorted(user.key_ids()):
                result.needed.setdefault(kid, []).append(label)
    if index:
        result.index = index_key_check(ring=ring if decrypt else None)
    return result


# --- new key -------------------------------------------------------------------------------------
@dataclass
class NewKeyResult:
    kid: str
    source: str
    key_file: Path | None = None
    env_value: str = ""  # for keys from the environment: the JIJIAN_DATA_KEYS value to deploy


def _validate_kid(kid: str, ring: crypto.Keyring) -> None:
    if not kid.isascii() or not kid.isalnum() or len(kid) > 16:
        raise KeyOperationError(
            gettext("密钥编号 %(kid)s 只能包含字母和数字（最多 16 个）") % {"kid": repr(kid)}
        )
    if kid.lower() in {k.lower() for k in ring.key_ids}:
        raise KeyOperationError(gettext("密钥编号 %(kid)s 已存在") % {"kid": kid})


def _keyring_pairs(ring: crypto.Keyring) -> tuple[list[tuple[str, str]], str]:
    """(kid, hex) pairs in keyring order and the index key in hex, from the key file when that is the
    source (so the file is rewritten as it is), else from the loaded keyring."""
    if ring.source == "file":
        return crypto.read_key_file(Path(settings.KEY_FILE))
    return [(k, key.hex()) for k, key in ring.data_keys], ring.index_key.hex()


def _apply(ring: crypto.Keyring, pairs: list[tuple[str, str]], index_hex: str) -> tuple[Path | None, str]:
    """Write the new keyring to the key file (and reload), or return the JIJIAN_DATA_KEYS value to
    deploy when the keys come from the environment."""
    if ring.source == "file":
        path = Path(settings.KEY_FILE)
        crypto.write_key_file(path, pairs, index_hex)
        crypto.reload_keyring()
        return path, ""
    return None, crypto.format_data_keys(pairs)


def key_new(*, kid: str = "", standby: bool = False) -> NewKeyResult:
    """Generate a data key and make it primary, keeping the old ones for reading. With standby=True it
    is added second: every server can read it before any writes with it (`promote` it later).

    Key file: the file is rewritten (atomically, mode 0600) and this process reloads it; other app
    servers must get the same file before `rotate` (docs/keys.md). Environment: nothing can be
    written; the result carries the new JIJIAN_DATA_KEYS value for the operator to deploy."""
    ring = crypto.reload_keyring()
    # An id the data already uses (under a key this keyring lost) is never given to new key bytes.
    in_data = key_ids_in_data()
    kid = kid or crypto.next_key_id([*ring.key_ids, *in_data])
    _validate_kid(kid, ring)
    if kid.lower() in {k.lower() for k in in_data}:
        raise KeyOperationError(gettext("密钥编号 %(kid)s 已被现有数据使用，不能用于新密钥") % {"kid": kid})
    pairs, index_hex = _keyring_pairs(ring)
    pairs = (
        [pairs[0], (kid, crypto.new_key_hex()), *pairs[1:]]
        if standby
        else [(kid, crypto.new_key_hex()), *pairs]
    )
    path, env_value = _apply(ring, pairs, index_hex)
    result = NewKeyResult(kid, ring.source, key_file=path, env_value=env_value)
    role = "备用密钥" if standby else "主密钥"
    where = "密钥文件" if ring.source == "file" else "环境变量，待运维部署"
    with transaction.atomic():
        audit_record(
            actor=None,
            action="keys.new",
            object_type="core.keyring",
            object_id=kid,
            summary=f"生成新数据密钥 {kid}，设为{role}（{where}）",
            after={"kid": kid, "primary": not standby, "source": ring.source, "os_user": _actor_note()},
        )
    return result


def key_promote(*, kid: str) -> NewKeyResult:
    """Make an existing data key the primary one (after a standby key reached every server)."""
    ring = crypto.reload_keyring()
    if kid not in ring.key_ids:
        raise KeyOperationError(
            gettext("密钥 %(kid)s 不在密钥环中（现有：%(items)s）")
            % {"kid": kid, "items": ", ".join(ring.key_ids)}
        )
    if kid == ring.primary_id:
        raise KeyOperationError(gettext("密钥 %(kid)s 已经是主密钥") % {"kid": kid})
    pairs, index_hex = _keyring_pairs(ring)
    pairs = sorted(pairs, key=lambda pair: pair[0] != kid)  # stable: the others keep their order
    path, env_value = _apply(ring, pairs, index_hex)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="keys.promote",
            object_type="core.keyring",
            object_id=kid,
            summary=f"数据密钥 {kid} 设为主密钥",
            after={"kid": kid, "previous": ring.primary_id, "source": ring.source, "os_user": _actor_note()},
        )
    return NewKeyResult(kid, ring.source, key_file=path, env_value=env_value)


# --- rotation ------------------------------------------------------------------------------------
@dataclass
class RotateResult:
    primary: str
    rewritten: dict[str, int] = field(default_factory=dict)  # field label -> values re-encrypted
    skipped_concurrent: int = 0  # edited while we worked: run again to be sure
    failed: list[tuple[str, object, str]] = field(default_factory=list)  # (field, pk, problem)

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def _pending_batches(model, f, ring: crypto.Keyring, batch: int) -> Iterator[list[tuple[object, str]]]:
    prefix = _prefix(crypto.PREFIX, ring.primary_id)
    qs = _with_head(_stored(model, f), prefix).exclude(_head=prefix)
    last_pk = None
    while True:
        page = qs if last_pk is None else qs.filter(pk__gt=last_pk)
        rows = list(page.values_list("pk", "_raw")[:batch])
        if not rows:
            return
        last_pk = rows[-1][0]
        yield rows


def key_rotate(*, batch: int = 500, progress: Callable[[str, int], None] | None = None) -> RotateResult:
    """Re-encrypt every value that is not in the current format under the primary key (old keys and
    the old sm4g1 format alike). See the module docstring for why this is safe while serving."""
    if batch < 1:
        raise KeyOperationError(gettext("批量大小必须大于 0"))
    ring = crypto.reload_keyring()
    result = RotateResult(primary=ring.primary_id)
    for model, f in encrypted_fields():
        label = _label(model, f)
        db = router.db_for_write(model)
        done = 0
        for rows in _pending_batches(model, f, ring, batch):
            plain = []
            for pk, raw in rows:
                try:
                    plain.append((pk, raw, f.decrypt(raw, ring=ring)))
                except crypto.CryptoError as exc:
                    result.failed.append((label, pk, str(exc)))
            with transaction.atomic(using=db):
                for pk, raw, value in plain:
                    # Compare-and-set: written only if the stored ciphertext is still the one we read.
                    # update() encrypts `value` under the primary key (EncryptedTextField.get_prep_value).
                    n = (
                        model._base_manager.using(db)
                        .annotate(_raw=Cast(f.name, output_field=models.TextField()))
                        .filter(pk=pk, _raw=raw)
                        .update(**{f.name: value})
                    )
                    if n:
                        done += 1
                    else:
                        result.skipped_concurrent += 1
            if progress:
                progress(label, done)
        result.rewritten[label] = done
    for label, user in key_users().items():
        if user.rotate is not None:
            try:
                result.rewritten[label] = user.rotate()
            except Exception as exc:  # noqa: BLE001 - reported, and the audit event records it
                result.failed.append((label, None, f"{type(exc).__name__}: {exc}"))
    with transaction.atomic():
        audit_record(
            actor=None,
            action="keys.rotate",
            object_type="core.keyring",
            object_id=ring.primary_id,
            summary=f"用主密钥 {ring.primary_id} 重新加密 {result.total} 个值",
            after={
                "primary": ring.primary_id,
                "rewritten": result.rewritten,
                "skipped_concurrent": result.skipped_concurrent,
                "failed": len(result.failed),
                "os_user": _actor_note(),
            },
        )
    return result


# --- retirement ----------------------------------------------------------------------------------
@dataclass
class RetireResult:
    kid: str
    source: str
    key_file: Path | None = None
    env_value: str = ""


def key_retire(*, kid: str) -> RetireResult:
    """Remove a data key from the keyring. Refused for the primary key and while any stored value
    still uses it (run `rotate` first). Backups taken before the rotation still need it: archive it
    as long as they are kept (docs/keys.md)."""
    ring = crypto.reload_keyring()
    if kid not in ring.key_ids:
        raise KeyOperationError(
            gettext("密钥 %(kid)s 不在密钥环中（现有：%(items)s）")
            % {"kid": kid, "items": ", ".join(ring.key_ids)}
        )
    if kid == ring.primary_id:
        raise KeyOperationError(
            gettext("密钥 %(kid)s 是主密钥，不能停用；请先用 `jijian keys new` 生成新的主密钥") % {"kid": kid}
        )
    status = key_status()
    in_use = status.count_for(kid)
    if in_use:
        users = [fs.label for fs in status.fields if fs.by_key.get(kid) or fs.legacy.get(kid)]
        others = [o.label for o in status.others if o.by_key.get(kid)]
        stuck = [o.label for o in status.others if o.by_key.get(kid) and not o.rotated]
        hint = (
            "请先运行 `jijian keys rotate`"
            if not stuck
            else f"{'、'.join(stuck)} 不由 rotate 重新加密，须保留该密钥"
        )
        raise KeyOperationError(
            gettext("仍有 %(in_use)s 个值使用密钥 %(kid)s（%(items)s），不能停用；%(hint)s")
            % {"in_use": in_use, "kid": kid, "items": "、".join(users + others), "hint": hint}
        )
    pairs, index_hex = _keyring_pairs(ring)
    path, env_value = _apply(ring, [(k, v) for k, v in pairs if k != kid], index_hex)
    result = RetireResult(kid, ring.source, key_file=path, env_value=env_value)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="keys.retire",
            object_type="core.keyring",
            object_id=kid,
            summary=f"停用数据密钥 {kid}",
            after={"kid": kid, "source": result.source, "os_user": _actor_note()},
        )
    return result


# --- blind indexes -------------------------------------------------------------------------------
@dataclass
class ReindexResult:
    updated: dict[str, int] = field(default_factory=dict)
    skipped_concurrent: int = 0
    failed: list[tuple[str, object, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.updated.values())


def blind_index_rebuild(*, batch: int = 500) -> ReindexResult:
    """Recompute every blind index under the current index key (after JIJIAN_INDEX_KEY changed, or to
    repair an index written by QuerySet.update(), which bypasses BlindIndexField.pre_save). Rows whose
    source changed meanwhile are left to the editor's save (compare-and-set on the source)."""
    if batch < 1:
        raise KeyOperationError(gettext("批量大小必须大于 0"))
    ring = crypto.reload_keyring()
    result = ReindexResult()
    for model, f in blind_index_fields():
        source = model._meta.get_field(f.source)
        label = _label(model, f)
        db = router.db_for_write(model)
        raw_expr = Cast(source.name, output_field=models.TextField())
        qs = model._base_manager.annotate(_raw=raw_expr).order_by("pk")
        last_pk, done = None, 0
        while True:
            page = qs if last_pk is None else qs.filter(pk__gt=last_pk)
            rows = list(page.values_list("pk", "_raw", f.attname)[:batch])
            if not rows:
                break
            last_pk = rows[-1][0]
            changes = []
            for pk, raw, current in rows:
                try:
                    if raw and isinstance(source, EncryptedTextField):
                        plain = source.decrypt(raw, ring=ring)
                    else:
                        plain = raw or ""
                except crypto.CryptoError as exc:
                    result.failed.append((label, pk, str(exc)))
                    continue
                digest = f.compute(plain, ring=ring)
                if digest != current:
                    changes.append((pk, raw, digest))
            with transaction.atomic(using=db):
                for pk, raw, digest in changes:
                    same_source = {"_raw": raw} if raw is not None else {"_raw__isnull": True}
                    n = (
                        model._base_manager.using(db)
                        .annotate(_raw=raw_expr)
                        .filter(pk=pk, **same_source)
                        .update(**{f.attname: digest})
                    )
                    if n:
                        done += 1
                    else:
                        result.skipped_concurrent += 1
        result.updated[label] = done
    with transaction.atomic():
        if not result.failed and not result.skipped_concurrent:
            # Every index is now under this key: restore and start-up check against it from here on.
            index_key_record(ring=ring)
        audit_record(
            actor=None,
            action="keys.reindex",
            object_type="core.keyring",
            object_id="index",
            summary=f"重建盲索引 {result.total} 个",
            after={"updated": result.updated, "failed": len(result.failed), "os_user": _actor_note()},
        )
    return result
