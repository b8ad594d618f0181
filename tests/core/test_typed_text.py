"""Typed text is refused, never cut: core.validators.typed_text is the one rule the services call,
and the services that used to cut text silently (a clue's accused and source note, a report's
approval comment and a duty record's place) now refuse it with the field's name, changing nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jijian.core.validators import text_length_error, typed_text
from jijian.petitions.clues import services as clues
from jijian.petitions.models import Clue, ClueSource
from jijian.reports import services as reports
from jijian.reports.models import MonthlyReport, ReportState
from tests.petitions.authz_entries_clues import case_manager
from tests.reports.authz_entries_review import submitted_report


def test_text_is_stripped_and_kept_whole_up_to_its_limit():
    assert typed_text("  张三  ", label="姓名", limit=2) == "张三"
    assert typed_text(None, label="备注", limit=10) == ""
    assert text_length_error("张三", limit=2, label="姓名") is None


@pytest.mark.parametrize(
    ("value", "required", "message"),
    [
        ("张三丰", False, "姓名最多2字（现有3字），请删减后再提交"),
        ("   ", True, "请填写姓名"),
        ("张\x00", False, "姓名含有无效字符"),
    ],
)
def test_bad_text_is_refused_with_the_fields_name(value, required, message):
    with pytest.raises(ValidationError) as caught:
        typed_text(value, label="姓名", limit=2, required=required)
    assert caught.value.messages == [message]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "limit", "label"),
    [
        ("accused_unit", 200, "被反映人单位"),
        ("accused_post", 100, "被反映人职务"),
        ("source_note", 200, "来源说明"),
    ],
)
def test_a_clue_with_too_long_a_field_is_refused_not_cut(tree, field, limit, label):
    values = {
        "accused_name": "张某",
        "summary": "反映问题",
        "source_note": "县审计局移送",
        field: "字" * (limit + 1),
    }
    with pytest.raises(ValidationError) as caught:
        clues.clue_register(
            actor=case_manager(tree.county), source=ClueSource.OTHER_BODY, endorse=True, **values
        )
    assert caught.value.messages == [f"{label}最多{limit}字（现有{limit + 1}字），请删减后再提交"]
    assert not Clue.objects.exists()


@pytest.mark.django_db
def test_an_approval_comment_too_long_is_refused_and_the_report_stays_submitted(tree, people):
    report = submitted_report(tree.village_a, people.member_a)
    with pytest.raises(ValidationError, match="审核意见最多2000字（现有2001字）"):
        reports.monthly_report_approve(
            actor=people.township_a, report=report, comment="好" * 2001, version=report.version
        )
    stored = MonthlyReport.objects.get(pk=report.pk)
    assert stored.state == ReportState.SUBMITTED and stored.review_comment == ""
