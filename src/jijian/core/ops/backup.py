"""Backup and restore of one jijian instance: the database, the files directory, and — only when
asked — the key file. docs/backup.md is the operator's guide (schedules, off-site copies, drills).

A backup is a directory:

    manifest.json      what, when, which engine, whether keys are inside
    database.sqlite3   SQLite: a copy made with SQLite's online backup API (one consistent snapshot,
                       taken while the application keeps running)
    database.pgdump    PostgreSQL: pg_dump --format=custom (one transaction snapshot)
    files/...          the files directory (attachments), copied after the database: a file that
                       arrives meanwhile is an orphan in the backup, never a row without its file
    keys/              only with --include-keys: the key file (JIJIAN_KEY_FILE)
    SHA256SUMS         the SHA-256 of every other file, `sha256sum -c SHA256SUMS` checks it anywhere

It is written under a temporary name and renamed when complete, so a directory with the final name
is always a whole backup. Restore checks every checksum and that the instance is empty before it
changes anything."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

import jijian
from jijian.partitions import partitions_create_ahead, partitions_drop_empty

FORMAT = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
KEYS_DIR = "keys"
FILES_DIR = "files"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A message for the operator, in Chinese; nothing was changed."""


@dataclass
class BackupResult:
    path: Path
    engine: str
    files: int
    includes_keys: bool
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    engine: str
    files: int
    keys_restored: bool
    audit_ok: bool
    audit_message: str
    warnings: list[str] = field(default_factory=list)


# --- helpers -------------------------------------------------------------------------------------
def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(gettext("不支持的数据库类型：%(vendor)s") % {"vendor": vendor})
    return vendor


def _db_filename(engine: str) -> str:
    return "database.sqlite3" if engine == "sqlite" else "database.pgdump"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashed(src: Path, dst: Path) -> str:
    """Copy src to dst and return the SHA-256 of the bytes written."""
    digest = hashlib.sha256()
    dst.parent.mkdir(parents=True, exist_ok=True)
    with src.open("rb") as fin, dst.open("wb") as fout:
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    shutil.copystat(src, dst)
    return digest.hexdigest()


