"""Roles and the modules each grants. One table, read by jurisdiction, navigation and the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Role(models.TextChoices):
    VILLAGE_MEMBER = "village_member", _("村（社区）纪检委员")
    TOWNSHIP_COMMITTEE = "township_committee", _("乡镇（街道）纪委")
    PETITION_OFFICE = "petition_office", _("信访室")
    CASE_MANAGEMENT = "case_management", _("案件监督管理室")
    CONDUCT_SUPERVISION = "conduct_supervision", _("党风政风监督室")
    CADRE_SUPERVISION = "cadre_supervision", _("干部监督室")
    CASE_REVIEW = "case_review", _("审理室")
    COMMISSION_LEADER = "commission_leader", _("纪委监委领导")
    PARTY_ORG_LIAISON = "party_org_liaison", _("党组织联络员")
    DEPARTMENT_MEMBER = "department_member", _("市直单位纪检委员")
    RESIDENT_GROUP = "resident_group", _("派驻纪检监察组")
    ORG_DEPARTMENT = "org_department", _("组织部")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全保密管理员")
    AUDIT_ADMIN = "audit_admin", _("安全审计员")


class Module(models.TextChoices):
    ORGS = "orgs", _("组织与人员")
    REPORTS = "reports", _("履职月报")
    PETITIONS = "petitions", _("信访举报")
    RECEPTION = "reception", _("视频接访")
    ARCHIVES = "archives", _("廉情档案")
    RESPONSIBILITY = "responsibility", _("主体责任")
    VILLAGE_AFFAIRS = "villageaffairs", _("村务监督")
    TRAINING = "training", _("学讲练考")
    EVALUATION = "evaluation", _("考评")
    MANUAL = "manual", _("履职手册")
    CADRES = "cadres", _("纪检委员队伍")  # 三为主 nomination and posts, guidance tasks, 跟案学习
    ACCOUNTS = "accounts", _("账号管理")  # system admin: create accounts, org tree, calendar
    SECURITY = "security", _("安全管理")  # security admin: roles, lockouts, sessions
    AUDIT = "audit", _("审计日志")  # audit admin: read the audit trail


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

MODULES_BY_ROLE: dict[str, frozenset[str]] = {
    Role.VILLAGE_MEMBER: frozenset(
        {Module.ORGS, Module.REPORTS, Module.VILLAGE_AFFAIRS, Module.TRAINING, Module.MANUAL}
        # Answers the township's guidance tasks (派单, 点题) on the phone.
        | {Module.CADRES}
    ),
    Role.TOWNSHIP_COMMITTEE: frozenset(
        {
            Module.ORGS,
            Module.REPORTS,
            Module.VILLAGE_AFFAIRS,
            Module.TRAINING,
            Module.EVALUATION,
            Module.MANUAL,
            Module.RECEPTION,
            # A township committee receives letters and visits and handles what is forwarded to it.
            Module.PETITIONS,
            # Nominates village members (三为主), issues guidance tasks; its cadres learn on county cases.
            Module.CADRES,
        }
    ),
    Role.PETITION_OFFICE: frozenset({Module.ORGS, Module.PETITIONS, Module.RECEPTION}),
    Role.CASE_MANAGEMENT: frozenset({Module.ORGS, Module.PETITIONS}),
    Role.CONDUCT_SUPERVISION: frozenset(
        {Module.ORGS, Module.REPORTS, Module.RESPONSIBILITY, Module.VILLAGE_AFFAIRS, Module.EVALUATION}
        # Sets the county's question bank and exams (学讲练考).
        | {Module.TRAINING}
        # Reads the duty manual; the city's office edits it (manual/access.py).
        | {Module.MANUAL}
        # Approves nominations to village posts, dismisses; places township cadres on cases (跟案学习).
        | {Module.CADRES}
    ),
    Role.CADRE_SUPERVISION: frozenset({Module.ORGS, Module.ARCHIVES}),
    Role.CASE_REVIEW: frozenset({Module.ORGS, Module.ARCHIVES, Module.PETITIONS}),
    # Approves clue dispositions and signs them (签字背书); sees the petitions of the commission, joins
    # video receptions, and reads the overview of primary responsibility.
    Role.COMMISSION_LEADER: frozenset(
        {Module.ORGS, Module.PETITIONS, Module.RECEPTION, Module.RESPONSIBILITY}
    ),
    Role.PARTY_ORG_LIAISON: frozenset({Module.ORGS, Module.RESPONSIBILITY}),
    # A department's discipline member: same-level supervision and risk point checks (主体责任) feed
    # their duty log and monthly report (履职月报), the village members' mechanism.
    Role.DEPARTMENT_MEMBER: frozenset({Module.ORGS, Module.REPORTS, Module.RESPONSIBILITY}),
    # A resident group's staff: the departments it oversees (core.access.unit_scope_q) — their
    # responsibility records, risk point checks, and their discipline members' monthly reports to review.
    Role.RESIDENT_GROUP: frozenset({Module.ORGS, Module.REPORTS, Module.RESPONSIBILITY}),
    # Asks for integrity opinions and reads the signed answers (archives.access.OPINION_ROLES); it
    # never opens an archive: what it learns of a person is the commission's signed verdict.
    Role.ORG_DEPARTMENT: frozenset({Module.ORGS}),
    Role.SYSTEM_ADMIN: frozenset({Module.ORGS, Module.ACCOUNTS}),
    Role.SECURITY_ADMIN: frozenset({Module.ORGS, Module.SECURITY}),
    Role.AUDIT_ADMIN: frozenset({Module.AUDIT}),
}

# The kinds of unit (core.models.OrgKind values) whose people may hold each role; a role not listed
# fits any unit (the administrators, who may sit at a city or a county). role_grant checks it.
_COMMISSION_KINDS = frozenset({"city", "district", "county", "county_city", "management_zone"})
UNIT_KINDS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.VILLAGE_MEMBER: frozenset({"village", "community"}),
    Role.TOWNSHIP_COMMITTEE: frozenset({"subdistrict", "town", "township", "township_unit"}),
    Role.PETITION_OFFICE: _COMMISSION_KINDS,
    Role.CASE_MANAGEMENT: _COMMISSION_KINDS,
    Role.CONDUCT_SUPERVISION: _COMMISSION_KINDS,
    Role.CADRE_SUPERVISION: _COMMISSION_KINDS,
    Role.CASE_REVIEW: _COMMISSION_KINDS,
    Role.COMMISSION_LEADER: _COMMISSION_KINDS,
    Role.ORG_DEPARTMENT: _COMMISSION_KINDS,
    Role.PARTY_ORG_LIAISON: frozenset({"party_org"}),
    Role.DEPARTMENT_MEMBER: frozenset({"department"}),
    Role.RESIDENT_GROUP: frozenset({"resident_group"}),
}

# What a role's unit is called in the refusal ("须为……的账号").
UNIT_WORDS_BY_ROLE: dict[str, StrOrPromise] = {
    Role.VILLAGE_MEMBER: _("村（社区）"),
    Role.TOWNSHIP_COMMITTEE: _("乡镇（街道）"),
    Role.PARTY_ORG_LIAISON: _("基层党组织"),
    Role.DEPARTMENT_MEMBER: _("市直单位"),
    Role.RESIDENT_GROUP: _("派驻纪检监察组"),
}


def role_fits_unit(role: str, kind: str) -> bool:
    allowed = UNIT_KINDS_BY_ROLE.get(role)
    return allowed is None or kind in allowed


def role_unit_words(role: str) -> str:
    return str(UNIT_WORDS_BY_ROLE.get(role, _("市、县（市、区）或管理区")))


# Roles that must sign in with a second factor (everyone above a village member).
TWO_FACTOR_ROLES = frozenset(set(Role) - {Role.VILLAGE_MEMBER})


def modules_for(roles: set[str] | frozenset[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= MODULES_BY_ROLE.get(role, frozenset())
    return frozenset(granted)
