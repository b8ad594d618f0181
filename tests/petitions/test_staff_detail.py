"""One report's page and its actions: every field shown, the reporter masked with an audited reveal
(only for the receiving body's petition office), evidence, timeline, forwards, deadlines and messages;
actions posting to their own URLs with the page's version; out-of-jurisdiction and recused users get
404 everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.models import StaffRelation
from jijian.petitions import services
from jijian.petitions.models import PetitionForward, PetitionState
from tests.petitions.triage_helpers import ID_NUMBER, fresh, leader_of, officer, register

pytestmark = pytest.mark.django_db

ACTIONS = {
    "mark_repeat": {"original": ""},
    "not_accept": {"reason": "no_substance", "reply": "请补充"},
    "route": {"managing": None},
    "acceptance_notify": {"text": "已受理"},
    "close": {"result": "结果"},
    "result_notify": {"text": "结果告知"},
    "message": {"body": "请补充"},
}


@pytest.fixture
def office(tree):
    return officer("county_petition", tree.county)


@pytest.fixture
def report(tree, office):
    return register(office, tree.township_a)


def _detail(client, report):
    return client.get(reverse("petitions_staff:detail", args=[report.pk]))


def test_the_page_shows_the_report_with_the_reporter_masked(tree, office, report, login):
    page = _detail(login(office), report).content.decode()
    for text in (
        report.serial_number,
        "王某",
        "神农村村委会",
        "村主任",
        "廉洁纪律",
        "来信",
        "危房改造",
        "李**",
    ):
        assert text in page
    assert "138****8000" in page
    for secret in ("李举报", "13800138000", ID_NUMBER):
        assert secret not in page
    assert "分流办理" in page and "已收到" in page  # deadlines and the state
    assert reverse("petitions_staff:reveal", args=[report.pk, "reporter_phone"]) in page


def test_the_route_form_says_what_the_routing_table_will_do(tree, office, report, login):
    page = _detail(login(office), report).content.decode()
    assert "随县 → 本级办理" in page
    assert "厉山镇 → 转下级办理" in page
    assert "随州市 → 报送上级，专门报送" in page
    assert "直接报送随州市" in page
    # Another branch is not among the likely targets: it is found by the search box, same labels.
    assert "广水市 →" not in page
    found = login(office).get(reverse("petitions_staff:detail", args=[report.pk]), {"managing_q": "广水"})
    assert "广水市 → 报送上级（随州市）" in found.content.decode()


def test_evidence_is_listed_with_download_links(tree, report, login, people):
    from tests.petitions.helpers import png

    services.petition_reporter_reply(report=report, body="补充照片", files=[png("photo.png")])
    page = _detail(login(people.city_petition), report).content.decode()
    attachment = services.petition_evidence(report).get()
    assert f"/files/{attachment.pk}/" in page and "photo.png" in page
    assert login(people.city_petition).get(f"/files/{attachment.pk}/").status_code == 200


def test_timeline_forwards_and_messages_are_shown(tree, office, people, login):
    report = register(office, tree.township_a, channel="video")
    report = services.petition_route(
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    page = _detail(login(people.city_petition), report).content.decode()
    assert "转办记录" in page and "厉山镇" in page and "待答复" in page
    assert "转办件接收或转送" in page  # the township's 5-working-day limit
    assert "已收到 → 已转办" in page


# --- reveal -----------------------------------------------------------------------------------------
def test_the_receiving_petition_office_reveals_with_a_reason(tree, office, report, login):
    client = login(office)
    url = reverse("petitions_staff:reveal", args=[report.pk, "reporter_id_number"])
    refused = client.post(url, {"reason": ""})
    assert "查看完整信息须填写事由" in refused.content.decode() and ID_NUMBER not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="sensitive.reveal").exists()
    shown = client.post(url, {"reason": "核实身份以便告知受理情况"})
    assert ID_NUMBER in shown.content.decode()
    event = AuditEvent.objects.get(action="sensitive.reveal")
    assert event.actor == office and event.object_id == str(report.pk)
    assert (
        event.after["reason"] == "核实身份以便告知受理情况"
        and ID_NUMBER not in str(event.after) + event.summary
    )


def test_the_body_it_was_forwarded_to_cannot_reveal(tree, office, report, login):
    lower = officer("lishan_petition", tree.township_a)  # a petition officer at the township
    services.petition_route(
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    client = login(lower)
    assert _detail(client, report).status_code == 200  # it handles the report…
    page = _detail(client, report).content.decode()
    assert "/reveal/" not in page
    for field in ("reporter_name", "reporter_id_number", "reporter_phone"):
        url = reverse("petitions_staff:reveal", args=[report.pk, field])
        assert client.get(url).status_code == 404  # …with the identity masked
        assert client.post(url, {"reason": "想看"}).status_code == 404
    assert not AuditEvent.objects.filter(action="sensitive.reveal").exists()


def test_a_township_committee_reveals_only_what_it_received_itself(tree, office, people, login):
    own = register(people.township_a, tree.township_a)
    client = login(people.township_a)
    assert f"/petitions/{own.pk}/reveal/reporter_name/" in _detail(client, own).content.decode()
    response = client.post(
        reverse("petitions_staff:reveal", args=[own.pk, "reporter_name"]), {"reason": "核实举报人身份"}
    )
    assert response.status_code == 200 and "李举报" in response.content.decode()
    # A report the county received and forwarded down: the township works with the masked identity.
    forwarded = register(office, tree.township_a)
    services.petition_route(
        actor=office, report=forwarded, managing=tree.township_a, about_own_head=False, version=1
    )
    assert "/reveal/" not in _detail(client, forwarded).content.decode()
    url = reverse("petitions_staff:reveal", args=[forwarded.pk, "reporter_name"])
    assert client.get(url).status_code == 404


def test_an_anonymous_report_has_nothing_to_reveal(tree, office, login):
    report = register(office, tree.township_a, anonymous=True)
    url = reverse("petitions_staff:reveal", args=[report.pk, "reporter_name"])
    assert login(office).get(url).status_code == 404


def test_an_unknown_field_cannot_be_revealed(tree, office, report, login):
    url = reverse("petitions_staff:reveal", args=[report.pk, "facts"])
    assert login(office).get(url).status_code == 404


# --- recusal ----------------------------------------------------------------------------------------
def test_a_recused_officer_neither_sees_nor_opens_the_report(tree, office, report, login):
    other = officer("county_petition_2", tree.county)
    StaffRelation.objects.create(user=other, relative_name="王某", kind="spouse")
    client = login(other)
    listing = client.get(reverse("petitions_staff:list")).content.decode()
    assert report.serial_number not in listing and "暂无举报件" in listing
    assert _detail(client, report).status_code == 404
    assert (
        client.post(
            reverse("petitions_staff:reveal", args=[report.pk, "reporter_name"]), {"reason": "x"}
        ).status_code
        == 404
    )
    for name, data in ACTIONS.items():
        payload = {"version": 1, **{k: (tree.county.pk if v is None else v) for k, v in data.items()}}
        response = client.post(reverse(f"petitions_staff:{name}", args=[report.pk]), payload)
        assert response.status_code == 404, name
    assert fresh(report).version == 1
    # A withdrawn declaration opens it again; someone else's declaration does not close it.
    StaffRelation.objects.filter(user=other).update(is_active=False)
    assert _detail(client, report).status_code == 200
    assert _detail(login(office), report).status_code == 200


# --- out of jurisdiction ----------------------------------------------------------------------------
def test_a_petition_officer_of_another_county_gets_404_everywhere(tree, report, login):
    other = login(officer("gs_petition", tree.other_county))
    assert report.serial_number not in other.get(reverse("petitions_staff:list")).content.decode()
    assert _detail(other, report).status_code == 404
    for field in ("reporter_name", "reporter_id_number", "reporter_phone"):
        url = reverse("petitions_staff:reveal", args=[report.pk, field])
        assert other.get(url).status_code == 404
        assert other.post(url, {"reason": "核实"}).status_code == 404
    for name, data in ACTIONS.items():
        url = reverse(f"petitions_staff:{name}", args=[report.pk])
        payload = {"version": 1, **{k: (tree.other_county.pk if v is None else v) for k, v in data.items()}}
        assert other.post(url, payload).status_code == 404, name
    assert fresh(report).version == 1 and not AuditEvent.objects.filter(action="sensitive.reveal").exists()
    # Each refused reveal is recorded (issue 22 item 8), as it would be for a missing report.
    assert AuditEvent.objects.filter(action="sensitive.reveal_denied").count() == 6


def test_a_missing_report_is_the_same_404(login, office):
    assert login(office).get(reverse("petitions_staff:detail", args=[999999])).status_code == 404


def test_readers_who_do_not_triage_get_no_actions(tree, report, login):
    manager = officer("county_cases", tree.county, "case_management")
    client = login(manager)
    page = _detail(client, report).content.decode()
    assert report.serial_number in page and "petitions_staff" not in page
    assert reverse("petitions_staff:route", args=[report.pk]) not in page
    response = client.post(
        reverse("petitions_staff:route", args=[report.pk]), {"version": 1, "managing": tree.county.pk}
    )
    assert response.status_code == 404 and fresh(report).state == PetitionState.RECEIVED


# --- actions through the pages ---------------------------------------------------------------------
def test_routing_here_from_the_page(tree, office, report, login):
    client = login(office)
    response = client.post(
        reverse("petitions_staff:route", args=[report.pk]),
        {"version": 1, "managing": tree.county.pk, "note": "本级办理"},
    )
    assert response.status_code == 302 and response["Location"] == f"/petitions/{report.pk}/"
    assert fresh(report).state == PetitionState.ACCEPTED
    page = client.get(response["Location"]).content.decode()
    assert "已按管理权限分流" in page and "受理告知" in page and "办结" in page


def test_a_stale_page_gets_a_message_and_changes_nothing(tree, office, report, login):
    client = login(office)
    client.post(
        reverse("petitions_staff:route", args=[report.pk]), {"version": 1, "managing": tree.county.pk}
    )
    version = fresh(report).version
    response = client.post(
        reverse("petitions_staff:not_accept", args=[report.pk]),
        {"version": 1, "reason": "no_substance", "reply": "答复"},
        follow=True,
    )
    assert "该记录已被他人修改" in response.content.decode()
    assert fresh(report).state == PetitionState.ACCEPTED and fresh(report).version == version


def test_a_page_without_version_is_refused(tree, office, report, login):
    response = login(office).post(
        reverse("petitions_staff:route", args=[report.pk]), {"managing": tree.county.pk}, follow=True
    )
    assert "页面已过期" in response.content.decode()
    assert fresh(report).state == PetitionState.RECEIVED


def test_forwarding_up_returns_to_the_register(tree, office, report, login):
    client = login(office)
    response = client.post(
        reverse("petitions_staff:route", args=[report.pk]),
        {"version": 1, "managing": tree.city.pk},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("petitions_staff:list")
    assert "不再列入本机关登记簿" in page and f'href="/petitions/{report.pk}/"' not in page
    assert PetitionForward.objects.get(report=report).to_unit == tree.city
    # Its old address now says where it went, on the sent forwards' tab, instead of a bare 404.
    response = _detail(client, report)
    assert response.status_code == 302 and response["Location"] == reverse("petitions_work:sent")


def test_a_colleague_forwarding_the_report_away_is_explained_not_a_404(tree, office, report, login, people):
    colleague = officer("county_petition_2", tree.county)
    mine, theirs = login(office), login(colleague)
    assert _detail(mine, report).status_code == 200  # the page is open on my screen
    theirs.post(reverse("petitions_staff:route", args=[report.pk]), {"version": 1, "managing": tree.city.pk})
    before = fresh(report)
    assert before.holder == tree.city

    response = mine.get(reverse("petitions_staff:detail", args=[report.pk]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("petitions_work:sent"), 302)]
    assert f"登记编号 {report.serial_number}" in page and "转出至随州市" in page
    assert "不再由本机关办理" in page and "页面不存在" not in page

    # An action posted from the stale page is not done, and says why.
    response = mine.post(
        reverse("petitions_staff:message", args=[report.pk]),
        {"version": before.version, "body": "请补充"},
        follow=True,
    )
    page = response.content.decode()
    assert "未执行：登记编号" in page and "转出至随州市" in page
    after = fresh(report)
    assert (after.version, after.state, after.holder) == (before.version, before.state, before.holder)
    assert not after.messages.exists()

    # Nobody else learns anything: another county's office, a missing number.
    elsewhere = login(officer("gs_petition", tree.other_county))
    assert _detail(elsewhere, report).status_code == 404
    assert (
        elsewhere.post(reverse("petitions_staff:message", args=[report.pk]), {"body": "x"}).status_code == 404
    )
    assert mine.get(reverse("petitions_staff:detail", args=[report.pk + 999])).status_code == 404


def test_marking_a_repeat_from_the_page(tree, office, login):
    first = register(office, tree.township_a)
    second = register(office, tree.township_a)
    client = login(office)
    page = _detail(client, second).content.decode()
    assert "标记为重复件" in page and first.serial_number in page
    client.post(
        reverse("petitions_staff:mark_repeat", args=[second.pk]), {"version": 1, "original": first.pk}
    )
    assert fresh(second).repeat_of_id == first.pk
    assert first.serial_number in _detail(client, second).content.decode()
    assert second.serial_number in _detail(client, first).content.decode()


def test_a_repeat_candidate_outside_the_scope_cannot_be_chosen(tree, office, report, login, people):
    elsewhere = register(officer("gs_petition", tree.other_county), tree.township_c)
    response = login(office).post(
        reverse("petitions_staff:mark_repeat", args=[report.pk]),
        {"version": 1, "original": elsewhere.pk},
        follow=True,
    )
    assert "所选原件不存在或不可见" in response.content.decode()
    assert fresh(report).repeat_of_id is None


def test_not_accepting_from_the_page_needs_a_reply_for_real_name(tree, office, report, login):
    client = login(office)
    response = client.post(
        reverse("petitions_staff:not_accept", args=[report.pk]),
        {"version": 1, "reason": "other_body", "reply": ""},
        follow=True,
    )
    assert "须填写给举报人的答复" in response.content.decode()
    assert fresh(report).state == PetitionState.RECEIVED
    client.post(
        reverse("petitions_staff:not_accept", args=[report.pk]),
        {"version": 1, "reason": "other_body", "reply": "请向县农业农村局反映。"},
    )
    assert fresh(report).state == PetitionState.NOT_ACCEPTED


def test_notices_close_and_message_from_the_page(tree, office, login, people):
    from django.test import Client

    from tests.petitions.helpers import real_name, submit

    submit(Client(), real_name(tree))  # online: the reporter reads messages with the receipt code
    report = services.PetitionReport.objects.get()
    county = login(office)
    county.post(
        reverse("petitions_staff:route", args=[report.pk]), {"version": 1, "managing": tree.county.pk}
    )
    v = fresh(report).version
    county.post(
        reverse("petitions_staff:acceptance_notify", args=[report.pk]), {"version": v, "text": "已受理"}
    )
    assert fresh(report).acceptance_notified_on is not None
    county.post(reverse("petitions_staff:message", args=[report.pk]), {"body": "请补充具体时间"})
    assert fresh(report).messages.get().body == "请补充具体时间"
    v = fresh(report).version
    county.post(reverse("petitions_staff:close", args=[report.pk]), {"version": v, "result": "给予诫勉"})
    assert fresh(report).state == PetitionState.ACCEPTED  # the 办结 report waits on a leader
    approval = fresh(report).approvals.get()
    login(leader_of(tree.county)).post(
        reverse("petitions_staff:approval_decide", args=[report.pk, approval.pk]),
        {"version": fresh(report).version, "decision": "approve"},
    )
    v = fresh(report).version
    county.post(reverse("petitions_staff:result_notify", args=[report.pk]), {"version": v, "text": "已诫勉"})
    done = fresh(report)
    assert done.state == PetitionState.CLOSED and done.result_notice == "已诫勉"
    page = _detail(county, report).content.decode()
    assert "请补充具体时间" in page and "已诫勉" in page


def test_the_body_it_was_forwarded_to_is_led_to_its_answer(tree, office, report, login, people):
    services.petition_route(
        actor=office, report=report, managing=tree.township_a, about_own_head=False, version=1
    )
    forward = PetitionForward.objects.get(report=report)
    answer = reverse("petitions_work:answer", args=[forward.pk])
    assert answer in _detail(login(people.township_a), report).content.decode()
    assert answer not in _detail(login(office), report).content.decode()  # the sender only tracks it


def test_the_case_management_office_is_led_to_register_a_clue(tree, office, report, login):
    manager = officer("county_cases", tree.county, "case_management")
    link = reverse("petitions_clues:register_from_report", args=[report.pk])
    assert link not in _detail(login(manager), report).content.decode()  # not accepted yet
    services.petition_route(
        actor=office, report=report, managing=tree.county, about_own_head=False, version=1
    )
    assert link in _detail(login(manager), report).content.decode()
    assert link not in _detail(login(office), report).content.decode()


def test_only_earlier_reports_are_offered_as_the_original(tree, office, login):
    first = register(office, tree.township_a)
    second = register(office, tree.township_a)
    client = login(office)
    assert "标记为重复件" not in _detail(client, first).content.decode()
    assert list(_detail(client, second).context["actions"]["repeat"].fields["original"].queryset) == [first]


def test_the_page_query_count_does_not_grow_with_its_history(
    tree, office, login, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.petitions.helpers import png, real_name, submit

    submit(Client(), real_name(tree))
    report = services.PetitionReport.objects.get()
    client = login(office)
    _detail(client, report)
    with CaptureQueriesContext(connection) as few:
        _detail(client, report)
    for i in range(3):
        services.petition_message_send(actor=office, report=report, body=f"消息{i}")
        services.petition_reporter_reply(report=report, body=f"补充{i}", files=[png(f"{i}.png")])
    register(office, tree.township_a)  # a repeat candidate
    with CaptureQueriesContext(connection) as many:
        page = _detail(client, report).content.decode()
    assert "消息2" in page and "2.png" in page
    assert len(many) == len(few)


def test_routing_to_a_body_outside_the_tree_is_refused(tree, office, report, login):
    from jijian.core.models import OrgKind
    from jijian.core.services import org_unit_create

    other_city = org_unit_create(actor=None, name="孝感市", kind=OrgKind.CITY, parent=None, audit=False)
    for managing in (other_city.pk, 999999, tree.village_a.pk, tree.department.pk):
        response = login(office).post(
            reverse("petitions_staff:route", args=[report.pk]),
            {"version": 1, "managing": managing},
            follow=True,
        )
        assert "所选机关不在本系统的管辖树中" in response.content.decode(), managing
    assert fresh(report).state == PetitionState.RECEIVED and not PetitionForward.objects.exists()


def test_a_refused_reveal_of_a_report_is_recorded_without_telling_whether_it_exists(
    tree, office, report, people, login
):
    """Issue 22 item 8: refused reveals write `sensitive.reveal_denied`; the entry for a report outside
    the jurisdiction and for one that does not exist differ only in the id asked for."""
    client = login(people.outsider)
    missing = report.pk + 10**6
    for pk in (report.pk, missing):
        assert (
            client.get(reverse("petitions_staff:reveal", args=[pk, "reporter_id_number"])).status_code == 404
        )
    rows = list(AuditEvent.objects.filter(action="sensitive.reveal_denied").order_by("pk"))
    assert [r.object_id for r in rows] == [str(report.pk), str(missing)]
    assert rows[0].summary == rows[1].summary and rows[0].after == rows[1].after == {
        "field": "reporter_id_number"
    }
    assert rows[0].object_type == rows[1].object_type == "petitions.petitionreport"
    assert ID_NUMBER not in str([(r.summary, r.after) for r in rows])


def _accepted(tree, office, report, client):
    client.post(
        reverse("petitions_staff:route", args=[report.pk]), {"version": 1, "managing": tree.county.pk}
    )
    return fresh(report).version


def test_a_refused_extension_keeps_the_reason_and_opens_its_section(tree, office, report, login):
    client = login(office)
    version = _accepted(tree, office, report, client)
    reason = "涉及多个部门，需调取三年来的补贴发放台账逐户核实，情况复杂。"
    response = client.post(
        reverse("petitions_staff:extension_request", args=[report.pk]),
        {"version": version, "new_due_date": "2099-01-01", "reason": reason},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "延长期限累计不得超过三个月" in page
    assert reason in page and 'value="2099-01-01"' in page
    assert '<details id="extension" open>' in page
    assert f'name="version" value="{fresh(report).version}" id="extension_version"' in page
    assert not fresh(report).approvals.exists()
    # Corrected on the same page, it goes through.
    limit = fresh(report).deadlines.get(kind="conclusion", met_at__isnull=True).due_date
    client.post(
        reverse("petitions_staff:extension_request", args=[report.pk]),
        {
            "version": fresh(report).version,
            "new_due_date": (limit + timedelta(days=30)).isoformat(),
            "reason": reason,
        },
    )
    assert fresh(report).approvals.get().text == reason


def test_a_stale_conclusion_report_is_kept_for_sending_again(tree, office, report, login):
    """The other officer changed the report (the acceptance notice) while this one wrote the 办结
    report: refused, the text stays and the form now carries the current version."""
    from django.test import Client

    from tests.petitions.helpers import real_name, submit

    submit(Client(), real_name(tree))
    online = services.PetitionReport.objects.exclude(pk=report.pk).get()
    client = login(office)
    version = _accepted(tree, office, online, client)
    client.post(
        reverse("petitions_staff:acceptance_notify", args=[online.pk]), {"version": version, "text": "已受理"}
    )
    typed = "经核查，反映问题部分属实，已对王某谈话提醒。"
    response = client.post(
        reverse("petitions_staff:close", args=[online.pk]), {"version": version, "result": typed}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "该记录已被他人修改" in page
    assert typed in page and "<details open><summary>办结报告" in page
    assert f'name="version" value="{fresh(online).version}" id="close_version"' in page
    client.post(
        reverse("petitions_staff:close", args=[online.pk]),
        {"version": fresh(online).version, "result": typed},
    )
    assert fresh(online).approvals.get().text == typed


def test_a_recused_officer_still_gets_404_after_the_report_is_forwarded_down(tree, office, report, login):
    """The forwarded-away notice is for a report that left the jurisdiction; a report forwarded to a
    body below stays in it, and a recused officer's 404 stands (no number, no receiving body)."""
    other = officer("county_petition_2", tree.county)
    StaffRelation.objects.create(user=other, relative_name="王某", kind="spouse")
    login(office).post(
        reverse("petitions_staff:route", args=[report.pk]), {"version": 1, "managing": tree.township_a.pk}
    )
    assert fresh(report).holder == tree.township_a
    client = login(other)
    assert _detail(client, report).status_code == 404
    response = client.post(reverse("petitions_staff:message", args=[report.pk]), {"version": 2, "body": "x"})
    assert response.status_code == 404
