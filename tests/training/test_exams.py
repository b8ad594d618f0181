"""Exams: drawing by rule, per-person shuffling, the server-side deadline, resumption, one sitting at a
time, a second device, answers saved as sent (twice, out of order, after the end), grading, the retake
policy, the certificate and the statistics."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jijian.core.roles import Role
from jijian.training import selectors, services
from jijian.training.models import Sitting, SittingItem, WrongAnswer
from jijian.training.services import RuleSpec
from tests.conftest import make_user
from tests.training.factories import bank, exam, right_values, wrong_values
from tests.training.helpers import answer_all

pytestmark = pytest.mark.django_db


# --- drawing -------------------------------------------------------------------------------------
def test_a_paper_follows_the_rule_and_never_repeats_a_question(tree):
    bank(tree.county, topic="党纪法规", level="basic", per_kind=4)
    bank(tree.county, topic="监察法", level="advanced", per_kind=4)
    rules = [
        RuleSpec("监察法", "advanced", "single", 3, 5),
        RuleSpec("", "", "single", 5, 2),
        RuleSpec("党纪法规", "", "", 6, 1),
    ]
    drawn = services.draw(org_unit=tree.county, rules=rules, rng=random.Random(1))
    assert len(drawn) == 14 and len({q.pk for q, _ in drawn}) == 14
    first = drawn[:3]
    assert all(
        q.topic == "监察法" and q.level == "advanced" and q.kind == "single" and p == 5 for q, p in first
    )
    assert all(q.kind == "single" for q, _ in drawn[3:8])
    assert all(q.topic == "党纪法规" for q, _ in drawn[8:])


def test_a_broad_rule_listed_first_never_starves_a_narrower_one(tree):
    """全部专题 10 + 监察法 5 from 8 监察法 and 22 others: every draw can be filled, whatever the chance."""
    bank(tree.county, topic="监察法", level="basic", per_kind=2)  # 8 questions
    bank(tree.county, topic="党纪法规", level="basic", per_kind=5)  # 20
    bank(tree.county, topic="廉洁文化", level="basic", per_kind=1)  # 4 (30 and more in all)
    rules = [RuleSpec("", "", "", 10, 2), RuleSpec("监察法", "", "", 5, 4)]
    for seed in range(200):
        drawn = services.draw(org_unit=tree.county, rules=rules, rng=random.Random(seed))
        assert len({q.pk for q, _ in drawn}) == 15
        assert [p for _, p in drawn] == [2] * 10 + [4] * 5  # in the rules' order
        assert all(q.topic == "监察法" for q, _ in drawn[10:])


def test_rules_that_overlap_in_part_are_always_filled_when_they_can_be(tree):
    """监察法 ×2 and 进阶 ×2 from two advanced 监察法, one advanced 党纪法规 and one basic 监察法: only
    one assignment in two works (each rule takes one of the shared pair and its own), and a greedy
    draw that gave the first rule both shared questions would starve the second by chance."""
    bank(tree.county, topic="监察法", level="advanced", per_kind=2)
    bank(tree.county, topic="党纪法规", level="advanced", per_kind=1)
    bank(tree.county, topic="监察法", level="basic", per_kind=1)
    rules = [RuleSpec("监察法", "", "single", 2, 1), RuleSpec("", "advanced", "single", 2, 3)]
    shared_first = set()
    for seed in range(200):
        drawn = services.draw(org_unit=tree.county, rules=rules, rng=random.Random(seed))
        assert len({q.pk for q, _ in drawn}) == 4
        assert [p for _, p in drawn] == [1, 1, 3, 3]
        assert all(q.topic == "监察法" for q, _ in drawn[:2])
        assert all(q.level == "advanced" for q, _ in drawn[2:])
        shared_first.add(frozenset(q.pk for q, _ in drawn[:2]))
    assert len(shared_first) == 2  # either of the shared pair goes to the first rule: still random
    with pytest.raises(ValidationError, match=r"需要 3 道题，题库中可用的只有 2 道"):
        services.draw(
            org_unit=tree.county,
            rules=[RuleSpec("监察法", "", "single", 2, 1), RuleSpec("", "advanced", "single", 3, 1)],
            rng=random.Random(0),
        )


def test_a_rule_asking_more_than_the_bank_holds_is_named(tree, people):
    bank(tree.county, per_kind=2)
    rules = [RuleSpec("", "", "single", 2, 5), RuleSpec("党纪法规", "", "single", 1, 5)]
    with pytest.raises(
        ValidationError,
        match=r"第 2 条抽题规则（党纪法规、全部难度、单选题）需要 1 道题，题库中可用的只有 0 道",
    ):
        services.draw(org_unit=tree.county, rules=rules, rng=random.Random(0))
    now = timezone.now()
    with pytest.raises(ValidationError, match="第 1 条抽题规则"):
        services.exam_create(
            actor=people.county_officer,
            rules=[RuleSpec("", "", "fill_in", 3, 5)],
            title="测试",
            audience="all",
            opens_at=now,
            closes_at=now + timedelta(days=1),
            duration_minutes=30,
            pass_score=60,
            max_attempts=1,
        )


def test_an_exam_draws_from_its_unit_and_above_only(tree):
    bank(tree.township_b, per_kind=5)  # beside township A: not drawn
    bank(tree.county, per_kind=1)
    with pytest.raises(ValidationError):
        services.draw(
            org_unit=tree.township_a, rules=[RuleSpec("", "", "single", 2, 1)], rng=random.Random(0)
        )
    assert (
        len(
            services.draw(
                org_unit=tree.township_a, rules=[RuleSpec("", "", "single", 1, 1)], rng=random.Random(0)
            )
        )
        == 1
    )


def test_exam_dates_and_duration_are_checked(people, tree):
    bank(tree.county)
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.exam_create(
            actor=people.county_officer,
            rules=[RuleSpec("", "", "single", 1, 5)],
            title="",
            audience="all",
            opens_at=now,
            closes_at=now + timedelta(minutes=10),
            duration_minutes=30,
            pass_score=0,
            max_attempts=1,
        )
    assert set(error.value.messages) == {
        "请填写考试名称",
        "开考至截止的时间短于考试时长",
        "及格分应在1至100之间",
    }


# --- sittings ------------------------------------------------------------------------------------
def test_options_are_shuffled_per_person_and_the_key_follows_them(tree, people):
    bank(tree.county, per_kind=6)
    e = exam(tree.county, per_kind=6)
    other = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    first = services.sitting_start(actor=people.member_a, exam=e, device="d1")
    second = services.sitting_start(actor=other, exam=e, device="d2")
    papers = [[(i.question_id, tuple(i.options)) for i in s.items.all()] for s in (first, second)]
    assert papers[0] != papers[1]  # 24 questions, options of 12 shuffled: the same paper twice is ~impossible
    for item in first.items.filter(kind__in=["single", "multiple"]):
        q = item.question
        assert sorted(item.options) == sorted(q.options)
        assert sorted(item.options[i] for i in item.key) == sorted(q.options[i] for i in q.answer)
    kinds = [i.kind for i in first.items.all()]
    assert kinds == sorted(
        kinds, key=["single", "multiple", "true_false", "fill_in"].index
    )  # sections in order


def test_right_answers_score_full_marks_and_pass_with_a_certificate(tree, people, client):
    from tests.conftest import sign_in

    bank(tree.county)
    e = exam(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=e, device="d1")
    answer_all(sitting, people.member_a, right_values)
    done = services.sitting_submit(actor=people.member_a, sitting=sitting, device="d1")
    assert (done.score, done.total, done.percent, done.passed) == (40, 40, 100, True)
    sign_in(client, people.member_a)
    response = client.get(f"/training/sittings/{sitting.pk}/certificate.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "合格证书" in response["Content-Disposition"] or "%E5%90%88" in response["Content-Disposition"]


def test_wrong_answers_fail_and_go_into_the_wrong_answer_book(tree, people, client):
    from tests.conftest import sign_in

    bank(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=exam(tree.county), device="d1")
    answer_all(sitting, people.member_a, wrong_values)
    done = services.sitting_submit(actor=people.member_a, sitting=sitting, device="d1")
    assert (done.score, done.passed) == (0, False)
    assert WrongAnswer.objects.filter(user=people.member_a).count() == 8
    sign_in(client, people.member_a)
    assert client.get(f"/training/sittings/{sitting.pk}/certificate.pdf").status_code == 404


def test_starting_again_resumes_the_open_sitting_with_its_answers(tree, people):
    bank(tree.county)
    e = exam(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=e, device="d1")
    item = sitting.items.first()
    services.answer_save(
        actor=people.member_a,
        sitting=sitting,
        position=item.position,
        values=right_values(item),
        seq=5,
        device="d1",
    )
    again = services.sitting_start(actor=people.member_a, exam=e, device="d1")
    assert again.pk == sitting.pk and again.deadline == sitting.deadline
    assert again.items.get(position=item.position).answer is not None
    assert Sitting.objects.count() == 1


def test_one_sitting_at_a_time_across_exams(tree, people):
    bank(tree.county)
    services.sitting_start(actor=people.member_a, exam=exam(tree.county, title="第一场"), device="d1")
    with pytest.raises(ValidationError, match="《第一场》未交卷"):
        services.sitting_start(actor=people.member_a, exam=exam(tree.county, title="第二场"), device="d1")
    assert Sitting.objects.count() == 1


def test_the_deadline_is_the_server_s_and_never_past_the_exam_s_close(tree, people):
    bank(tree.county)
    e = exam(tree.county, minutes=60, closes_at=timezone.now() + timedelta(minutes=20))
    sitting = services.sitting_start(actor=people.member_a, exam=e, device="d1")
    assert sitting.deadline == e.closes_at


def test_a_save_locks_the_sitting_s_row_alone(tree, people):
    """The save's locking read takes the sitting's columns only: the exam and the person are read only
    when a save past the deadline grades the sitting (the test below)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bank(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=exam(tree.county), device="d1")
    item = sitting.items.first()
    with CaptureQueriesContext(connection) as queries:
        services.answer_save(
            actor=people.member_a,
            sitting=sitting,
            position=item.position,
            values=right_values(item),
            seq=1,
            device="d1",
        )
    # The one read of the sitting (FOR UPDATE on PostgreSQL; SQLite has no row locks).
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "training_sitting" ' in q["sql"]]
    assert len(reads) == 1 and "JOIN" not in reads[0], reads
    assert SittingItem.objects.get(pk=item.pk).answer_seq == 1


