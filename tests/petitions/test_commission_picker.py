"""Choosing the managing commission (被反映人的管理机关) at triage and when a forward is transferred on:
the select renders a short list of likely targets (the chain up to the city, the bodies below, the
overseeing zone), never every commission of the tree; any other commission of the city tree is
found by name or pinyin initials (a GET on the page without JavaScript, an HTMX endpoint with it)
and is accepted as before — validated against every active commission of the user's city tree."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijian.core.models import OrgKind, OrgUnit
from jijian.core.roles import Role
from jijian.core.services import org_unit_create
from jijian.petitions import selectors, services
from jijian.petitions.models import ForwardAnswer, PetitionForward, PetitionReport, PetitionState, RouteKind
from tests.petitions.authz_entries_work import forward_down
from tests.petitions.triage_helpers import fresh, officer, register

pytestmark = pytest.mark.django_db

COUNTY_PREFIX = {"随县": "随县", "广水市": "广水", "曾都区": "曾都"}


def _unit(name, kind, parent, **extra) -> OrgUnit:
    return org_unit_create(actor=None, name=name, kind=kind, parent=parent, audit=False, **extra)


@pytest.fixture
def third_county(tree) -> OrgUnit:
    return _unit("曾都区", OrgKind.DISTRICT, tree.city, code="421303")


def add_townships(tree, third_county, per_county: int, start: int = 1) -> None:
    """`per_county` more towns in each of the three counties: 随县001镇, 广水001镇, 曾都001镇…"""
    for county in (tree.county, tree.other_county, third_county):
        prefix = COUNTY_PREFIX[county.name]
        for i in range(start, start + per_county):
            _unit(f"{prefix}{i:03d}镇", OrgKind.TOWN, county)


@pytest.fixture
def office(tree):
    return officer("county_petition", tree.county)


@pytest.fixture
def report(tree, office):
    """A letter the county's petition office registered about a village cadre of 厉山镇: held by 随县."""
    return register(office, tree.township_a)


def _detail(client, report, **query):
    return client.get(reverse("petitions_staff:detail", args=[report.pk]), query)


def _search(client, report, **query):
    return client.get(reverse("petitions_staff:commission_search", args=[report.pk]), query)


