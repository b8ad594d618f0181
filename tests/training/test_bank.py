"""The question bank: one check for form and import, the all-or-nothing Excel import that names every
bad row, practice and the wrong-answer book, and who practises on which bank."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from jijian.audit.models import AuditEvent
from jijian.core.orgs.importer import ImportFileError
from jijian.training import access, selectors, services
from jijian.training.models import Question, WrongAnswer
from tests.training.factories import bank

pytestmark = pytest.mark.django_db

HEADER = [
    "题型",
    "专题",
    "难度",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "选项F",
    "答案",
    "解析",
]


def workbook(tmp_path, rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    path = tmp_path / "题库.xlsx"
    wb.save(path)
    return path


GOOD = [
    ["单选题", "党纪法规", "基础", "党纪处分有几种？", "三种", "四种", "五种", "六种", "", "", "C", "五种"],
    [
        "多选",
        "四议两公开",
        "提高",
        "两公开是指？",
        "决议公开",
        "实施结果公开",
        "收入公开",
        "",
        "",
        "",
        "A B",
        "",
    ],
    ["判断题", "履职基础", "", "没有事项可以不报月报。", "", "", "", "", "", "", "错", "应作零报告"],
    [
        "填空题",
        "四种形态",
        "基础",
        "经常开展批评和____。",
        "",
        "",
        "",
        "",
        "",
        "",
        "自我批评｜自我批评教育",
        "",
    ],
]


def test_import_creates_every_kind_with_its_key(tmp_path, tree, people):
    result = services.questions_import(actor=people.township_a, path=workbook(tmp_path, GOOD))
    assert result.ok and result.created == 4
    by_kind = {q.kind: q for q in Question.objects.filter(org_unit=tree.township_a)}
    assert by_kind["single"].answer == [2] and by_kind["single"].options == ["三种", "四种", "五种", "六种"]
    assert by_kind["multiple"].answer == [0, 1] and by_kind["multiple"].level == "advanced"
    assert by_kind["true_false"].answer == [False] and by_kind["true_false"].options == []
    assert by_kind["fill_in"].answer == ["自我批评", "自我批评教育"]
    assert AuditEvent.objects.filter(action="training.questions_import").count() == 1


def test_a_reader_of_traditional_chinese_imports_the_same_workbook(tmp_path, people):
    """The workbook's words (单选题, 基础, and an empty level meaning 基础) are the source language's,
    whatever language the importer reads the pages in."""
    from django.utils import translation

    with translation.override("zh-hant"):
        result = services.questions_import(actor=people.township_a, path=workbook(tmp_path, GOOD))
    assert result.ok and result.created == 4, result


def test_import_names_every_bad_row_and_imports_nothing(tmp_path, people):
    rows = [
        *GOOD,
        ["问答题", "党纪法规", "基础", "题型不对", "", "", "", "", "", "", "A", ""],  # row 6
        ["单选题", "党纪法规", "基础", "答案越界", "甲", "乙", "", "", "", "", "D", ""],  # row 7
        ["多选题", "党纪法规", "基础", "多选只有一个答案", "甲", "乙", "丙", "", "", "", "A", ""],  # row 8
        ["判断题", "", "基础", "缺专题", "", "", "", "", "", "", "也许", ""],  # row 9
        ["单选题", "党纪法规", "基础", "党纪处分有几种？", "三种", "四种", "", "", "", "", "A", ""],  # row 10
    ]
    result = services.questions_import(actor=people.township_a, path=workbook(tmp_path, rows))
    text = [str(e) for e in result.errors]
    assert "第 6 行，题型：应为单选题、多选题、判断题或填空题" in text
    assert "第 7 行，答案：应为选项字母（A–B）" in text
    assert "第 8 行，答案：多选题至少两个答案" in text
    assert "第 9 行，专题：不能为空" in text and "第 9 行，答案：判断题答案应为“对”或“错”" in text
    assert "第 10 行，题干：与第 2 行重复" in text
    assert not result.ok and result.created == 0
    assert not Question.objects.exists()


def test_import_refuses_a_question_already_in_the_bank(tmp_path, people):
    services.questions_import(actor=people.township_a, path=workbook(tmp_path, GOOD[:1]))
    result = services.questions_import(actor=people.township_a, path=workbook(tmp_path, GOOD))
    assert [str(e) for e in result.errors] == ["第 2 行，题干：题库中已有相同题干的试题"]
    assert Question.objects.count() == 1


def test_import_without_the_stem_column_is_refused_as_a_whole(tmp_path, people):
    with pytest.raises(ImportFileError, match="题干"):
        services.questions_import(
            actor=people.township_a,
            path=workbook(tmp_path, [["单选题", "x", "A"]], header=["题型", "专题", "答案"]),
        )


def test_a_learner_cannot_import(tmp_path, people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.questions_import(actor=people.member_a, path=workbook(tmp_path, GOOD))


def test_the_form_check_is_the_import_check():
    with pytest.raises(ValidationError) as error:
        services.question_clean(
            kind="单选题", topic="x", level="基础", stem="s", options=["甲", "", "丙"], answer="A"
        )
    assert error.value.message_dict == {"选项": ["选择题至少两个选项，且选项之间不能有空缺"]}


def test_question_edit_with_a_stale_version_changes_nothing(people, tree):
    q = bank(tree.township_a, per_kind=1)[0]
    fields = {
        "kind": "single",
        "topic": "新专题",
        "level": "basic",
        "stem": "改过",
        "options": ["甲", "乙"],
        "answer": "A",
    }
    services.question_update(actor=people.township_a, question=q, version=1, **fields)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.question_update(
            actor=people.county_officer, question=q, version=1, **{**fields, "stem": "再改"}
        )
    q.refresh_from_db()
    assert q.stem == "改过" and q.version == 2


def test_practice_reaches_the_banks_above_and_not_beside(people, tree):
    county_q = bank(tree.county, per_kind=1, prefix="县")
    own_township_q = bank(tree.township_a, per_kind=1, prefix="镇A")
    other_q = bank(tree.township_b, per_kind=1, prefix="镇B")
    visible = set(access.questions_for_practice(people.member_a).values_list("pk", flat=True))
    assert {q.pk for q in county_q + own_township_q} == visible
    assert not visible & {q.pk for q in other_q}
    assert not access.questions_for_practice(people.city_petition).exists()  # no module


def test_a_wrong_practice_answer_goes_into_the_book_and_a_right_one_takes_it_out(people, tree):
    single = bank(tree.county, per_kind=1)[0]
    result = services.practice_answer(actor=people.member_a, question=single, values=["0"])
    assert not result.correct
    services.practice_answer(actor=people.member_a, question=single, values=["2"])
    entry = WrongAnswer.objects.get(user=people.member_a, question=single)
    assert entry.times_wrong == 2 and entry.cleared_at is None
    assert selectors.practice_next(people.member_a, from_book=True) == single
    assert services.practice_answer(actor=people.member_a, question=single, values=["1"]).correct
    assert not access.wrong_answers_of(people.member_a).exists()
    assert selectors.practice_next(people.member_a, from_book=True) is None


@pytest.mark.parametrize(
    ("kind_index", "values", "correct"),
    [
        (1, ["3", "1"], True),  # multiple: order does not matter
        (1, ["1"], False),  # multiple: part of the key is wrong
        (2, ["true"], True),
        (3, ["  对 "], True),  # fill-in: any accepted text, spaces ignored
        (3, ["ＺＨＥＮＧ"], False),
    ],
)
def test_practice_grading_by_kind(people, tree, kind_index, values, correct):
    question = bank(tree.county, per_kind=1)[kind_index]
    assert (
        services.practice_answer(actor=people.member_a, question=question, values=values).correct is correct
    )


def test_practice_refuses_an_empty_or_impossible_answer(people, tree):
    single = bank(tree.county, per_kind=1)[0]
    with pytest.raises(ValidationError, match="请先作答"):
        services.practice_answer(actor=people.member_a, question=single, values=[])
    with pytest.raises(ValidationError, match="答案无效"):
        services.practice_answer(actor=people.member_a, question=single, values=["9"])
    assert not WrongAnswer.objects.exists()