def test_a_save_after_the_deadline_is_refused_and_what_was_saved_is_graded(tree, people):
    bank(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=exam(tree.county), device="d1")
    items = list(sitting.items.all())
    services.answer_save(
        actor=people.member_a,
        sitting=sitting,
        position=items[0].position,
        values=right_values(items[0]),
        seq=1,
        device="d1",
    )
    Sitting.objects.filter(pk=sitting.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    with pytest.raises(services.SittingClosed, match="考试时间已到"):
        services.answer_save(
            actor=people.member_a,
            sitting=sitting,
            position=items[1].position,
            values=right_values(items[1]),
            seq=2,
            device="d1",
        )
    sitting.refresh_from_db()
    assert sitting.submitted_at == sitting.deadline and sitting.score == 5  # the first answer counted
    assert SittingItem.objects.get(pk=items[1].pk).answer is None
    with pytest.raises(services.SittingClosed, match="已交卷"):
        services.answer_save(
            actor=people.member_a,
            sitting=sitting,
            position=items[1].position,
            values=["0"],
            seq=3,
            device="d1",
        )


def test_overdue_sittings_are_closed_by_the_periodic_task(tree, people):
    from jijian.training.tasks import close_overdue_sittings

    bank(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=exam(tree.county), device="d1")
    assert close_overdue_sittings() == 0
    Sitting.objects.filter(pk=sitting.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert close_overdue_sittings() == 1
    assert close_overdue_sittings() == 0  # twice is harmless
    sitting.refresh_from_db()
    assert sitting.submitted_at is not None and sitting.passed is False


def test_an_answer_sent_twice_or_out_of_order_keeps_the_newest(tree, people):
    bank(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=exam(tree.county), device="d1")
    item = sitting.items.filter(kind="single").first()
    save = lambda values, seq: services.answer_save(  # noqa: E731
        actor=people.member_a, sitting=sitting, position=item.position, values=values, seq=seq, device="d1"
    )
    save(["2"], 10)
    save(["2"], 10)  # the same request again
    save(["0"], 9)  # an older change arriving late
    item.refresh_from_db()
    assert item.answer == [2] and item.answer_seq == 10


def test_a_second_device_must_take_over_and_the_first_is_then_refused(tree, people):
    bank(tree.county)
    sitting = services.sitting_start(actor=people.member_a, exam=exam(tree.county), device="phone")
    item = sitting.items.first()
    with pytest.raises(ValidationError, match="另一台设备"):
        services.answer_save(
            actor=people.member_a,
            sitting=sitting,
            position=item.position,
            values=right_values(item),
            seq=1,
            device="pc",
        )
    services.sitting_take_over(actor=people.member_a, sitting=sitting, device="pc")
    services.answer_save(
        actor=people.member_a,
        sitting=sitting,
        position=item.position,
        values=right_values(item),
        seq=2,
        device="pc",
    )
    with pytest.raises(ValidationError, match="另一台设备"):
        services.answer_save(
            actor=people.member_a,
            sitting=sitting,
            position=item.position,
            values=wrong_values(item),
            seq=3,
            device="phone",
        )
    item.refresh_from_db()
    assert item.answer_seq == 2


def test_retake_policy(tree, people):
    bank(tree.county)
    e = exam(tree.county, max_attempts=2)
    for _ in range(2):
        s = services.sitting_start(actor=people.member_a, exam=e, device="d1")
        services.sitting_submit(actor=people.member_a, sitting=s, device="d1")  # blank: failed
    with pytest.raises(ValidationError, match="最多参考 2 次"):
        services.sitting_start(actor=people.member_a, exam=e, device="d1")
    e2 = exam(tree.county, title="第二场", max_attempts=3)
    s = services.sitting_start(actor=people.member_a, exam=e2, device="d1")
    answer_all(s, people.member_a, right_values)
    services.sitting_submit(actor=people.member_a, sitting=s, device="d1")
    with pytest.raises(ValidationError, match="已通过"):
        services.sitting_start(actor=people.member_a, exam=e2, device="d1")


def test_an_exam_not_open_yet_or_closed_cannot_be_started(tree, people):
    bank(tree.county)
    later = exam(tree.county, opens_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match="尚未开始"):
        services.sitting_start(actor=people.member_a, exam=later, device="d1")
    assert not Sitting.objects.exists()


def test_submitting_twice_keeps_the_first_grade(tree, people):
    bank(tree.county)
    s = services.sitting_start(actor=people.member_a, exam=exam(tree.county), device="d1")
    first = services.sitting_submit(actor=people.member_a, sitting=s, device="d1")
    again = services.sitting_submit(actor=people.member_a, sitting=s, device="d1")
    assert again.submitted_at == first.submitted_at


# --- statistics ----------------------------------------------------------------------------------
def test_statistics_count_people_trained_and_passed_by_level_and_unit(tree, people):
    bank(tree.county)
    village_exam = exam(tree.county, max_attempts=3)
    cadre_exam = exam(tree.county, title="乡镇干部测试", audience="township_cadres")
    a2 = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    b = make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)
    c = make_user("member_c", tree.village_c, Role.VILLAGE_MEMBER)  # 广水市: outside 随县
    outcomes = [
        (people.member_a, village_exam, wrong_values),
        (people.member_a, village_exam, right_values),
        (a2, village_exam, wrong_values),
        (b, village_exam, right_values),
        (people.township_a, cadre_exam, right_values),
    ]
    for user, e, pick in outcomes:
        s = services.sitting_start(actor=user, exam=e, device="d")
        answer_all(s, user, pick, device="d")
        services.sitting_submit(actor=user, sitting=s, device="d")
    bank(tree.other_county, prefix="广")  # 广水市: outside 随县
    s = services.sitting_start(actor=c, exam=exam(tree.other_county), device="d")
    services.sitting_submit(actor=c, sitting=s, device="d")

    county = selectors.training_stats(people.county_officer, year=timezone.localdate().year)
    assert county.total.trained == {"village": 3, "township": 1, "county": 0}  # member_a counted once
    assert county.total.passed == {"village": 2, "township": 1, "county": 0}
    rows = dict(county.rows)
    assert rows["厉山镇"].trained == {"village": 2, "township": 1, "county": 0}
    assert rows["厉山镇"].passed == {"village": 1, "township": 1, "county": 0}
    assert rows["高城镇"].passed["village"] == 1
    township = selectors.training_stats(people.township_a, year=timezone.localdate().year)
    assert township.total.trained == {"village": 2, "township": 1, "county": 0}
    assert {name for name, _ in township.rows} == {"神农村", "凤凰村", "本级"}
    assert selectors.training_stats(people.county_officer, year=2000).total.trained_total == 0
