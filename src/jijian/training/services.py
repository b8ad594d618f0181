"""Writes of training: the question bank (one validator for the form and the Excel import), practice
and its wrong-answer book, exams and their drawing rule, sittings (start, save an answer, submit).

A sitting's rules, in one place:
- one open sitting per person (a constraint); starting again resumes it;
- its deadline is fixed at the start on the server: min(start + duration, the exam's close);
- an answer is saved only while the sitting is open, before the deadline, from the device that
  holds it; past the deadline the sitting is graded with what was saved, and the save is refused
  with a message (nothing saved before is lost);
- a second device must take the sitting over (sitting_take_over) and the first one's saves are
  then refused;
- grading reads the sitting's snapshot (the bank may change afterwards)."""

from __future__ import annotations

import random
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jijian.attachments.sniff import Kind
from jijian.audit.services import audit_record
from jijian.core.language import platform_language
from jijian.core.orgs.importer import ImportResult, RowError, read_table
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import typed_text

from .access import can_manage, courses_open_to
from .models import (
    Audience,
    Course,
    CourseCompletion,
    CourseMaterial,
    Exam,
    ExamRule,
    Lecture,
    LectureAttendance,
    LectureMaterial,
    MaterialView,
    Question,
    QuestionKind,
    QuestionLevel,
    Sitting,
    SittingItem,
    WrongAnswer,
)

LETTERS = "ABCDEF"
TRUE_WORDS = {"对", "正确", "√", "T", "TRUE", "是", "Y"}
FALSE_WORDS = {"错", "错误", "×", "X", "F", "FALSE", "否", "N"}
# A file's words are the source language's, whatever language the importer reads the pages in.
with platform_language():
    KIND_BY_LABEL = {str(label): v for v, label in QuestionKind.choices} | {
        "单选": QuestionKind.SINGLE,
        "多选": QuestionKind.MULTIPLE,
        "判断": QuestionKind.TRUE_FALSE,
        "填空": QuestionKind.FILL_IN,
        **{v: v for v in QuestionKind.values},
    }
    LEVEL_BY_LABEL = {str(label): v for v, label in QuestionLevel.choices} | {
        v: v for v in QuestionLevel.values
    }
TRUE_FALSE_OPTIONS = [gettext_lazy("正确"), gettext_lazy("错误")]  # shown; TRUE_WORDS/FALSE_WORDS read a file
IMPORT_COLUMNS = {
    "kind": "题型",
    "topic": "专题",
    "level": "难度",
    "stem": "题干",
    **{f"option_{c.lower()}": f"选项{c}" for c in LETTERS},
    "answer": "答案",
    "explanation": "解析",
}
MAX_IMPORT_ROWS = 5000


def _require_manager(actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied


# --- the question bank ---------------------------------------------------------------------------
def question_clean(
    *, kind: str, topic: str, level: str, stem: str, options: list[str], answer: str, explanation: str = ""
) -> dict:
    """The one check of a question (form and import alike). Raises ValidationError whose message_dict
    is keyed by the column's Chinese name; returns the model's fields.

    The answer is written as in the Excel template: single choice one letter (B), multiple choice two
    or more letters (ACD), true/false 对 or 错, fill-in the accepted texts separated by |."""
    errors: dict[str, str] = {}
    kind = KIND_BY_LABEL.get((kind or "").strip(), "")
    if not kind:
        errors["题型"] = gettext("应为单选题、多选题、判断题或填空题")
    topic = (topic or "").strip()
    if not topic:
        errors["专题"] = gettext("不能为空")
    elif len(topic) > 50:
        errors["专题"] = gettext("不超过50字")
    level_value = LEVEL_BY_LABEL.get((level or "").strip() or QuestionLevel.BASIC.value, "")
    if not level_value:
        errors["难度"] = gettext("应为基础或提高")
    stem = (stem or "").strip()
    if not stem:
        errors["题干"] = gettext("不能为空")
    elif len(stem) > 2000:
        errors["题干"] = gettext("不超过2000字")
    texts = [(o or "").strip() for o in options]
    while texts and not texts[-1]:
        texts.pop()
    answer = (answer or "").strip()
    key: list = []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(texts) < 2 or not all(texts):
            errors["选项"] = gettext("选择题至少两个选项，且选项之间不能有空缺")
        elif len(set(texts)) != len(texts):
            errors["选项"] = gettext("选项不能重复")
        letters = [c for c in answer.upper().replace(",", "").replace("，", "").replace(" ", "")]
        if (
            not letters
            or any(c not in LETTERS[: len(texts)] for c in letters)
            or len(set(letters)) != len(letters)
        ):
            errors["答案"] = gettext("应为选项字母（A–%(last)s）") % {"last": LETTERS[max(len(texts), 1) - 1]}
        elif kind == QuestionKind.SINGLE and len(letters) != 1:
            errors["答案"] = gettext("单选题只能有一个答案")
        elif kind == QuestionKind.MULTIPLE and len(letters) < 2:
            errors["答案"] = gettext("多选题至少两个答案")
        else:
            key = sorted(LETTERS.index(c) for c in letters)
    elif kind == QuestionKind.TRUE_FALSE:
        texts = []
        if answer.upper() in TRUE_WORDS:
            key = [True]
        elif answer.upper() in FALSE_WORDS:
            key = [False]
        else:
            errors["答案"] = gettext("判断题答案应为“对”或“错”")
    elif kind == QuestionKind.FILL_IN:
        texts = []
        key = [a.strip() for a in re.split(r"[|｜]", answer) if a.strip()]
        if not key:
            errors["答案"] = gettext("填空题请填写参考答案（多个可接受的答案用 | 分隔）")
    explanation = (explanation or "").strip()
    if len(explanation) > 2000:
        errors["解析"] = gettext("不超过2000字")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "topic": topic,
        "level": level_value,
        "stem": stem,
        "options": texts,
        "answer": key,
        "explanation": explanation,
    }


