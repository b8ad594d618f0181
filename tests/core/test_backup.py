"""jijian backup / restore: a round trip loses nothing (every table's row count, every file's bytes,
the audit chain), a tampered backup or a non-empty instance is refused with nothing changed, keys are
in a backup only when asked for. Runs on SQLite, and on PostgreSQL when pg_dump/pg_restore exist."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jijian.audit.models import AuditEvent
from jijian.audit.services import audit_record, audit_seal, audit_verify
from jijian.core.ops.backup import BackupError, backup_check, backup_create, instance_problems, restore_apply
from tests.core.backup_helpers import wipe

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "postgresql"
        and (shutil.which("pg_dump") is None or shutil.which("pg_restore") is None),
        reason="PostgreSQL client tools not installed",
    ),
]


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def file_sums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_backup_wipe_restore_loses_nothing_and_the_chain_verifies(instance, tmp_path, capsys):
    before_rows, before_files = row_counts(), file_sums(instance)
    assert before_rows["audit_auditevent"] == 6 and before_rows["core_user"] > 0
    call_command("backup", str(tmp_path / "bk"))
    assert "不含密钥" in capsys.readouterr().out

    wipe(instance)
    assert row_counts()["core_user"] == 0 and not instance_problems()

    call_command("restore", str(tmp_path / "bk"))
    out = capsys.readouterr().out
    assert "恢复完成" in out and "审计链完整" in out
    assert row_counts() == before_rows
    assert file_sums(instance) == before_files
    assert audit_seal() == 1  # the pending entry is sealed after the restore, and the chain continues
    result = audit_verify()
    assert result.ok and result.checked == 6


def test_the_backup_is_checksummed_and_has_no_keys_unless_asked(instance, tmp_path):
    result = backup_create(dest=tmp_path / "bk")
    assert not result.includes_keys and any("不含密钥" in w for w in result.warnings)
    assert not (tmp_path / "bk" / "keys").exists()
    sums = (tmp_path / "bk" / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1] for line in sums}
    assert {"manifest.json", "files/photo.jpg", "files/2026/11/证据.pdf"} <= listed
    assert backup_check(src=tmp_path / "bk")["engine"] == connection.vendor
    # No half-written backup is left behind under another name.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bk", "files", "keys"]


def test_keys_go_into_the_backup_and_back_only_with_the_flag(instance, tmp_path, settings):
    result = backup_create(dest=tmp_path / "bk", include_keys=True)
    assert result.includes_keys
    copied = tmp_path / "bk" / "keys" / "keys"
    assert copied.read_text() == settings.KEY_FILE.read_text()
    assert stat.S_IMODE(copied.stat().st_mode) == 0o600
    wipe(instance)
    settings.KEY_FILE.unlink()
    restored = restore_apply(src=tmp_path / "bk")  # without the flag: data yes, keys no
    assert not restored.keys_restored and not settings.KEY_FILE.exists()
    assert any("未恢复密钥" in w for w in restored.warnings)
    wipe(instance)
    restored = restore_apply(src=tmp_path / "bk", include_keys=True)
    assert restored.keys_restored and settings.KEY_FILE.read_text() == "k1:" + "22" * 16 + "\n"


def test_restore_refuses_a_non_empty_instance_and_changes_nothing(instance, tmp_path):
    backup_create(dest=tmp_path / "bk")
    audit_record(action="test.after_backup")
    before = row_counts()
    with pytest.raises(CommandError, match="只能恢复到空实例"):
        call_command("restore", str(tmp_path / "bk"))
    assert row_counts() == before
    assert AuditEvent.objects.filter(action="test.after_backup").exists()


@pytest.mark.parametrize("damage", ["file", "database", "manifest", "missing", "extra"])
def test_restore_refuses_a_damaged_backup_and_changes_nothing(instance, tmp_path, damage):
    bk = tmp_path / "bk"
    backup_create(dest=bk)
    wipe(instance)
    before = row_counts()
    if damage == "file":
        path = bk / "files" / "photo.jpg"
        path.write_bytes(path.read_bytes()[:-1] + b"\x01")
    elif damage == "database":
        db = next(p for p in bk.iterdir() if p.name.startswith("database."))
        with db.open("r+b") as fh:
            fh.seek(db.stat().st_size // 2)
            fh.write(b"XX")
    elif damage == "manifest":
        data = json.loads((bk / "manifest.json").read_text())
        data["engine"] = "oracle"
        (bk / "manifest.json").write_text(json.dumps(data))
    elif damage == "missing":
        (bk / "files" / "photo.jpg").unlink()
    else:
        (bk / "files" / "planted.sh").write_text("rm -rf /")
    with pytest.raises(CommandError) as info:
        call_command("restore", str(bk))
    assert any(word in str(info.value) for word in ("校验和不符", "缺少文件", "未登记校验和"))
    assert row_counts() == before
    assert not any(instance.iterdir())


def test_backup_refuses_an_existing_non_empty_destination(instance, tmp_path):
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "old").write_text("x")
    with pytest.raises(BackupError, match="已存在"):
        backup_create(dest=tmp_path / "bk")
