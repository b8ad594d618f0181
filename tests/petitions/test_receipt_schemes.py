"""The receipt hash keeps the Argon2id cost it was made with, so the operator can change the cost
without orphaning the codes reporters hold (JIJIAN_PETITION_RECEIPT_ARGON2[_PREVIOUS])."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from jijian.core.ops.env import ImproperSetting, env_argon2, env_argon2_list
from jijian.core.sensitive import crypto
from jijian.petitions import services
from jijian.petitions.intake import receipt
from jijian.petitions.models import PetitionReport

pytestmark = pytest.mark.django_db

OLD = (1, 1024, 1)
NEW = (2, 2048, 1)


def _submit(tree):
    return services.petition_submit(
        category="accusation",
        region=tree.township_a,
        facts="村主任在低保评定中优亲厚友，把亲属列入低保。",
        is_anonymous=True,
        accused_name="王某",
    )


def test_a_report_keeps_the_cost_its_hash_was_made_with(tree, settings):
    settings.PETITION_RECEIPT_ARGON2 = OLD
    submitted = _submit(tree)
    row = PetitionReport.objects.get(pk=submitted.report.pk)
    assert row.receipt_scheme == f"argon2id:1,1024,1:{receipt.salt_id()}"
    assert row.receipt_hash == receipt.receipt_hash(submitted.code, OLD)
    assert submitted.code not in row.receipt_scheme


def test_after_a_cost_change_an_earlier_code_opens_its_report_and_is_rehashed(tree, settings):
    settings.PETITION_RECEIPT_ARGON2 = OLD
    submitted = _submit(tree)
    settings.PETITION_RECEIPT_ARGON2 = NEW
    settings.PETITION_RECEIPT_ARGON2_PREVIOUS = [OLD]

    found = services.petition_find_by_receipt(code=receipt.display(submitted.code))
    assert found is not None and found.pk == submitted.report.pk
    row = PetitionReport.objects.get(pk=submitted.report.pk)
    assert row.receipt_scheme == receipt.scheme_id(NEW) == f"argon2id:2,2048,1:{receipt.salt_id()}"
    assert (
        row.receipt_hash
        == receipt.receipt_hash(submitted.code, NEW)
        != receipt.receipt_hash(submitted.code, OLD)
    )

    # Now found under the current cost, even with the previous one dropped from the settings.
    settings.PETITION_RECEIPT_ARGON2_PREVIOUS = []
    assert services.petition_find_by_receipt(code=submitted.code).pk == submitted.report.pk


def test_a_cost_dropped_too_early_leaves_its_codes_unfound_and_the_command_says_so(tree, settings):
    settings.PETITION_RECEIPT_ARGON2 = OLD
    submitted = _submit(tree)
    settings.PETITION_RECEIPT_ARGON2 = NEW
    settings.PETITION_RECEIPT_ARGON2_PREVIOUS = []
    assert services.petition_find_by_receipt(code=submitted.code) is None
    with pytest.raises(CommandError, match="JIJIAN_PETITION_RECEIPT_ARGON2_PREVIOUS"):
        call_command("receipts")
    # Listed again: found, and the command is content.
    settings.PETITION_RECEIPT_ARGON2_PREVIOUS = [OLD]
    assert services.petition_find_by_receipt(code=submitted.code) is not None
    call_command("receipts")


def test_the_command_counts_reports_per_cost(tree, settings, capsys):
    settings.PETITION_RECEIPT_ARGON2 = OLD
    _submit(tree)
    _submit(tree)
    settings.PETITION_RECEIPT_ARGON2 = NEW
    settings.PETITION_RECEIPT_ARGON2_PREVIOUS = [OLD]
    _submit(tree)
    call_command("receipts")
    out = capsys.readouterr().out
    assert f"{receipt.scheme_id(OLD)}\t2\t旧参数" in out
    assert f"{receipt.scheme_id(NEW)}\t1\t当前参数" in out


def test_a_wrong_code_changes_nothing_under_any_cost(tree, settings):
    settings.PETITION_RECEIPT_ARGON2 = OLD
    submitted = _submit(tree)
    before = PetitionReport.objects.values_list("receipt_hash", "receipt_scheme").get(pk=submitted.report.pk)
    settings.PETITION_RECEIPT_ARGON2 = NEW
    settings.PETITION_RECEIPT_ARGON2_PREVIOUS = [OLD]
    wrong = "1" + submitted.code[1:] if submitted.code[0] != "1" else "2" + submitted.code[1:]
    assert services.petition_find_by_receipt(code=wrong) is None
    after = PetitionReport.objects.values_list("receipt_hash", "receipt_scheme").get(pk=submitted.report.pk)
    assert after == before


def test_the_previous_list_ignores_the_current_cost_and_repeats(settings):
    settings.PETITION_RECEIPT_ARGON2 = NEW
    settings.PETITION_RECEIPT_ARGON2_PREVIOUS = [NEW, OLD, OLD]
    assert receipt.previous_costs() == [OLD]


def test_the_migration_names_the_one_cost_earlier_hashes_were_made_with(tree, settings):
    settings.PETITION_RECEIPT_ARGON2 = (1, 65536, 1)
    submitted = _submit(tree)
    PetitionReport.objects.filter(pk=submitted.report.pk).update(receipt_scheme="")
    migration = importlib.import_module("jijian.petitions.migrations.0005_receipt_scheme")
    migration.name_earlier_hashes(apps, None)
    assert PetitionReport.objects.get(pk=submitted.report.pk).receipt_scheme == receipt.scheme_id(
        receipt.DEFAULT_COST
    )
    settings.PETITION_RECEIPT_ARGON2_PREVIOUS = []
    assert services.petition_find_by_receipt(code=submitted.code).pk == submitted.report.pk


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,65536,1", (1, 65536, 1)), (" 3 , 32768 , 2 ", (3, 32768, 2))],
)
def test_the_cost_setting_is_read_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("JIJIAN_TEST_ARGON2", raw)
    assert env_argon2("JIJIAN_TEST_ARGON2", (9, 9, 9)) == expected


@pytest.mark.parametrize("raw", ["1,65536", "a,b,c", "0,65536,1", "1,4,1", "1,65536,0", "1,99999999,1"])
def test_a_malformed_cost_stops_start_up_with_its_name(monkeypatch, raw):
    monkeypatch.setenv("JIJIAN_TEST_ARGON2", raw)
    with pytest.raises(ImproperSetting, match="JIJIAN_TEST_ARGON2"):
        env_argon2("JIJIAN_TEST_ARGON2", (1, 65536, 1))


def test_previous_costs_are_separated_by_semicolons(monkeypatch):
    monkeypatch.setenv("JIJIAN_TEST_PREV", "1,65536,1; 2,32768,1")
    assert env_argon2_list("JIJIAN_TEST_PREV") == [(1, 65536, 1), (2, 32768, 1)]
    monkeypatch.setenv("JIJIAN_TEST_PREV", "")
    assert env_argon2_list("JIJIAN_TEST_PREV") == []


def test_after_the_index_key_changed_old_codes_are_counted_as_lost(tree, settings):
    """The salt comes from the index key: a changed key (or a restore without the original keys)
    cannot re-hash codes nobody holds; the command says how many reporters lost their way back and
    exits non-zero, so a script or monitor after a restore notices."""
    settings.PETITION_RECEIPT_ARGON2 = OLD
    submitted = _submit(tree)
    before = receipt.salt_id()
    try:
        with override_settings(INDEX_KEY="44" * 16):
            crypto.reload_keyring()
            assert receipt.salt_id() != before
            assert services.petition_find_by_receipt(code=submitted.code) is None
            with pytest.raises(CommandError, match="有 1 件举报的查询码在索引密钥更换前生成"):
                call_command("receipts", stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        crypto.reload_keyring()
    assert services.petition_find_by_receipt(code=submitted.code).pk == submitted.report.pk