def answer_text(question) -> str:
    """The key as the form and the template write it (B, ACD, 对, a|b)."""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(LETTERS[i] for i in question.answer)
    if question.kind == QuestionKind.TRUE_FALSE:
        return "对" if question.answer == [True] else "错"
    return "|".join(question.answer)


def question_create(*, actor, **fields) -> Question:
    data = question_clean(**fields)
    _require_manager(actor)
    with transaction.atomic():
        question = Question.objects.create(org_unit=actor.org_unit, created_by=actor, **data)
        audit_record(
            actor=actor,
            action="training.question_create",
            obj=question,
            org_unit_id=question.org_unit_id,
            summary=f"新增试题：{question.stem[:30]}",
        )
    return question


def question_update(*, actor, question: Question, version: int, **fields) -> Question:
    """Edit with the page's version (ConcurrentEditError if changed meanwhile). Papers already drawn
    keep their snapshot."""
    data = question_clean(**fields)
    _require_manager(actor)
    with transaction.atomic():
        if any(data[f] != getattr(question, f) for f in ("topic", "level", "kind")):
            _require_exams_still_drawn(question, edited=data)
        if not Question.objects.filter(pk=question.pk, version=version, is_active=True).update(
            version=F("version") + 1, **data
        ):
            raise ConcurrentEditError()
        audit_record(
            actor=actor,
            action="training.question_update",
            obj=question,
            org_unit_id=question.org_unit_id,
            summary=f"修改试题：{data['stem'][:30]}",
        )
    question.refresh_from_db()
    return question


def question_deactivate(*, actor, question: Question, version: int) -> None:
    """Withdraw a question from the bank (停用). Refused, nothing changed, when a published exam not
    yet closed could then no longer draw a paper (_require_exams_still_drawn)."""
    _require_manager(actor)
    with transaction.atomic():
        _require_exams_still_drawn(question, edited=None)
        if not Question.objects.filter(pk=question.pk, version=version, is_active=True).update(
            version=F("version") + 1, is_active=False
        ):
            raise ConcurrentEditError()
        audit_record(
            actor=actor,
            action="training.question_deactivate",
            obj=question,
            org_unit_id=question.org_unit_id,
            summary=f"停用试题：{question.stem[:30]}",
        )


def questions_import(*, actor, path: Path) -> ImportResult:
    """Import questions from an Excel (or CSV) file into the actor's unit's bank. Every bad row is
    named with its column; if any row is bad, nothing is imported. Raises ImportFileError for a file
    that cannot be read at all."""
    from jijian.core.orgs.importer import ImportFileError

    _require_manager(actor)
    rows = read_table(path, IMPORT_COLUMNS)
    if not rows:
        raise ImportFileError(gettext("文件中没有试题"))
    if "stem" not in rows[0][1] or "answer" not in rows[0][1]:
        raise ImportFileError(gettext("缺少必需的列：题干、答案"))
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportFileError(
            gettext("一次最多导入 %(MAX_IMPORT_ROWS)s 道题，请拆分后导入")
            % {"MAX_IMPORT_ROWS": MAX_IMPORT_ROWS}
        )
    result = ImportResult()
    existing = set(
        Question.objects.filter(org_unit=actor.org_unit, is_active=True).values_list("stem", flat=True)
    )
    seen: dict[str, int] = {}
    parsed = []
    for n, row in rows:
        try:
            data = question_clean(
                kind=row.get("kind", ""),
                topic=row.get("topic", ""),
                level=row.get("level", ""),
                stem=row.get("stem", ""),
                options=[row.get(f"option_{c.lower()}", "") for c in LETTERS],
                answer=row.get("answer", ""),
                explanation=row.get("explanation", ""),
            )
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                result.errors.extend(RowError(n, column, m) for m in messages)
            continue
        if data["stem"] in seen:
            result.errors.append(
                RowError(n, "题干", gettext("与第 %(first)s 行重复") % {"first": seen[data["stem"]]})
            )
        elif data["stem"] in existing:
            result.errors.append(RowError(n, "题干", gettext("题库中已有相同题干的试题")))
        seen[data["stem"]] = n
        parsed.append(data)
    if result.errors:
        return result
    with transaction.atomic():
        Question.objects.bulk_create(
            [Question(org_unit=actor.org_unit, created_by=actor, **data) for data in parsed], batch_size=500
        )
        audit_record(
            actor=actor,
            action="training.questions_import",
            object_type="training.question",
            org_unit_id=actor.org_unit_id,
            summary=f"导入试题 {len(parsed)} 道",
        )
    result.created = len(parsed)
    return result


