"""Reminders of the time limits (yellow once, red once more with the commission leaders) and the
quarterly results to the petition office: run twice -> sent once; a run missed -> caught up."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from jijian.core.models import Notification, StaffRelation
from jijian.core.roles import Role
from jijian.petitions import tasks
from jijian.petitions.deadlines.reminders import deadline_reminders_send, quarterly_feedback_send
from jijian.petitions.models import DeadlineKind, PetitionState
from tests.conftest import make_user
from tests.petitions.board_helpers import make_clue, make_deadline, make_report

MON = date(2025, 6, 9)  # Monday; no holiday within two weeks (Dragon Boat 2025 was 31 May - 2 June)


@pytest.fixture
def staff(tree, people):
    from types import SimpleNamespace

    return SimpleNamespace(
        office=make_user("po_county", tree.county, Role.PETITION_OFFICE),
        office2=make_user("po_county2", tree.county, Role.PETITION_OFFICE),
        leader=make_user("leader_county", tree.county, Role.COMMISSION_LEADER),
        manager=make_user("cm_county", tree.county, Role.CASE_MANAGEMENT),
        other_office=make_user("po_other", tree.other_county, Role.PETITION_OFFICE),
        other_leader=make_user("leader_other", tree.other_county, Role.COMMISSION_LEADER),
        township=people.township_a,
        city_office=people.city_petition,
    )


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_yellow_once_to_the_holder_then_red_once_more_with_the_leader(tree, staff):
    report = make_report(tree.county)
    deadline = make_deadline(report, date(2025, 6, 12), kind=DeadlineKind.ACCEPTANCE_NOTICE)  # Thursday

    # Monday: due in 3 working days -> yellow.
    assert deadline_reminders_send(today=MON) == {"yellow": 2, "red": 0}
    assert deadline_reminders_send(today=MON) == {"yellow": 0, "red": 0}  # run twice: nothing more
    assert deadline_reminders_send(today=date(2025, 6, 10)) == {"yellow": 0, "red": 0}  # still yellow
    [note] = inbox(staff.office)
    assert note.dedup_key == f"petition-deadline-yellow:{deadline.pk}"
    assert report.serial_number in note.title and "临近到期" in note.title
    assert "2025-06-12" in note.body and "还有 3 个工作日" in note.body
    assert note.link == f"/petitions/{report.pk}/" or note.link.endswith(f"/{report.pk}/")
    assert len(inbox(staff.office2)) == 1
    assert inbox(staff.leader) == [] and inbox(staff.manager) == [] and inbox(staff.other_office) == []
    assert "王某" not in note.title + note.body  # the accused is never named in a reminder

    # Friday: passed -> red, to the office again and to the leader; twice -> once.
    friday = date(2025, 6, 13)
    assert deadline_reminders_send(today=friday) == {"yellow": 0, "red": 3}
    assert deadline_reminders_send(today=friday) == {"yellow": 0, "red": 0}
    assert [n.dedup_key for n in inbox(staff.office)] == [
        f"petition-deadline-yellow:{deadline.pk}",
        f"petition-deadline-red:{deadline.pk}",
    ]
    [red] = inbox(staff.leader)
    assert "已逾期" in red.title and "已逾期 1 个工作日" in red.body
    assert inbox(staff.other_leader) == []
    # Days later, still red: nothing more.
    assert deadline_reminders_send(today=date(2025, 6, 20)) == {"yellow": 0, "red": 0}


def test_red_after_downtime_is_sent_on_the_next_run(tree, staff):
    """Nobody ran while the limit turned yellow and then red: the next run sends the red reminder (the
    state is what counts, not whether today equals some date)."""
    deadline = make_deadline(make_report(tree.county), date(2025, 6, 2))
    assert deadline_reminders_send(today=date(2025, 6, 16)) == {"yellow": 0, "red": 3}
    assert [n.dedup_key for n in inbox(staff.office)] == [f"petition-deadline-red:{deadline.pk}"]
    assert "已逾期 10 个工作日" in inbox(staff.leader)[0].body
    assert deadline_reminders_send(today=date(2025, 6, 17)) == {"yellow": 0, "red": 0}


def test_green_and_met_limits_send_nothing(tree, staff):
    make_deadline(make_report(tree.county), date(2025, 6, 20))  # green on Monday the 9th
    make_deadline(make_report(tree.county), date(2025, 6, 2), met=True)
    assert deadline_reminders_send(today=MON) == {"yellow": 0, "red": 0}
    assert Notification.objects.count() == 0


def test_township_holder_reminds_the_township_committee(tree, staff):
    deadline = make_deadline(
        make_report(tree.township_a), date(2025, 6, 10), kind=DeadlineKind.FORWARD_ANSWER
    )
    deadline_reminders_send(today=MON)
    [note] = inbox(staff.township)
    assert note.dedup_key == f"petition-deadline-yellow:{deadline.pk}"
    assert inbox(staff.office) == []  # the county does not hold it


def test_clue_limits_remind_the_case_management_office(tree, staff):
    clue = make_clue(tree.county, staff.manager)
    deadline = make_deadline(clue, date(2025, 6, 11), kind=DeadlineKind.LETTER_REPLY)
    deadline_reminders_send(today=MON)
    [note] = inbox(staff.manager)
    assert clue.number in note.title and note.dedup_key == f"petition-deadline-yellow:{deadline.pk}"
    assert inbox(staff.office) == [] and inbox(staff.leader) == []
    deadline_reminders_send(today=date(2025, 6, 12))
    assert len(inbox(staff.manager)) == 2 and len(inbox(staff.leader)) == 1


def test_a_moved_limit_is_owed_to_the_new_holder(tree, staff):
    report = make_report(tree.county)
    deadline = make_deadline(report, date(2025, 6, 11))
    deadline_reminders_send(today=MON)
    assert len(inbox(staff.office)) == 1 and inbox(staff.other_office) == []
    deadline.holder = tree.other_county  # as deadlines.deadline_move does after a forward
    deadline.save(update_fields=["holder"])
    deadline_reminders_send(today=MON)
    assert len(inbox(staff.other_office)) == 1 and len(inbox(staff.office)) == 1


def test_recused_staff_are_not_reminded(tree, staff):
    make_deadline(make_report(tree.county, accused="李四"), date(2025, 6, 11))
    StaffRelation.objects.create(user=staff.office2, relative_name="李四", kind="spouse")
    deadline_reminders_send(today=MON)
    assert len(inbox(staff.office)) == 1 and inbox(staff.office2) == []


def test_the_task_runs_both_and_is_idempotent(tree, staff):
    make_deadline(make_report(tree.county), date(2025, 6, 11))
    first = tasks.deadline_reminders(today="2025-06-09")
    again = tasks.deadline_reminders(today="2025-06-09")
    assert first["yellow"] == 2 and first["quarterly"] >= 1
    assert again == {"yellow": 0, "red": 0, "quarterly": 0}


# --- quarterly results -----------------------------------------------------------------------------
def at(d: date):
    return timezone.make_aware(datetime.combine(d, time(10)))


def test_quarterly_summary_once_per_unit_and_quarter(tree, staff):
    make_report(tree.county, received_at=at(date(2025, 4, 3)), state=PetitionState.CLOSED,
                closed_at=at(date(2025, 5, 6)), result="属实，已处理")  # fmt: skip
    make_report(tree.county, received_at=at(date(2025, 1, 3)), state=PetitionState.CLOSED,
                closed_at=at(date(2025, 6, 30)), result="了结")  # fmt: skip
    make_report(tree.county, received_at=at(date(2025, 5, 3)), state=PetitionState.ACCEPTED)
    make_report(tree.county, received_at=at(date(2025, 7, 1)), state=PetitionState.ACCEPTED)  # Q3
    make_report(tree.township_a, received_at=at(date(2025, 4, 3)), state=PetitionState.ACCEPTED)  # not held

    # The first run in the third quarter sends the second quarter's summary.
    created = quarterly_feedback_send(today=date(2025, 7, 1))
    assert created == 4  # the county's two petition officers, the other county's, the city's
    [note] = inbox(staff.office)
    assert note.title == "2025年第2季度信访举报件办理结果反馈"
    assert "本季度收到 2 件" in note.body
    assert "办结并有办理结果 2 件" in note.body
    assert "仍未办结 1 件" in note.body
    assert note.link.endswith("/quarterly/2025/2/")
    assert [n.title for n in inbox(staff.other_office)] == [note.title]
    assert "本季度收到 0 件" in inbox(staff.other_office)[0].body
    assert inbox(staff.leader) == [] and inbox(staff.township) == []

    # Later runs in the quarter send nothing, not even to an officer who joined since.
    assert quarterly_feedback_send(today=date(2025, 7, 2)) == 0
    late = make_user("po_county3", tree.county, Role.PETITION_OFFICE)
    assert quarterly_feedback_send(today=date(2025, 9, 30)) == 0
    assert inbox(late) == []

    # The next quarter: once more.
    assert quarterly_feedback_send(today=date(2025, 10, 8)) == 5
    assert [n.title for n in inbox(staff.office)][-1] == "2025年第3季度信访举报件办理结果反馈"
    assert quarterly_feedback_send(today=date(2025, 10, 9)) == 0


def test_quarterly_after_new_year(tree, staff):
    assert quarterly_feedback_send(today=date(2026, 1, 4)) >= 1
    assert inbox(staff.office)[0].title.startswith("2025年第4季度")


def test_a_provisional_due_date_says_so_in_the_reminder(tree, staff):
    """A due date in a year without the State Council's arrangement (2027) is 暂定 in the notice."""
    report = make_report(tree.county)
    make_deadline(report, date(2027, 1, 5), kind=DeadlineKind.ACCEPTANCE_NOTICE)  # Tuesday
    assert deadline_reminders_send(today=date(2026, 12, 31))["yellow"] == 2
    [note] = inbox(staff.office)
    assert "2027-01-05（暂定）" in note.body
