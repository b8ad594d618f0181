"""Post holdings drive the guidance tasks: a member whose holding ended (免职, 辞职, 更换) and who holds
no post is tasked no more (the service refuses with the reason, the form does not offer them, the
API says why); a member with no holding on record is taken to hold their village's post; the tasks
still open when a holding ends close with it (kept on record, neither open nor overdue from then
on, no more answers); and the periods held, as the evaluation reads them (post_holding_periods)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.cadres import selectors, services
from jijian.cadres.models import GuidanceTask
from jijian.cadres.todos import cadres_to_do
from jijian.core import links
from jijian.core.roles import Role
from jijian.core.services import role_grant
from tests.cadres.helpers import candidate, holding, nominate, task
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db


def _dismiss(people, h, *, ended_on=None, reason="dismissed"):
    return services.post_holding_end(
        actor=people.county_officer,
        holding=h,
        version=h.version,
        ended_on=ended_on or timezone.localdate() - timedelta(days=1),
        reason=reason,
        note="年度考评不称职，予以免职",
    )


def _todo(user, title):
    return next((i["count"] for i in cadres_to_do(user) if i["title"] == title), None)


def test_a_member_with_no_holding_on_record_is_taken_to_hold_the_post(tree, people, client):
    sign_in(client, people.township_a)
    form = client.get(reverse("cadres:task_create")).context["form"]
    assert people.member_a in form.fields["member"].queryset
    assert task(people.township_a, people.member_a).member == people.member_a


def test_a_member_whose_holding_ended_is_tasked_no_more(tree, people, client):
    h = holding(tree.village_a, people.member_a, people.county_officer)
    assert task(people.township_a, people.member_a, title="在任时的任务")
    _dismiss(people, h, ended_on=date(2026, 6, 30))
    with pytest.raises(ValidationError) as refused:
        task(people.township_a, people.member_a, title="离任后的任务")
    assert refused.value.messages == ["测试member_a已于2026-06-30离任神农村纪检委员（免职），不能再向其派单"]
    assert not GuidanceTask.objects.filter(title="离任后的任务").exists()
    # The form does not offer them.
    sign_in(client, people.township_a)
    form = client.get(reverse("cadres:task_create")).context["form"]
    assert people.member_a not in form.fields["member"].queryset
    # The API names the reason too, and writes nothing.
    response = client.post(
        "/api/cadres/tasks",
        {"member": people.member_a.pk, "kind": "dispatch", "title": "接口派单", "working_days": 5},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "已于2026-06-30离任神农村纪检委员（免职）" in response.json()["error"]["message"]
    assert not GuidanceTask.objects.filter(title="接口派单").exists()


def test_a_member_who_took_another_post_is_tasked_again(tree, people):
    """Ended here (the role with it), holding a post now (another village of the township, 异地任职):
    in post once the security administrator, told, grants the role again."""
    security = make_user("aq_county", tree.county, Role.SECURITY_ADMIN)
    h = holding(tree.village_a, people.member_a, people.county_officer, started_on=date(2020, 1, 1))
    _dismiss(people, h, ended_on=date(2024, 12, 31), reason="resigned")
    holding(tree.village_a2, people.member_a, people.county_officer, started_on=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="只能向村（社区）纪检委员派单"):
        task(people.township_a, people.member_a)
    asked = security.notifications.get(title__startswith="新任纪检委员待授予角色")
    assert "自 2025-01-01 起任凤凰村纪检委员" in asked.body
    role_grant(actor=security, user=people.member_a, role=Role.VILLAGE_MEMBER)
    assert task(people.township_a, people.member_a).pk


def test_open_tasks_close_with_the_holding_and_stay_on_record(tree, people, client):
    today = timezone.localdate()
    h = holding(tree.village_a, people.member_a, people.county_officer)
    late = task(people.township_a, people.member_a, title="早已逾期", issued_on=today - timedelta(days=60))
    fresh = task(people.township_a, people.member_a, title="尚未到期", working_days=20)
    done = task(people.township_a, people.member_a, title="已办结")
    services.guidance_task_answer(actor=people.member_a, task=done, answer="已办", version=1)
    assert _todo(people.township_a, "已逾期未办结的派单点题任务") == 1
    assert selectors.overdue_count(people.township_a) == 1

    # A successor is approved: the holding ends the day before as 更换, and the open tasks with it.
    successor = candidate(tree.village_a)
    n = nominate(people.township_a, tree.village_a, successor)
    services.nomination_decide(
        actor=people.county_officer, nomination=n, version=n.version, approve=True, starts_on=today
    )
    h.refresh_from_db()
    assert h.ended_on == today - timedelta(days=1) and h.end_reason == "replaced"
    for t in (late, fresh):
        t.refresh_from_db()
        assert t.closed_on == h.ended_on and t.version == 2 and not t.is_overdue(today)
        assert selectors.task_status(t, today) == "离任终止"
    done.refresh_from_db()
    assert done.closed_on is None and selectors.task_status(done, today) == "按期办结"
    assert GuidanceTask.objects.count() == 3  # nothing deleted
    # Nothing open or overdue any more, for the township, the county or the former member.
    assert selectors.overdue_count(people.township_a) == 0
    assert selectors.overdue_count(people.county_officer) == 0
    assert _todo(people.township_a, "已逾期未办结的派单点题任务") == 0
    assert _todo(people.member_a, "待办理的派单点题任务") == 0
    # The former member's role ended with the post: their tasks are out of their reach.
    sign_in(client, people.member_a)
    assert client.get(reverse("cadres:task_detail", args=[fresh.pk])).status_code == 404
    # Granted again (the security administrator judged the end wrong), they still cannot answer: the
    # page says why, without an answer form.
    people.member_a.roles.create(role=Role.VILLAGE_MEMBER)
    people.member_a = type(people.member_a).objects.get(pk=people.member_a.pk)
    with pytest.raises(ValidationError, match="已随离任终止"):
        services.guidance_task_answer(actor=people.member_a, task=fresh, answer="补办", version=2)
    page = client.get(reverse("cadres:task_detail", args=[fresh.pk]))
    assert page.context["form"] is None and 'id="task-closed"' in page.content.decode()
    sign_in(client, people.township_a)
    listed = client.get(reverse("cadres:task_list") + "?status=closed").context["rows"]
    assert {t.pk for t, *_ in listed} == {late.pk, fresh.pk}
    assert not client.get(reverse("cadres:task_list") + "?status=open").context["rows"]
    api = client.get(f"/api/cadres/tasks/{late.pk}").json()
    assert api["status"] == "离任终止" and api["overdue"] is False and api["closed_on"] == str(h.ended_on)


def test_dismissal_closes_the_open_tasks_and_says_so_in_the_audit_trail(tree, people):
    h = holding(tree.village_a, people.member_a, people.county_officer)
    t = task(people.township_a, people.member_a)
    _dismiss(people, h)
    t.refresh_from_db()
    assert t.closed_on == timezone.localdate() - timedelta(days=1)
    entry = AuditEvent.objects.filter(action="post_holding.end").latest("pk")
    assert "1 项未办结的派单点题随之终止" in entry.summary


def test_the_counts_of_tasks_closed_with_a_holding_on_a_constructed_year(tree, people):
    """Ended on 30 June 2025 with two tasks open: one due 10 June (overdue while held), one due
    7 July (not judged)."""
    h = holding(tree.village_a, people.member_a, people.county_officer)
    for title, due in (("六月到期", date(2025, 6, 10)), ("七月到期", date(2025, 7, 7))):
        GuidanceTask.objects.create(
            org_unit=tree.township_a,
            member=people.member_a,
            village=tree.village_a,
            kind="dispatch",
            title=title,
            issued_on=date(2025, 6, 2),
            working_days=5,
            due_on=due,
            issued_by=people.township_a,
        )
    _dismiss(people, h, ended_on=date(2025, 6, 30))
    assert selectors.guidance_task_counts([people.member_a.pk], 2025) == {
        people.member_a.pk: {"issued": 1, "answered": 0, "on_time": 0, "overdue": 1}
    }


def test_the_periods_held_as_the_evaluation_reads_them(tree, people):
    successor = make_user("successor", tree.village_a, Role.VILLAGE_MEMBER)
    legacy = make_user("legacy", tree.village_a2, Role.VILLAGE_MEMBER)
    h = holding(tree.village_a, people.member_a, people.county_officer, started_on=date(2019, 3, 1))
    _dismiss(people, h, ended_on=date(2025, 6, 30))
    holding(tree.village_a, successor, people.county_officer, started_on=date(2025, 7, 1))
    ids = [people.member_a.pk, successor.pk, legacy.pk]
    periods = links.post_holding_periods(user_ids=ids, year=2025)
    assert periods[people.member_a.pk] == [
        {
            "village_id": tree.village_a.pk,
            "village_name": "神农村",
            "started_on": date(2019, 3, 1),
            "ended_on": date(2025, 6, 30),
        }
    ]
    assert periods[successor.pk] == [
        {
            "village_id": tree.village_a.pk,
            "village_name": "神农村",
            "started_on": date(2025, 7, 1),
            "ended_on": None,
        }
    ]
    assert legacy.pk not in periods  # no holding on record: the whole year
    # A year the former member held no day of: on record, nothing held.
    assert links.post_holding_periods(user_ids=ids, year=2026)[people.member_a.pk] == []
    assert links.post_holding_periods(user_ids=ids, year=2024)[successor.pk] == []