# --- answers and grading -------------------------------------------------------------------------
def normalize_answer(kind: str, values: list[str], n_options: int) -> list | None:
    """What a person sent (form values) as the stored answer; None for "not answered". Raises
    ValidationError for a value no option has."""
    values = [v for v in (values or []) if v is not None and str(v).strip() != ""]
    if not values:
        return None
    try:
        if kind == QuestionKind.SINGLE:
            index = int(values[0])
            if len(values) != 1 or not 0 <= index < n_options:
                raise ValueError
            return [index]
        if kind == QuestionKind.MULTIPLE:
            indexes = sorted({int(v) for v in values})
            if any(not 0 <= i < n_options for i in indexes):
                raise ValueError
            return indexes
        if kind == QuestionKind.TRUE_FALSE:
            if values[0] not in ("true", "false"):
                raise ValueError
            return [values[0] == "true"]
    except ValueError:
        raise ValidationError(gettext("答案无效，请重新选择")) from None
    text = str(values[0]).strip()
    if len(text) > 200:
        raise ValidationError(gettext("填空答案不超过200字"))
    return [text]


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def is_correct(kind: str, key: list, answer: list | None) -> bool:
    if answer is None:
        return False
    if kind == QuestionKind.FILL_IN:
        return _fold(answer[0]) in {_fold(k) for k in key}
    return list(answer) == list(key)


# --- practice ------------------------------------------------------------------------------------
@dataclass
class PracticeResult:
    correct: bool
    answer: list | None


def practice_answer(*, actor, question: Question, values: list[str]) -> PracticeResult:
    """Check a practice answer (the caller resolved the question through access). A wrong answer goes
    into the wrong-answer book (or counts again there); a right one clears it from the book."""
    answer = normalize_answer(question.kind, values, len(question.options))
    if answer is None:
        raise ValidationError(gettext("请先作答"))
    correct = is_correct(question.kind, question.answer, answer)
    now = timezone.now()
    with transaction.atomic():
        if correct:
            WrongAnswer.objects.filter(user=actor, question=question, cleared_at__isnull=True).update(
                cleared_at=now
            )
        else:
            _book_wrong(actor, question.pk, now)
    return PracticeResult(correct=correct, answer=answer)


def _book_wrong(user, question_id: int, now) -> None:
    entry, created = WrongAnswer.objects.select_for_update().get_or_create(
        user=user, question_id=question_id, defaults={"last_wrong_at": now}
    )
    if not created:
        WrongAnswer.objects.filter(pk=entry.pk).update(
            times_wrong=F("times_wrong") + 1, last_wrong_at=now, cleared_at=None
        )


# --- exams ---------------------------------------------------------------------------------------
@dataclass
class RuleSpec:
    topic: str
    level: str
    kind: str
    count: int
    points: int

    def describe(self) -> str:
        parts = [
            self.topic or gettext("全部专题"),
            str(QuestionLevel(self.level).label) if self.level else gettext("全部难度"),
            str(QuestionKind(self.kind).label) if self.kind else gettext("全部题型"),
        ]
        return "、".join(parts)


def exam_bank(org_unit) -> list[int]:
    """Ids of the unit's questions and those set above it: the bank an exam of the unit draws from."""
    ids = {org_unit.pk, *org_unit.ancestor_ids()}
    if org_unit.zone_id:
        ids.add(org_unit.zone_id)
    return ids  # type: ignore[return-value]


