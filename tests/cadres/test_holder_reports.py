"""The monthly report of a village is expected of the holder of its discipline member post (cadres'
post holdings, through core.links.post_holders_on): a member dismissed keeps their account, not the
village's reports — their village-member role ends with the post; the successor reports from the first
month they hold the post on its first day; a vacant post expects none; a village with no holding on
record keeps the longest-serving member. The administrators over the village are told the role ended."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from jijian.cadres import services as cadres
from jijian.cadres.selectors import post_holders_on
from jijian.core.roles import Role
from jijian.reports.models import MonthlyReport
from jijian.reports.services import monthly_reports_open
from tests.cadres.helpers import holding
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _dismiss(people, h, on):
    return cadres.post_holding_end(
        actor=people.county_officer,
        holding=h,
        version=h.version,
        ended_on=on,
        reason="dismissed",
        note="免职",
    )


def _member_of(village, month):
    monthly_reports_open(month=month, under=village)
    return (
        MonthlyReport.objects.filter(village=village, month=month).values_list("member_id", flat=True).first()
    )


def test_the_holder_reports_not_the_dismissed_member_whose_role_ends(tree, people):
    h = holding(tree.village_a, people.member_a, people.county_officer)
    assert _member_of(tree.village_a, date(2026, 6, 1)) == people.member_a.pk  # opened on 1 June
    _dismiss(people, h, date(2026, 6, 30))
    successor = make_user("successor", tree.village_a, Role.VILLAGE_MEMBER)
    cadres.post_holding_register(
        actor=people.county_officer, village=tree.village_a, holder=successor, started_on=date(2026, 7, 15)
    )
    people.member_a.refresh_from_db()
    assert people.member_a.is_active and not people.member_a.has_role(Role.VILLAGE_MEMBER)
    assert _member_of(tree.village_a, date(2026, 6, 1)) == people.member_a.pk  # June stays theirs
    assert _member_of(tree.village_a, date(2026, 7, 1)) is None  # vacant on 1 July: none expected
    assert _member_of(tree.village_a, date(2026, 8, 1)) == successor.pk


def test_a_village_without_holdings_on_record_keeps_the_longest_serving_member(tree, people):
    holding(tree.village_a, people.member_a, people.county_officer)
    assert post_holders_on(day=date(2026, 8, 1)) == {tree.village_a.pk: people.member_a.pk}
    senior = make_user("member_b_2019", tree.village_b, Role.VILLAGE_MEMBER)
    junior = make_user("member_b_2024", tree.village_b, Role.VILLAGE_MEMBER)
    type(senior).objects.filter(pk=senior.pk).update(appointed_on=date(2019, 3, 1))
    type(junior).objects.filter(pk=junior.pk).update(appointed_on=date(2024, 3, 1))
    assert _member_of(tree.village_b, date(2026, 8, 1)) == senior.pk
    assert tree.village_b.pk not in post_holders_on(day=date(2026, 8, 1))


def test_a_holder_whose_account_cannot_report_leaves_the_month_unexpected(tree, people):
    holding(tree.village_a, people.member_a, people.county_officer)
    people.member_a.is_active = False
    people.member_a.save(update_fields=["is_active"])
    assert _member_of(tree.village_a, date(2026, 8, 1)) is None


def test_the_administrators_over_the_village_are_told_once_that_the_role_ended(tree, people, login):
    security = make_user("aq_county", tree.county, Role.SECURITY_ADMIN)
    system = make_user("xt_county", tree.county, Role.SYSTEM_ADMIN)
    others = [
        make_user(n, tree.other_county, r)
        for n, r in (("aq_o", Role.SECURITY_ADMIN), ("xt_o", Role.SYSTEM_ADMIN))
    ]
    h = holding(tree.village_a, people.member_a, people.county_officer)
    _dismiss(people, h, date(2026, 6, 30))
    for admin, page in ((security, "security_detail"), (system, "account_detail")):
        note = admin.notifications.get()
        assert "离任纪检委员的角色已撤销" in note.title and people.member_a.full_name in note.title
        assert "2026-06-30" in note.body and "免职" in note.body and "角色已随离任撤销" in note.body
        assert note.link == reverse(f"core:{page}", args=[people.member_a.pk])
        assert login(admin).get(note.link).status_code == 200  # the account's page, theirs to act on
    assert "请重新授予该角色" in security.notifications.get().body
    assert "可停用该账号" in system.notifications.get().body
    assert not any(o.notifications.exists() for o in others)
    cadres.post_holding_roles_end()  # the daily task finds nothing more to do: still one notice each
    assert security.notifications.count() == system.notifications.count() == 1


def test_no_word_to_the_admins_when_the_account_was_closed(tree, people):
    admin = make_user("aq_county", tree.county, Role.SECURITY_ADMIN)
    h = holding(tree.village_a, people.member_a, people.county_officer)
    people.member_a.is_active = False
    people.member_a.save(update_fields=["is_active"])
    _dismiss(people, h, date(2026, 6, 30))
    assert not admin.notifications.exists()
    assert not people.member_a.roles.filter(role=Role.VILLAGE_MEMBER).exists()  # nor a role to reopen
