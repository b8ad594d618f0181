"""Lectures (讲): the keeper's page shows the sign-in QR code; a member of a village below signs in
once (twice keeps the first), with the right code and within the window only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jijian.training import services
from jijian.training.models import LectureAttendance
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def lecture(people, *, held_at=None, audience="village_members"):
    return services.lecture_create(
        actor=people.county_officer,
        topic="“四议两公开”监督要点",
        lecturer="县纪委党风政风监督室主任",
        held_at=held_at or timezone.now(),
        location="县纪委三楼会议室",
        materials="讲义一份",
        audience=audience,
    )


def test_the_qr_code_leads_a_member_to_sign_in_once(client, people):
    talk = lecture(people)
    sign_in(client, people.county_officer)
    page = client.get(f"/training/lectures/{talk.pk}/").content.decode()
    assert "<svg" in page and "扫码签到" in page and "还没有人签到" in page
    url = f"/training/lectures/{talk.pk}/signin/{talk.signin_token}/"
    sign_in(client, people.member_a)
    assert "确认签到" in client.get(url).content.decode()
    assert "签到成功" in client.post(url).content.decode()
    first = LectureAttendance.objects.get()
    client.post(url)
    assert LectureAttendance.objects.get().signed_at == first.signed_at
    sign_in(client, people.county_officer)
    assert people.member_a.full_name in client.get(f"/training/lectures/{talk.pk}/").content.decode()


def test_a_wrong_code_or_a_closed_window_signs_nobody_in(client, people):
    talk = lecture(people)
    with pytest.raises(ValidationError, match="签到码无效"):
        services.lecture_sign_in(actor=people.member_a, lecture=talk, token="guess")
    early = lecture(people, held_at=timezone.now() + timedelta(hours=2))
    with pytest.raises(ValidationError, match="尚未开始"):
        services.lecture_sign_in(actor=people.member_a, lecture=early, token=early.signin_token)
    late = lecture(people, held_at=timezone.now() - timedelta(hours=5))
    with pytest.raises(ValidationError, match="已结束"):
        services.lecture_sign_in(actor=people.member_a, lecture=late, token=late.signin_token)
    assert not LectureAttendance.objects.exists()


def test_people_outside_the_lecture_s_reach_get_404(client, people):
    talk = lecture(people)  # 随县's, for village members
    url = f"/training/lectures/{talk.pk}/signin/{talk.signin_token}/"
    for persona in (people.township_a, people.outsider, people.city_petition):  # not the audience / not below
        sign_in(client, persona)
        assert client.post(url).status_code == 404
    assert not LectureAttendance.objects.exists()


def test_a_lecture_attended_or_a_course_completed_counts_as_trained(people, tree, client):
    """参训 is a lecture signed in, a course completed or an exam sat, each person once; the page says
    how many each way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jijian.core.roles import Role
    from jijian.training import selectors
    from jijian.training.models import CourseCompletion
    from tests.conftest import make_user

    year = timezone.localdate().year
    talk = lecture(people)
    services.lecture_sign_in(actor=people.member_a, lecture=talk, token=talk.signin_token)
    b = make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)
    course = services.course_create(
        actor=people.county_officer,
        title="村务监督实务",
        description="",
        audience="village_members",
        year=year,
        is_required=False,
    )
    CourseCompletion.objects.create(user=b, course=course)
    CourseCompletion.objects.create(user=people.member_a, course=course)  # the same person: once
    outside = make_user("member_c", tree.village_c, Role.VILLAGE_MEMBER)  # 广水市: not the county's
    CourseCompletion.objects.create(user=outside, course=course)

    with CaptureQueriesContext(connection) as queries:
        stats = selectors.training_stats(people.county_officer, year=year)
    assert stats.total.trained == {"village": 2, "township": 0, "county": 0}
    assert stats.total.passed == {"village": 0, "township": 0, "county": 0}
    assert stats.ways == {"lecture": 1, "course": 2, "exam": 0}
    assert len(queries) <= 4  # sittings, sign-ins, completions, the units' names
    assert selectors.training_stats(people.county_officer, year=year - 1).total.trained_total == 0

    sign_in(client, people.county_officer)
    page = client.get("/training/stats/").content.decode()
    assert "参训村（社区）纪检委员 2 名" in page
    assert "听课 1 名、学完课程 2 名、参加考试 0 名" in page