def select_options(html: str, name: str = "managing") -> list[str]:
    """The labels of the <option>s of the select `name` in a page."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {name}"
    return options(match.group(1))


def options(html: str) -> list[str]:
    return [label.strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", html, re.S)]


def named(labels: list[str], name: str) -> bool:
    return any(label.split(" → ")[0].strip("　") == name for label in labels)


# --- the short list ---------------------------------------------------------------------------------
def test_a_county_officer_sees_its_chain_and_its_own_townships_only(
    login, tree, third_county, office, report
):
    add_townships(tree, third_county, 100)
    labels = select_options(_detail(login(office), report).content.decode())
    for name in ("随州市", "随县", "厉山镇", "高城镇", "随县001镇", "随县100镇"):
        assert named(labels, name), name
    for name in ("广水市", "曾都区", "武胜关镇", "广水001镇", "曾都100镇", "神农村", "市教育局"):
        assert not named(labels, name), name
    assert len(labels) == 1 + 2 + 2 + 100  # 请选择, the city and the county, 厉山镇 and 高城镇, its towns


def test_the_report_page_query_count_does_not_grow_with_the_townships(
    login, tree, third_county, office, report
):
    add_townships(tree, third_county, 10)  # 30 townships
    client = login(office)
    _detail(client, report)
    with CaptureQueriesContext(connection) as few:
        small = _detail(client, report).content.decode()
    add_townships(tree, third_county, 90, start=11)  # 300 townships
    with CaptureQueriesContext(connection) as many:
        large = _detail(client, report).content.decode()
    assert len(select_options(small)) == 1 + 4 + 10 and len(select_options(large)) == 1 + 4 + 100
    assert len(many) == len(few)


def test_the_city_short_list_is_capped_in_tree_order(login, tree, third_county, people):
    add_townships(tree, third_county, 100)  # 303 townships, 3 counties and a zone under the city
    report = register(people.city_petition, tree.city, accused_level="division")
    labels = select_options(_detail(login(people.city_petition), report).content.decode())
    assert len(labels) == 1 + selectors.COMMISSION_SHORTLIST_MAX
    assert labels[1].startswith("随州市 → 本级办理") and named(labels, "随县")


def test_the_chosen_value_stays_offered_when_it_is_not_a_likely_target(login, tree, office, report):
    services.petition_route(  # a stale page: the form still shows what was chosen before
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    report = fresh(report)
    report.state, report.holder, report.managing_unit = PetitionState.RECEIVED, tree.county, tree.township_c
    report.save(update_fields=["state", "holder", "managing_unit"])
    html = _detail(login(office), report).content.decode()
    assert re.search(rf'<option value="{tree.township_c.pk}" selected[^>]*>\s*武胜关镇 →', html)


# --- searching ----------------------------------------------------------------------------------------
def test_the_page_search_without_javascript_shows_the_results_in_the_select(
    login, tree, third_county, office, report
):
    add_townships(tree, third_county, 3)
    html = _detail(login(office), report, managing_q="广水").content.decode()
    labels = select_options(html)
    assert named(labels, "广水市") and named(labels, "广水001镇") and not named(labels, "随县001镇")
    assert 'name="managing_q" value="广水"' in html
    assert "广水001镇 → 报送上级（随州市）" in html  # another branch: up to the city, which routes it on


def test_the_search_finds_by_name_and_by_pinyin_initials_with_route_labels(
    login, tree, third_county, office, report
):
    add_townships(tree, third_county, 3)
    client = login(office)
    by_name = options(_search(client, report, managing_q="武胜").content.decode())
    assert by_name == ["请选择", "武胜关镇 → 报送上级（随州市）"]
    by_initials = options(_search(client, report, managing_q="LSZ").content.decode())
    assert by_initials == ["请选择", "厉山镇 → 转下级办理"]
    assert "随州市 → 报送上级，专门报送" in _search(client, report, managing_q="szs").content.decode()


def test_the_search_is_capped_at_30(login, tree, third_county, office, report):
    add_townships(tree, third_county, 20)
    labels = options(_search(login(office), report, managing_q="镇").content.decode())
    assert len(labels) == 1 + selectors.COMMISSION_SEARCH_MAX


def test_an_empty_search_gives_the_short_list_and_nothing_found_says_so(login, tree, office, report):
    client = login(office)
    short = options(_search(client, report, managing_q="  ").content.decode())
    assert short == select_options(_detail(client, report).content.decode())
    nothing = options(_search(client, report, managing_q="不存在的机关").content.decode())
    assert nothing == ["未找到与“不存在的机关”相符的机关，请换个名称或拼音首字母"]


def test_the_search_keeps_the_current_choice_selected(login, tree, office, report):
    html = _search(login(office), report, managing_q="广水", managing=tree.township_a.pk).content.decode()
    assert re.search(rf'<option value="{tree.township_a.pk}" selected[^>]*>', html)
    assert named(options(html), "广水市")


def test_the_search_only_names_commissions_of_the_users_city(login, tree, office, report):
    other_city = _unit("孝感市", OrgKind.CITY, None)
    _unit("孝南区", OrgKind.DISTRICT, other_city)
    closed = _unit("已撤并镇", OrgKind.TOWN, tree.county)
    OrgUnit.objects.filter(pk=closed.pk).update(is_active=False)
    client = login(office)
    assert options(_search(client, report, managing_q="孝").content.decode())[1:] == []
    assert options(_search(client, report, managing_q="已撤并").content.decode())[1:] == []
    assert options(_search(client, report, managing_q="神农").content.decode())[1:] == []  # a village


# --- who may search ---------------------------------------------------------------------------------
def test_outsiders_get_404_and_anonymous_the_login(client, login, tree, people, report):
    other_office = officer("other_petition", tree.other_county)
    case_manager = officer("county_case", tree.county, Role.CASE_MANAGEMENT)  # sees it, cannot route
    for user in (other_office, people.outsider, people.township_b, case_manager):
        assert _search(login(user), report, managing_q="lsz").status_code == 404, user.username
    client.logout()
    response = _search(client, report, managing_q="lsz")
    assert response.status_code == 302 and reverse("core:login") in response["Location"]


def test_a_report_the_user_cannot_see_is_404(login, tree, people):
    elsewhere = register(officer("other_petition", tree.other_county), tree.township_c)
    assert _search(login(people.township_a), elsewhere, managing_q="lsz").status_code == 404
    assert _search(login(people.city_petition), elsewhere, managing_q="lsz").status_code == 200


def test_a_report_that_went_up_on_the_restricted_path_is_not_reachable_below(login, tree, people):
    report = register(people.township_a, tree.township_a, accused_level="section")
    services.petition_route(
        actor=people.township_a, report=report, managing=tree.county, about_own_head=False, version=1
    )
    assert fresh(report).restricted and fresh(report).holder_id == tree.county.pk
    assert _search(login(people.township_a), report, managing_q="lsz").status_code == 404
    county_office = officer("county_petition", tree.county)
    assert _search(login(county_office), report, managing_q="lsz").status_code == 200


# --- choosing a commission that is not in the short list ---------------------------------------------
def test_routing_to_a_searched_commission_of_another_branch_works(login, tree, third_county, office, report):
    add_townships(tree, third_county, 3)
    target = OrgUnit.objects.get(name="曾都002镇")
    client = login(office)
    assert not named(select_options(_detail(client, report).content.decode()), "曾都002镇")
    assert named(options(_search(client, report, managing_q="曾都002").content.decode()), "曾都002镇")
    response = client.post(
        reverse("petitions_staff:route", args=[report.pk]), {"version": 1, "managing": target.pk}
    )
    assert response.status_code == 302
    report = fresh(report)
    # another branch of the tree: up to the next higher commission, not restricted
    assert report.route == RouteKind.HIGHER and report.holder_id == tree.city.pk and not report.restricted
    assert report.managing_unit_id == target.pk


def test_an_inactive_or_foreign_commission_is_refused_and_nothing_changes(login, tree, office, report):
    closed = _unit("已撤并镇", OrgKind.TOWN, tree.county)
    OrgUnit.objects.filter(pk=closed.pk).update(is_active=False)
    other_city = _unit("孝感市", OrgKind.CITY, None)
    for managing in (closed.pk, other_city.pk, "abc"):
        response = login(office).post(
            reverse("petitions_staff:route", args=[report.pk]),
            {"version": 1, "managing": managing},
            follow=True,
        )
        assert "所选机关不在本系统的管辖树中" in response.content.decode(), managing
    assert fresh(report).state == PetitionState.RECEIVED and not PetitionForward.objects.exists()


# --- the forward answer page --------------------------------------------------------------------------
@pytest.fixture
def forward(tree, people) -> PetitionForward:
    return forward_down(tree, people)


def _answer_url(forward):
    return reverse("petitions_work:answer", args=[forward.pk])


def test_the_answer_page_offers_the_short_list_with_route_labels(login, tree, third_county, people, forward):
    add_townships(tree, third_county, 5)
    html = login(people.township_a).get(_answer_url(forward)).content.decode()
    labels = select_options(html)
    assert "随县 → 报送上级，专门报送" in html and "厉山镇 → 本级办理" in html
    for name in ("武胜关镇", "随县001镇", "广水001镇", "广水市"):
        assert not named(labels, name), name
    assert reverse("petitions_staff:commission_search", args=[forward.report_id]) in html


def test_the_answer_page_searches_and_transfers_to_a_searched_commission(login, tree, people, forward):
    client = login(people.township_a)
    html = client.get(_answer_url(forward), {"managing_q": "wsgz"}).content.decode()
    assert "武胜关镇 → 报送上级（随县）" in select_options(html)[1]
    assert named(options(_search(client, forward.report, managing_q="wsgz").content.decode()), "武胜关镇")
    response = client.post(_answer_url(forward), {"answer": "transferred", "managing": tree.township_c.pk})
    assert response.status_code == 302
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.TRANSFERRED
    report = PetitionReport.objects.get(pk=forward.report_id)
    assert report.holder_id == tree.county.pk and not report.restricted
    assert report.managing_unit_id == tree.township_c.pk


def test_the_answer_page_refuses_a_commission_outside_the_tree(login, tree, people, forward):
    other_city = _unit("孝感市", OrgKind.CITY, None)
    response = login(people.township_a).post(
        _answer_url(forward), {"answer": "transferred", "managing": other_city.pk}
    )
    assert response.status_code == 400 and "所选机关不在本系统的管辖树中" in response.content.decode()
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.PENDING and PetitionForward.objects.count() == 1
