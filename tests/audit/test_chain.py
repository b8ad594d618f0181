"""The audit chain: every kind of tampering is found and the first bad entry is named; a clean chain
passes; sealing is idempotent; the application and the database refuse to rewrite entries.
Runs on SQLite and on PostgreSQL (DATABASE_URL=postgres://...)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from jijian.audit.models import AuditEvent, AuditSeal
from jijian.audit.services import (
    GENESIS,
    audit_head,
    audit_record,
    audit_seal,
    audit_verify,
    chain_hash_of,
    content_hash_of,
)
from tests.concurrency import together

from .tampering import TABLE, raw_row, raw_set, tamper

pytestmark = pytest.mark.django_db


def make_chain(n: int = 5) -> list[AuditEvent]:
    events = [
        audit_record(action="test.event", object_type="test.thing", object_id=i, summary=f"第{i}条日志")
        for i in range(1, n + 1)
    ]
    assert audit_seal() == n
    return [AuditEvent.objects.get(pk=e.pk) for e in events]


def verify_command() -> str:
    try:
        call_command("audit", "verify", "--no-seal")
    except CommandError as exc:
        return str(exc)
    return ""


def test_a_clean_chain_verifies_and_the_command_says_so(capsys):
    make_chain(5)
    assert audit_verify().ok
    assert audit_verify().checked == 5
    call_command("audit", "verify")
    assert "审计链完整：已校验 5 条" in capsys.readouterr().out


def test_an_empty_trail_verifies():
    assert audit_verify().ok


def test_content_hash_survives_the_database_round_trip():
    """Floats, nested key order, Chinese text and microseconds come back from SQLite text and from
    PostgreSQL jsonb/timestamptz with the same hash."""
    event = audit_record(
        action="test.round_trip",
        summary='含中文、引号"和换行\n',
        object_id="甲-1",
        before={"z": 1, "a": {"y": [1.0, 2.5, "文字"], "b": None}, "big": 1e20, "small": 1.5e-10, "t": True},
        after={"amount": 0.1 + 0.2, "count": 3, "list": ["b", "a"]},
    )
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert fresh.created_at == event.created_at  # microseconds kept
    assert content_hash_of(fresh) == event.content_hash == fresh.content_hash
    audit_seal()
    assert audit_verify().ok


def test_non_finite_numbers_are_refused_when_recording():
    with pytest.raises(ValueError):
        audit_record(action="test.nan", after={"x": float("nan")})


def test_an_entry_rolls_back_with_the_change_it_records():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.rolled_back")
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()


def test_an_entry_altered_with_sql_is_named():
    events = make_chain(5)
    raw_set(events[2].pk, {"summary": "改过的摘要"})
    result = audit_verify()
    assert not result.ok
    assert (result.first_bad_id, result.first_bad_seq, result.checked) == (events[2].pk, 3, 2)
    assert "内容被修改" in result.problem
    message = verify_command()
    assert f"id={events[2].pk}" in message and "序号=3" in message


def test_an_entry_altered_together_with_its_content_hash_breaks_the_chain_there():
    events = make_chain(5)
    target = AuditEvent.objects.get(pk=events[1].pk)
    target.summary = "伪造"
    raw_set(target.pk, {"summary": "伪造", "content_hash": content_hash_of(target)})
    result = audit_verify()
    assert (result.ok, result.first_bad_id, result.first_bad_seq) == (False, events[1].pk, 2)
    assert "链哈希不符" in result.problem


def test_a_deleted_middle_entry_is_named_by_its_seq_and_the_entry_after_it():
    events = make_chain(5)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].pk])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 3, events[3].pk)
    assert "缺少序号 3" in result.problem
    assert "序号=3" in verify_command()


def test_a_deleted_first_entry_is_found():
    events = make_chain(3)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[0].pk])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 1, events[1].pk)


def test_a_deleted_last_entry_is_found_at_the_tail():
    events = make_chain(5)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[4].pk])
    result = audit_verify()
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 5, 4)
    assert "已被删除" in result.problem and f"id={events[3].pk}" in result.problem
    assert "序号=5" in verify_command()


def test_the_last_entries_and_the_seal_row_deleted_together_are_found_by_the_anchor():
    events = make_chain(5)
    seq, head = audit_head()
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[4].pk])
    AuditSeal.objects.filter(pk=1).update(last_seq=4, last_hash=events[3].chain_hash)
    assert audit_verify().ok  # without an outside anchor, a consistent truncation cannot be told
    result = audit_verify(anchor=(seq, head))
    assert (result.ok, result.first_bad_seq) == (False, 5)


def test_two_entries_with_swapped_content_are_named_at_the_first():
    events = make_chain(5)
    columns = ["created_at", "action", "object_id", "summary", "content_hash", "chain_hash"]
    second, third = raw_row(events[1].pk, columns), raw_row(events[2].pk, columns)
    raw_set(events[1].pk, dict(zip(columns, third, strict=True)))
    raw_set(events[2].pk, dict(zip(columns, second, strict=True)))
    result = audit_verify()
    assert (result.ok, result.first_bad_id, result.first_bad_seq) == (False, events[1].pk, 2)


def test_two_reordered_entries_are_named_at_the_first_position():
    events = make_chain(5)
    raw_set(events[1].pk, {"seq": -2})
    raw_set(events[2].pk, {"seq": 2})
    raw_set(events[1].pk, {"seq": 3})
    result = audit_verify()
    assert (result.ok, result.first_bad_id, result.first_bad_seq) == (False, events[2].pk, 2)
    assert "链哈希不符" in result.problem


def test_a_rewritten_chain_passes_alone_but_fails_against_an_outside_anchor():
    """Whoever can write the database can recompute every hash; the head copied elsewhere catches it."""
    events = make_chain(4)
    anchor = audit_head()
    prev = events[0].chain_hash
    for seq, event in enumerate(events[1:], start=2):
        event.summary = f"改写{seq}" if seq == 2 else event.summary
        content = content_hash_of(event)
        chain = chain_hash_of(prev, seq, content, event.pk)
        raw_set(event.pk, {"summary": event.summary, "content_hash": content, "chain_hash": chain})
        prev = chain
    AuditSeal.objects.filter(pk=1).update(last_hash=prev)
    assert audit_verify().ok
    result = audit_verify(anchor=anchor)
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 4, events[3].pk)
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--no-seal", f"--anchor={anchor[0]}:{anchor[1]}")


def test_an_unsealed_entry_altered_before_sealing_is_found():
    make_chain(2)
    pending = audit_record(action="test.pending", summary="尚未封存")
    raw_set(pending.pk, {"summary": "改了"})
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, pending.pk)


def test_an_entry_appended_past_the_seal_is_found():
    events = make_chain(2)
    extra = audit_record(action="test.forged")
    raw_set(
        extra.pk,
        {"seq": 3, "chain_hash": chain_hash_of(events[1].chain_hash, 3, extra.content_hash, extra.pk)},
    )
    result = audit_verify()
    assert (result.ok, result.first_bad_id, result.first_bad_seq) == (False, extra.pk, 3)


def test_a_deleted_seal_row_is_found():
    make_chain(2)
    AuditSeal.objects.filter(pk=1).delete()
    assert not audit_verify().ok


def test_the_command_exits_non_zero_on_a_broken_chain():
    events = make_chain(3)
    raw_set(events[0].pk, {"action": "changed"})
    with pytest.raises(CommandError, match="审计链校验失败"):
        call_command("audit", "verify")


def test_sealing_is_idempotent_and_continues_the_chain():
    make_chain(3)
    assert audit_seal() == 0
    audit_record(action="test.later")
    audit_record(action="test.later")
    assert audit_seal(batch=1) == 2  # small batches still chain in order
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert audit_head()[0] == 5
    assert audit_verify().ok


def test_the_first_entry_chains_from_genesis():
    first = make_chain(1)[0]
    assert first.chain_hash == chain_hash_of(GENESIS, 1, first.content_hash, first.pk)


def test_the_model_refuses_to_change_or_delete_an_entry():
    event = make_chain(1)[0]
    event.summary = "改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="改")
    assert AuditEvent.objects.get(pk=event.pk).summary == "第1条日志"


def test_the_database_refuses_sql_updates_of_content_and_of_a_sealed_seq():
    event = make_chain(1)[0]
    for sql in (
        f"UPDATE {TABLE} SET summary = 'x' WHERE id = %s",
        f"UPDATE {TABLE} SET seq = 9 WHERE id = %s",
        f"UPDATE {TABLE} SET chain_hash = 'x' WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "第1条日志"


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite keeps DELETE for flush (see migration 0003)"
)
def test_postgresql_refuses_sql_deletes():
    event = make_chain(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent connections")
def test_two_sealers_at_once_chain_every_entry_once():
    for i in range(200):
        audit_record(action="test.concurrent", object_id=i)
    results, errors = together(3, lambda i: audit_seal(batch=30))
    assert errors == []
    assert sum(results) == 200
    assert audit_verify().ok and audit_verify().checked == 200
