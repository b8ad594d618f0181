"""Builders of training data for tests: a bank of questions of each kind in a unit, an exam on it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jijian.training.models import Audience, Exam, ExamRule, Question


def bank(unit, *, topic="党纪法规", level="basic", per_kind=3, prefix="") -> list[Question]:
    """`per_kind` questions of each kind; the right answer of every choice question is option B (1),
    true/false ones are true, fill-in ones accept 正确 (and 对)."""
    out = []
    for n in range(per_kind):
        tag = f"{prefix}{topic}{level}{n}"
        out += [
            Question.objects.create(
                org_unit=unit,
                kind="single",
                topic=topic,
                level=level,
                stem=f"单选{tag}",
                options=["甲", "乙", "丙", "丁"],
                answer=[1],
            ),
            Question.objects.create(
                org_unit=unit,
                kind="multiple",
                topic=topic,
                level=level,
                stem=f"多选{tag}",
                options=["甲", "乙", "丙", "丁"],
                answer=[1, 3],
            ),
            Question.objects.create(
                org_unit=unit, kind="true_false", topic=topic, level=level, stem=f"判断{tag}", answer=[True]
            ),
            Question.objects.create(
                org_unit=unit,
                kind="fill_in",
                topic=topic,
                level=level,
                stem=f"填空{tag}",
                answer=["正确", "对"],
            ),
        ]
    return out


def exam(
    unit, *, audience=Audience.VILLAGE_MEMBERS, per_kind=2, points=5, minutes=30, published=True, **fields
) -> Exam:
    now = timezone.now()
    e = Exam.objects.create(
        org_unit=unit,
        title=fields.pop("title", "履职能力测试"),
        audience=audience,
        opens_at=fields.pop("opens_at", now - timedelta(hours=1)),
        closes_at=fields.pop("closes_at", now + timedelta(days=1)),
        duration_minutes=minutes,
        is_published=published,
        **fields,
    )
    for kind in ("single", "multiple", "true_false", "fill_in"):
        ExamRule.objects.create(exam=e, kind=kind, count=per_kind, points=points)
    return e


def right_values(item) -> list[str]:
    if item.kind == "fill_in":
        return [item.key[0]]
    if item.kind == "true_false":
        return ["true" if item.key[0] else "false"]
    return [str(i) for i in item.key]


def wrong_values(item) -> list[str]:
    if item.kind == "fill_in":
        return ["不知道"]
    if item.kind == "true_false":
        return ["false" if item.key[0] else "true"]
    return [str(next(i for i in range(len(item.options)) if [i] != item.key))]
