"""Every write of evaluation: rubrics (versioned once in use), evaluations (started with a rubric
they keep, assessed by the township, computed from the other platforms through core.links ports,
confirmed), and mutual checks (rounds, pairs, scores, findings with photos, rectifications to
closure, lessons proposed to the duty manual). One transaction and one audit entry each; a refusal
is a ValidationError in Chinese and changes nothing; edits that can race carry a version."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from jijian.attachments.models import AttachmentKind
from jijian.audit.services import audit_record
from jijian.core import links
from jijian.core.access import user_in_jurisdiction
from jijian.core.language import platform_language
from jijian.core.models import OrgUnit, User
from jijian.core.roles import Module, Role
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import typed_text

from . import access, scoring
from .models import CheckPair, CheckRound, CheckRubric, Evaluation, EvaluationRubric, Finding, Rectification

FINDING_PHOTO_KINDS = frozenset({AttachmentKind.IMAGE})  # photos of what was found: images only

WEIGHT_FIELDS = {
    "reports": "weight_reports",
    "training": "weight_training",
    "guidance": "weight_guidance",
    "township": "weight_township",
}


def today() -> date:
    return timezone.localdate()


def _check_version(obj, version) -> None:
    if version is not None and int(version) != obj.version:
        raise ConcurrentEditError()


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# --- evaluation rubrics --------------------------------------------------------------------------
def _save_versioned(
    model,
    rubric,
    *,
    actor,
    version,
    fields: dict,
    in_use,
    kind: str,
    created: str,
    stale: str,
    versioned,
    updated,
):
    """Create a rubric (an annual evaluation rubric, a 四问四看 checklist) for the actor's unit, or edit
    one: a rubric already in use (`in_use(old)`) is closed and its edit becomes a new version (number
    + 1, same family), so what used it keeps it; one not yet used is edited in place. Returns (the
    rubric now current, the audit action, its summary). Runs in the caller's transaction."""
    if rubric is None:
        new = model.objects.create(org_unit=actor.org_unit, created_by=actor, **fields)
        new.family = new.pk
        new.save(update_fields=["family"])
        return new, f"{kind}_create", created
    old = _locked(model, rubric.pk)
    if not old.is_current:
        raise ValidationError(stale)
    _check_version(old, version)
    if in_use(old):
        old.is_current = False
        old.version += 1
        old.save(update_fields=["is_current", "version"])
        new = model.objects.create(
            org_unit=old.org_unit, created_by=actor, family=old.family, number=old.number + 1, **fields
        )
        return new, f"{kind}_version", versioned(new.number)
    for f, v in fields.items():
        setattr(old, f, v)
    old.version += 1
    old.save()
    return old, f"{kind}_update", updated


def rubric_weights(rubric: EvaluationRubric) -> dict[str, int]:
    return {part: getattr(rubric, f) for part, f in WEIGHT_FIELDS.items()}


def evaluation_rubric_save(
    *,
    actor,
    rubric: EvaluationRubric | None = None,
    name: str,
    year: int,
    weights: dict[str, int],
    grades: list[dict],
    version: int | None = None,
) -> EvaluationRubric:
    """Create a rubric for the actor's unit, or edit one (resolved through access.get_rubric_for).
    Editing a rubric an evaluation already uses makes a new version; the evaluations keep theirs."""
    if not access.can_configure(actor):
        raise PermissionDenied
    name = (name or "").strip()
    errors = [] if name else [gettext("请填写名称")]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(gettext("年度无效"))
    errors += scoring.validate_rubric(weights, grades)
    if errors:
        raise ValidationError(errors)
    grades = [
        {
            "grade": g.get("grade") or f"g{i}",
            "label": str(g["label"]).strip(),
            "min": str(g["min"]),
            "coefficient": str(Decimal(str(g["coefficient"])).quantize(Decimal("0.01"))),
        }
        for i, g in enumerate(sorted(grades, key=lambda g: -Decimal(str(g["min"]))), start=1)
    ]
    fields = {WEIGHT_FIELDS[k]: int(v) for k, v in weights.items()} | {
        "name": name,
        "year": year,
        "grades": grades,
    }
    with transaction.atomic():
        new, action, summary = _save_versioned(
            EvaluationRubric,
            rubric,
            actor=actor,
            version=version,
            fields=fields,
            in_use=lambda old: old.evaluations.exists(),
            kind="evaluation.rubric",
            created=f"制定考评细则：{name}（{year}年）",
            stale="该细则已有新版本，请打开最新版本修改",
            versioned=lambda n: f"考评细则 {name} 已在使用，修改后生成第{n}版",
            updated=f"修改考评细则：{name}",
        )
        audit_record(
            actor=actor,
            action=action,
            obj=new,
            org_unit_id=new.org_unit_id,
            summary=summary,
            after={"weights": weights, "grades": grades, "year": year},
        )
    return new


