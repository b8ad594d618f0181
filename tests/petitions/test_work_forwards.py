"""The forwards desk: the inbox of forwards awaiting our answer (with due date and working days left),
the answer form (accept / transfer by the routing table), and the list of forwards we sent, tracked
until answered — with a restricted forward showing no content at all."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from jijian.core.models import CalendarDay
from jijian.core.roles import Role
from jijian.petitions import services
from jijian.petitions.handling.relations import staff_relation_declare
from jijian.petitions.models import (
    DeadlineKind,
    ForwardAnswer,
    PetitionDeadline,
    PetitionForward,
    PetitionReport,
    PetitionState,
    RouteKind,
)
from tests.conftest import make_user

from .authz_entries_work import forward_down, register, report_held_by_a, staff


@pytest.fixture
def forward(tree, people) -> PetitionForward:
    return forward_down(tree, people)


def county_petition(tree):
    return staff("county_petition", tree.county, Role.PETITION_OFFICE)


def other_county_petition(tree):
    return staff("other_petition", tree.other_county, Role.PETITION_OFFICE)


# --- inbox ------------------------------------------------------------------------------------------
def test_inbox_lists_forwards_awaiting_our_answer_with_due_date(login, people, forward):
    page = login(people.township_a).get(reverse("petitions_work:inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert forward.report.serial_number in html
    assert f"{forward.due_date:%Y-%m-%d}" in html
    assert reverse("petitions_work:answer", args=[forward.pk]) in html
    assert "李举报" not in html  # the reporter is masked
    row = page.context["rows"][0]
    assert row["forward"] == forward and row["left"] == 5 and not row["overdue"]


def test_inbox_counts_working_days_left_across_a_holiday(login, people, forward):
    today = date.today()
    forward.due_date = today + timedelta(days=14)
    forward.save(update_fields=["due_date"])
    expected = sum(1 for i in range(1, 15) if (today + timedelta(days=i)).weekday() < 5)
    holiday = next(
        today + timedelta(days=i) for i in range(1, 14) if (today + timedelta(days=i)).weekday() < 5
    )
    CalendarDay.objects.create(date=holiday, is_working_day=False, name="测试假日")
    page = login(people.township_a).get(reverse("petitions_work:inbox"))
    assert page.context["rows"][0]["left"] == expected - 1


def test_inbox_marks_an_overdue_forward(login, people, forward):
    PetitionForward.objects.filter(pk=forward.pk).update(due_date=date.today() - timedelta(days=10))
    page = login(people.township_a).get(reverse("petitions_work:inbox"))
    assert page.context["rows"][0]["overdue"]
    assert "已逾期" in page.content.decode()


def test_inbox_of_another_township_does_not_list_it(login, people, forward):
    page = login(people.township_b).get(reverse("petitions_work:inbox"))
    assert page.context["rows"] == []
    assert forward.report.serial_number not in page.content.decode()


def test_answered_forwards_leave_the_inbox(login, people, forward):
    services.petition_forward_answer(actor=people.township_a, forward=forward, answer=ForwardAnswer.ACCEPTED)
    page = login(people.township_a).get(reverse("petitions_work:inbox"))
    assert page.context["rows"] == []


def test_inbox_query_count_does_not_grow_with_rows(login, people, tree, django_assert_max_num_queries):
    client = login(people.township_a)
    forward_down(tree, people)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("petitions_work:inbox"))
    for _ in range(4):
        forward_down(tree, people)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("petitions_work:inbox"))
    assert len(page.context["rows"]) == 5


# --- answering ---------------------------------------------------------------------------------------
def test_accepting_a_forward_hands_the_report_to_us(login, people, forward):
    client = login(people.township_a)
    page = client.get(reverse("petitions_work:answer", args=[forward.pk]))
    assert page.status_code == 200 and "接收办理" in page.content.decode()
    response = client.post(
        reverse("petitions_work:answer", args=[forward.pk]), {"answer": "accepted", "note": "本级办理"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("petitions_work:inbox")
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.ACCEPTED and forward.answered_by == people.township_a
    report = PetitionReport.objects.get(pk=forward.report_id)
    assert report.state == PetitionState.ACCEPTED and report.holder_id == forward.to_unit_id
    deadline = PetitionDeadline.objects.get(report=report, kind=DeadlineKind.FORWARD_ANSWER)
    assert deadline.met_at is not None


def test_transferring_up_sends_it_on_the_restricted_path(login, people, tree, forward):
    response = login(people.township_a).post(
        reverse("petitions_work:answer", args=[forward.pk]),
        {"answer": "transferred", "managing": tree.county.pk, "note": "被反映人属县管干部"},
    )
    assert response.status_code == 302
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.TRANSFERRED
    report = PetitionReport.objects.get(pk=forward.report_id)
    assert report.holder_id == tree.county.pk and report.restricted
    onward = report.forwards.exclude(pk=forward.pk).get()
    assert onward.kind == RouteKind.HIGHER and onward.from_unit_id == tree.township_a.pk


def test_the_managing_select_accepts_commissions_of_the_city_tree_by_name(login, people, tree, forward):
    form = login(people.township_a).get(reverse("petitions_work:answer", args=[forward.pk])).context["form"]
    units = set(form.fields["managing"].queryset)
    assert {tree.city, tree.county, tree.other_county, tree.zone, tree.township_c} <= units
    assert tree.village_a not in units and tree.department not in units


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择接收办理或转送"),
        ({"answer": "transferred"}, "转送须选择被反映人的管理机关"),
        ({"answer": "transferred", "managing": 999999}, "所选机关不在本系统的管辖树中"),
        ({"answer": "bogus"}, "请选择接收办理或转送"),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_changes(login, people, forward, data, message):
    response = login(people.township_a).post(reverse("petitions_work:answer", args=[forward.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.PENDING
    assert PetitionReport.objects.get(pk=forward.report_id).state == PetitionState.FORWARDED


def test_transfer_to_our_own_level_is_refused(login, people, tree, forward):
    response = login(people.township_a).post(
        reverse("petitions_work:answer", args=[forward.pk]),
        {"answer": "transferred", "managing": tree.township_a.pk},
    )
    assert response.status_code == 400
    assert "应由本机关办理" in response.content.decode()
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.PENDING and PetitionForward.objects.count() == 1


def test_a_second_answer_is_refused(login, people, forward):
    client = login(people.township_a)
    client.post(reverse("petitions_work:answer", args=[forward.pk]), {"answer": "accepted"})
    response = client.post(
        reverse("petitions_work:answer", args=[forward.pk]),
        {"answer": "transferred", "managing": forward.from_unit_id},
    )
    assert response.status_code == 400 and "已答复" in response.content.decode()
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.ACCEPTED
    page = client.get(reverse("petitions_work:answer", args=[forward.pk]))
    assert "提交答复" not in page.content.decode()  # no form on an answered forward


def test_a_petition_office_of_another_county_gets_404(client, login, tree, people, forward):
    outsider = other_county_petition(tree)
    c = login(outsider)
    assert c.get(reverse("petitions_work:answer", args=[forward.pk])).status_code == 404
    assert (
        c.post(reverse("petitions_work:answer", args=[forward.pk]), {"answer": "accepted"}).status_code == 404
    )
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.PENDING


def test_the_county_above_may_answer_for_its_township(login, tree, people, forward):
    response = login(county_petition(tree)).get(reverse("petitions_work:answer", args=[forward.pk]))
    assert response.status_code == 200


def test_a_recused_officer_neither_sees_nor_answers_the_forward(login, people, forward):
    staff_relation_declare(actor=people.township_a, relative_name="王某", kind="spouse")
    client = login(people.township_a)
    assert client.get(reverse("petitions_work:inbox")).context["rows"] == []
    assert client.get(reverse("petitions_work:answer", args=[forward.pk])).status_code == 404


# --- sent ---------------------------------------------------------------------------------------------
def test_sent_tracks_a_forward_until_answered(login, people, forward):
    client = login(people.city_petition)
    page = client.get(reverse("petitions_work:sent"))
    (row,) = page.context["rows"]
    assert row["status"] == "pending" and not row["hidden"] and row["link"]
    html = page.content.decode()
    assert "王某" in html and f"/petitions/{forward.report_id}/" in html
    PetitionForward.objects.filter(pk=forward.pk).update(due_date=date.today() - timedelta(days=1))
    assert client.get(reverse("petitions_work:sent")).context["rows"][0]["status"] == "overdue"
    assert len(client.get(reverse("petitions_work:sent") + "?state=overdue").context["rows"]) == 1
    assert client.get(reverse("petitions_work:sent") + "?state=answered").context["rows"] == []
    services.petition_forward_answer(actor=people.township_a, forward=forward, answer=ForwardAnswer.ACCEPTED)
    page = client.get(reverse("petitions_work:sent"))
    assert page.context["rows"][0]["status"] == "answered"
    assert len(client.get(reverse("petitions_work:sent") + "?state=answered").context["rows"]) == 1
    assert client.get(reverse("petitions_work:sent") + "?state=pending").context["rows"] == []


def test_a_restricted_forward_shows_no_content_to_its_sender(login, people, tree):
    """Township A receives a letter about a county-managed cadre: it goes up to the county on the
    restricted path. Township A's list shows number, date, receiving body, answer state — nothing
    else: no accused, no facts, no link to the report."""
    report = register(
        people.township_a,
        tree.township_a,
        accused_name="孙秘密",
        accused_post="副县长",
        accused_unit="随县人民政府",
        facts="孙秘密在工程招标中收受好处费的具体情况。",
    )
    report = services.petition_route(
        actor=people.township_a,
        report=report,
        managing=tree.county,
        about_own_head=False,
        version=report.version,
    )
    assert report.restricted
    page = login(people.township_a).get(reverse("petitions_work:sent"))
    html = page.content.decode()
    (row,) = page.context["rows"]
    assert row["hidden"] and not row["link"]
    assert report.serial_number in html and tree.county.name in html and "待答复" in html
    for secret in (
        "孙秘密",
        "副县长",
        "随县人民政府",
        "收受好处费",
        "工程招标",
        f"/petitions/{report.pk}/",
        "李",
    ):
        assert secret not in html, secret
    # ...and the register of township A no longer lists it.
    assert not PetitionReport.objects.filter(pk=report.pk, holder=tree.township_a).exists()


def test_sent_shows_no_content_of_a_report_the_sender_is_recused_from(login, people, forward):
    staff_relation_declare(actor=people.city_petition, relative_name="王某", kind="direct")
    page = login(people.city_petition).get(reverse("petitions_work:sent"))
    (row,) = page.context["rows"]
    assert row["hidden"] and not row["link"]
    assert "王某" not in page.content.decode()


def test_sent_of_another_body_does_not_list_our_forward(login, people, forward):
    page = login(people.township_b).get(reverse("petitions_work:sent"))
    assert page.context["rows"] == []


def test_pages_need_the_petitions_module(login, people):
    client = login(people.county_officer)
    for name in (
        "petitions_work:inbox",
        "petitions_work:sent",
        "petitions_work:export",
        "petitions_work:relations",
    ):
        assert client.get(reverse(name)).status_code == 404, name


def test_a_case_manager_in_scope_sees_the_inbox(login, tree, people, forward):
    manager = make_user("county_case", tree.county, Role.CASE_MANAGEMENT)
    page = login(manager).get(reverse("petitions_work:inbox"))
    assert [r["forward"] for r in page.context["rows"]] == [forward]


def test_report_held_by_a_is_not_a_forward(login, tree, people):
    report_held_by_a(tree, people)
    assert login(people.township_a).get(reverse("petitions_work:inbox")).context["rows"] == []


def test_sent_query_count_does_not_grow_with_rows(login, people, tree, django_assert_max_num_queries):
    client = login(people.city_petition)
    forward_down(tree, people)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("petitions_work:sent"))
    for _ in range(4):
        forward_down(tree, people)
    staff_relation_declare(actor=people.city_petition, relative_name="某某", kind="other")
    with django_assert_max_num_queries(len(one.captured_queries) + 1):  # + the recusal lookup
        page = client.get(reverse("petitions_work:sent"))
    assert len(page.context["rows"]) == 5
