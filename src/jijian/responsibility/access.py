"""Who sees and writes what of primary responsibility (module RESPONSIBILITY).

- A party organisation's liaison (党组织联络员) sees and writes their own organisation only: its
  leadership, its list, its records; nothing of the organisations above or beside it.
- The party conduct supervision office (党风政风监督室) of a commission sees every party organisation
  in its jurisdiction (core.access.scope), publishes the templates, comments on records and records
  accountability interviews; it never edits an organisation's leadership, list or records.
- The commission's leaders (纪委监委领导) read the overview and every organisation of their jurisdiction,
  and write nothing.
- A city-level department's discipline member (市直单位纪检委员) sees their department's party
  organisations (read), records the same-level supervision of the department (SupervisionRecord) and
  checks against its organisations' risk points (can_check_risk); both go into their duty log.
- A resident group's staff (派驻纪检监察组) read the departments the group oversees (core.access: the
  group's unit reaches the overseen departments' subtrees): their organisations, records, risk point
  checks and the department members' supervision records; they write nothing here (they review the
  department members' monthly reports, in reports).
- Anyone else — another organisation's liaison, an office of another county, a user without the
  module — gets the same 404 as for a missing record."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.query import EmptyQuerySet

from jijian.core.access import get_or_404, scope
from jijian.core.models import OrgKind, OrgUnit
from jijian.core.roles import Module, Role

from .models import (
    AccountabilityInterview,
    AnnualAssessment,
    FulfilmentRecord,
    LeadershipMember,
    ListTemplate,
    ResponsibilityItem,
    RiskCheck,
    RiskPoint,
    SupervisionRecord,
)

RECORD_FILES = "responsibility.record"


def is_supervisor(user) -> bool:
    return user.has_role(Role.CONDUCT_SUPERVISION) and user.has_module(Module.RESPONSIBILITY)


def is_leader(user) -> bool:
    """A commission's leader (纪委监委领导): reads the overview and every organisation of the
    jurisdiction, writes nothing."""
    return user.has_role(Role.COMMISSION_LEADER) and user.has_module(Module.RESPONSIBILITY)


def is_department_member(user) -> bool:
    """A city-level department's discipline member (at the department's unit)."""
    return (
        user.has_role(Role.DEPARTMENT_MEMBER)
        and user.has_module(Module.RESPONSIBILITY)
        and user.org_unit.kind == OrgKind.DEPARTMENT
    )


def is_resident_group(user) -> bool:
    """Staff of a resident group (派驻纪检监察组), at the group's unit."""
    return (
        user.has_role(Role.RESIDENT_GROUP)
        and user.has_module(Module.RESPONSIBILITY)
        and user.org_unit.kind == OrgKind.RESIDENT_GROUP
    )


def reads_whole_jurisdiction(user) -> bool:
    """Everyone who reads every organisation of their jurisdiction (not only their own)."""
    return is_supervisor(user) or is_leader(user) or is_department_member(user) or is_resident_group(user)


def is_liaison(user) -> bool:
    return user.has_role(Role.PARTY_ORG_LIAISON) and user.has_module(Module.RESPONSIBILITY)


def _scoped(qs: QuerySet, user, unit_field: str | None) -> QuerySet:
    qs = scope(qs, user, module=Module.RESPONSIBILITY, unit_field=unit_field)
    if isinstance(qs, EmptyQuerySet) or reads_whole_jurisdiction(user):
        return qs
    # A liaison: their own organisation only (not the branches under a committee).
    own = "pk" if unit_field is None else f"{unit_field}_id"
    return qs.filter(**{own: user.org_unit_id})


def party_orgs_visible_to(user) -> QuerySet[OrgUnit]:
    return _scoped(OrgUnit.objects.filter(kind=OrgKind.PARTY_ORG, is_active=True), user, None)


def get_party_org_for(user, pk) -> OrgUnit:
    return get_or_404(party_orgs_visible_to(user), pk)


