"""The home page's to-dos of training, for a learner: exams open now that they have not sat, and this
year's required courses they have not finished — neither for someone the exam or course is not for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.core.todos import todos_for
from jijian.training import services
from jijian.training.models import CourseCompletion
from tests.conftest import sign_in
from tests.training.factories import bank, exam

pytestmark = pytest.mark.django_db

EXAMS = "待参加的考试"
COURSES = "本年度未学完的必修课程"


def counts(user) -> dict[str, int]:
    return {item["title"]: item["count"] for item in todos_for(user)}


def test_an_open_exam_waits_until_it_is_sat(tree, people):
    bank(tree.county)
    open_now = exam(tree.county)
    exam(tree.county, title="下周考试", opens_at=timezone.now() + timedelta(days=7))  # not open yet
    exam(tree.county, title="已截止", closes_at=timezone.now() - timedelta(hours=1))  # over
    exam(tree.county, title="乡镇干部考试", audience="township_cadres")  # not for a member
    assert counts(people.member_a)[EXAMS] == 1
    assert EXAMS not in counts(people.county_officer)  # sets exams, sits none
    services.sitting_start(actor=people.member_a, exam=open_now, device="d1")
    assert EXAMS not in counts(people.member_a)


def test_a_required_course_of_this_year_waits_until_finished(tree, people):
    year = timezone.localdate().year
    course = services.course_create(
        actor=people.county_officer,
        title="县级必修",
        description="",
        audience="village_members",
        year=year,
        is_required=True,
    )
    services.course_create(
        actor=people.county_officer,
        title="去年必修",
        description="",
        audience="village_members",
        year=year - 1,
        is_required=True,
    )
    services.course_create(
        actor=people.county_officer,
        title="选修",
        description="",
        audience="village_members",
        year=year,
        is_required=False,
    )
    assert counts(people.member_a)[COURSES] == 1
    assert COURSES not in counts(people.township_a)  # a course for village members only
    assert COURSES not in counts(people.outsider)
    CourseCompletion.objects.create(user=people.member_a, course=course)
    assert COURSES not in counts(people.member_a)


def test_the_home_page_leads_to_the_exams_on_the_training_page(tree, people, client):
    bank(tree.county)
    exam(tree.county, title="履职能力测试")
    sign_in(client, people.member_a)
    home = client.get(reverse("core:home")).content.decode()
    assert EXAMS in home and reverse("training:home") + "#exams" in home
    training = client.get(reverse("training:home")).content.decode()
    assert 'id="exams"' in training and "履职能力测试" in training
