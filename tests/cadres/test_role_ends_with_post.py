"""A member whose holding ends loses the village-member role with it (core.accounts.role_end): the
account is kept and can still sign in, but the village's pages, its reports and its records answer
404 as to anyone outside; the post's history, the member's past reports and duty records stay as they
were, and the township still reads them. A holding dated to end later (a successor's later start)
keeps the role until the day after its last day, when the daily task ends it, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.cadres import services
from jijian.cadres.models import PostHolding
from jijian.cadres.tasks import end_roles_after_holdings
from jijian.core.models import User
from jijian.core.roles import Role
from jijian.reports.models import DutyRecord, MonthlyReport, ReportState
from tests.cadres.helpers import candidate, holding, nominate
from tests.conftest import sign_in
from tests.reports.helpers import OCT, report, visit

pytestmark = pytest.mark.django_db

# What a village member opens (each answers 200 to member_a while in post).
MEMBER_PAGES = (
    "/reports/",
    "/reports/records/",
    "/village/",
    "/training/",
    "/cadres/tasks/",
    "/api/reports/mine",
)


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def _past_work(tree, people):
    """member_a's October 2025: an approved report and a household visit in the duty log."""
    record = visit(people.member_a, date(2025, 10, 20))
    past = report(tree.village_a, OCT, member=people.member_a, state=ReportState.APPROVED)
    return past, record


def test_a_dismissed_member_keeps_the_account_not_the_village(client, tree, people):
    h = holding(tree.village_a, people.member_a, people.county_officer)
    past, record = _past_work(tree, people)
    sign_in(client, people.member_a)
    pages = (*MEMBER_PAGES, reverse("reports:report_detail", args=[past.pk]))
    assert [client.get(url).status_code for url in pages] == [200] * len(pages)

    yesterday = timezone.localdate() - timedelta(days=1)
    services.post_holding_end(
        actor=people.county_officer,
        holding=h,
        version=h.version,
        ended_on=yesterday,
        reason="dismissed",
        note="年度考评不称职，予以免职",
    )
    member = _fresh(people.member_a)
    assert member.is_active and not member.has_role(Role.VILLAGE_MEMBER)
    revoked = AuditEvent.objects.get(action="role.revoke")
    assert revoked.actor_id == people.county_officer.pk and "随离任撤销" in revoked.summary
    assert f"{yesterday:%Y-%m-%d}离任神农村纪检委员（免职）" in revoked.summary

    # The same session: the account still signs in, the village is closed to it.
    assert client.get("/").status_code == 200
    assert [client.get(url).status_code for url in pages] == [404] * len(pages)
    client.logout()
    sign_in(client, member)
    assert [client.get(url).status_code for url in pages] == [404] * len(pages)

    # History and past work intact; the township reads them as before.
    h.refresh_from_db()
    assert (h.holder_id, h.ended_on, h.end_reason) == (people.member_a.pk, yesterday, "dismissed")
    past_now = MonthlyReport.objects.get(pk=past.pk)
    assert (past_now.member_id, past_now.state) == (people.member_a.pk, ReportState.APPROVED)
    assert DutyRecord.objects.get(pk=record.pk).member_id == people.member_a.pk
    sign_in(client, people.township_a)
    assert client.get(reverse("reports:report_detail", args=[past.pk])).status_code == 200
    page = client.get(reverse("cadres:village_posts", args=[tree.village_a.pk])).content.decode()
    assert people.member_a.full_name in page and "免职" in page


def test_a_holding_dated_to_end_later_keeps_the_role_until_the_day_after(tree, people):
    today = timezone.localdate()
    h = holding(tree.village_a, people.member_a, people.county_officer)
    successor = candidate(tree.village_a)
    n = nominate(people.township_a, tree.village_a, successor)
    services.nomination_decide(
        actor=people.county_officer,
        nomination=n,
        version=n.version,
        approve=True,
        starts_on=today + timedelta(days=10),
    )
    h.refresh_from_db()
    assert h.ended_on == today + timedelta(days=9) and h.role_ended_at is None
    assert _fresh(people.member_a).has_role(Role.VILLAGE_MEMBER)  # still holds the post
    assert services.post_holding_roles_end(today=h.ended_on) == 0  # the last day held: still theirs
    assert _fresh(people.member_a).has_role(Role.VILLAGE_MEMBER)
    assert services.post_holding_roles_end(today=h.ended_on + timedelta(days=1)) == 1
    assert not _fresh(people.member_a).has_role(Role.VILLAGE_MEMBER)
    assert AuditEvent.objects.get(action="role.revoke").actor_id is None  # the platform ended it
    h.refresh_from_db()
    assert h.role_ended_at is not None
    # Twice, or the task itself: nothing more (a role granted again stays granted).
    people.member_a.roles.create(role=Role.VILLAGE_MEMBER)
    assert services.post_holding_roles_end(today=h.ended_on + timedelta(days=2)) == 0
    assert end_roles_after_holdings() == 0
    assert _fresh(people.member_a).has_role(Role.VILLAGE_MEMBER)
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1


def test_a_registered_past_period_ends_no_role(tree, people):
    """建档 of a period that ended long ago (the member held the post before, and holds it again now)
    changes nobody's access: the registration records history, it ends nothing."""
    services.post_holding_register(
        actor=people.county_officer,
        village=tree.village_a2,
        holder=people.member_a,
        started_on=date(2015, 1, 1),
        ended_on=date(2017, 12, 31),
    )
    assert PostHolding.objects.get().role_ended_at is not None  # settled: nothing for the task
    assert services.post_holding_roles_end() == 0
    assert _fresh(people.member_a).has_role(Role.VILLAGE_MEMBER)
    assert not AuditEvent.objects.filter(action="role.revoke").exists()