def draw(
    *, org_unit, rules: list[RuleSpec], rng: random.Random, pool: list[Question] | None = None
) -> list[tuple[Question, int]]:
    """Questions for one paper, rule by rule (returned in the rules' order), never the same question
    twice. Raises ValidationError naming a rule the bank cannot fill.

    Rules may overlap in part (监察法 of any level, and advanced of any topic): whether a paper can be
    drawn must not depend on chance, or the same exam would start for one member and be refused to the
    next. So each question a rule takes is found by an augmenting path (a matching of rules' places to
    questions): when every question a rule could take is held by other rules, one of those rules gives
    its question up for another it can take, and so on along the path. A paper is refused only when no
    assignment exists; which questions are taken is random (each rule tries its matches in a shuffled
    order), narrowest rules first. `pool` replaces the unit's active bank (the bank as a withdrawal
    or an edit would leave it: _require_exams_still_drawn)."""
    if pool is None:
        pool = list(Question.objects.filter(org_unit_id__in=exam_bank(org_unit), is_active=True))

    def matches(rule: RuleSpec) -> list[Question]:
        found = [
            q
            for q in pool
            if (not rule.topic or q.topic == rule.topic)
            and (not rule.level or q.level == rule.level)
            and (not rule.kind or q.kind == rule.kind)
        ]
        rng.shuffle(found)
        return found

    matching = [matches(rule) for rule in rules]
    holder: dict[int, int] = {}  # question id -> the rule holding it

    def take_one(start: int) -> bool:
        """One more question for rule `start`, moving others along a path of rules if need be."""
        came_from: dict[int, tuple[int, Question] | None] = {start: None}
        queue = [start]
        for rule in queue:  # breadth first over rules: the shortest chain of give-ups
            for q in matching[rule]:
                other = holder.get(q.pk)
                if other is None:
                    step: tuple[int, Question] | None = (rule, q)
                    while step is not None:
                        holder[step[1].pk] = step[0]
                        step = came_from[step[0]]
                    return True
                if other not in came_from:
                    came_from[other] = (rule, q)
                    queue.append(other)
        return False

    for i in sorted(range(len(rules)), key=lambda i: (len(matching[i]), i)):
        rule = rules[i]
        for _ in range(rule.count):
            if not take_one(i):
                held = sum(1 for r in holder.values() if r == i)
                raise ValidationError(
                    gettext(
                        "第 %(value)s 条抽题规则（%(describe)s）需要 %(count)s 道题，题库中可用的只有 %(held)s 道"
                    )
                    % {"value": i + 1, "describe": rule.describe(), "count": rule.count, "held": held}
                )
    picked: dict[int, list[Question]] = {i: [] for i in range(len(rules))}
    for q in pool:
        if q.pk in holder:
            picked[holder[q.pk]].append(q)
    for questions in picked.values():
        rng.shuffle(questions)
    return [(q, rule.points) for i, rule in enumerate(rules) for q in picked[i]]


def _require_exams_still_drawn(question: Question, *, edited: dict | None) -> None:
    """Refuse (ValidationError naming the exam and its rule) to withdraw a question (`edited` None)
    or to move it to another topic, level or kind (`edited`: its new fields) when an exam published
    and not yet closed whose bank holds it could then no longer draw a paper: the sittings still to
    come would be refused. The exams are locked first, so two withdrawals at once are checked one
    after the other. Runs in the caller's transaction."""
    unit = question.org_unit
    now = timezone.now()
    exams = (
        Exam.objects.select_for_update(of=("self",))  # the exams, not the units joined to find them
        .filter(is_published=True, closes_at__gt=now)
        .filter(Q(org_unit__path__startswith=unit.path) | Q(org_unit__zone_id=unit.pk))
        .order_by("closes_at", "pk")
    )
    for exam in exams:
        bank = exam_bank(exam.org_unit)
        if question.org_unit_id not in bank:
            continue
        pool = list(Question.objects.filter(org_unit_id__in=bank, is_active=True).exclude(pk=question.pk))
        if edited is not None:
            pool.append(Question(pk=question.pk, org_unit_id=question.org_unit_id, **edited))
        try:
            draw(org_unit=exam.org_unit, rules=rules_of(exam), rng=random.Random(0), pool=pool)
        except ValidationError as error:
            words = (
                gettext(
                    "不能停用该试题：已发布的考试《%(title)s》（截止 %(closes_at)s）抽题时，%(reason)s。"
                    "请先补充同类试题，或待考试截止后再停用"
                )
                if edited is None
                else gettext(
                    "不能修改该试题的专题、难度或题型：已发布的考试《%(title)s》（截止 %(closes_at)s）抽题时，"
                    "%(reason)s。请先补充同类试题，或待考试截止后再修改"
                )
            )
            raise ValidationError(
                words
                % {
                    "title": exam.title,
                    "closes_at": timezone.localtime(exam.closes_at).strftime("%Y-%m-%d %H:%M"),
                    "reason": "；".join(error.messages),
                }
            ) from None


def exam_clean(
    *, title, audience, opens_at, closes_at, duration_minutes, pass_score, max_attempts, rules
) -> dict:
    errors = []
    title = (title or "").strip()
    if not title:
        errors.append(gettext("请填写考试名称"))
    if audience not in Audience.values:
        errors.append(gettext("请选择参考对象"))
    if not opens_at or not closes_at or closes_at <= opens_at:
        errors.append(gettext("截止时间应晚于开考时间"))
    if not duration_minutes or not 5 <= duration_minutes <= 300:
        errors.append(gettext("考试时长应在5至300分钟之间"))
    elif opens_at and closes_at and closes_at - opens_at < timedelta(minutes=duration_minutes):
        errors.append(gettext("开考至截止的时间短于考试时长"))
    if pass_score is None or not 1 <= pass_score <= 100:
        errors.append(gettext("及格分应在1至100之间"))
    if not max_attempts or not 1 <= max_attempts <= 10:
        errors.append(gettext("参考次数应在1至10之间"))
    if not rules:
        errors.append(gettext("请至少填写一条抽题规则"))
    elif sum(r.count for r in rules) > 200:
        errors.append(gettext("一张试卷不超过200道题"))
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "audience": audience,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "duration_minutes": duration_minutes,
        "pass_score": pass_score,
        "max_attempts": max_attempts,
    }


