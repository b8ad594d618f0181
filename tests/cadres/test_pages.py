"""The pages as the users meet them: a nomination of someone holding a post elsewhere is refused with
a clear message and nothing saved; the county approves on the nomination's page and the village's
history shows who held the post when; the cadre reports on a placement and the county records it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.cadres import services
from jijian.cadres.models import CasePlacement, Nomination
from tests.cadres.helpers import candidate, holding, nominate

pytestmark = pytest.mark.django_db


def test_a_nomination_of_someone_holding_a_post_elsewhere_is_refused_on_the_page(tree, people, login):
    holding(tree.village_a2, people.member_a, people.county_officer)
    client = login(people.township_a)
    response = client.post(
        reverse("cadres:nomination_create"),
        {"village": tree.village_a.pk, "candidate": people.member_a.pk, "reason": "熟悉村务"},
    )
    assert response.status_code == 200
    assert "现任凤凰村纪检委员" in response.content.decode()
    assert not Nomination.objects.exists()


def test_the_county_approves_and_the_history_shows_both_holders(tree, people, login):
    holding(tree.village_a, people.member_a, people.county_officer, date(2021, 1, 1))
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    client = login(people.county_officer)
    page = client.get(reverse("cadres:nomination_detail", args=[n.pk])).content.decode()
    assert "档案中未查到" in page and 'id="decide"' in page
    client.post(
        reverse("cadres:nomination_decide", args=[n.pk]),
        {"decision": "approve", "starts_on": "2026-03-01", "version": n.version},
    )
    history = client.get(reverse("cadres:village_posts", args=[tree.village_a.pk])).content.decode()
    assert "2021-01-01 至 2026-02-28" in history and "更换" in history
    assert "2026-03-01 至 今" in history
    # The township sees the history but has no dismissal form.
    township = login(people.township_a).get(reverse("cadres:village_posts", args=[tree.village_a.pk]))
    assert "2026-03-01 至 今" in township.content.decode() and "办理离任" not in township.content.decode()


def test_a_rejection_needs_its_reason(tree, people, login):
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    client = login(people.county_officer)
    response = client.post(
        reverse("cadres:nomination_decide", args=[n.pk]),
        {"decision": "reject", "version": n.version},
        follow=True,
    )
    assert "请填写审批意见" in response.content.decode()
    n.refresh_from_db()
    assert n.state == "submitted"


def test_the_cadre_reports_after_the_period_and_the_county_records_it(tree, people, login):
    today = timezone.localdate()
    placement = services.placement_create(
        actor=people.county_officer,
        cadre=people.township_a,
        mentor=people.county_officer,
        case_name="某所长挪用公款案",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=3),
    )
    cadre = login(people.township_a)
    page = cadre.get(reverse("cadres:placement_detail", args=[placement.pk])).content.decode()
    assert "后提交学习报告" in page and 'id="id_report"' not in page
    refused = cadre.post(
        reverse("cadres:placement_report", args=[placement.pk]), {"report": "体会", "version": 1}, follow=True
    )
    assert "期满后提交学习报告" in refused.content.decode()
    CasePlacement.objects.filter(pk=placement.pk).update(ends_on=today)
    cadre.post(
        reverse("cadres:placement_report", args=[placement.pk]), {"report": "学会了固定证据", "version": 1}
    )
    placement.refresh_from_db()
    assert placement.report == "学会了固定证据"
    county = login(people.county_officer)
    county.post(
        reverse("cadres:placement_record", args=[placement.pk]),
        {"assessment": "认真参与谈话笔录制作", "version": placement.version},
    )
    placement.refresh_from_db()
    assert placement.recorded_by == people.county_officer and placement.stage == "已记录"


def test_the_county_dismisses_on_the_village_page(tree, people, login):
    h = holding(tree.village_a, people.member_a, people.county_officer, date(2021, 1, 1))
    client = login(people.county_officer)
    page = client.get(reverse("cadres:village_posts", args=[tree.village_a.pk])).content.decode()
    assert f'name="version" value="{h.version}"' in page and page.count('name="version"') == 1
    client.post(
        reverse("cadres:holding_end", args=[h.pk]),
        {"reason": "dismissed", "ended_on": "2026-01-31", "note": "年度考评不称职", "version": h.version},
    )
    h.refresh_from_db()
    assert (h.ended_on, h.end_reason, h.end_note) == (date(2026, 1, 31), "dismissed", "年度考评不称职")
    history = client.get(reverse("cadres:village_posts", args=[tree.village_a.pk])).content.decode()
    assert "2021-01-01 至 2026-01-31" in history and "免职：年度考评不称职" in history


def test_the_county_registers_an_earlier_holding_and_a_vacancy_shows(tree, people, login):
    client = login(people.county_officer)
    assert "神农村" in client.get(reverse("cadres:post_list")).content.decode().split('id="vacant"')[1]
    page = client.get(reverse("cadres:village_posts", args=[tree.village_a.pk])).content.decode()
    assert '<section class="card" id="register">' in page.split("<main")[1]
    url = reverse("cadres:holding_register", args=[tree.village_a.pk])
    client.post(url, {"holder": people.member_a.pk, "started_on": "2021-01-01"})
    overlapping = client.post(url, {"holder": people.member_a.pk, "started_on": "2020-01-01"}, follow=True)
    assert "重叠" in overlapping.content.decode()
    vacant = client.get(reverse("cadres:post_list")).content.decode().split('id="vacant"')[1].split("</p>")[0]
    assert "神农村" not in vacant and "凤凰村" in vacant
    assert (
        login(people.township_a)
        .get(reverse("cadres:village_posts", args=[tree.village_a.pk]))
        .content.decode()
        .count('id="register"')
        == 0
    )