def can_write(user, org: OrgUnit) -> bool:
    """Whether the user keeps this organisation's leadership, list and records: its own liaison."""
    return is_liaison(user) and org.pk == user.org_unit_id


def can_check_risk(user, org: OrgUnit) -> bool:
    """Who records a check against this organisation's risk points: its liaison, and the discipline
    member of the department the organisation belongs to."""
    if can_write(user, org):
        return True
    return is_department_member(user) and org.path.startswith(user.org_unit.path)


def departments_visible_to(user) -> QuerySet[OrgUnit]:
    """City-level departments in the user's jurisdiction (module RESPONSIBILITY): a department member's
    own, a resident group's overseen ones, an office's all."""
    if not reads_whole_jurisdiction(user):
        return OrgUnit.objects.none()
    return scope(
        OrgUnit.objects.filter(kind=OrgKind.DEPARTMENT, is_active=True),
        user,
        module=Module.RESPONSIBILITY,
        unit_field=None,
    )


def supervision_records_visible_to(user) -> QuerySet[SupervisionRecord]:
    """Same-level supervision records of the departments the user reads (a liaison: none)."""
    if not reads_whole_jurisdiction(user):
        return SupervisionRecord.objects.none()
    return _scoped(SupervisionRecord.objects.select_related("org_unit", "created_by"), user, "org_unit")


def get_supervision_record_for(user, pk) -> SupervisionRecord:
    return get_or_404(supervision_records_visible_to(user), pk)


def members_visible_to(user) -> QuerySet[LeadershipMember]:
    return _scoped(LeadershipMember.objects.select_related("org_unit"), user, "org_unit")


def get_member_for(user, pk) -> LeadershipMember:
    return get_or_404(members_visible_to(user), pk)


def items_visible_to(user) -> QuerySet[ResponsibilityItem]:
    return _scoped(ResponsibilityItem.objects.select_related("org_unit", "member"), user, "org_unit")


def get_item_for(user, pk) -> ResponsibilityItem:
    return get_or_404(items_visible_to(user), pk)


def records_visible_to(user) -> QuerySet[FulfilmentRecord]:
    return _scoped(
        FulfilmentRecord.objects.select_related("org_unit", "item", "created_by"), user, "org_unit"
    )


def get_record_for(user, pk) -> FulfilmentRecord:
    return get_or_404(records_visible_to(user), pk)


def interviews_visible_to(user) -> QuerySet[AccountabilityInterview]:
    return _scoped(AccountabilityInterview.objects.select_related("org_unit", "item"), user, "org_unit")


def get_interview_for(user, pk) -> AccountabilityInterview:
    return get_or_404(interviews_visible_to(user), pk)


def templates_visible_to(user) -> QuerySet[ListTemplate]:
    """The templates of the supervising office's own commission, and those above it that apply to
    its organisations (a county office sees the city's); none for anyone else."""
    if not is_supervisor(user):
        return ListTemplate.objects.none()
    unit = user.org_unit
    return ListTemplate.objects.filter(Q(publisher=unit) | Q(publisher_id__in=unit.ancestor_ids()))


def get_template_to_edit(user, pk) -> ListTemplate:
    """Only the publishing commission's office edits a template."""
    if not is_supervisor(user):
        return get_or_404(ListTemplate.objects.none(), pk)
    return get_or_404(ListTemplate.objects.filter(publisher=user.org_unit), pk)


def risk_points_visible_to(user) -> QuerySet[RiskPoint]:
    return _scoped(RiskPoint.objects.select_related("org_unit"), user, "org_unit")


def get_risk_point_for(user, pk) -> RiskPoint:
    return get_or_404(risk_points_visible_to(user), pk)


def risk_checks_visible_to(user) -> QuerySet[RiskCheck]:
    return _scoped(RiskCheck.objects.select_related("risk_point", "created_by"), user, "org_unit")


def assessments_visible_to(user) -> QuerySet[AnnualAssessment]:
    return _scoped(AnnualAssessment.objects.select_related("org_unit"), user, "org_unit")
