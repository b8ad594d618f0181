"""Every bench generator that COPYs rows names the columns it fills; when a model gains a NOT NULL
column without a database default, that list is out of date and the benchmark stops with an error
(bench.generate.check_columns), as `make bench` did at the reports' statistics after four columns
were added to MonthlyReport. Checked here on every test run, so the benchmarks cannot rot unseen
between two runs of `make bench`."""

from __future__ import annotations

import pytest
from bench.generate import check_columns

from bench import (
    bench_archives,
    bench_partitions,
    bench_petitions,
    bench_reports,
    bench_responsibility,
    bench_village,
    generate,
)
from jijian.archives import models as archives
from jijian.core.models import OrgUnit, User, UserRole
from jijian.petitions.models import PetitionApproval, PetitionDeadline, PetitionReport
from jijian.reports.models import DutyRecord, MonthlyReport
from jijian.responsibility.models import FulfilmentRecord, ResponsibilityItem
from jijian.villageaffairs import models as village

COPIED = [
    (OrgUnit, generate.ORG_UNIT_COLUMNS),
    (User, generate.USER_COLUMNS),
    (UserRole, generate.USER_ROLE_COLUMNS),
    (MonthlyReport, bench_reports.REPORT_COLUMNS),
    (DutyRecord, [c.strip() for c in bench_partitions.COLUMNS.split(",")]),
    (PetitionReport, [*bench_petitions.REPORT_COLUMNS, "id"]),
    (PetitionDeadline, [*bench_petitions.DEADLINE_COLUMNS, "id"]),
    (PetitionApproval, [*bench_petitions.APPROVAL_COLUMNS, "id"]),
    (ResponsibilityItem, bench_responsibility.ITEM_COLUMNS),
    (FulfilmentRecord, bench_responsibility.RECORD_COLUMNS),
    (village.MajorDecision, bench_village.DECISION_COLUMNS),
    (village.DecisionStep, bench_village.STEP_COLUMNS),
    (village.Voucher, bench_village.VOUCHER_COLUMNS),
    (village.FlagAnswer, bench_village.ANSWER_COLUMNS),
    (village.PublicBoard, bench_village.BOARD_COLUMNS),
    (archives.IntegrityArchive, bench_archives.ARCHIVE_COLUMNS),
    (archives.FamilyMember, bench_archives.FAMILY_COLUMNS),
    (archives.Sanction, bench_archives.SANCTION_COLUMNS),
    (archives.PersonalMattersReport, bench_archives.MATTERS_COLUMNS),
    (archives.ArchiveRecord, bench_archives.RECORD_COLUMNS),
]


@pytest.mark.parametrize(("model", "columns"), COPIED, ids=[m._meta.db_table for m, _ in COPIED])
def test_the_generator_fills_every_column_the_database_cannot_default(model, columns):
    check_columns(model, columns)


def test_the_check_refuses_a_list_missing_a_required_column():
    """The check above can fail: without `state` (NOT NULL, no database default) the list is refused."""
    with pytest.raises(RuntimeError, match="add \\['state'\\]"):
        check_columns(MonthlyReport, [c for c in bench_reports.REPORT_COLUMNS if c != "state"])
