"""Fixtures of the core tests: an instance with data to back up (the backup and key-restore tests)."""

from __future__ import annotations

import pytest

from jijian.audit.services import audit_record, audit_seal


@pytest.fixture
def instance(tree, people, settings, tmp_path):
    """An instance with data: the test tree and people, audit entries (sealed and one pending), files,
    and a key file."""
    files = tmp_path / "files"
    (files / "2026" / "11").mkdir(parents=True)
    (files / "2026" / "11" / "证据.pdf").write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)
    (files / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 1000)
    settings.FILES_DIR = files
    key_file = tmp_path / "keys"
    key_file.write_text("k1:" + "22" * 16 + "\n")
    key_file.chmod(0o600)
    settings.KEY_FILE = key_file
    for i in range(5):
        audit_record(
            actor=people.township_a,
            action="test.backup",
            obj=tree.village_a,
            summary=f"第{i}条",
            after={"amount": 1.5, "n": i},
        )
    audit_seal()
    audit_record(action="test.pending")  # not sealed yet when the backup is taken
    return files
