"""Guidance tasks (派单, 点题): the deadline in working days across a holiday, overdue on both sides,
the member's answer becoming a duty record of the duty log, the counts the evaluation reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jijian.cadres import selectors, services
from jijian.cadres.models import GuidanceTask
from jijian.core import links
from jijian.core.orgs.workdays import calendar_seed
from jijian.reports.models import DutyRecord
from tests.cadres.helpers import task
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db


def test_the_deadline_counts_working_days_across_national_day(tree, people):
    calendar_seed([2025])  # 1–8 October 2025 off, Saturday 11 October a working day
    t = task(people.township_a, people.member_a, working_days=3, issued_on=date(2025, 9, 30))
    assert t.due_on == date(2025, 10, 11)
    # Three calendar weekdays after issue would be 3 October: during the holiday it is not overdue.
    assert not t.is_overdue(date(2025, 10, 8))
    assert selectors.task_status(t, date(2025, 10, 11)) == "办理中"
    assert t.is_overdue(date(2025, 10, 12))
    assert selectors.task_status(t, date(2025, 10, 12)) == "逾期未办"


def test_an_answer_after_the_deadline_stays_overdue(tree, people):
    calendar_seed([2025])
    t = task(people.township_a, people.member_a, working_days=1, issued_on=date(2025, 9, 30))
    assert t.due_on == date(2025, 10, 9)
    t.answered_on = date(2025, 10, 10)
    assert t.is_overdue(date(2025, 12, 1)) and selectors.task_status(t, date(2025, 12, 1)) == "逾期办结"
    t.answered_on = date(2025, 10, 9)
    assert not t.is_overdue(date(2025, 12, 1))


def test_overdue_tasks_show_on_both_sides(tree, people, client):
    late = task(
        people.township_a,
        people.member_a,
        title="走访群众",
        issued_on=timezone.localdate() - timedelta(days=40),
    )
    fresh = task(people.township_a, people.member_a, title="风险排查")
    for user in (people.member_a, people.township_a, people.county_officer):
        sign_in(client, user)
        page = client.get(reverse("cadres:task_list")).content.decode()
        assert "逾期未办 1 件" in page
        row = page.split(f'id="task-{late.pk}"')[1].split("</tr>")[0]
        assert "逾期未办" in row
        assert '<td data-label="截止">' in row  # named on a phone, where the header is hidden
        assert "逾期" not in page.split(f'id="task-{fresh.pk}"')[1].split("</tr>")[0]
        overdue = client.get(reverse("cadres:task_list") + "?status=overdue").content.decode()
        assert f'id="task-{late.pk}"' in overdue and f'id="task-{fresh.pk}"' not in overdue
    sign_in(client, people.township_b)
    page = client.get(reverse("cadres:task_list")).content.decode()
    assert "逾期未办 1 件" not in page and f'id="task-{late.pk}"' not in page


def test_the_answer_becomes_a_duty_record_once(tree, people):
    t = task(people.township_a, people.member_a, kind="topic", title="村级工程风险排查")
    services.guidance_task_answer(actor=people.member_a, task=t, answer="已排查3个项目", version=t.version)
    t.refresh_from_db()
    record = DutyRecord.objects.get(pk=t.duty_record_id)
    assert record.member == people.member_a
    assert record.duty_type.code == "assigned_task"
    assert record.data == {"task": "点题：村级工程风险排查"}
    assert record.notes == "已排查3个项目"
    with pytest.raises(ValidationError, match="已经回复过了"):
        services.guidance_task_answer(actor=people.member_a, task=t, answer="再答", version=t.version)
    assert DutyRecord.objects.count() == 1


def test_a_stale_answer_changes_nothing(tree, people):
    t = task(people.township_a, people.member_a)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.guidance_task_answer(actor=people.member_a, task=t, answer="x", version=t.version + 1)
    t.refresh_from_db()
    assert t.answered_at is None and not DutyRecord.objects.exists()


def test_only_the_member_answers_and_only_a_township_of_the_village_issues(tree, people):
    t = task(people.township_a, people.member_a)
    other = make_user("member_a2", tree.village_a2, "village_member")
    with pytest.raises(PermissionDenied):
        services.guidance_task_answer(actor=other, task=t, answer="x", version=t.version)
    with pytest.raises(PermissionDenied):
        services.guidance_task_answer(actor=people.township_a, task=t, answer="x", version=t.version)
    with pytest.raises(ValidationError, match="本乡镇"):
        task(people.township_b, people.member_a)
    with pytest.raises(PermissionDenied):
        task(people.county_officer, people.member_a)
    with pytest.raises(ValidationError, match="工作日"):
        task(people.township_a, people.member_a, working_days=0)
    assert GuidanceTask.objects.count() == 1


def test_the_counts_the_evaluation_reads(tree, people):
    calendar_seed([2025])
    other = make_user("member_a2", tree.village_a2, "village_member")
    issued = date(2025, 3, 3)  # due 10 March (5 working days)

    def answered(on):
        t = task(people.township_a, people.member_a, issued_on=issued)
        services.guidance_task_answer(
            actor=people.member_a, task=t, answer="已办", version=t.version, answered_on=on
        )

    answered(date(2025, 3, 5))  # on time
    answered(date(2025, 3, 20))  # late
    task(people.township_a, people.member_a, issued_on=issued)  # open past its deadline
    task(people.township_a, other, issued_on=date(2024, 6, 3))  # another year
    counts = links.guidance_task_counts([people.member_a.pk, other.pk], 2025)
    assert counts == {people.member_a.pk: {"issued": 3, "answered": 2, "on_time": 1, "overdue": 2}}


def test_a_deadline_in_a_provisional_year_is_marked_on_the_pages_and_in_the_notice(tree, people, client):
    """2027 has no State Council arrangement yet: a task due then shows 暂定 on the list, on its page
    and in the member's notice; a task due in 2026 shows none."""
    from jijian.core.models import Notification

    provisional = task(people.township_a, people.member_a, title="年终走访", issued_on=date(2026, 12, 28))
    firm = task(people.township_a, people.member_a, title="秋季走访", issued_on=date(2026, 11, 2))
    assert provisional.due_on.year == 2027 and firm.due_on.year == 2026
    sign_in(client, people.member_a)
    page = client.get(reverse("cadres:task_list")).content.decode()
    assert "暂定" in page.split(f'id="task-{provisional.pk}"')[1].split("</tr>")[0]
    assert "暂定" not in page.split(f'id="task-{firm.pk}"')[1].split("</tr>")[0]
    assert "暂定" in client.get(reverse("cadres:task_detail", args=[provisional.pk])).content.decode()
    assert "暂定" not in client.get(reverse("cadres:task_detail", args=[firm.pk])).content.decode()
    notes = {n.dedup_key: n.body for n in Notification.objects.filter(recipient=people.member_a)}
    assert f"{provisional.due_on:%Y-%m-%d}（暂定） 前" in notes[f"cadres.task:{provisional.pk}"]
    assert "暂定" not in notes[f"cadres.task:{firm.pk}"]
