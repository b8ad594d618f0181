"""The staff list: reports of one's jurisdiction (module PETITIONS), reporter identity masked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijian.core.roles import Role
from jijian.petitions import services
from jijian.petitions.models import PetitionReport
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _report(tree, region=None, anonymous=False):
    return services.petition_submit(
        category="accusation",
        region=region or tree.township_a,
        facts="村主任在低保评定中优亲厚友，把亲属列入低保。",
        is_anonymous=anonymous,
        reporter_name="" if anonymous else "李举报",
        reporter_id_number="" if anonymous else "11010519491231002X",
        reporter_phone="" if anonymous else "13800138000",
        accused_name="王某",
    ).report


def test_the_petition_office_sees_its_reports_with_the_reporter_masked(login, tree, people):
    _report(tree)
    page = login(people.city_petition).get(reverse("petitions_staff:list")).content.decode()
    assert "王某" in page and "李**" in page and "138****8000" in page
    assert "李举报" not in page and "13800138000" not in page and "11010519491231002X" not in page


def test_a_petition_office_elsewhere_does_not_see_the_report(login, tree):
    _report(tree)
    other = make_user("petition_other", tree.other_county, Role.PETITION_OFFICE)
    page = login(other).get(reverse("petitions_staff:list")).content.decode()
    assert "王某" not in page and "暂无举报件" in page


def test_an_outsider_gets_404(login, tree, people):
    _report(tree)
    assert login(people.outsider).get(reverse("petitions_staff:list")).status_code == 404


def test_the_list_query_count_does_not_grow_with_rows(login, tree, people):
    client = login(people.city_petition)
    _report(tree)
    client.get(reverse("petitions_staff:list"))  # the first request of a session writes it
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("petitions_staff:list"))
    for _ in range(5):
        _report(tree, region=tree.township_b, anonymous=True)
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("petitions_staff:list"))
    # 9: the user's declared relations are one small query of their own (read on the primary, passed to
    # the register's statement as values: docs/deploy.md, "Read replicas").
    assert len(six) == len(one) <= 9


# --- the register: filters, paging, partial, markers ------------------------------------------------
def _registered(tree, actor, **overrides):
    from tests.petitions.triage_helpers import register

    return register(actor, overrides.pop("region", tree.township_a), **overrides)


@pytest.fixture
def county(tree):
    return make_user("county_petition", tree.county, Role.PETITION_OFFICE)


def _rows(client, query=""):
    response = client.get(reverse("petitions_staff:list") + query)
    assert response.status_code == 200
    return {r.pk for r in response.context["rows"]}


def test_the_register_filters_by_state_channel_category_date_and_text(tree, login, county):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    letter = _registered(tree, county, accused_name="王某")
    call = _registered(
        tree, county, channel="phone", phone_area_code="0722", category="complaint", accused_name="赵某"
    )
    old_visit = _registered(
        tree, county, channel="visit", accused_name="钱某", received_on=today - timedelta(days=30)
    )
    services.petition_route(
        actor=county, report=letter, managing=tree.county, about_own_head=False, version=1
    )
    client = login(county)
    assert _rows(client) == {letter.pk, call.pk, old_visit.pk}
    assert _rows(client, "?state=accepted") == {letter.pk}
    assert _rows(client, "?channel=phone") == {call.pk}
    assert _rows(client, "?category=complaint") == {call.pk}
    week_ago = (today - timedelta(days=7)).isoformat()
    assert _rows(client, f"?received_from={week_ago}") == {letter.pk, call.pk}
    assert _rows(client, f"?received_to={week_ago}") == {old_visit.pk}
    assert _rows(client, "?q=赵") == {call.pk}
    assert _rows(client, f"?q={old_visit.serial_number[-4:]}") == {old_visit.pk}
    bad = client.get(reverse("petitions_staff:list") + f"?received_from={today}&received_to={week_ago}")
    assert "结束日期不能早于开始日期" in bad.content.decode()


def test_an_htmx_request_gets_only_the_table(tree, login, county):
    report = _registered(tree, county)
    response = login(county).get(reverse("petitions_staff:list"), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page and report.serial_number in page
    assert [t.name for t in response.templates][0] == "petitions/partials/staff_rows.html"


def test_a_filter_error_is_shown_in_the_part_that_htmx_swaps(tree, login, county):
    """Filtering as one types swaps only the table: a reversed date range must say so there, not
    list every report under dates that were not applied."""
    _registered(tree, county)
    response = login(county).get(
        reverse("petitions_staff:list"),
        {"received_from": "2030-01-01", "received_to": "2020-01-01"},
        HTTP_HX_REQUEST="true",
    )
    assert "<html" not in response.content.decode()
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_the_register_pages(tree, login, county, monkeypatch):
    from jijian.petitions.handling import views as views_staff

    monkeypatch.setattr(views_staff, "PAGE", 2)
    reports = [_registered(tree, county, anonymous=True) for _ in range(3)]
    client = login(county)
    first, second = _rows(client), _rows(client, "?page=2")
    assert len(first) == 2 and len(second) == 1 and first | second == {r.pk for r in reports}
    assert "第 1 / 2 页" in client.get(reverse("petitions_staff:list")).content.decode()


def test_possible_repeats_are_marked(tree, login, county):
    first = _registered(tree, county, accused_name="王某", matter="integrity")
    second = _registered(tree, county, accused_name="王某", matter="integrity")
    # (anonymous: the same real-name reporter would make them repeats too, see below)
    other_matter = _registered(tree, county, accused_name="王某", matter="life", anonymous=True)
    someone_else = _registered(tree, county, accused_name="赵某", matter="integrity", anonymous=True)
    response = login(county).get(reverse("petitions_staff:list"))
    assert response.context["repeats"] == {first.pk, second.pk}
    assert (
        other_matter.pk not in response.context["repeats"]
        and someone_else.pk not in response.context["repeats"]
    )
    assert response.content.decode().count("疑似重复") == 2
    services.petition_mark_repeat(actor=county, report=second, original=first, version=1)
    page = login(county).get(reverse("petitions_staff:list")).content.decode()
    assert "重复件" in page


def test_the_same_real_name_reporter_makes_a_possible_repeat_whatever_the_accused(tree, login, county):
    from tests.petitions.triage_helpers import ID_NUMBER

    first = _registered(tree, county, accused_name="王某", matter="integrity")
    again = _registered(tree, county, accused_name="王书记", matter="life")  # the same reporter (ID)
    other_person = _registered(
        tree,
        county,
        accused_name="钱某",
        matter="masses",
        reporter_name="张某",
        reporter_id_number="421321198001010010",
    )
    anonymous = _registered(tree, county, accused_name="孙某", matter="work", anonymous=True)
    assert ID_NUMBER != "421321198001010010"
    client = login(county)
    assert client.get(reverse("petitions_staff:list")).context["repeats"] == {first.pk, again.pk}
    assert other_person.pk and anonymous.pk
    detail = client.get(reverse("petitions_staff:detail", args=[again.pk])).content.decode()
    assert first.serial_number in detail and "同一实名举报人" in detail
    services.petition_mark_repeat(actor=county, report=again, original=first, version=again.version)
    assert PetitionReport.objects.get(pk=again.pk).repeat_of_id == first.pk


def test_a_report_outside_the_scope_makes_no_repeat_marker(tree, login, county):
    mine = _registered(tree, county, accused_name="王某")
    gs = make_user("gs_petition", tree.other_county, Role.PETITION_OFFICE)
    _registered(tree, gs, region=tree.township_c, accused_name="王某")
    response = login(county).get(reverse("petitions_staff:list"))
    assert [r.pk for r in response.context["rows"]] == [mine.pk]
    assert response.context["repeats"] == set()


def test_restricted_reports_never_appear_in_a_lower_register(tree, login, county, people):
    up = _registered(tree, county, accused_name="孙某", accused_level="division")
    services.petition_route(actor=county, report=up, managing=tree.city, about_own_head=False, version=1)
    head = _registered(tree, county, accused_name="周某")
    services.petition_route(actor=county, report=head, managing=tree.county, about_own_head=True, version=1)
    page = login(county).get(reverse("petitions_staff:list")).content.decode()
    assert "孙某" not in page and "周某" not in page and up.serial_number not in page
    assert login(county).get(reverse("petitions_staff:list") + "?q=孙").context["page"].paginator.count == 0
    city_page = login(people.city_petition).get(reverse("petitions_staff:list")).content.decode()
    assert "孙某" in city_page and "周某" in city_page


def test_a_township_sees_only_its_own_register(tree, login, people):
    a = _registered(tree, people.township_a, accused_name="吴某")
    assert a.serial_number in login(people.township_a).get(reverse("petitions_staff:list")).content.decode()
    page = login(people.township_b).get(reverse("petitions_staff:list")).content.decode()
    assert "吴某" not in page and "暂无举报件" in page


def test_the_register_query_count_does_not_grow_with_varied_rows(login, tree, county):
    client = login(county)
    first = _registered(tree, county)
    client.get(reverse("petitions_staff:list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("petitions_staff:list") + "?q=王")
    second = _registered(tree, county, channel="phone", phone_area_code="0722")
    services.petition_mark_repeat(actor=county, report=second, original=first, version=1)
    for i in range(4):
        report = _registered(
            tree, county, accused_name=f"王{i}", region=tree.township_b, anonymous=i % 2 == 0
        )
        if i == 1:
            services.petition_route(
                actor=county, report=report, managing=tree.township_b, about_own_head=False, version=1
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("petitions_staff:list") + "?q=王")
    assert len(response.context["rows"]) == 6
    assert len(many) == len(one) <= 9