def exam_create(*, actor, rules: list[RuleSpec], **fields) -> Exam:
    """A draft exam of the actor's unit. The rule is checked against the bank now (a paper that
    cannot be drawn is refused) and again when published and at every draw."""
    data = exam_clean(rules=rules, **fields)
    _require_manager(actor)
    draw(org_unit=actor.org_unit, rules=rules, rng=random.Random(0))
    with transaction.atomic():
        exam = Exam.objects.create(org_unit=actor.org_unit, created_by=actor, **data)
        ExamRule.objects.bulk_create([ExamRule(exam=exam, **vars(r)) for r in rules])
        audit_record(
            actor=actor,
            action="training.exam_create",
            obj=exam,
            org_unit_id=exam.org_unit_id,
            summary=f"新建考试：{exam.title}",
        )
    return exam


def rules_of(exam: Exam) -> list[RuleSpec]:
    return [RuleSpec(r.topic, r.level, r.kind, r.count, r.points) for r in exam.rules.all()]


def exam_publish(*, actor, exam: Exam, version: int) -> Exam:
    _require_manager(actor)
    draw(org_unit=exam.org_unit, rules=rules_of(exam), rng=random.Random(0))
    if exam.closes_at <= timezone.now():
        raise ValidationError(gettext("考试截止时间已过，不能发布"))
    with transaction.atomic():
        if not Exam.objects.filter(pk=exam.pk, version=version, is_published=False).update(
            version=F("version") + 1, is_published=True
        ):
            raise ConcurrentEditError()
        audit_record(
            actor=actor,
            action="training.exam_publish",
            obj=exam,
            org_unit_id=exam.org_unit_id,
            summary=f"发布考试：{exam.title}",
        )
    exam.refresh_from_db()
    return exam


# --- sittings ------------------------------------------------------------------------------------
KIND_ORDER: list[str] = [
    QuestionKind.SINGLE,
    QuestionKind.MULTIPLE,
    QuestionKind.TRUE_FALSE,
    QuestionKind.FILL_IN,
]


def new_device_token() -> str:
    return secrets.token_urlsafe(24)


def sitting_start(*, actor, exam: Exam, device: str) -> Sitting:
    """Start the actor's next attempt, or return the open one (resumption). The caller resolved the
    exam through access.get_open_exam_for. Refusals say why and create nothing."""
    now = timezone.now()
    sittings_close_overdue(user=actor)
    open_one = Sitting.objects.filter(user=actor, submitted_at__isnull=True).select_related("exam").first()
    if open_one is not None:
        if open_one.exam_id == exam.pk:
            return open_one
        raise ValidationError(
            gettext("您还有一场考试《%(title)s》未交卷，请先完成") % {"title": open_one.exam.title}
        )
    if now < exam.opens_at:
        raise ValidationError(gettext("考试尚未开始"))
    if now >= exam.closes_at:
        raise ValidationError(gettext("考试已截止"))
    done = list(Sitting.objects.filter(exam=exam, user=actor).values_list("passed", flat=True))
    if any(done):
        raise ValidationError(gettext("您已通过本次考试，无需再考"))
    if len(done) >= exam.max_attempts:
        raise ValidationError(
            gettext("本次考试最多参考 %(max_attempts)s 次，您的参考次数已用完")
            % {"max_attempts": exam.max_attempts}
        )
    rng = random.Random(secrets.randbits(64))
    drawn = draw(org_unit=exam.org_unit, rules=rules_of(exam), rng=rng)
    # Grouped by kind (the paper's sections), shuffled within each kind, options shuffled per person.
    drawn.sort(key=lambda qp: (KIND_ORDER.index(qp[0].kind), rng.random()))
    deadline = min(now + timedelta(minutes=exam.duration_minutes), exam.closes_at)
    try:
        with transaction.atomic():
            sitting = Sitting.objects.create(
                exam=exam,
                user=actor,
                attempt=len(done) + 1,
                started_at=now,
                deadline=deadline,
                device=device,
                total=sum(p for _, p in drawn),
            )
            items = []
            for position, (q, points) in enumerate(drawn, start=1):
                options, key = q.options, q.answer
                if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                    order = list(range(len(q.options)))
                    rng.shuffle(order)
                    options = [q.options[i] for i in order]
                    key = sorted(order.index(i) for i in q.answer)
                items.append(
                    SittingItem(
                        sitting=sitting,
                        position=position,
                        question=q,
                        kind=q.kind,
                        stem=q.stem,
                        options=options,
                        key=key,
                        points=points,
                    )
                )
            SittingItem.objects.bulk_create(items)
            audit_record(
                actor=actor,
                action="training.sitting_start",
                obj=sitting,
                org_unit_id=actor.org_unit_id,
                summary=f"开始考试：{exam.title}（第 {sitting.attempt} 次）",
            )
    except IntegrityError:
        # Two taps on 开始考试 at once: the other request started it.
        existing = Sitting.objects.filter(user=actor, exam=exam, submitted_at__isnull=True).first()
        if existing is None:
            raise ValidationError(gettext("您还有一场考试未交卷，请先完成")) from None
        return existing
    return sitting