# --- evaluations ---------------------------------------------------------------------------------
def evaluation_start(*, actor, member: User, year: int) -> Evaluation:
    """The township committee over the member's village starts the year's evaluation with the
    rubric that applies now (access.rubric_for_member); the evaluation keeps it."""
    if not access.can_evaluate(actor) or not user_in_jurisdiction(actor, member.org_unit):
        raise PermissionDenied
    if not isinstance(year, int) or not 2000 <= year <= today().year:
        raise ValidationError(gettext("年度无效（不能是未来年度）"))
    # With holdings on record the holdings say whether the person held the post that year (their
    # role may have ended with it since); without, the role does.
    held = held_period(member.pk, year)
    if held is None and not member.has_role(Role.VILLAGE_MEMBER):
        raise ValidationError(gettext("只能考评村（社区）纪检委员"))
    rubric = access.rubric_for_member(member, year)
    if rubric is None:
        raise ValidationError(gettext("市、县尚未制定 %(year)s 年度的考评细则，暂不能考评") % {"year": year})
    if held is not None and not held["periods"]:
        raise ValidationError(
            gettext("%(full_name)s %(year)s 年度未任村（社区）纪检委员，不参加该年度考评")
            % {"full_name": member.full_name, "year": year}
        )
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                member=member, org_unit=member.org_unit, year=year, rubric=rubric, created_by=actor
            )
            evaluation_compute(evaluation)
            audit_record(
                actor=actor,
                action="evaluation.start",
                obj=evaluation,
                org_unit_id=member.org_unit_id,
                summary=f"开始 {member.full_name} {year} 年度考评（{rubric}）",
            )
    except IntegrityError:
        raise ValidationError(
            gettext("%(full_name)s 的 %(year)s 年度考评已经开始")
            % {"full_name": member.full_name, "year": year}
        ) from None
    return evaluation


def guidance_connected() -> bool:
    return links.guidance_task_counts.provider is not None


def held_period(member_id: int, year: int) -> dict | None:
    """The part of `year` the member held the post, from their post-holding history
    (core.links.post_holding_periods): {"periods": [{"from", "to" (None: still held), "village"}]
    (the holdings that overlap the year, as recorded), "months": the months of the year held by the
    evaluation day (scoring.months_held)}. None when the member is judged on the whole year: no
    holding on record (appointed before the platform kept the posts' history) or the posts' app not
    installed."""
    if links.post_holding_periods.provider is None:
        return None
    holdings = links.post_holding_periods(user_ids=[member_id], year=year).get(member_id)
    if holdings is None:
        return None
    first, last = date(year, 1, 1), date(year, 12, 31)
    spans = [(max(h["started_on"], first), min(h["ended_on"] or last, last)) for h in holdings]
    periods = [
        {
            "from": h["started_on"].isoformat(),
            "to": h["ended_on"].isoformat() if h["ended_on"] else None,
            "village": h["village_name"],
        }
        for h in holdings
    ]
    months = scoring.held_months(spans, year=year, today=today())
    return {"periods": periods, "months": len(months), "month_numbers": months}


