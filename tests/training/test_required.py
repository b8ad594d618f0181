"""Required courses per role and year: who they bind, who has not completed them (scoped to the
reader's jurisdiction), the page, the training port the evaluation reads, and the training API."""

from jijian.core.roles import Role
from jijian.training import services
from jijian.training.hooks import training_results
from jijian.training.models import CourseCompletion
from jijian.training.required import required_status
from tests.conftest import make_user


def required(actor, title, *, audience="village_members", year=2026, is_required=True):
    return services.course_create(
        actor=actor, title=title, description="", audience=audience, year=year, is_required=is_required
    )


def test_required_courses_bind_by_role_unit_and_year(tree, people):
    make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)
    county = required(people.county_officer, "县级必修")  # binds member_a and member_b
    township = required(people.township_a, "镇级必修", audience="all")  # member_a and township_a
    required(people.county_officer, "干部必修", audience="township_cadres")  # township_a, township_b
    required(people.county_officer, "去年必修", year=2025)  # another year
    required(people.county_officer, "选修", is_required=False)
    CourseCompletion.objects.create(user=people.member_a, course=county)
    status = required_status(people.county_officer, year=2026)
    rows = {r.course.title: (r.bound, r.done) for r in status.courses}
    assert rows == {"县级必修": (2, 1), "镇级必修": (2, 0), "干部必修": (2, 0)}
    pending = {p.username: sorted(c.title for c in left) for p, left in status.pending}
    assert pending == {
        "member_a": ["镇级必修"],
        "township_a": ["干部必修", "镇级必修"],
        "township_b": ["干部必修"],
        "member_b": ["县级必修"],
    }
    # The township sees its own people only; the outsider none of these.
    assert {p.username for p, _ in required_status(people.township_a, year=2026).pending} == {
        "member_a",
        "township_a",
    }
    assert required_status(people.outsider, year=2026).people == 0
    CourseCompletion.objects.create(user=people.member_a, course=township)
    status = required_status(people.township_a, year=2026)
    assert status.complete == 1 and [p.username for p, _ in status.pending] == ["township_a"]


def test_the_port_gives_each_person_s_training_of_the_year(tree, people):
    course = required(people.county_officer, "县级必修")
    CourseCompletion.objects.create(user=people.member_a, course=course)
    answer = training_results(user_ids=[people.member_a.pk, people.township_b.pk], year=2026)
    assert answer[people.member_a.pk] == {
        "required": 1,
        "required_done": 1,
        "courses_done": 1,
        "exams_open": 0,
        "exams_sat": 0,
        "exams_passed": 0,
        "best_percent": None,
    }
    assert answer[people.township_b.pk]["required"] == 0


def test_the_port_counts_the_exams_open_to_each_person_in_constant_queries(tree, people):
    """An exam counts as open to a person in a year when it is published for their role by their
    unit or one above and its window opened that year and has closed (one still open can still be
    sat); the evaluation scores "no exam to sit" apart from "did not sit"."""
    from datetime import datetime, timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jijian.training.models import Exam

    def exam(unit, *, opens, closes, audience="village_members", published=True):
        Exam.objects.create(
            org_unit=unit,
            title="考试",
            audience=audience,
            opens_at=opens,
            closes_at=closes,
            duration_minutes=30,
            is_published=published,
        )

    def at(*args):
        return timezone.make_aware(datetime(*args))

    exam(tree.county, opens=at(2025, 5, 1), closes=at(2025, 5, 31))  # member_a's, member_b's
    exam(
        tree.township_a, opens=at(2025, 6, 1), closes=at(2025, 6, 30), audience="all"
    )  # member_a, township_a
    exam(
        tree.county, opens=at(2025, 7, 1), closes=at(2025, 7, 31), audience="township_cadres"
    )  # the townships
    exam(tree.county, opens=at(2025, 8, 1), closes=at(2025, 8, 31), published=False)  # nobody's
    exam(tree.other_county, opens=at(2025, 5, 1), closes=at(2025, 5, 31))  # another county's
    exam(tree.county, opens=at(2024, 5, 1), closes=at(2024, 5, 31))  # another year
    exam(tree.county, opens=at(2025, 12, 1), closes=timezone.now() + timedelta(days=5))  # still open
    member_b = make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)
    one = [people.member_a.pk]
    with CaptureQueriesContext(connection) as single:
        answer = training_results(user_ids=one, year=2025)
    assert answer[people.member_a.pk]["exams_open"] == 2
    everyone = [people.member_a.pk, member_b.pk, people.township_a.pk, people.township_b.pk]
    with CaptureQueriesContext(connection) as several:
        answer = training_results(user_ids=everyone, year=2025)
    assert {uid: answer[uid]["exams_open"] for uid in everyone} == {
        people.member_a.pk: 2,
        member_b.pk: 1,
        people.township_a.pk: 2,
        people.township_b.pk: 1,
    }
    assert len(several.captured_queries) == len(single.captured_queries)