def sitting_take_over(*, actor, sitting: Sitting, device: str) -> None:
    """Move an open sitting to this device (the other one's saves are refused from now on)."""
    with transaction.atomic():
        updated = Sitting.objects.filter(pk=sitting.pk, user=actor, submitted_at__isnull=True).update(
            device=device
        )
        if not updated:
            raise ValidationError(gettext("本场考试已交卷"))
        audit_record(
            actor=actor,
            action="training.sitting_take_over",
            obj=sitting,
            org_unit_id=actor.org_unit_id,
            summary=f"在另一设备上继续考试：{sitting.exam.title}",
        )


class SittingClosed(ValidationError):
    """The save came after the end: the sitting is (now) graded with the answers saved before."""


def answer_save(
    *, actor, sitting: Sitting, position: int, values: list[str], seq: int, device: str
) -> SittingItem:
    """Save one answer as the person typed it. Sent twice, the second changes nothing; an older
    change arriving after a newer one (seq) is ignored."""
    closed_now = False
    item: SittingItem | None = None
    with transaction.atomic():
        # The sitting's row alone: a save reads its own columns; only grading past the deadline reads the
        # exam and the person, and loads them then.
        locked = Sitting.objects.select_for_update().get(pk=sitting.pk, user=actor)
        if locked.submitted_at is not None:
            raise SittingClosed(gettext("本场考试已交卷，答案未再保存"))
        if timezone.now() >= locked.deadline:
            _grade(locked, by=actor, reason="到时自动交卷")
            closed_now = True
        else:
            if locked.device != device:
                raise ValidationError(gettext("本场考试已在另一台设备上继续，本设备的作答未保存"))
            item = SittingItem.objects.filter(sitting=locked, position=position).first()
            if item is None:
                raise ValidationError(gettext("题号不存在"))
            answer = normalize_answer(item.kind, values, len(item.options))
            if seq > item.answer_seq:
                item.answer, item.answer_seq, item.saved_at = answer, seq, timezone.now()
                item.save(update_fields=["answer", "answer_seq", "saved_at"])
    if closed_now or item is None:
        raise SittingClosed(gettext("考试时间已到，已自动交卷（此前保存的答案均已计分）"))
    return item


def sitting_submit(*, actor, sitting: Sitting, device: str) -> Sitting:
    with transaction.atomic():
        locked = (
            Sitting.objects.select_for_update(of=("self",))
            .select_related("exam", "user")
            .get(pk=sitting.pk, user=actor)
        )
        if locked.submitted_at is not None:
            return locked  # submitted twice (double tap, resend): the first one counts
        if timezone.now() < locked.deadline and locked.device != device:
            raise ValidationError(gettext("本场考试已在另一台设备上继续，请在该设备上交卷"))
        _grade(locked, by=actor, reason="交卷")
    return locked


def _grade(sitting: Sitting, *, by, reason: str) -> None:
    """Grade from the snapshot, inside the caller's transaction (the sitting row locked)."""
    now = timezone.now()
    items = list(sitting.items.all())
    score = 0
    for item in items:
        item.is_correct = is_correct(item.kind, item.key, item.answer)
        score += item.points if item.is_correct else 0
    SittingItem.objects.bulk_update(items, ["is_correct"])
    sitting.score = score
    sitting.submitted_at = min(now, sitting.deadline)
    sitting.passed = sitting.percent >= sitting.exam.pass_score
    sitting.save(update_fields=["score", "submitted_at", "passed"])
    for item in items:
        if not item.is_correct:
            _book_wrong(sitting.user, item.question_id, now)
    audit_record(
        actor=by,
        action="training.sitting_grade",
        obj=sitting,
        org_unit_id=sitting.user.org_unit_id,
        summary=f"{reason}：{sitting.exam.title}，得分 {sitting.percent}，{'合格' if sitting.passed else '不合格'}",
    )


def sittings_close_overdue(*, user=None) -> int:
    """Grade every open sitting whose deadline has passed (the periodic task; and before a person
    starts or lists sittings). Safe to run twice."""
    qs = Sitting.objects.filter(submitted_at__isnull=True, deadline__lte=timezone.now())
    if user is not None:
        qs = qs.filter(user=user)
    closed = 0
    for pk in qs.values_list("pk", flat=True):
        with transaction.atomic():
            sitting = (
                Sitting.objects.select_for_update(of=("self",)).select_related("exam", "user").get(pk=pk)
            )
            if sitting.submitted_at is None:
                _grade(sitting, by=None, reason="到时自动交卷")
                closed += 1
    return closed


