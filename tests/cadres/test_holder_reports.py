"""The monthly report of a village is expected of the holder of its discipline member post (cadres'
post holdings, through core.links.post_holders_on): a member dismissed keeps their account, not the
village's reports; the successor reports from the first month they hold the post on its first day;
a vacant post expects none; a village with no holding on record keeps the longest-serving member.
The system administrators over the village are told to close the account of a member who left."""

from __future__ import annotations

from datetime import date

import pytest

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


def test_the_holder_reports_not_the_dismissed_member_who_keeps_the_role(tree, people):
    h = holding(tree.village_a, people.member_a, people.county_officer)
    _dismiss(people, h, date(2026, 6, 30))
    successor = make_user("successor", tree.village_a, Role.VILLAGE_MEMBER)
    cadres.post_holding_register(
        actor=people.county_officer, village=tree.village_a, holder=successor, started_on=date(2026, 7, 15)
    )
    assert people.member_a.has_role(Role.VILLAGE_MEMBER)  # the account and its role stay
    assert _member_of(tree.village_a, date(2026, 6, 1)) == people.member_a.pk  # held on 1 June
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


def test_the_account_admins_over_the_village_are_told_once_to_close_the_account(tree, people, login):
    admin = make_user("xt_county", tree.county, Role.SYSTEM_ADMIN)
    other = make_user("xt_other", tree.other_county, Role.SYSTEM_ADMIN)
    h = holding(tree.village_a, people.member_a, people.county_officer)
    _dismiss(people, h, date(2026, 6, 30))
    note = admin.notifications.get()
    assert "离任纪检委员的账号待处理" in note.title and people.member_a.full_name in note.title
    assert "2026-06-30" in note.body and "免职" in note.body and "撤销其“村（社区）纪检委员”角色" in note.body
    assert login(admin).get(note.link).status_code == 200  # the account's page, theirs to act on
    assert not other.notifications.exists()


def test_no_word_to_the_admins_when_the_account_no_longer_reports(tree, people):
    admin = make_user("xt_county", tree.county, Role.SYSTEM_ADMIN)
    h = holding(tree.village_a, people.member_a, people.county_officer)
    people.member_a.is_active = False
    people.member_a.save(update_fields=["is_active"])
    _dismiss(people, h, date(2026, 6, 30))
    assert not admin.notifications.exists()