def evaluation_compute(evaluation: Evaluation) -> Evaluation:
    """Read the basis through the ports and compute parts, total, grade and coefficient (saved on
    the row; the caller's transaction). Guidance without a provider is "未接入" (left out). The
    evaluation day is today: a guidance task not yet due or an exam still open is not held against
    the member; the basis keeps a note for each part computed by a fallback (scoring.py). A member
    with a post-holding history is judged on the months held (`basis["held"]`, None for the whole
    year): the monthly reports beyond them are left out."""
    uid = evaluation.member_id
    reports = links.monthly_report_scores(user_ids=[uid], year=evaluation.year).get(uid)
    held = held_period(uid, evaluation.year)
    if held is not None:
        # Only the months the member held the post count (scoring.py, "Held period"); the basis says
        # how many months the reports platform expected of the account beyond them.
        whole_year = (reports or {}).get("expected", 0)
        reports = links.monthly_report_scores(
            user_ids=[uid], year=evaluation.year, months={uid: held.pop("month_numbers")}
        ).get(uid)
        held["reports_left_out"] = whole_year - (reports or {}).get("expected", 0)
    training = links.training_results(user_ids=[uid], year=evaluation.year).get(uid)
    connected = guidance_connected()
    guidance = (
        links.guidance_task_counts(user_ids=[uid], year=evaluation.year).get(uid) if connected else None
    )
    rubric = evaluation.rubric
    parts, notes = scoring.score_parts(
        reports=reports,
        training=training,
        guidance=guidance,
        guidance_connected=connected,
        township=evaluation.township_score,
    )
    weights = rubric_weights(rubric)
    total = scoring.weighted_total(parts, weights)
    grade = scoring.grade_for(total, rubric.grades)
    evaluation.basis = {
        "reports": reports or {},
        "training": training or {},
        "guidance": guidance or {},
        "guidance_connected": connected,
        "held": held,
        "parts": {k: (str(v) if v is not None else None) for k, v in parts.items()},
        "notes": notes,
        "weights": weights,
        "computed_at": timezone.now().isoformat(),
    }
    evaluation.total = total
    evaluation.grade, evaluation.grade_label = grade["grade"], grade["label"]
    evaluation.coefficient = Decimal(str(grade["coefficient"]))
    evaluation.save()
    return evaluation


def evaluation_assess(
    *, actor, evaluation: Evaluation, township_score, comment: str, version: int
) -> Evaluation:
    """The township committee enters its own assessment (0–100) and the basis is computed again."""
    if not access.can_evaluate(actor) or not user_in_jurisdiction(actor, evaluation.org_unit):
        raise PermissionDenied
    try:
        score = int(township_score)
    except (TypeError, ValueError):
        raise ValidationError(gettext("乡镇评价得分须为 0～100 的整数")) from None
    if not 0 <= score <= 100:
        raise ValidationError(gettext("乡镇评价得分须为 0～100 的整数"))
    with transaction.atomic():
        obj = _locked(Evaluation, evaluation.pk)
        _check_version(obj, version)
        if obj.state == Evaluation.State.FINAL:
            raise ValidationError(gettext("考评已确定，不能再修改"))
        before = {"township_score": obj.township_score, "total": str(obj.total)}
        obj.township_score, obj.township_comment = score, (comment or "").strip()
        obj.version += 1
        evaluation_compute(obj)
        audit_record(
            actor=actor,
            action="evaluation.assess",
            obj=obj,
            org_unit_id=obj.org_unit_id,
            summary=f"乡镇评价 {obj.member.full_name} {obj.year} 年度：{score} 分，总分 {obj.total}",
            before=before,
            after={"township_score": score, "total": str(obj.total), "grade": obj.grade},
        )
    return obj


