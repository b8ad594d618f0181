"""A member never recorded in the holdings (their account made before the posts' history was kept) is
taken to hold their village's post until a successor is approved. The approval ends their post as it
ends a recorded holder's: their period is recorded from the account's 任职日期 (else the day the account
was made) to the day before the successor's start, as replaced (the history kept); from then on they
are not in post — no tasks, not the reports' holder, their open tasks closed, their role ended. Once
a village's post has holdings on record, an account of the village never recorded is not in post."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.cadres import access, selectors, services
from jijian.cadres.models import GuidanceTask, NominationState, PostHolding
from jijian.core import links
from jijian.core.models import User
from jijian.core.roles import Role
from tests.cadres.helpers import candidate, holding, nominate, task
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db


def _approve(people, n, starts_on):
    return services.nomination_decide(
        actor=people.county_officer, nomination=n, version=n.version, approve=True, starts_on=starts_on
    )


def _appointed(user, day):
    User.objects.filter(pk=user.pk).update(appointed_on=day)
    user.refresh_from_db()


def test_the_approval_ends_the_post_of_a_member_never_recorded(client, tree, people):
    today = timezone.localdate()
    starts_on = today - timedelta(days=20)
    _appointed(people.member_a, date(2019, 5, 1))
    open_task = task(people.township_a, people.member_a, title="在任时的任务")
    assert people.member_a in access.members_to_task(people.township_a)  # taken to hold the post
    successor = candidate(tree.village_a)
    n = nominate(people.township_a, tree.village_a, successor)

    # The county reads whom the approval replaces before deciding.
    sign_in(client, people.county_officer)
    page = client.get(reverse("cadres:nomination_detail", args=[n.pk])).content.decode()
    assert "测试member_a（未登记任职记录）" in page and "批准后补记其任职记录" in page

    _approve(people, n, starts_on)
    history = list(PostHolding.objects.filter(village=tree.village_a).order_by("started_on"))
    assert [(h.holder_id, h.started_on, h.ended_on, h.end_reason) for h in history] == [
        (people.member_a.pk, date(2019, 5, 1), starts_on - timedelta(days=1), "replaced"),
        (successor.pk, starts_on, None, ""),
    ]
    assert (
        history[0].end_note == services.PREDECESSOR_NOTE and history[0].recorded_by == people.county_officer
    )
    # Not the holder any more, from the successor's start.
    assert links.post_holders_on(day=starts_on)[tree.village_a.pk] == successor.pk
    assert links.post_holders_on(day=starts_on - timedelta(days=1))[tree.village_a.pk] == people.member_a.pk
    assert people.member_a not in access.members_to_task(people.township_a)
    with pytest.raises(ValidationError, match="已于.*离任神农村纪检委员（更换），不能再向其派单"):
        task(people.township_a, people.member_a, title="离任后的任务")
    open_task.refresh_from_db()
    assert open_task.closed_on == starts_on - timedelta(days=1)
    assert not User.objects.get(pk=people.member_a.pk).has_role(Role.VILLAGE_MEMBER)
    # The evaluation judges them on the months held.
    periods = links.post_holding_periods(user_ids=[people.member_a.pk], year=starts_on.year)
    assert periods[people.member_a.pk][0]["ended_on"] == starts_on - timedelta(days=1)
    actions = list(
        AuditEvent.objects.filter(object_type="cadres.postholding", object_id=str(history[0].pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["post_holding.register", "post_holding.end"]
    assert "批准继任时，此前未登记" in AuditEvent.objects.get(action="post_holding.register").summary
    # The history page shows both; the new holder's account waits for its role, the security
    # administrators over the village are asked to grant it (an appointment grants no role).
    page = client.get(reverse("cadres:village_posts", args=[tree.village_a.pk])).content.decode()
    assert "测试member_a" in page and services.PREDECESSOR_NOTE in page
    row = page.split(f'id="holding-{history[1].pk}"')[1].split("</tr>")[0]
    assert "账号待授予角色" in row
    asked = people.security_admin.notifications.get(title__startswith="新任纪检委员待授予角色")
    assert successor.full_name in asked.title and asked.link == reverse(
        "core:security_detail", args=[successor.pk]
    )
    told = people.security_admin.notifications.get(title__startswith="离任纪检委员的角色已撤销")
    assert "测试member_a" in told.title


def test_without_a_known_appointment_the_account_s_day_stands_in(tree, people):
    starts_on = timezone.localdate() - timedelta(days=20)
    made = timezone.localtime(people.member_a.date_joined).date()
    _approve(people, nominate(people.township_a, tree.village_a, candidate(tree.village_a)), starts_on)
    recorded = PostHolding.objects.get(holder=people.member_a)
    # The account's day, and never after the last day held (a period of at least one day).
    assert recorded.started_on == min(made, starts_on - timedelta(days=1))
    assert recorded.ended_on == starts_on - timedelta(days=1)


def test_the_longest_serving_member_is_the_predecessor_and_the_other_is_not_in_post(tree, people):
    _appointed(people.member_a, date(2019, 5, 1))
    second = make_user("second", tree.village_a, Role.VILLAGE_MEMBER)
    _appointed(second, date(2023, 3, 1))
    successor = candidate(tree.village_a)
    _approve(people, nominate(people.township_a, tree.village_a, successor), date(2026, 3, 1))
    assert PostHolding.objects.get(holder=people.member_a).ended_on == date(2026, 2, 28)
    assert not PostHolding.objects.filter(holder=second).exists()
    # Never recorded in a village whose post has holdings on record: not in post, and told why.
    assert second not in access.members_to_task(people.township_a)
    with pytest.raises(ValidationError) as refused:
        task(people.township_a, second)
    assert refused.value.messages == [
        f"测试second未登记为神农村纪检委员（现任：{successor.full_name}），不能向其派单"
    ]
    assert not GuidanceTask.objects.filter(member=second).exists()


def test_an_account_never_recorded_where_the_post_is_vacant_is_not_in_post(tree, people):
    h = holding(
        tree.village_a, make_user("former", tree.village_a, Role.VILLAGE_MEMBER), people.county_officer
    )
    services.post_holding_end(
        actor=people.county_officer,
        holding=h,
        version=h.version,
        ended_on=date(2026, 6, 30),
        reason="resigned",
        note="外出务工",
    )
    assert people.member_a not in access.members_to_task(people.township_a)
    with pytest.raises(
        ValidationError, match="测试member_a未登记为神农村纪检委员（该岗位现空缺），不能向其派单"
    ):
        task(people.township_a, people.member_a)
    assert selectors.post_now(tree.village_a) == {"holding": None, "holder": None}


def test_a_refused_approval_records_no_predecessor(tree, people):
    """The approval is refused after the predecessor would be recorded (the candidate's own earlier
    period overlaps the start): nothing is recorded, nobody's role or tasks change."""
    open_task = task(people.township_a, people.member_a)
    successor = candidate(tree.village_a2)
    services.post_holding_register(
        actor=people.county_officer,
        village=tree.village_a2,
        holder=successor,
        started_on=date(2025, 1, 1),
        ended_on=date(2026, 5, 31),
    )
    n = nominate(people.township_a, tree.village_a, successor, away_reason="邻村选派")
    with pytest.raises(ValidationError, match="此前的任职期间重叠"):
        _approve(people, n, date(2026, 5, 1))
    assert not PostHolding.objects.filter(village=tree.village_a).exists()
    assert User.objects.get(pk=people.member_a.pk).has_role(Role.VILLAGE_MEMBER)
    open_task.refresh_from_db()
    assert open_task.closed_on is None and open_task.version == 1
    n.refresh_from_db()
    assert n.state == NominationState.SUBMITTED
    assert (
        not AuditEvent.objects.filter(action__in=["post_holding.register", "role.revoke"])
        .exclude(summary__contains=successor.full_name)
        .exists()
    )