# --- courses -------------------------------------------------------------------------------------
def course_create(*, actor, title: str, description: str, audience: str, year: int, is_required: bool):
    _require_manager(actor)
    title = (title or "").strip()
    errors = []
    if not title:
        errors.append(gettext("请填写课程名称"))
    if audience not in Audience.values:
        errors.append(gettext("请选择学习对象"))
    if not year or not 2000 <= year <= 2100:
        errors.append(gettext("年度无效"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        course = Course.objects.create(
            org_unit=actor.org_unit,
            created_by=actor,
            title=title,
            description=(description or "").strip(),
            audience=audience,
            year=year,
            is_required=is_required,
        )
        audit_record(
            actor=actor,
            action="training.course_create",
            obj=course,
            org_unit_id=course.org_unit_id,
            summary=f"新建课程：{title}",
        )
    return course


# A course material may be a recorded lecture (audio or video) besides documents and images; the
# request body limit of its URLs follows the same kinds (config/bodylimits.py).
MATERIAL_KINDS = frozenset({Kind.IMAGE, Kind.PDF, Kind.OFFICE, Kind.AUDIO, Kind.VIDEO})


def material_add(*, actor, course, title: str, body: str = "", file=None, ip_address: str = ""):
    """A text or a file (stored through the attachment store, which checks it) added to a course the
    actor keeps (resolved through access.get_managed_course_for)."""
    from jijian.attachments.services import attachment_store
    from jijian.core.roles import Module

    from .access import COURSE_FILES

    _require_manager(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError(gettext("请填写标题"))
    if not (body or "").strip() and file is None:
        raise ValidationError(gettext("请填写正文或上传文件"))
    with transaction.atomic():
        attachment = None
        if file is not None:
            attachment = attachment_store(
                actor=actor,
                file=file,
                name=getattr(file, "name", None),
                org_unit=course.org_unit,
                module=Module.TRAINING,
                purpose=COURSE_FILES,
                object_id=course.pk,
                ip_address=ip_address,
                kinds=MATERIAL_KINDS,
            )
        material = CourseMaterial.objects.create(
            course=course, title=title, body=(body or "").strip(), attachment=attachment
        )
        audit_record(
            actor=actor,
            action="training.material_add",
            obj=material,
            org_unit_id=course.org_unit_id,
            summary=f"课程《{course.title}》增加资料：{title}",
        )
    return material


def learns(actor, course) -> bool:
    """Whether the course is one the actor is to learn (set by their unit or above, for their role). A
    training manager also opens courses they keep or that were set above them for the people they
    oversee; those they read, and progress is not recorded for them."""
    return courses_open_to(actor).filter(pk=course.pk).exists()


def _require_learner(actor, course) -> None:
    if not learns(actor, course):
        raise ValidationError(
            gettext("本课程的学习对象是%(audience)s，不计入您的学习记录；您可查看资料和辖区学习情况")
            % {"audience": course.get_audience_display()}
        )


def material_viewed(*, actor, material) -> bool:
    """Record that the learner opened the material (the first time counts; safe to repeat). Opening is
    not learning: see material_learnt. A reader who is not the course's learner leaves no record.
    Returns whether the actor learns the course (the page offers 我已学完 only then)."""
    if not learns(actor, material.course):
        return False
    MaterialView.objects.get_or_create(user=actor, material=material)
    return True


def material_learnt(*, actor, material) -> MaterialView:
    """The learner has studied the material: a video or recording played to its end (the page sends
    it then), a text, PDF or image confirmed with 我已学完. Refused for a material never opened; the
    first time is kept (and audited), so a second send changes nothing. Refused to a reader who is
    not the course's learner."""
    _require_learner(actor, material.course)
    with transaction.atomic():
        view = MaterialView.objects.select_for_update().filter(user=actor, material=material).first()
        if view is None:
            raise ValidationError(gettext("请先打开本资料学习，再点“我已学完”"))
        if view.learnt_at is None:
            view.learnt_at = timezone.now()
            view.save(update_fields=["learnt_at"])
            audit_record(
                actor=actor,
                action="training.material_learnt",
                obj=material,
                org_unit_id=actor.org_unit_id,
                summary=f"学完资料：{material.title}（课程《{material.course.title}》）",
            )
    return view


def course_complete(*, actor, course):
    """Mark the course learnt: only once every material has been studied (material_learnt). Twice
    changes nothing. Refused to a reader who is not the course's learner."""
    _require_learner(actor, course)
    material_ids = set(course.materials.values_list("pk", flat=True))
    learnt = set(
        MaterialView.objects.filter(
            user=actor, material_id__in=material_ids, learnt_at__isnull=False
        ).values_list("material_id", flat=True)
    )
    if not material_ids:
        raise ValidationError(gettext("该课程还没有学习资料"))
    if learnt != material_ids:
        raise ValidationError(gettext("还有 %(count)s 份资料未学完") % {"count": len(material_ids - learnt)})
    with transaction.atomic():
        completion, created = CourseCompletion.objects.get_or_create(user=actor, course=course)
        if created:
            audit_record(
                actor=actor,
                action="training.course_complete",
                obj=course,
                org_unit_id=actor.org_unit_id,
                summary=f"学完课程：{course.title}",
            )
    return completion


# --- lectures ------------------------------------------------------------------------------------
SIGNIN_OPENS_BEFORE = timedelta(minutes=30)
SIGNIN_CLOSES_AFTER = timedelta(hours=4)


def lecture_create(
    *, actor, topic: str, lecturer: str, held_at, location: str, materials: str, audience: str
) -> Lecture:
    _require_manager(actor)
    errors = []
    topic, lecturer = (topic or "").strip(), (lecturer or "").strip()
    if not topic:
        errors.append(gettext("请填写主题"))
    if not lecturer:
        errors.append(gettext("请填写讲授人"))
    if held_at is None:
        errors.append(gettext("请填写时间"))
    if audience not in Audience.values:
        errors.append(gettext("请选择参加对象"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        lecture = Lecture.objects.create(
            org_unit=actor.org_unit,
            created_by=actor,
            topic=topic,
            lecturer=lecturer,
            held_at=held_at,
            location=(location or "").strip(),
            materials=(materials or "").strip(),
            audience=audience,
            signin_token=secrets.token_urlsafe(16),
        )
        audit_record(
            actor=actor,
            action="training.lecture_create",
            obj=lecture,
            org_unit_id=lecture.org_unit_id,
            summary=f"登记集中授课：{topic}（{lecturer}）",
        )
    return lecture


# A lecture's files: its slides (PDF, PowerPoint), handouts, photos of the board, its recording (video,
# audio) — what a course material takes. The request body limit of its URL follows the same kinds
# (config/bodylimits.py); the attachment store applies each kind's size limit.
LECTURE_MATERIAL_KINDS = MATERIAL_KINDS
MAX_LECTURE_FILES = 20  # per lecture


def lecture_material_add(
    *, actor, lecture: Lecture, title: str, file, ip_address: str = ""
) -> LectureMaterial:
    """A file added to a lecture the actor keeps (resolved through access.get_managed_lecture_for),
    stored through the attachment store (type, content and size checked; refused, nothing is kept)
    under the lecture's unit, seen by whoever sees the lecture (access.lectures_visible_to). At most
    MAX_LECTURE_FILES a lecture."""
    from jijian.attachments.services import attachment_store
    from jijian.core.roles import Module

    from .access import LECTURE_FILES

    _require_manager(actor)
    title = typed_text(title, label=gettext("标题"), limit=100, required=True)
    if file is None:
        raise ValidationError(gettext("请选择要上传的文件"))
    with transaction.atomic():
        # The lecture's row serialises additions: the count holds under concurrent uploads.
        Lecture.objects.select_for_update().filter(pk=lecture.pk).first()
        if LectureMaterial.objects.filter(lecture=lecture).count() >= MAX_LECTURE_FILES:
            raise ValidationError(gettext("每次授课最多上传 %(count)s 份资料") % {"count": MAX_LECTURE_FILES})
        attachment = attachment_store(
            actor=actor,
            file=file,
            name=getattr(file, "name", None),
            org_unit=lecture.org_unit,
            module=Module.TRAINING,
            purpose=LECTURE_FILES,
            object_id=lecture.pk,
            ip_address=ip_address,
            kinds=LECTURE_MATERIAL_KINDS,
        )
        material = LectureMaterial.objects.create(
            lecture=lecture, title=title, attachment=attachment, created_by=actor
        )
        audit_record(
            actor=actor,
            action="training.lecture_material_add",
            obj=material,
            org_unit_id=lecture.org_unit_id,
            summary=f"集中授课《{lecture.topic}》增加资料：{title}（{attachment.original_name}）",
        )
    return material


def lecture_sign_in(*, actor, lecture: Lecture, token: str) -> LectureAttendance:
    """Sign in with the QR code's token, from half an hour before the lecture to four hours after it
    starts. Signing in twice keeps the first time. The caller resolved the lecture through
    access.get_lecture_to_attend (who may attend)."""
    if not secrets.compare_digest(token or "", lecture.signin_token):
        raise ValidationError(gettext("签到码无效，请重新扫描现场二维码"))
    now = timezone.now()
    if now < lecture.held_at - SIGNIN_OPENS_BEFORE:
        raise ValidationError(gettext("签到尚未开始（开课前半小时开放）"))
    if now > lecture.held_at + SIGNIN_CLOSES_AFTER:
        raise ValidationError(gettext("签到已结束"))
    with transaction.atomic():
        attendance, created = LectureAttendance.objects.get_or_create(lecture=lecture, user=actor)
        if created:
            audit_record(
                actor=actor,
                action="training.lecture_sign_in",
                obj=lecture,
                org_unit_id=actor.org_unit_id,
                summary=f"签到：{lecture.topic}",
            )
    return attendance