def evaluation_confirm(*, actor, evaluation: Evaluation, version: int) -> Evaluation:
    """Compute once more and fix grade and coefficient (needs the township's assessment)."""
    if not access.can_evaluate(actor) or not user_in_jurisdiction(actor, evaluation.org_unit):
        raise PermissionDenied
    with transaction.atomic():
        obj = _locked(Evaluation, evaluation.pk)
        _check_version(obj, version)
        if obj.state == Evaluation.State.FINAL:
            raise ValidationError(gettext("考评已经确定"))
        if obj.township_score is None:
            raise ValidationError(gettext("请先填写乡镇评价得分"))
        evaluation_compute(obj)
        obj.state = Evaluation.State.FINAL
        obj.version += 1
        obj.save()
        with platform_language():
            audit_record(
                actor=actor,
                action="evaluation.confirm",
                obj=obj,
                org_unit_id=obj.org_unit_id,
                summary=f"确定 {obj.member.full_name} {obj.year} 年度考评：{obj.grade_label}，系数 {obj.coefficient}",
            )
    return obj


# --- mutual-check rubrics ------------------------------------------------------------------------
def _clean_items(items: list[dict]) -> list[dict]:
    errors, out, codes = [], [], set()
    for i, item in enumerate(items, start=1):
        ask, look = str(item.get("ask", "")).strip(), str(item.get("look", "")).strip()
        if not ask and not look:
            continue
        try:
            top = int(str(item.get("max")))
        except (TypeError, ValueError):
            errors.append(gettext("第 %(position)s 项的分值不是整数") % {"position": i})
            continue
        if not ask or not look:
            errors.append(gettext("第 %(position)s 项须同时填写“问”和“看”") % {"position": i})
        if not 1 <= top <= 100:
            errors.append(gettext("第 %(position)s 项的分值须在 1～100 之间") % {"position": i})
        code = str(item.get("code") or f"q{i}")
        while code in codes:
            code += "x"
        codes.add(code)
        out.append({"code": code, "ask": ask, "look": look, "max": top})
    if not out and not errors:
        errors.append(gettext("请至少填写一个检查项目"))
    if errors:
        raise ValidationError(errors)
    return out


def check_rubric_save(
    *, actor, rubric: CheckRubric | None = None, name: str, items: list[dict], version: int | None = None
) -> CheckRubric:
    """Create a 四问四看 checklist for the actor's unit, or edit one. A checklist a round already
    uses gets a new version: the round keeps the one it was opened with."""
    if not access.can_configure(actor):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError(gettext("请填写名称"))
    items = _clean_items(items)
    with transaction.atomic():
        new, action, summary = _save_versioned(
            CheckRubric,
            rubric,
            actor=actor,
            version=version,
            fields={"name": name, "items": items},
            in_use=lambda old: old.rounds.exists(),
            kind="evaluation.check_rubric",
            created=f"制定互查清单：{name}",
            stale="该清单已有新版本，请打开最新版本修改",
            versioned=lambda n: f"互查清单 {name} 已在使用，修改后生成第{n}版",
            updated=f"修改互查清单：{name}",
        )
        audit_record(
            actor=actor,
            action=action,
            obj=new,
            org_unit_id=new.org_unit_id,
            summary=summary,
            after={"items": items},
        )
    return new


