"""The pages as the users meet them: a nomination of someone holding a post elsewhere is refused with
a clear message and nothing saved; the county approves on the nomination's page and the village's
history shows who held the post when; the cadre reports on a placement and the county records it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.cadres import services
from jijian.cadres.models import CasePlacement, Nomination, PostHolding
from tests.cadres.helpers import candidate, holding, nominate, task

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


def _section(page: str, marker: str, end: str) -> str:
    return page.split(marker)[1].split(end)[0]


def test_the_county_registers_an_earlier_holding_and_a_vacancy_shows(tree, people, login):
    """A post never recorded is not vacant: it is listed apart (尚未建档), and its page says who is taken
    to hold it; registered, it leaves that list; ended, it is vacant."""
    client = login(people.county_officer)
    posts = client.get(reverse("cadres:post_list")).content.decode()
    assert "没有空缺" in _section(posts, 'id="vacant"', "</p>")
    assert "神农村" in _section(posts, 'id="unrecorded"', "</details>")
    page = client.get(reverse("cadres:village_posts", args=[tree.village_a.pk])).content.decode()
    assert '<section class="card" id="register">' in page.split("<main")[1]
    assert "暂按本村纪检委员测试member_a的账号视为在任" in page
    url = reverse("cadres:holding_register", args=[tree.village_a.pk])
    client.post(url, {"holder": people.member_a.pk, "started_on": "2021-01-01"})
    overlapping = client.post(url, {"holder": people.member_a.pk, "started_on": "2020-01-01"}, follow=True)
    assert "重叠" in overlapping.content.decode()
    posts = client.get(reverse("cadres:post_list")).content.decode()
    unrecorded = _section(posts, 'id="unrecorded"', "</details>")
    assert "神农村" not in unrecorded and "凤凰村" in unrecorded
    [h] = PostHolding.objects.all()
    services.post_holding_end(
        actor=people.county_officer, holding=h, version=h.version, ended_on=date(2026, 1, 31),
        reason="resigned", note="外出务工",
    )  # fmt: skip
    vacant = _section(client.get(reverse("cadres:post_list")).content.decode(), 'id="vacant"', "</p>")
    assert "神农村" in vacant and "凤凰村" not in vacant
    assert (
        login(people.township_a)
        .get(reverse("cadres:village_posts", args=[tree.village_a.pk]))
        .content.decode()
        .count('id="register"')
        == 0
    )


def test_a_refused_answer_comes_back_as_typed(tree, people, login):
    t = task(people.township_a, people.member_a)
    client = login(people.member_a)
    url = reverse("cadres:task_answer", args=[t.pk])
    # A version other than the one stored (a stale page): refused, nothing saved.
    response = client.post(url, {"answer": "已排查3个项目，发现问题2处", "version": t.version + 1})
    page = response.content.decode()
    assert response.status_code == 400
    assert "该记录已被他人修改" in page
    assert 'id="id_answer">\n已排查3个项目，发现问题2处</textarea>' in page
    assert f'name="version" value="{t.version}"' in page  # the page now shows the current version
    t.refresh_from_db()
    assert t.answered_at is None
    # An empty answer: refused by the form, the page again with the error above the field.
    response = client.post(url, {"answer": "  ", "version": t.version})
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()
    # Sent again from the page shown, it is taken.
    client.post(url, {"answer": "已排查3个项目，发现问题2处", "version": t.version})
    t.refresh_from_db()
    assert t.answer == "已排查3个项目，发现问题2处"


def test_a_refused_answer_to_a_task_answered_meanwhile_says_so_without_a_form(tree, people, login):
    t = task(people.township_a, people.member_a)
    client = login(people.member_a)
    services.guidance_task_answer(actor=people.member_a, task=t, answer="另一台设备上回复", version=t.version)
    response = client.post(reverse("cadres:task_answer", args=[t.pk]), {"answer": "再答", "version": 1})
    page = response.content.decode()
    assert response.status_code == 400
    assert "另一台设备上回复" in page and "请刷新后" in page and 'id="answer"' not in page


def test_a_refused_decision_comes_back_as_typed(tree, people, login):
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    client = login(people.county_officer)
    response = client.post(
        reverse("cadres:nomination_decide", args=[n.pk]),
        {"decision": "reject", "note": "群众反映较大，暂缓任职", "version": n.version + 1},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "该记录已被他人修改" in page and 'id="decide"' in page
    assert 'value="群众反映较大，暂缓任职"' in page
    assert '<option value="reject" selected>' in page
    assert f'name="version" value="{n.version}"' in page
    n.refresh_from_db()
    assert n.state == "submitted"


def test_a_decision_on_a_nomination_decided_meanwhile_is_a_message_without_a_form(tree, people, login):
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    services.nomination_decide(
        actor=people.county_officer, nomination=n, version=n.version, approve=False, note="不符合条件"
    )
    client = login(people.county_officer)
    response = client.post(
        reverse("cadres:nomination_decide", args=[n.pk]),
        {"decision": "approve", "starts_on": "2026-03-01", "version": n.version - 1},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "该记录已被他人修改" in page and 'id="decide"' not in page
    n.refresh_from_db()
    assert n.state == "rejected"
