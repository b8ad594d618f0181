"""Issue 16, item 5: the member's own later save is not a concurrent edit by someone else. A save
based on an older version is accepted when every save since came from the same person on the same
device (an answer lost on a bad connection, an offline copy sent after a reload): the newest of
their own versions wins. A save in between from another device or person is still a conflict."""

from datetime import date

import pytest
from django.urls import reverse

from jijian.core.services import ConcurrentEditError
from jijian.reports import services
from jijian.reports.models import ReportState
from tests.reports.helpers import at, open_month

DAY = date(2025, 10, 28)  # after the submittable day


def _save(member, report, version, summary, device):
    report.refresh_from_db()
    return services.monthly_report_save_draft(
        actor=member, report=report, version=version, summary=summary, problems="", counts={}, device=device
    )


def test_a_later_save_from_the_same_device_wins_over_its_own_lost_answer(tree, people):
    report = open_month(tree)
    with at(DAY):
        _save(people.member_a, report, 1, "联网时写的", "phone-1")  # answer lost: the phone still has 1
        saved = _save(people.member_a, report, 1, "断网后接着写的", "phone-1")
    assert saved.summary == "断网后接着写的" and saved.version == 3


def test_a_stale_save_after_another_device_saved_is_still_a_conflict(tree, people):
    report = open_month(tree)
    with at(DAY):
        _save(people.member_a, report, 1, "电脑上写的", "laptop")
        with pytest.raises(ConcurrentEditError):
            _save(people.member_a, report, 1, "手机上写的", "phone-1")
        with pytest.raises(ConcurrentEditError):  # no device id (a page without script): strict
            _save(people.member_a, report, 1, "无脚本", "")
    report.refresh_from_db()
    assert report.summary == "电脑上写的" and report.version == 2


def test_a_conflict_with_the_members_own_other_device_does_not_blame_someone_else(tree, people):
    """Issue 16: "该记录已被他人修改" for the member's own edit on their laptop was wrong. A genuine
    conflict (another device saved in between) is refused, and says it was their other device."""
    report = open_month(tree)
    with at(DAY):
        _save(people.member_a, report, 1, "电脑上写的", "laptop")
        with pytest.raises(ConcurrentEditError) as refused:
            _save(people.member_a, report, 1, "手机上写的", "phone-1")
        with pytest.raises(ConcurrentEditError) as strict:  # the second save has no device id
            _save(people.member_a, report, 1, "无脚本", "")
    for error in (refused.value, strict.value):
        assert error.by_self and "您的另一台设备" in error.messages[0] and "他人" not in error.messages[0]


def test_a_conflict_with_someone_elses_write_still_says_so(tree, people):
    report = open_month(tree)
    with at(DAY):
        _save(people.member_a, report, 1, "草稿", "phone-1")
        report.refresh_from_db()
        services.monthly_report_submit(actor=people.member_a, report=report, version=2, endorse=True)
        report.refresh_from_db()
        services.monthly_report_return(actor=people.township_a, report=report, reason="请补充走访情况")
        with pytest.raises(ConcurrentEditError) as refused:
            _save(people.member_a, report, 2, "旧页面上的修改", "phone-1")
    assert not refused.value.by_self and "已被他人修改" in refused.value.messages[0]


def test_a_save_without_a_device_id_never_counts_as_own(tree, people):
    report = open_month(tree)
    with at(DAY):
        _save(people.member_a, report, 1, "第一次", "")
        with pytest.raises(ConcurrentEditError):
            _save(people.member_a, report, 1, "第二次", "")


def test_the_submit_after_a_lost_autosave_answer_goes_through_and_blames_nobody(tree, people, login):
    report = open_month(tree)
    client = login(people.member_a)
    draft = reverse("reports:report_draft", args=[report.pk])
    with at(DAY):
        assert (
            client.post(draft, {"version": 1, "summary": "自动保存", "device": "phone-1"}).status_code == 200
        )
        # The page never learnt version 2 (the answer was lost) and submits with version 1.
        response = client.post(
            reverse("reports:report_detail", args=[report.pk]),
            {
                "version": 1,
                "summary": "最后的内容",
                "problems": "",
                "is_zero_report": "0",
                "endorse": "on",
                "action": "submit",
                "device": "phone-1",
            },
        )
    assert response.status_code == 302, response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.summary == "最后的内容"


def test_the_autosave_endpoint_accepts_the_devices_own_stale_version(tree, people, login):
    report = open_month(tree)
    client = login(people.member_a)
    draft = reverse("reports:report_draft", args=[report.pk])
    with at(DAY):
        client.post(draft, {"version": 1, "summary": "一", "device": "phone-1"})
        again = client.post(draft, {"version": 1, "summary": "二", "device": "phone-1"})
        other = client.post(draft, {"version": 1, "summary": "三", "device": "laptop"})
    assert again.status_code == 200 and again.json()["version"] == 3
    assert other.status_code == 409
    report.refresh_from_db()
    assert report.summary == "二"