def _walk_files(root: Path):
    """Regular files under root, sorted; symbolic links are refused (they could point anywhere)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                raise BackupError(gettext("文件目录中有符号链接，拒绝备份：%(path)s") % {"path": path})
            yield path


def _pg_env() -> tuple[dict, str]:
    s = connection.settings_dict
    env = {**os.environ}
    for key, value in (
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
    ):
        if value:
            env[key] = str(value)  # the password goes through the environment, never the command line
    options = s.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = options["sslmode"]
    return env, s["NAME"]


def _run(args: list[str], env: dict, what: str) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(
            gettext("找不到 %(args)s：请安装 PostgreSQL 客户端（Debian：postgresql-client）")
            % {"args": args[0]}
        )
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise BackupError(
            gettext("%(what)s失败：%(strip)s") % {"what": what, "strip": proc.stderr.strip()[-2000:]}
        )


def _audit_head_of_sqlite(db: sqlite3.Connection) -> list | None:
    """The audit chain's head as it is inside the copy (recorded in the manifest)."""
    try:
        row = db.execute("SELECT last_seq, last_hash FROM audit_auditseal WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        return None
    return list(row) if row else [0, "0" * 64]


# --- backup --------------------------------------------------------------------------------------
def backup_create(*, dest: Path, include_keys: bool = False) -> BackupResult:
    """Write a complete, checksummed backup to `dest` (a new directory)."""
    dest = Path(dest).absolute()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(gettext("目标 %(dest)s 已存在且不是空目录：请指定一个新目录") % {"dest": dest})
    dest.parent.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    warnings: list[str] = []
    try:
        os.chmod(work, 0o700)
        db_file = work / _db_filename(engine)
        if engine == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(db_file)
            try:
                connection.connection.backup(target)
                # A self-contained file: no -wal/-shm beside it, readable on any machine.
                target.execute("PRAGMA journal_mode=DELETE")
                head = _audit_head_of_sqlite(target)
            finally:
                target.close()
        else:
            env, name = _pg_env()
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={db_file}", name],
                env,
                "pg_dump 备份数据库",
            )
            head = None
        sums = {db_file.name: sha256_file(db_file)}

        files_root = Path(settings.FILES_DIR)
        count = 0
        if getattr(settings, "FILE_STORAGE", "filesystem") == "s3":
            warnings.append(
                "附件存放在对象存储（S3）中，本备份只含本地文件目录：对象存储请用其版本控制和复制另行备份"
            )
        if files_root.is_dir():
            for path in _walk_files(files_root):
                rel = Path(FILES_DIR) / path.relative_to(files_root)
                sums[rel.as_posix()] = _copy_hashed(path, work / rel)
                count += 1

        key_file = Path(settings.KEY_FILE)
        if include_keys:
            if key_file.is_file():
                rel = Path(KEYS_DIR) / key_file.name
                (work / KEYS_DIR).mkdir(mode=0o700)
                sums[rel.as_posix()] = _copy_hashed(key_file, work / rel)
                os.chmod(work / rel, 0o600)
            else:
                warnings.append(
                    "没有密钥文件可备份：密钥来自环境变量 JIJIAN_DATA_KEYS，请按密钥托管办法另行保管"
                )
        elif key_file.is_file() or settings.DATA_KEYS:
            warnings.append(
                "本备份不含密钥：加密字段只能用原密钥解开，请确认密钥已另行托管（见 docs/backup.md）"
            )

        includes_keys = include_keys and key_file.is_file()
        manifest = {
            "format": FORMAT,
            "app": "jijian",
            "version": jijian.__version__,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "database": db_file.name,
            "files": count,
            "includes_keys": includes_keys,
            "key_file_name": key_file.name if includes_keys else None,
            "audit_head": head,
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        sums[MANIFEST] = sha256_file(work / MANIFEST)
        lines = "".join(f"{digest}  {rel}\n" for rel, digest in sorted(sums.items()))
        (work / SUMS).write_text(lines, encoding="utf-8")
        if dest.exists():
            dest.rmdir()
        work.rename(dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupResult(dest, engine, count, includes_keys, warnings)


# --- checking ------------------------------------------------------------------------------------
def backup_check(*, src: Path) -> dict:
    """Check every checksum of the backup at `src` and return its manifest; BackupError otherwise."""
    src = Path(src)
    sums_file = src / SUMS
    if not src.is_dir() or not sums_file.is_file():
        raise BackupError(
            gettext("%(src)s 不是 jijian 备份目录（缺少 %(SUMS)s）") % {"src": src, "SUMS": SUMS}
        )
    listed: dict[str, str] = {}
    for number, line in enumerate(sums_file.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64 or rel.startswith("/") or ".." in Path(rel).parts:
            raise BackupError(
                gettext("%(SUMS)s 第 %(number)s 行格式不对，备份不可信") % {"SUMS": SUMS, "number": number}
            )
        listed[rel] = digest
    present = {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file() or p.is_symlink()}
    present.discard(SUMS)
    if missing := sorted(set(listed) - present):
        raise BackupError(gettext("备份不完整，缺少文件：%(items)s") % {"items": "、".join(missing[:10])})
    if extra := sorted(present - set(listed)):
        raise BackupError(gettext("备份中有未登记校验和的文件：%(items)s") % {"items": "、".join(extra[:10])})
    for rel, digest in sorted(listed.items()):
        path = src / rel
        if path.is_symlink() or sha256_file(path) != digest:
            raise BackupError(
                gettext("备份文件 %(rel)s 的校验和不符（文件已损坏或被改动），未做任何更改") % {"rel": rel}
            )
    if MANIFEST not in listed:
        raise BackupError(gettext("备份缺少 manifest.json"))
    manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("app") != "jijian":
        raise BackupError(gettext("不认识的备份格式：%(format)s") % {"format": manifest.get("format")})
    if manifest.get("database") not in listed:
        raise BackupError(gettext("备份缺少数据库文件"))
    return manifest


def instance_problems() -> list[str]:
    """Why this instance is not empty (an empty list when it is): accounts, org units, audit entries
    or files. Tables that migrations fill by themselves (content types, permissions) do not count."""
    from jijian.audit.models import AuditEvent
    from jijian.core.models import OrgUnit, User

    tables = set(connection.introspection.table_names())
    problems = []
    for model, label in ((User, "账号"), (OrgUnit, "组织"), (AuditEvent, "审计日志")):
        if model._meta.db_table in tables:
            n = model._base_manager.count()
            if n:
                problems.append(gettext("已有 %(n)s 条%(label)s") % {"n": n, "label": label})
    files_root = Path(settings.FILES_DIR)
    if files_root.is_dir() and any(files_root.iterdir()):
        problems.append(gettext("文件目录 %(files_root)s 不是空的") % {"files_root": files_root})
    return problems


# --- restore -------------------------------------------------------------------------------------
def keys_check_after_restore():
    """The restored data's key check, with the keyring as it now is (a key file just restored
    included). Never generates a key: a missing key file means every key the data uses is missing."""
    from jijian.core.sensitive import crypto, keys

    ring = crypto.keyring_if_present()
    return keys.key_check(ring=ring, decrypt=ring is not None)


def restore_apply(*, src: Path, include_keys: bool = False) -> RestoreResult:
    """Restore the backup at `src` into this (empty) instance. Every check runs before the first
    change: checksums, format, engine, emptiness, key file."""
    src = Path(src)
    manifest = backup_check(src=src)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            gettext("备份来自 %(engine)s 数据库，本实例使用 %(engine2)s，不能直接恢复")
            % {"engine": manifest["engine"], "engine2": engine}
        )
    if problems := instance_problems():
        raise BackupError("只能恢复到空实例，本实例" + "，".join(problems) + "。未做任何更改")
    warnings: list[str] = []
    key_src = key_dst = None
    if manifest.get("includes_keys"):
        key_src = src / KEYS_DIR / manifest["key_file_name"]
        if include_keys:
            key_dst = Path(settings.KEY_FILE)
            if key_dst.exists() and sha256_file(key_dst) != sha256_file(key_src):
                raise BackupError(
                    gettext("密钥文件 %(key_dst)s 已存在且与备份中的不同，拒绝覆盖。未做任何更改")
                    % {"key_dst": key_dst}
                )
        else:
            warnings.append("备份中含有密钥文件，但未指定 --include-keys，未恢复密钥")
    elif include_keys:
        warnings.append("备份中没有密钥，请从密钥托管处恢复 JIJIAN_KEY_FILE 或 JIJIAN_DATA_KEYS")

    db_file = src / manifest["database"]
    if engine == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        env, name = _pg_env()
        # The (empty) monthly partitions go first: pg_restore --clean cannot drop their inherited keys,
        # and the backup brings its own months (docs/partitions.md).
        partitions_drop_empty()
        connection.close()  # no session of ours holds a lock on the tables pg_restore replaces
        try:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={name}",
                    str(db_file),
                ],
                env,
                "pg_restore 恢复数据库",
            )
        except BackupError:
            partitions_create_ahead()  # the empty instance gets its months back
            raise

    files_root = Path(settings.FILES_DIR)
    count = 0
    backup_files = src / FILES_DIR
    if backup_files.is_dir():
        for path in _walk_files(backup_files):
            _copy_hashed(path, files_root / path.relative_to(backup_files))
            count += 1
    keys_restored = False
    if key_src is not None and key_dst is not None and not key_dst.exists():
        key_dst.parent.mkdir(parents=True, exist_ok=True)
        _copy_hashed(key_src, key_dst)
        os.chmod(key_dst, 0o600)
        keys_restored = True

    # The data is only restored when its keys open it: every key id the encrypted columns use is in
    # the keyring and one value of each column and key id decrypts, and the index key is the one the
    # blind indexes and receipt codes were written with. Otherwise the instance would start
    # "normally" with every encrypted field, and every receipt code, unreadable.
    check = keys_check_after_restore()
    if not check.ok:
        raise BackupError(
            "恢复未完成：" + check.problem() + "。数据库和文件已写入，但用现在的密钥无法读取或查找，"
            "服务在密钥放回之前会拒绝启动：从密钥托管处放回原密钥文件（JIJIAN_KEY_FILE）或设置 "
            "JIJIAN_DATA_KEYS/JIJIAN_INDEX_KEY，然后运行 `jijian keys check`，通过后再启动（见 docs/backup.md）"
        )

    from jijian.audit.services import audit_verify

    result = audit_verify()
    message = (
        f"审计链完整：已校验 {result.checked} 条"
        if result.ok
        else f"审计链校验失败：日志 id={result.first_bad_id} 序号={result.first_bad_seq}：{result.problem}"
    )
    return RestoreResult(engine, count, keys_restored, result.ok, message, warnings)