def test_the_page_and_the_api(client, login, tree, people):
    required(people.county_officer, "县级必修")
    login(people.county_officer)
    page = client.get("/training/courses/required/?year=2026").content.decode()
    assert "测试member_a" in page and "县级必修" in page
    stats = client.get("/api/training/stats?year=2026").json()
    assert stats["required_pending"][0]["name"] == "测试member_a"
    login(people.member_a)
    courses = client.get("/api/training/courses?year=2026").json()
    assert [c["title"] for c in courses["items"]] == ["县级必修"] and courses["items"][0][
        "completed"
    ] is False
    assert client.get("/api/training/my/completions").json()["items"] == []
    assert client.get("/api/training/stats").status_code == 404
    login(people.outsider)
    assert client.get("/training/courses/required/?year=2026").content.decode().count("测试member_a") == 0


def test_every_course_the_township_s_table_names_opens(client, login, tree, people):
    """Until 2026-12-06 a township clicking the county's course in 必修课程完成情况 got 页面不存在:
    it neither keeps that course nor is its audience."""
    import re

    county = required(people.county_officer, "县级必修")  # for village members: not the township's own
    own = required(people.township_a, "镇级必修")
    login(people.township_a)
    page = client.get("/training/courses/required/?year=2026").content.decode()
    links = set(re.findall(r'href="(/training/courses/\d+/)"', page))
    assert links == {f"/training/courses/{county.pk}/", f"/training/courses/{own.pk}/"}
    for link in links:
        assert client.get(link).status_code == 200
    login(people.township_b)  # the county's course binds its members too; township A's does not
    assert client.get(f"/training/courses/{county.pk}/").status_code == 200
    assert client.get(f"/training/courses/{own.pk}/").status_code == 404
    login(people.outsider)
    assert client.get(f"/training/courses/{county.pk}/").status_code == 404


def test_a_manager_reads_a_course_set_above_without_learning_it(client, login, tree, people):
    """A township opening the county's course for village members reads it and sees its own people's
    progress; the 我已学完 and 完成学习 buttons are for the course's learners, and a post of either
    records nothing for the manager. The village member still learns it."""
    from jijian.training.models import MaterialView

    county = required(people.county_officer, "县级必修")
    text = services.material_add(actor=people.county_officer, course=county, title="导读", body="正文")
    course_url, material_url = (
        f"/training/courses/{county.pk}/",
        f"/training/courses/{county.pk}/materials/{text.pk}/",
    )
    login(people.township_a)
    page = client.get(course_url).content.decode()
    assert "学习对象是村（社区）纪检委员" in page and "本辖区已学完 0 人" in page
    assert "完成学习</button>" not in page
    page = client.get(material_url).content.decode()
    assert "正文" in page and "我已学完</button>" not in page
    refused = client.post(material_url + "learnt/")
    assert refused.status_code == 400 and "不计入您的学习记录" in refused.content.decode()
    answer = client.post(course_url + "complete/", follow=True)
    assert "不计入您的学习记录" in answer.content.decode()
    assert not MaterialView.objects.filter(user=people.township_a).exists()
    assert not CourseCompletion.objects.filter(user=people.township_a).exists()

    login(people.member_a)
    assert "完成学习</button>" in client.get(course_url).content.decode()
    assert "我已学完</button>" in client.get(material_url).content.decode()
    client.post(material_url + "learnt/")
    client.post(course_url + "complete/")
    assert CourseCompletion.objects.filter(user=people.member_a, course=county).exists()
    login(people.township_a)
    assert "本辖区已学完 1 人" in client.get(course_url).content.decode()
