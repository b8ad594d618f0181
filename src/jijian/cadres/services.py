"""Every write of the cadres app: one transaction each, with its audit entry; a refusal is a
ValidationError in Chinese and changes nothing. Edits that can race carry the row's version.

- Guidance tasks: `guidance_task_issue` (a township committee, to a member of its villages who is in
  post — a member whose holding ended is refused; the deadline is `working_days` working days after
  the issue date, core.orgs.workdays) and
  `guidance_task_answer` (the member; the answer becomes an "assigned_task" duty record of the
  member's duty log through core.links.duty_log_record — the same answer sent twice is one record).
- Posts: `nomination_submit` (the township; vetted at once: the integrity archive's opinion through
  core.links.archive_vetting and the relations that forbid the post), `nomination_decide` (the county:
  approving records the holding and ends the predecessor's the day before — a predecessor never
  recorded too: their period is recorded, from their appointment, and ended), `post_holding_end`
  (dismissal, resignation). A holding that ends closes its holder's open tasks (closed_on): they stay
  on record, no longer open or overdue, and cannot be answered any more; and the holder's
  village-member role ends with it (core.accounts.role_end: the account is kept, the administrators
  over the village are told) — at once, or for a holding dated to end later the day after its last
  day (`post_holding_roles_end`, a daily task).
- 跟案学习: `placement_create` and `placement_record` (the county), `placement_report` (the cadre).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core import links
from jijian.core.access import unit_in_scope
from jijian.core.accounts.role_end import role_end_with_post
from jijian.core.language import platform_language
from jijian.core.models import RelationKind, StaffRelation, User
from jijian.core.notify import notify
from jijian.core.orgs.workdays import add_working_days, provisional_mark
from jijian.core.roles import Role
from jijian.core.sensitive.crypto import blind_index
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import typed_text

from .access import is_county, is_member, is_township
from .models import (
    CasePlacement,
    EndReason,
    GuidanceTask,
    Nomination,
    NominationState,
    PostHolding,
    TaskKind,
)
from .selectors import unrecorded_holder_of

MAX_TEXT = 2000
MAX_WORKING_DAYS = 60
# Relations that bar a person from supervising a village committee they are related to (近亲属).
FORBIDDING_RELATIONS = (
    RelationKind.SPOUSE,
    RelationKind.DIRECT,
    RelationKind.COLLATERAL,
    RelationKind.IN_LAW,
)


def _bump(model, obj, version: int | None):
    """Optimistic concurrency: the row is locked and its version must be the one the user saw.
    Returns the locked row as stored (the state to check)."""
    current = model.objects.select_for_update().get(pk=obj.pk)
    if version is not None and current.version != version:
        raise ConcurrentEditError()
    obj.version = current.version + 1
    return current


# --- guidance tasks ------------------------------------------------------------------------------
@transaction.atomic
def guidance_task_issue(
    *,
    actor: User,
    member: User,
    kind: str,
    title: str,
    body: str = "",
    working_days: int,
    issued_on: date | None = None,
) -> GuidanceTask:
    """A township committee issues a task (派单, 点题) to a village member of its township."""
    if not is_township(actor):
        raise PermissionDenied
    if not member.org_unit.is_village:
        raise ValidationError(gettext("只能向村（社区）纪检委员派单"))
    if not unit_in_scope(actor, member.org_unit):
        raise ValidationError(gettext("只能向本乡镇（街道）的村（社区）纪检委员派单"))
    refusal = not_in_post_reason(member)  # before the role, which ends with the post: say why
    if refusal:
        raise ValidationError(refusal)
    if not (member.is_active and member.has_role(Role.VILLAGE_MEMBER)):
        raise ValidationError(gettext("只能向村（社区）纪检委员派单"))
    if kind not in TaskKind.values:
        raise ValidationError(gettext("请选择任务类型（派单或点题）"))
    title = typed_text(title, label=gettext("任务"), limit=100, required=True)
    body = typed_text(body, label=gettext("要求"), limit=MAX_TEXT)
    if not 1 <= int(working_days) <= MAX_WORKING_DAYS:
        raise ValidationError(
            gettext("办理时限应为1至%(MAX_WORKING_DAYS)s个工作日") % {"MAX_WORKING_DAYS": MAX_WORKING_DAYS}
        )
    issued_on = issued_on or timezone.localdate()
    task = GuidanceTask.objects.create(
        org_unit=actor.org_unit,
        member=member,
        village=member.org_unit,
        kind=kind,
        title=title,
        body=body,
        issued_on=issued_on,
        working_days=working_days,
        due_on=add_working_days(issued_on, int(working_days)),
        issued_by=actor,
    )
    with platform_language():
        audit_record(
            actor=actor,
            action="guidance_task.issue",
            obj=task,
            org_unit_id=task.village_id,
            summary=f"{task.get_kind_display()}：{title}（{member.full_name}，{task.due_on} 前）",
            after={
                "member": member.pk,
                "kind": kind,
                "working_days": int(working_days),
                "due_on": str(task.due_on),
            },
        )
        notify(
            recipient=member,
            title=f"乡镇纪委{task.get_kind_display()}：{title}",
            body=f"请于 {task.due_on:%Y-%m-%d}{provisional_mark(task.due_on)} 前办理并回复。",
            link=reverse("cadres:task_detail", args=[task.pk]),
            dedup_key=f"cadres.task:{task.pk}",
        )
    return task


def guidance_task_answer(
    *,
    actor: User,
    task: GuidanceTask,
    answer: str,
    version: int | None = None,
    answered_on: date | None = None,
) -> GuidanceTask:
    """The member answers a task once. The answer becomes an "assigned_task" duty record of the
    answer's month; where the duty log refuses it (the month's report already submitted) the answer
    stands and `duty_note` says why it was not counted."""
    if not is_member(actor) or task.member_id != actor.pk:
        raise PermissionDenied
    answer = typed_text(answer, label=gettext("办理情况"), limit=MAX_TEXT, required=True)
    answered_on = answered_on or timezone.localdate()
    if answered_on < task.issued_on:
        raise ValidationError(gettext("办结日期不能早于派发日期"))
    with transaction.atomic():
        locked = _bump(GuidanceTask, task, version)
        if locked.answered_at is not None:
            raise ValidationError(gettext("该任务已经回复过了"))
        if locked.closed_on is not None:
            raise ValidationError(gettext("您已离任纪检委员，该任务已随离任终止，不能再回复"))
        task.answer = answer
        task.answered_on = answered_on
        task.answered_at = timezone.now()
        task.save(update_fields=["answer", "answered_on", "answered_at", "version"])
        with platform_language():
            audit_record(
                actor=actor,
                action="guidance_task.answer",
                obj=task,
                org_unit_id=task.village_id,
                summary=f"回复{task.get_kind_display()}：{task.title}",
                after={"answered_on": str(answered_on), "overdue": answered_on > task.due_on},
            )
    try:
        with transaction.atomic(), platform_language():
            record_id = links.duty_log_record(
                actor=actor,
                duty_type_code="assigned_task",
                occurred_on=answered_on,
                notes=answer,
                data={"task": f"{task.get_kind_display()}：{task.title}"[:200]},
                source=f"cadres.task:{task.pk}",
            )
    except ValidationError as error:
        note = "已回复，但未能计入履职纪实：" + "；".join(error.messages)
        GuidanceTask.objects.filter(pk=task.pk).update(duty_note=note[:500])
        task.duty_note = note[:500]
    else:
        GuidanceTask.objects.filter(pk=task.pk).update(duty_record_id=record_id, duty_note="")
        task.duty_record_id = record_id
    return task


# --- nominations and posts -----------------------------------------------------------------------
def current_holding_of(person: User) -> PostHolding | None:
    return PostHolding.objects.filter(holder=person, ended_on__isnull=True).select_related("village").first()


def departed_holding_of(person: User) -> PostHolding | None:
    """The person's last holding when they have held a post and hold none now (not in post: no
    more guidance tasks); None when they hold one, or have no holding on record (appointed before
    the platform: taken to hold their village's post, access.in_post_q)."""
    holdings = PostHolding.objects.filter(holder=person)
    if holdings.filter(ended_on__isnull=True).exists():
        return None
    return holdings.select_related("village").order_by("-ended_on", "-pk").first()


def not_in_post_reason(person: User) -> str:
    """Why `person` is not in post and is tasked no more (access.in_post_q), or "" when in post: their
    holdings have all ended, or they were never recorded in a village whose post has holdings on
    record (the holdings alone say who holds it)."""
    left = departed_holding_of(person)
    if left is not None:
        return gettext(
            "%(full_name)s已于%(ended_on)s离任%(village)s纪检委员（%(reason)s），不能再向其派单"
        ) % {
            "full_name": person.full_name,
            "ended_on": format(left.ended_on, "%Y-%m-%d"),
            "village": left.village.name,
            "reason": EndReason(left.end_reason).label if left.end_reason else "",
        }
    if PostHolding.objects.filter(holder=person).exists():
        return ""  # holds a post now
    village = person.org_unit
    if not PostHolding.objects.filter(village=village).exists():
        return ""  # a post never recorded: taken to hold it
    current = (
        PostHolding.objects.filter(village=village, ended_on__isnull=True).select_related("holder").first()
    )
    if current is not None:
        return gettext("%(full_name)s未登记为%(village)s纪检委员（现任：%(holder)s），不能向其派单") % {
            "full_name": person.full_name,
            "village": village.name,
            "holder": current.holder.full_name,
        }
    return gettext("%(full_name)s未登记为%(village)s纪检委员（该岗位现空缺），不能向其派单") % {
        "full_name": person.full_name,
        "village": village.name,
    }


def committee_names(text: str) -> list[str]:
    names = [n.strip() for n in (text or "").replace("，", "\n").replace("、", "\n").splitlines()]
    return list(dict.fromkeys(n for n in names if n))


def relation_findings(candidate: User, village, names: list[str]) -> list[str]:
    """The declared relations (core.StaffRelation, 回避申报) between the candidate and the village's
    committee: a near relative of the candidate on the committee, or a committee member with an
    account in the village who declared the candidate as a near relative."""
    findings: list[str] = []
    if not names:
        return findings
    by_index = {blind_index(n): n for n in names}
    for rel in StaffRelation.objects.filter(
        user=candidate, is_active=True, kind__in=FORBIDDING_RELATIONS, relative_name_index__in=list(by_index)
    ):
        name = by_index[rel.relative_name_index]
        findings.append(f"候选人申报的亲属“{name}”（{rel.get_kind_display()}）是该村“两委”成员")
    for rel in StaffRelation.objects.filter(
        user__org_unit=village,
        is_active=True,
        kind__in=FORBIDDING_RELATIONS,
        relative_name_index=blind_index(candidate.full_name),
    ).select_related("user"):
        if rel.user_id != candidate.pk and rel.user.full_name in names:
            findings.append(
                f"该村“两委”成员“{rel.user.full_name}”申报候选人为其亲属（{rel.get_kind_display()}）"
            )
    return findings


def _kept_findings(candidate: User, village, names: list[str]) -> list[str]:
    """relation_findings() as the nomination keeps them: in the platform's language."""
    with platform_language():
        return relation_findings(candidate, village, names)


def _vet(actor: User, candidate: User) -> dict:
    """The archive's opinion as the nomination keeps it (read by the county): in the platform's language."""
    with platform_language():
        answer = links.archive_vetting(actor, id_number=candidate.id_number or "", name=candidate.full_name)
    return {
        "found": bool(answer["found"]),
        "verdict": answer["verdict"],
        "verdict_label": str(answer["verdict_label"]),
        "facts": [str(f) for f in answer["facts"]],
    }


@transaction.atomic
def nomination_submit(
    *,
    actor: User,
    village,
    candidate: User,
    reason: str,
    committee: str = "",
    away_reason: str = "",
) -> Nomination:
    """The township nominates a candidate for a village's post; the vetting is recorded with it.
    Refused: a candidate already holding a post, a village with a nomination waiting."""
    if not is_township(actor):
        raise PermissionDenied
    if not village.is_village or not unit_in_scope(actor, village):
        raise ValidationError(gettext("只能为本乡镇（街道）的村（社区）提名"))
    if (
        not candidate.is_active
        or not candidate.org_unit.is_village
        or not unit_in_scope(actor, candidate.org_unit)
    ):
        raise ValidationError(gettext("候选人须为本乡镇（街道）村（社区）的在册人员"))
    reason = typed_text(reason, label=gettext("提名理由"), limit=MAX_TEXT, required=True)
    held = current_holding_of(candidate)
    if held is not None:
        where = "本村" if held.village_id == village.pk else held.village.name
        raise ValidationError(
            gettext(
                "%(full_name)s现任%(where)s纪检委员（自%(started_on)s起），不能再被提名；如需调任，请先由县级办理免职或辞职"
            )
            % {
                "full_name": candidate.full_name,
                "where": where,
                "started_on": format(held.started_on, "%Y-%m-%d"),
            }
        )
    if Nomination.objects.filter(village=village, state=NominationState.SUBMITTED).exists():
        raise ValidationError(
            gettext("%(name)s已有待县级审批的提名，请等待审批结果") % {"name": village.name}
        )
    away = candidate.org_unit_id != village.pk
    away_reason = (
        typed_text(away_reason, label=gettext("异地任职说明"), limit=500, required=away) if away else ""
    )
    names = committee_names(typed_text(committee, label=gettext("村“两委”成员"), limit=MAX_TEXT))
    nomination = Nomination(
        village=village,
        candidate=candidate,
        reason=reason,
        committee_names="\n".join(names),
        away_from_home=away,
        away_reason=away_reason,
        vetting=_vet(actor, candidate),
        vetted_at=timezone.now(),
        relation_findings=_kept_findings(candidate, village, names),
        nominated_by=actor,
    )
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise ValidationError(
            gettext("%(name)s已有待县级审批的提名，请等待审批结果") % {"name": village.name}
        ) from None
    audit_record(
        actor=actor,
        action="nomination.submit",
        obj=nomination,
        org_unit_id=village.pk,
        summary=f"提名{candidate.full_name}任{village.name}纪检委员" + ("（异地任职）" if away else ""),
        after={
            "candidate": candidate.pk,
            "away_from_home": away,
            "verdict": nomination.vetting["verdict"],
            "relations": len(nomination.relation_findings),
        },
    )
    return nomination


@transaction.atomic
def nomination_decide(
    *,
    actor: User,
    nomination: Nomination,
    version: int,
    approve: bool,
    note: str = "",
    starts_on: date | None = None,
) -> Nomination:
    """The county decides. Approving records the candidate's holding from `starts_on`; the
    predecessor's holding (if any) ends the day before as replaced. Refused when the facts bar the
    post (a forbidding relation, a sanction in effect) or the candidate took a post meanwhile."""
    if not is_county(actor) or not unit_in_scope(actor, nomination.village):
        raise PermissionDenied
    if _bump(Nomination, nomination, version).state != NominationState.SUBMITTED:
        raise ValidationError(gettext("该提名已审批"))
    note = typed_text(note, label=gettext("审批意见"), limit=500, required=not approve)
    if approve:
        starts_on = starts_on or timezone.localdate()
        # The archive's opinion is asked again at the decision: it may have changed since.
        nomination.vetting = _vet(actor, nomination.candidate)
        nomination.vetted_at = timezone.now()
        nomination.relation_findings = _kept_findings(
            nomination.candidate, nomination.village, committee_names(nomination.committee_names)
        )
        if nomination.forbidden:
            reasons = list(nomination.relation_findings)
            if nomination.vetting.get("verdict") == "in_effect":
                reasons.append(
                    gettext("廉情档案意见：%(label)s")
                    % {"label": nomination.vetting.get("verdict_label", "")}
                )
            raise ValidationError(
                gettext("候选人不符合任职条件，不能批准：%(reasons)s") % {"reasons": "；".join(reasons)}
            )
        _appoint(actor, nomination, starts_on)
    nomination.state = NominationState.APPROVED if approve else NominationState.REJECTED
    nomination.starts_on = starts_on if approve else None
    nomination.decision_note = note
    nomination.decided_by = actor
    nomination.decided_at = timezone.now()
    nomination.save()
    audit_record(
        actor=actor,
        action="nomination.approve" if approve else "nomination.reject",
        obj=nomination,
        org_unit_id=nomination.village_id,
        summary=f"{'批准' if approve else '不批准'}{nomination.candidate.full_name}任{nomination.village.name}纪检委员",
        after={"starts_on": str(starts_on) if approve else None, "note": note},
    )
    return nomination


def _appoint(actor: User, nomination: Nomination, starts_on: date) -> PostHolding:
    village, person = nomination.village, nomination.candidate
    if current_holding_of(person) is not None:
        raise ValidationError(
            gettext("%(full_name)s已在其他村（社区）任纪检委员，不能批准") % {"full_name": person.full_name}
        )
    # The village's row serialises appointments to its post.
    type(village).objects.select_for_update().get(pk=village.pk)
    current = (
        PostHolding.objects.filter(village=village, ended_on__isnull=True).select_related("holder").first()
    )
    if current is not None:
        if starts_on <= current.started_on:
            raise ValidationError(
                gettext("任职日期须晚于现任%(full_name)s的任职日期（%(started_on)s）")
                % {
                    "full_name": current.holder.full_name,
                    "started_on": format(current.started_on, "%Y-%m-%d"),
                }
            )
        _end(actor, current, ended_on=starts_on - timedelta(days=1), reason=EndReason.REPLACED, note="")
    else:
        # A post never recorded: the member the platform took to hold it leaves it as replaced, their
        # period recorded (the history kept), so that they stop holding it from the successor's start.
        predecessor = unrecorded_holder_of(village, excluding=person)
        if predecessor is not None:
            _record_predecessor(actor, village, predecessor, ended_on=starts_on - timedelta(days=1))
    if PostHolding.objects.filter(village=village, ended_on__gte=starts_on).exists():
        raise ValidationError(gettext("任职日期与该村已有的任职期间重叠，请核对日期"))
    if PostHolding.objects.filter(holder=person, ended_on__gte=starts_on).exists():
        raise ValidationError(
            gettext("任职日期与%(full_name)s此前的任职期间重叠，请核对日期") % {"full_name": person.full_name}
        )
    holding = PostHolding.objects.create(
        village=village,
        holder=person,
        started_on=starts_on,
        away_from_home=nomination.away_from_home,
        nomination=nomination,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="post_holding.start",
        obj=holding,
        org_unit_id=village.pk,
        summary=f"{person.full_name}任{village.name}纪检委员（{starts_on} 起）",
        after={"holder": person.pk, "started_on": str(starts_on), "away_from_home": holding.away_from_home},
    )
    _ask_for_the_role(holding)
    return holding


# Kept on a predecessor's period recorded at a successor's approval (the history says where it came from).
PREDECESSOR_NOTE = "此前未登记任职记录，批准继任时补记（任职日期取自账号）"


def _record_predecessor(actor: User, village, person: User, *, ended_on: date) -> PostHolding:
    """Record the period of the member taken to hold a post never recorded, from their appointment
    (the account's 任职日期, else the day the account was made; never after `ended_on`), and end it on
    `ended_on` as replaced: their open tasks close, their role ends, as for a holder on record."""
    known = person.appointed_on or timezone.localtime(person.date_joined).date()
    holding = PostHolding.objects.create(
        village=village, holder=person, started_on=min(known, ended_on), recorded_by=actor
    )
    audit_record(
        actor=actor,
        action="post_holding.register",
        obj=holding,
        org_unit_id=village.pk,
        summary=f"补记{person.full_name}任{village.name}纪检委员（{holding.started_on} 起；批准继任时，此前未登记）",
        after={"holder": person.pk, "started_on": str(holding.started_on), "ended_on": str(ended_on)},
    )
    _end(actor, holding, ended_on=ended_on, reason=EndReason.REPLACED, note=PREDECESSOR_NOTE)
    return holding


def _end(actor: User, holding: PostHolding, *, ended_on: date, reason: str, note: str) -> None:
    if ended_on < holding.started_on:
        raise ValidationError(
            gettext("离任日期不能早于任职日期（%(started_on)s）")
            % {"started_on": format(holding.started_on, "%Y-%m-%d")}
        )
    holding.ended_on = ended_on
    holding.end_reason = reason
    holding.end_note = note
    holding.ended_by = actor
    holding.version += 1
    holding.save(update_fields=["ended_on", "end_reason", "end_note", "ended_by", "version"])
    # The holder's open tasks end with the holding: kept on record, neither open nor overdue against
    # the village or the successor from now on (a page still showing one has a stale version).
    closed = GuidanceTask.objects.filter(
        member=holding.holder, answered_at__isnull=True, closed_on__isnull=True
    ).update(closed_on=ended_on, version=F("version") + 1)
    with platform_language():
        audit_record(
            actor=actor,
            action="post_holding.end",
            obj=holding,
            org_unit_id=holding.village_id,
            summary=f"{holding.holder.full_name}离任{holding.village.name}纪检委员（{EndReason(reason).label}，{ended_on}）"
            + (f"，{closed} 项未办结的派单点题随之终止" if closed else ""),
            after={"ended_on": str(ended_on), "reason": reason, "note": note},
        )
    if ended_on <= timezone.localdate():
        _role_ends_with(holding, actor=actor)
    # Else the post is held until `ended_on`: the role ends the day after (post_holding_roles_end).


def _admins_over(village, role: str):
    """The active administrators of `role` at the village's unit or one above it."""
    over = [*village.ancestor_ids(), village.pk]
    return User.objects.filter(roles__role=role, is_active=True, org_unit_id__in=over).distinct()


def _role_ends_with(holding: PostHolding, *, actor: User | None) -> None:
    """The holder's village-member role ends with the holding, unless they hold another post: the
    account stays (its history, its reports). The security administrators over the village are told
    it was done — theirs to grant it again if it was wrong — and the system administrators that the
    account is kept (theirs to close if the person no longer works on the platform). `actor` None:
    the platform itself (a holding dated to end later, ended)."""
    PostHolding.objects.filter(pk=holding.pk).update(role_ended_at=timezone.now())
    person = holding.holder
    if PostHolding.objects.filter(holder=person, ended_on__isnull=True).exclude(pk=holding.pk).exists():
        return
    with platform_language():  # kept: the audit entry and the notices read in the platform's language
        reason = EndReason(holding.end_reason).label if holding.end_reason else ""
        ended = role_end_with_post(
            actor=actor,
            user=person,
            role=Role.VILLAGE_MEMBER,
            reason=f"{holding.ended_on:%Y-%m-%d}离任{holding.village.name}纪检委员（{reason}）",
        )
        if not ended or not person.is_active:
            return  # nothing ended, or an account already closed: nobody to tell
        said = (
            f"{person.full_name}已于 {holding.ended_on:%Y-%m-%d} 离任{holding.village.name}纪检委员"
            f"（{reason}），其“村（社区）纪检委员”角色已随离任撤销：不能再填报该村月报、查阅该村履职材料。"
            "账号及其历史记录保留。"
        )
        for admin in _admins_over(holding.village, Role.SECURITY_ADMIN):
            notify(
                recipient=admin,
                title=f"离任纪检委员的角色已撤销：{person.full_name}（{holding.village.name}）",
                body=said + "如撤销有误（例如其仍任纪检委员），请重新授予该角色。",
                link=reverse("core:security_detail", args=[person.pk]),
                dedup_key=f"cadres.holding_end:{holding.pk}",
            )
        for admin in _admins_over(holding.village, Role.SYSTEM_ADMIN):
            notify(
                recipient=admin,
                title=f"离任纪检委员的角色已撤销：{person.full_name}（{holding.village.name}）",
                body=said + "如其不再使用本平台，可停用该账号。",
                link=reverse("core:account_detail", args=[person.pk]),
                dedup_key=f"cadres.holding_end:{holding.pk}",
            )


def _ask_for_the_role(holding: PostHolding) -> None:
    """An appointment (or a current holding registered) grants no role (三员分立): when the holder's
    account lacks the village-member role, the security administrators over the village are told to
    grant it."""
    person = holding.holder
    if person.has_role(Role.VILLAGE_MEMBER) or not person.is_active:
        return
    with platform_language():
        for admin in _admins_over(holding.village, Role.SECURITY_ADMIN):
            notify(
                recipient=admin,
                title=f"新任纪检委员待授予角色：{person.full_name}（{holding.village.name}）",
                body=(
                    f"{person.full_name}自 {holding.started_on:%Y-%m-%d} 起任{holding.village.name}"
                    "纪检委员，其账号尚无“村（社区）纪检委员”角色，请授予后再由其填报月报、办理派单。"
                ),
                link=reverse("core:security_detail", args=[person.pk]),
                dedup_key=f"cadres.holding_start:{holding.pk}",
            )


def post_holding_roles_end(*, today: date | None = None) -> int:
    """The daily task's work: the holdings that ended before `today` and whose holder's role has not
    yet ended with them (dated to end later when recorded) end it now. Safe to run twice (each holding
    once). Returns how many holdings were settled."""
    today = today or timezone.localdate()
    due = PostHolding.objects.filter(ended_on__lt=today, role_ended_at__isnull=True).values_list(
        "pk", flat=True
    )
    settled = 0
    for pk in list(due):
        with transaction.atomic():
            holding = (
                PostHolding.objects.select_for_update()
                .select_related("holder", "village")
                .filter(pk=pk, role_ended_at__isnull=True)
                .first()
            )
            if holding is None:
                continue
            _role_ends_with(holding, actor=None)
            settled += 1
    return settled


@transaction.atomic
def post_holding_end(
    *, actor: User, holding: PostHolding, version: int, ended_on: date, reason: str, note: str
) -> PostHolding:
    """The county ends a holding by dismissal or resignation (replacement comes with an approval)."""
    if not is_county(actor) or not unit_in_scope(actor, holding.village):
        raise PermissionDenied
    if reason not in (EndReason.DISMISSED, EndReason.RESIGNED):
        raise ValidationError(gettext("请选择离任原因（免职或辞职）"))
    note = typed_text(note, label=gettext("离任说明"), limit=500, required=True)
    locked = PostHolding.objects.select_for_update().get(pk=holding.pk)
    if locked.version != version:
        raise ConcurrentEditError()
    if locked.ended_on is not None:
        raise ValidationError(gettext("该任职已结束"))
    if ended_on > timezone.localdate():
        raise ValidationError(gettext("离任日期不能晚于今天"))
    _end(actor, holding, ended_on=ended_on, reason=reason, note=note)
    return holding


# --- 跟案学习 ------------------------------------------------------------------------------------
@transaction.atomic
def placement_create(
    *, actor: User, cadre: User, mentor: User, case_name: str, starts_on: date, ends_on: date
) -> CasePlacement:
    """The county places a township cadre on a case to learn, with a mentor of its own office."""
    if not is_county(actor):
        raise PermissionDenied
    if not cadre.is_active or not cadre.org_unit.is_township or not unit_in_scope(actor, cadre.org_unit):
        raise ValidationError(gettext("跟案干部须为本辖区乡镇（街道）的干部"))
    if not mentor.is_active or mentor.org_unit_id != actor.org_unit_id:
        raise ValidationError(gettext("带教导师须为本单位的干部"))
    case_name = typed_text(case_name, label=gettext("跟学案件"), limit=200, required=True)
    if ends_on < starts_on:
        raise ValidationError(gettext("结束日期不能早于开始日期"))
    if (ends_on - starts_on).days > 366:
        raise ValidationError(gettext("跟案学习期限不超过一年"))
    overlapping = CasePlacement.objects.filter(cadre=cadre, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if overlapping.exists():
        raise ValidationError(
            gettext("%(full_name)s在该期间已有跟案学习安排") % {"full_name": cadre.full_name}
        )
    placement = CasePlacement.objects.create(
        org_unit=actor.org_unit,
        cadre=cadre,
        mentor=mentor,
        case_name=case_name,
        starts_on=starts_on,
        ends_on=ends_on,
        placed_by=actor,
    )
    audit_record(
        actor=actor,
        action="placement.create",
        obj=placement,
        summary=f"选派{cadre.full_name}跟案学习：{case_name}（{starts_on}—{ends_on}）",
        after={"cadre": cadre.pk, "mentor": mentor.pk, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return placement


@transaction.atomic
def placement_report(*, actor: User, placement: CasePlacement, version: int, report: str) -> CasePlacement:
    """The placed cadre writes the learning report, from the last day of the period on, until the
    county has recorded it."""
    if placement.cadre_id != actor.pk:
        raise PermissionDenied
    if _bump(CasePlacement, placement, version).recorded_at is not None:
        raise ValidationError(gettext("县级已记录，学习报告不能再修改"))
    if timezone.localdate() < placement.ends_on:
        raise ValidationError(
            gettext("跟案学习至%(ends_on)s结束，期满后提交学习报告")
            % {"ends_on": format(placement.ends_on, "%Y-%m-%d")}
        )
    placement.report = typed_text(report, label=gettext("学习报告"), limit=10000, required=True)
    placement.reported_at = timezone.now()
    placement.save(update_fields=["report", "reported_at", "version"])
    audit_record(
        actor=actor,
        action="placement.report",
        obj=placement,
        summary=f"提交跟案学习报告：{placement.case_name}",
        after={"chars": len(placement.report)},
    )
    return placement


@transaction.atomic
def placement_record(
    *, actor: User, placement: CasePlacement, version: int, assessment: str
) -> CasePlacement:
    """The county records the report with its assessment."""
    if not is_county(actor) or not unit_in_scope(actor, placement.org_unit):
        raise PermissionDenied
    current = _bump(CasePlacement, placement, version)
    if current.reported_at is None:
        raise ValidationError(gettext("跟案干部尚未提交学习报告"))
    if current.recorded_at is not None:
        raise ValidationError(gettext("已记录"))
    placement.assessment = typed_text(assessment, label=gettext("县级评价"), limit=MAX_TEXT, required=True)
    placement.recorded_by = actor
    placement.recorded_at = timezone.now()
    placement.save(update_fields=["assessment", "recorded_by", "recorded_at", "version"])
    audit_record(
        actor=actor,
        action="placement.record",
        obj=placement,
        summary=f"记录跟案学习：{placement.cadre.full_name} {placement.case_name}",
    )
    return placement


@transaction.atomic
def post_holding_register(
    *,
    actor: User,
    village,
    holder: User,
    started_on: date,
    ended_on: date | None = None,
    away_from_home=False,
) -> PostHolding:
    """The county registers a holding that began before the platform (建档): the same rules of no
    overlap and one post per person as an approval."""
    if not is_county(actor) or not village.is_village or not unit_in_scope(actor, village):
        raise PermissionDenied
    if ended_on is not None and ended_on < started_on:
        raise ValidationError(gettext("离任日期不能早于任职日期"))
    type(village).objects.select_for_update().get(pk=village.pk)
    end = ended_on or date.max
    clash = Q(started_on__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=started_on))
    if PostHolding.objects.filter(clash, village=village).exists():
        raise ValidationError(gettext("与%(name)s已有的任职期间重叠，请核对日期") % {"name": village.name})
    if PostHolding.objects.filter(clash, holder=holder).exists():
        raise ValidationError(
            gettext("与%(full_name)s已有的任职期间重叠，请核对日期") % {"full_name": holder.full_name}
        )
    holding = PostHolding.objects.create(
        village=village,
        holder=holder,
        started_on=started_on,
        ended_on=ended_on,
        end_reason=EndReason.REPLACED if ended_on else "",
        away_from_home=away_from_home,
        recorded_by=actor,
        ended_by=actor if ended_on else None,
        # A past period registered ends no role: nothing to settle for it.
        role_ended_at=timezone.now() if ended_on else None,
    )
    audit_record(
        actor=actor,
        action="post_holding.register",
        obj=holding,
        org_unit_id=village.pk,
        summary=f"登记{holder.full_name}任{village.name}纪检委员（{started_on} 起）",
        after={
            "holder": holder.pk,
            "started_on": str(started_on),
            "ended_on": str(ended_on) if ended_on else None,
        },
    )
    if ended_on is None:
        _ask_for_the_role(holding)
    return holding
