"""Who sees what in evaluation (module EVALUATION: township committees and 党风政风监督室).

- Rubrics (考评细则, 互查清单) are kept by the 党风政风监督室 of the unit that set them (the city's, a
  county's), within its jurisdiction; a rubric applies to the people and units below its unit.
- A village member's evaluation is seen by holders of the module whose jurisdiction holds the
  member's village (the township committee over it, its county and the city); the township
  committee over the village writes it.
- A mutual-check round is run by the 党风政风监督室 that opened it (and those above). A check (one
  unit checking another in a round) is seen by the round's organisers and by people whose
  jurisdiction holds the checker or the checked unit; only the checker unit's own people score and
  record findings, only the checked unit's own people report rectification; the checker unit and
  the organisers close rectifications and may mark a finding's lesson for sharing later.
- A finding's photos follow the finding (attachments' object scope).
Outside all of that the answer is the same 404 as for a missing record."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jijian.core import links
from jijian.core.access import get_or_404, scope, unit_scope_q
from jijian.core.models import VILLAGE_KINDS, User
from jijian.core.roles import Module, Role

from .models import CheckPair, CheckRound, CheckRubric, Evaluation, EvaluationRubric, Finding, Rectification

FINDING_FILES = "evaluation.finding"  # the attachment purpose of a finding's photos


def can_configure(user) -> bool:
    return user.has_role(Role.CONDUCT_SUPERVISION) and user.has_module(Module.EVALUATION)


def can_evaluate(user) -> bool:
    return user.has_role(Role.TOWNSHIP_COMMITTEE) and user.has_module(Module.EVALUATION)


def has_module(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_module(Module.EVALUATION)


# --- rubrics -------------------------------------------------------------------------------------
def rubrics_managed_by(user) -> QuerySet[EvaluationRubric]:
    if not can_configure(user):
        return EvaluationRubric.objects.none()
    return scope(EvaluationRubric.objects.select_related("org_unit"), user, module=Module.EVALUATION)


def get_rubric_for(user, pk) -> EvaluationRubric:
    return get_or_404(rubrics_managed_by(user).filter(is_current=True), pk)


def check_rubrics_managed_by(user) -> QuerySet[CheckRubric]:
    if not can_configure(user):
        return CheckRubric.objects.none()
    return scope(CheckRubric.objects.select_related("org_unit"), user, module=Module.EVALUATION)


def get_check_rubric_for(user, pk) -> CheckRubric:
    return get_or_404(check_rubrics_managed_by(user).filter(is_current=True), pk)


def check_rubrics_usable_by(user) -> QuerySet[CheckRubric]:
    """Current checklists of the user's unit or a unit above it (the city's reaches its counties)."""
    if not can_configure(user):
        return CheckRubric.objects.none()
    unit = user.org_unit
    return CheckRubric.objects.filter(org_unit_id__in=[unit.pk, *unit.ancestor_ids()], is_current=True)


def rubric_for_member(member: User, year: int) -> EvaluationRubric | None:
    """The current rubric of `year` set by the nearest unit above the member (a county's own rubric
    before the city's)."""
    ids = member.org_unit.ancestor_ids()
    rubrics = {
        r.org_unit_id: r
        for r in EvaluationRubric.objects.filter(year=year, is_current=True, org_unit_id__in=ids)
    }
    return next((rubrics[i] for i in reversed(ids) if i in rubrics), None)


# --- evaluations ---------------------------------------------------------------------------------
def evaluations_visible_to(user) -> QuerySet[Evaluation]:
    return scope(
        Evaluation.objects.select_related("member", "org_unit", "rubric"), user, module=Module.EVALUATION
    )


def get_evaluation_for(user, pk) -> Evaluation:
    return get_or_404(evaluations_visible_to(user), pk)


def members_to_evaluate(user, *, year: int | None = None) -> QuerySet[User]:
    """The village members of the villages in the user's jurisdiction (module EVALUATION): active
    accounts with the village-member role and, for `year`, the accounts of those villages that held a
    village's post on a day of the year (the post holdings, core.links.post_holding_periods): a member
    whose role ended with the post is still evaluated on the months held, whatever became of the
    account since."""
    if not has_module(user):
        return User.objects.none()
    in_scope = scope(User.objects.select_related("org_unit"), user, module=Module.EVALUATION)
    members = Q(is_active=True, roles__role=Role.VILLAGE_MEMBER)
    if year is not None and links.post_holding_periods.provider is not None:
        others = in_scope.filter(org_unit__kind__in=VILLAGE_KINDS).exclude(
            pk__in=in_scope.filter(members).values("pk")
        )
        held = links.post_holding_periods(user_ids=list(others.values_list("pk", flat=True)), year=year)
        members |= Q(pk__in=[uid for uid, periods in held.items() if periods])
    return in_scope.filter(members).distinct()


def get_member_to_evaluate(user, pk, *, year: int | None = None) -> User:
    if not can_evaluate(user):
        return get_or_404(User.objects.none(), pk)
    return get_or_404(members_to_evaluate(user, year=year), pk)


# --- mutual checks -------------------------------------------------------------------------------
def rounds_managed_by(user) -> QuerySet[CheckRound]:
    if not can_configure(user):
        return CheckRound.objects.none()
    return scope(CheckRound.objects.select_related("org_unit", "rubric"), user, module=Module.EVALUATION)


def get_managed_round_for(user, pk) -> CheckRound:
    return get_or_404(rounds_managed_by(user), pk)


def pairs_visible_to(user) -> QuerySet[CheckPair]:
    if not has_module(user):
        return CheckPair.objects.none()
    q = (
        unit_scope_q(user, prefix="checker__")
        | unit_scope_q(user, prefix="checked__")
        | Q(round__in=rounds_managed_by(user).values("pk"))
    )
    return CheckPair.objects.filter(q).select_related("round", "round__rubric", "checker", "checked")


def get_pair_for(user, pk) -> CheckPair:
    return get_or_404(pairs_visible_to(user), pk)


def rounds_visible_to(user) -> QuerySet[CheckRound]:
    if not has_module(user):
        return CheckRound.objects.none()
    return CheckRound.objects.filter(
        Q(pk__in=rounds_managed_by(user).values("pk")) | Q(pk__in=pairs_visible_to(user).values("round_id"))
    ).select_related("org_unit", "rubric")


def get_round_for(user, pk) -> CheckRound:
    return get_or_404(rounds_visible_to(user), pk)


def is_checker(user, pair: CheckPair) -> bool:
    return has_module(user) and user.org_unit_id == pair.checker_id


def is_checked(user, pair: CheckPair) -> bool:
    return has_module(user) and user.org_unit_id == pair.checked_id


def may_close(user, pair: CheckPair) -> bool:
    """The checker unit, or an organiser of the round, closes a rectification."""
    return is_checker(user, pair) or rounds_managed_by(user).filter(pk=pair.round_id).exists()


def may_share(user, pair: CheckPair) -> bool:
    """Who marks a finding's lesson for sharing after it was recorded: those who close its
    rectifications (the checker unit, an organiser of the round)."""
    return may_close(user, pair)


def findings_visible_to(user) -> QuerySet[Finding]:
    return Finding.objects.filter(pair__in=pairs_visible_to(user).values("pk"))


def get_rectification_for(user, pk) -> Rectification:
    return get_or_404(
        Rectification.objects.filter(finding__pair__in=pairs_visible_to(user).values("pk")).select_related(
            "finding", "finding__pair", "finding__pair__round"
        ),
        pk,
    )