# --- rounds and checks ---------------------------------------------------------------------------
def check_round_open(*, actor, title: str, year: int, rubric: CheckRubric) -> CheckRound:
    if not access.can_configure(actor):
        raise PermissionDenied
    title = (title or "").strip()
    if not title:
        raise ValidationError(gettext("请填写名称"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError(gettext("年度无效"))
    if not access.check_rubrics_usable_by(actor).filter(pk=rubric.pk).exists():
        raise ValidationError(gettext("请选择本级或上级制定的现行互查清单"))
    with transaction.atomic():
        round_ = CheckRound.objects.create(
            org_unit=actor.org_unit, title=title, year=year, rubric=rubric, opened_by=actor
        )
        audit_record(
            actor=actor,
            action="evaluation.round_open",
            obj=round_,
            org_unit_id=actor.org_unit_id,
            summary=f"启动互查：{title}（{rubric}）",
        )
    return round_


def _level(unit: OrgUnit) -> str:
    return "township" if unit.is_township else "county" if unit.is_county else ""


def check_pair_add(*, actor, round_: CheckRound, checker: OrgUnit, checked: OrgUnit) -> CheckPair:
    """Unit `checker` checks unit `checked`: both in the organiser's jurisdiction, both townships
    or both counties, not the same, and a unit is checked once in a round."""
    if not access.rounds_managed_by(actor).filter(pk=round_.pk).exists():
        raise PermissionDenied
    if round_.state != CheckRound.State.OPEN:
        raise ValidationError(gettext("本轮互查已结束"))
    errors = []
    if not (user_in_jurisdiction(actor, checker) and user_in_jurisdiction(actor, checked)):
        errors.append(gettext("检查单位和被检查单位须在本辖区内"))
    if checker.pk == checked.pk:
        errors.append(gettext("不能自己检查自己"))
    if not _level(checker) or _level(checker) != _level(checked):
        errors.append(gettext("互查须在同级之间进行：乡镇（街道）查乡镇（街道），县（市、区）查县（市、区）"))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            pair = CheckPair.objects.create(round=round_, checker=checker, checked=checked)
            audit_record(
                actor=actor,
                action="evaluation.pair_add",
                obj=pair,
                org_unit_id=checked.pk,
                summary=f"{round_.title}：{checker.name} 检查 {checked.name}",
            )
    except IntegrityError:
        raise ValidationError(gettext("%(name)s 在本轮已有检查单位") % {"name": checked.name}) from None
    return pair


def check_pair_score(*, actor, pair: CheckPair, scores: dict[str, object], version: int) -> CheckPair:
    """The checker unit scores each item of the round's checklist (0 to the item's maximum)."""
    if not access.is_checker(actor, pair):
        raise PermissionDenied
    items = pair.round.rubric.items
    clean, errors = {}, []
    for item in items:
        raw = scores.get(item["code"])
        try:
            value = int(str(raw))
        except (TypeError, ValueError):
            errors.append(gettext("“%(item)s”的得分须为整数") % {"item": item["ask"]})
            continue
        if not 0 <= value <= int(item["max"]):
            errors.append(
                gettext("“%(item)s”的得分须在 0～%(maximum)s 之间")
                % {"item": item["ask"], "maximum": item["max"]}
            )
        clean[item["code"]] = value
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        obj = _locked(CheckPair, pair.pk)
        _check_version(obj, version)
        if pair.round.state != CheckRound.State.OPEN:
            raise ValidationError(gettext("本轮互查已结束，不能再评分"))
        obj.scores, obj.total, obj.submitted_at = clean, sum(clean.values()), timezone.now()
        obj.version += 1
        obj.save()
        audit_record(
            actor=actor,
            action="evaluation.pair_score",
            obj=obj,
            org_unit_id=obj.checked_id,
            summary=f"{pair.checker.name} 对 {pair.checked.name} 评分：{obj.total} 分",
            after=clean,
        )
    return obj


def finding_add(
    *,
    actor,
    pair: CheckPair,
    item_code: str,
    description: str,
    lesson: str = "",
    share: bool = False,
    photos=(),
    ip_address: str = "",
) -> Finding:
    """The checker unit records a problem found, with photos (the attachment store checks them). A
    lesson marked for sharing is proposed to the duty manual as a typical case (finding_share)."""
    from jijian.attachments.services import attachments_store_all

    if not access.is_checker(actor, pair):
        raise PermissionDenied
    if pair.round.state != CheckRound.State.OPEN:
        raise ValidationError(gettext("本轮互查已结束"))
    codes = {i["code"] for i in pair.round.rubric.items}
    description, lesson = (description or "").strip(), (lesson or "").strip()
    errors = []
    if item_code not in codes:
        errors.append(gettext("请选择检查项目"))
    if not description:
        errors.append(gettext("请填写发现的问题"))
    if share and not lesson:
        errors.append(gettext("推荐为典型案例须填写经验启示"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        finding = Finding.objects.create(
            pair=pair,
            item_code=item_code,
            description=description,
            lesson=lesson,
            share=share,
            created_by=actor,
        )
        attachments_store_all(
            actor=actor,
            files=photos,
            org_unit=pair.checker,  # the uploader's unit; who sees it follows the finding
            module=Module.EVALUATION,
            purpose=access.FINDING_FILES,
            object_id=finding.pk,
            ip_address=ip_address,
            kinds=FINDING_PHOTO_KINDS,
        )
        audit_record(
            actor=actor,
            action="evaluation.finding_add",
            obj=finding,
            org_unit_id=pair.checked_id,
            summary=f"{pair.checker.name} 检查 {pair.checked.name} 发现问题：{description[:60]}",
        )
        if share:
            finding_share(actor=actor, finding=finding)
    return finding


def manual_connected() -> bool:
    return links.manual_case_propose.provider is not None


def finding_share(*, actor, finding: Finding) -> Finding:
    """Propose the finding's lesson to the duty manual (core.links.manual_case_propose; the same
    finding twice gives the same case): the one path of a lesson to the manual, whether the finding
    was marked when recorded (finding_add) or later (finding_lesson_share). Without the manual
    installed the finding stays marked and waiting; proposing again later sends it."""
    if not manual_connected():
        return finding
    pair = finding.pair
    try:
        case_id = links.manual_case_propose(
            actor=actor,
            title=f"{pair.checked.name}：{finding.description[:40]}",
            situation=finding.description,
            lesson=finding.lesson,
            source=f"evaluation.finding:{finding.pk}",
        )
    except ImproperlyConfigured:
        return finding
    Finding.objects.filter(pk=finding.pk).update(manual_case_id=case_id)
    finding.manual_case_id = case_id
    audit_record(
        actor=actor,
        action="evaluation.finding_share",
        obj=finding,
        org_unit_id=pair.checked_id,
        summary=f"推荐典型案例至履职手册：{finding.description[:40]}",
    )
    return finding


MAX_LESSON = 4000


def finding_lesson_share(*, actor, finding: Finding, lesson: str, version: int) -> Finding:
    """Mark a finding's lesson for sharing after the finding was recorded — on its check's page,
    for instance once its rectification is closed — by the checker unit or an organiser of the round
    (access.may_share), also after the round has ended. The lesson may be written or completed now
    (required); the finding is then proposed to the duty manual by finding_share, as when marked at
    creation. Refused once a case was proposed; a finding already marked and waiting for the manual
    is proposed again."""
    pair = finding.pair
    if not access.may_share(actor, pair):
        raise PermissionDenied
    lesson = typed_text(lesson, label=gettext("经验启示"), limit=MAX_LESSON)
    with transaction.atomic():
        obj = _locked(Finding, finding.pk)
        _check_version(obj, version)
        if obj.manual_case_id is not None:
            raise ValidationError(gettext("该问题的经验启示已推荐为履职手册典型案例"))
        lesson = lesson or obj.lesson
        if not lesson:
            raise ValidationError(gettext("推荐为典型案例须填写经验启示"))
        before = {"lesson": obj.lesson, "share": obj.share}
        obj.lesson, obj.share = lesson, True
        obj.version += 1
        obj.save(update_fields=["lesson", "share", "version"])
        audit_record(
            actor=actor,
            action="evaluation.finding_share",
            obj=obj,
            org_unit_id=pair.checked_id,
            summary=f"将经验启示推荐为典型案例：{obj.description[:40]}",
            before=before,
            after={"lesson": lesson, "share": True},
        )
        finding_share(actor=actor, finding=obj)
    return obj


def rectification_add(*, actor, finding: Finding, requirement: str, deadline: date) -> Rectification:
    if not access.is_checker(actor, finding.pair):
        raise PermissionDenied
    requirement = (requirement or "").strip()
    errors = [] if requirement else [gettext("请填写整改要求")]
    if not isinstance(deadline, date):
        errors.append(gettext("请填写整改期限"))
    elif deadline < today():
        errors.append(gettext("整改期限不能早于今天"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rect = Rectification.objects.create(finding=finding, requirement=requirement, deadline=deadline)
        audit_record(
            actor=actor,
            action="evaluation.rectification_add",
            obj=rect,
            org_unit_id=finding.pair.checked_id,
            summary=f"{finding.pair.checked.name} 须于 {deadline} 前整改：{requirement[:60]}",
        )
    return rect


def rectification_report(*, actor, rectification: Rectification, report: str, version: int) -> Rectification:
    """The checked unit reports what it did."""
    if not access.is_checked(actor, rectification.finding.pair):
        raise PermissionDenied
    report = (report or "").strip()
    if not report:
        raise ValidationError(gettext("请填写整改情况"))
    with transaction.atomic():
        obj = _locked(Rectification, rectification.pk)
        _check_version(obj, version)
        if obj.state != Rectification.State.OPEN:
            raise ValidationError(gettext("该整改事项已报送或已销号"))
        obj.state, obj.report, obj.reported_at = Rectification.State.REPORTED, report, timezone.now()
        obj.version += 1
        obj.save()
        audit_record(
            actor=actor,
            action="evaluation.rectification_report",
            obj=obj,
            org_unit_id=rectification.finding.pair.checked_id,
            summary=f"报送整改情况：{report[:60]}",
        )
    return obj


def rectification_close(
    *, actor, rectification: Rectification, version: int, accept: bool, reason: str = ""
) -> Rectification:
    """The checker unit or the round's organiser closes a reported rectification (销号) or sends it
    back with a reason (it is open again)."""
    pair = rectification.finding.pair
    if not access.may_close(actor, pair):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError(gettext("退回须填写理由"))
    with transaction.atomic():
        obj = _locked(Rectification, rectification.pk)
        _check_version(obj, version)
        if obj.state != Rectification.State.REPORTED:
            raise ValidationError(gettext("只有已报整改的事项才能销号或退回"))
        if accept:
            obj.state, obj.closed_at, obj.closed_by = Rectification.State.CLOSED, timezone.now(), actor
            action, summary = "evaluation.rectification_close", f"整改销号：{obj.requirement[:60]}"
        else:
            obj.state, obj.return_reason = Rectification.State.OPEN, reason
            action, summary = "evaluation.rectification_return", f"整改退回：{reason[:60]}"
        obj.version += 1
        obj.save()
        audit_record(actor=actor, action=action, obj=obj, org_unit_id=pair.checked_id, summary=summary)
    return obj


def check_round_close(*, actor, round_: CheckRound, version: int) -> CheckRound:
    """The organiser ends the round: no more scores or findings; rectifications go on to closure."""
    if not access.rounds_managed_by(actor).filter(pk=round_.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        obj = _locked(CheckRound, round_.pk)
        _check_version(obj, version)
        if obj.state == CheckRound.State.CLOSED:
            raise ValidationError(gettext("本轮互查已经结束"))
        obj.state, obj.closed_at = CheckRound.State.CLOSED, timezone.now()
        obj.version += 1
        obj.save()
        audit_record(
            actor=actor,
            action="evaluation.round_close",
            obj=obj,
            org_unit_id=obj.org_unit_id,
            summary=f"结束互查：{obj.title}",
        )
    return obj
