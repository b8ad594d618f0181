"""A question withdrawn from the bank (停用), or moved to another topic, level or kind, must not leave
a published exam that is still open unable to draw its papers: the change is refused with the exam
and its rule named, and nothing changes. Exams closed, drafts, and banks beside the exam's do not
hold a question back."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jijian.training import services
from jijian.training.models import ExamRule, Question, Sitting
from tests.training.factories import bank, exam

EDIT = {"kind": "single", "stem": "改过的题干", "options": ["甲", "乙"], "answer": "A"}


def _withdraw(actor, q):
    q.refresh_from_db()
    services.question_deactivate(actor=actor, question=q, version=q.version)


def test_withdrawing_a_question_an_open_exam_needs_is_refused_and_changes_nothing(tree, people):
    # The county's bank holds exactly the 2 basic single-choice questions of 监察法 the exam asks for.
    questions = bank(tree.county, topic="监察法", per_kind=2)
    singles = [q for q in questions if q.kind == "single"]
    e = exam(tree.county, title="2026年度监察法测试", per_kind=0)
    ExamRule.objects.filter(exam=e).delete()
    ExamRule.objects.create(exam=e, topic="监察法", level="basic", kind="single", count=2, points=10)
    with pytest.raises(ValidationError) as refused:
        services.question_deactivate(actor=people.county_officer, question=singles[0], version=1)
    message = refused.value.messages[0]
    assert "不能停用该试题" in message and "《2026年度监察法测试》" in message
    assert "第 1 条抽题规则（监察法、基础、单选题）需要 2 道题，题库中可用的只有 1 道" in message
    singles[0].refresh_from_db()
    assert singles[0].is_active and singles[0].version == 1
    # The sittings still draw.
    sitting = services.sitting_start(actor=people.member_a, exam=e, device="d")
    assert sitting.items.count() == 2
    # A question the rule does not need (another kind) may go.
    other = next(q for q in questions if q.kind == "multiple")
    _withdraw(people.county_officer, other)
    assert not Question.objects.get(pk=other.pk).is_active


def test_once_the_bank_holds_enough_the_withdrawal_goes_through(tree, people):
    singles = [q for q in bank(tree.county, per_kind=2) if q.kind == "single"]
    e = exam(tree.county, per_kind=0)
    ExamRule.objects.filter(exam=e).delete()
    ExamRule.objects.create(exam=e, kind="single", count=2, points=10)
    with pytest.raises(ValidationError, match="履职能力测试"):
        _withdraw(people.county_officer, singles[0])
    # A question added to a bank above the exam's unit counts too (the city's bank serves the county).
    bank(tree.city, per_kind=1, prefix="市")
    _withdraw(people.county_officer, singles[0])
    assert not Question.objects.get(pk=singles[0].pk).is_active


def test_an_exam_closed_a_draft_or_beside_the_bank_does_not_hold_a_question(tree, people):
    singles = [q for q in bank(tree.township_a, per_kind=1) if q.kind == "single"]
    for fields in (
        {"closes_at": timezone.now() - timedelta(minutes=1), "opens_at": timezone.now() - timedelta(days=1)},
        {"published": False},
    ):
        e = exam(tree.township_a, per_kind=0, **fields)
        ExamRule.objects.create(exam=e, kind="single", count=1, points=10)
    # An exam of another township draws from its own bank (and those above), not township A's.
    beside = exam(tree.township_b, per_kind=0)
    ExamRule.objects.create(exam=beside, kind="single", count=1, points=10)
    bank(tree.township_b, per_kind=1, prefix="乙")
    _withdraw(people.township_a, singles[0])
    assert not Question.objects.get(pk=singles[0].pk).is_active


def test_moving_a_needed_question_to_another_topic_is_refused_too(tree, people):
    singles = [q for q in bank(tree.county, topic="监察法", per_kind=1) if q.kind == "single"]
    e = exam(tree.county, per_kind=0, title="专题测试")
    ExamRule.objects.create(exam=e, topic="监察法", kind="single", count=1, points=10)
    with pytest.raises(ValidationError, match="不能修改该试题的专题、难度或题型：已发布的考试《专题测试》"):
        services.question_update(
            actor=people.county_officer, question=singles[0], version=1, topic="党章", level="basic", **EDIT
        )
    singles[0].refresh_from_db()
    assert singles[0].topic == "监察法" and singles[0].stem != "改过的题干"
    # The same topic, level and kind: the wording may change.
    services.question_update(
        actor=people.county_officer, question=singles[0], version=1, topic="监察法", level="basic", **EDIT
    )
    singles[0].refresh_from_db()
    assert singles[0].stem == "改过的题干"


def test_the_page_shows_the_refusal_as_typed(client, login, tree, people):
    singles = [q for q in bank(tree.county, per_kind=1) if q.kind == "single"]
    e = exam(tree.county, per_kind=0, title="年度测试")
    ExamRule.objects.create(exam=e, kind="single", count=1, points=10)
    q = singles[0]
    login(people.county_officer)
    response = client.post(
        f"/training/questions/{q.pk}/",
        {
            "deactivate": "1",
            "kind": "single",
            "topic": q.topic,
            "level": q.level,
            "stem": q.stem,
            "option_a": "甲",
            "option_b": "乙",
            "option_c": "丙",
            "option_d": "丁",
            "answer": "B",
            "version": 1,
        },
    )
    assert response.status_code == 400
    assert "不能停用该试题：已发布的考试《年度测试》" in response.content.decode()
    assert Question.objects.get(pk=q.pk).is_active
    assert not Sitting.objects.exists()
