"""The village-affairs pages as their users use them: the member records a step with its photos and
sees it counted in the duty log; the township sees the flag with its rule and answers it; lists keep
to each user's villages and cost the same queries for 3 rows as for 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijian.reports.models import DutyRecord
from jijian.villageaffairs.models import DecisionStep, FlagAnswer, Step
from tests.conftest import make_user
from tests.villageaffairs.helpers import days_ago, file_rules, png, record, register

pytestmark = pytest.mark.django_db


def test_the_member_files_rules_then_registers_a_decision(people, login):
    client = login(people.member_a)
    page = client.get(reverse("villageaffairs:decision_list")).content.decode()
    assert "请先" in page and "填报本村“三重一大”规则" in page
    response = client.post(
        reverse("villageaffairs:rules_edit"),
        {
            "large_amount": "50000",
            "party_members": "30",
            "representatives": "21",
            "minutes_late_days": "7",
            "version": "0",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("villageaffairs:decision_create"),
        {"category": "large_fund", "title": "购置农机", "amount": "120000"},
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "购置农机" in detail and "登记本环节" in detail


def test_a_bad_step_shows_the_reason_at_the_top_and_keeps_nothing(people, login):
    decision = register(people.member_a)
    client = login(people.member_a)
    url = reverse("villageaffairs:step_record", args=[decision.pk, 1])
    response = client.post(
        url,
        {
            "held_on": days_ago(1).isoformat(),
            "roll": "7",
            "attended": "5",
            "votes_for": "6",
            "minutes": "记录",
        },
    )
    assert response.status_code == 200
    assert "表决票数合计（6）不能大于实到人数（5）" in response.content.decode()
    assert not DecisionStep.objects.exists()


def test_the_member_records_a_step_with_photos_and_it_is_in_the_duty_log(people, login):
    decision = register(people.member_a)
    client = login(people.member_a)
    response = client.post(
        reverse("villageaffairs:step_record", args=[decision.pk, 1]),
        {
            "held_on": days_ago(1).isoformat(),
            "roll": "7",
            "attended": "7",
            "votes_for": "7",
            "minutes": "支部委员会提议维修村部。",
            "uploads": [png("minutes.png")],
            "member_present": "on",
            "member_opinion": "程序规范",
        },
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "已自动计入本月履职纪实" in detail
    assert "minutes.png" in detail
    assert DutyRecord.objects.filter(member=people.member_a, duty_type__code="decision_meeting").count() == 1


def test_a_step_out_of_order_asks_for_an_explanation(people, login):
    decision = register(people.member_a)
    client = login(people.member_a)
    url = reverse("villageaffairs:step_record", args=[decision.pk, 3])
    page = client.get(url).content.decode()
    assert "未按顺序登记的说明" in page
    assert "应到人数为本村党员 30 人" in page


def test_the_township_sees_the_flag_with_its_rule_and_answers_it(people, login):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    client = login(people.township_a)
    board = client.get(reverse("villageaffairs:flag_board")).content.decode()
    assert 'id="flag-late1"' in board and "规则：会议记录应当会后及时登记" in board
    response = client.post(
        reverse("villageaffairs:flag_answer", args=[decision.pk]),
        {"flag_key": "late:1", "answer": "已提醒及时记录"},
    )
    assert response.status_code == 302
    assert FlagAnswer.objects.get().answered_by == people.township_a
    assert 'id="flag-late1"' not in client.get(reverse("villageaffairs:flag_board")).content.decode()
    assert (
        "已提醒及时记录" in client.get(reverse("villageaffairs:flag_board") + "?answered=on").content.decode()
    )


def test_a_refused_answer_to_a_flag_comes_back_in_its_box_with_400_and_saves_nothing(people, login):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    client = login(people.township_a)
    url = reverse("villageaffairs:flag_answer", args=[decision.pk])
    response = client.post(url, {"flag_key": "late:1", "answer": "   "})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="answer-error-late1"' in body and "请填写处理意见" in body
    assert 'aria-invalid="true"' in body and 'id="error-summary"' not in body
    assert not FlagAnswer.objects.exists()
    # Answered meanwhile by a colleague: the flag no longer has a box, so the message goes on top.
    client.post(url, {"flag_key": "late:1", "answer": "已提醒"})
    again = client.post(url, {"flag_key": "late:1", "answer": "再次提醒"})
    assert again.status_code == 400
    body = again.content.decode()
    assert 'id="error-summary"' in body and "该风险提示已经处理过了" in body
    assert FlagAnswer.objects.get().answer == "已提醒"


def test_lists_keep_to_the_users_villages(people, tree, login):
    from jijian.core.roles import Role

    member_b = make_user("member_b", tree.village_b, Role.VILLAGE_MEMBER)
    register(people.member_a, "神农村修路")
    register(member_b, "高城村建桥")
    page_a = login(people.member_a).get(reverse("villageaffairs:decision_list")).content.decode()
    assert "神农村修路" in page_a and "高城村建桥" not in page_a
    page_t = login(people.township_a).get(reverse("villageaffairs:decision_list")).content.decode()
    assert "神农村修路" in page_t and "高城村建桥" not in page_t
    # The village filter has a label of its own: wrapping it let the picker's search box (put first
    # inside by unit-picker.js) take the label, and a screen reader read the select without a name.
    assert '<label for="id_village">' in page_t and 'id="id_village"' in page_t
    page_b = login(people.township_b).get(reverse("villageaffairs:decision_list")).content.decode()
    assert "高城村建桥" in page_b and "神农村修路" not in page_b


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _flagged_decisions(member, n, start):
    for i in range(n):
        decision = register(member, f"事项{start + i}")
        record(member, decision, Step.PROPOSAL, held_on=days_ago(8 + i % 5))
        record(member, decision, Step.PARTY_MEETING, held_on=days_ago(3), out_of_sequence_reason="补录")


@pytest.mark.parametrize(
    ("persona", "name"),
    [("township_a", "decision_list"), ("township_a", "flag_board"), ("member_a", "decision_list")],
)
def test_list_query_count_does_not_grow_with_rows(people, login, persona, name):
    file_rules(people.member_a)
    client = login(getattr(people, persona))
    url = reverse(f"villageaffairs:{name}")
    _flagged_decisions(people.member_a, 3, 0)
    client.get(url)
    few = _queries(client, url)
    _flagged_decisions(people.member_a, 27, 100)
    assert _queries(client, url) == few


def test_a_step_refused_for_its_votes_keeps_the_photos_chosen_and_the_corrected_post_stores_them(
    people, login
):
    decision = register(people.member_a)
    client = login(people.member_a)
    url = reverse("villageaffairs:step_record", args=[decision.pk, 1])
    data = {
        "held_on": days_ago(1).isoformat(),
        "roll": "7",
        "attended": "5",
        "votes_for": "6",
        "minutes": "支部委员会提议维修村部。",
        "member_present": "on",
    }
    refused = client.post(url, {**data, "uploads": [png("minutes.png")]})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "表决票数合计（6）不能大于实到人数（5）" in page and "已附的文件" in page and "minutes.png" in page
    assert not DecisionStep.objects.exists()
    held_id = refused.context["held"][0]["id"]
    response = client.post(url, {**data, "votes_for": "5", "held_keep": [held_id]})  # no file chosen again
    assert response.status_code == 302
    assert "minutes.png" in client.get(response["Location"]).content.decode()


def test_the_village_filters_use_the_unit_picker_and_keep_to_the_jurisdiction(people, tree, login):
    """The village filters of the decision list and the risk board are unit pickers (options carry
    pinyin initials); a village outside the user's jurisdiction filters nothing."""
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    client = login(people.township_a)
    for name in ("villageaffairs:decision_list", "villageaffairs:flag_board"):
        page = client.get(reverse(name)).content.decode()
        assert "data-unit-picker" in page, name
        assert f'data-initials="{tree.village_a.pinyin_initials}"' in page, name
    assert tree.village_a.pinyin_initials
    board = reverse("villageaffairs:flag_board")
    assert 'id="flag-late1"' in client.get(f"{board}?village={tree.village_a.pk}").content.decode()
    assert 'id="flag-late1"' not in client.get(f"{board}?village={tree.village_a2.pk}").content.decode()
    # A village of another township is not a choice: the board is not filtered by it (the township's
    # own flags stay) and says nothing of it.
    other = client.get(f"{board}?village={tree.village_b.pk}").content.decode()
    assert 'id="flag-late1"' in other and tree.village_b.name not in other


def test_the_township_reads_a_villages_filed_rules(people, login):
    """What the village counts as 三重一大 reaches the township: its rules page, linked from every decision,
    read-only; the item types are kept in the audit trail's record of the filing."""
    from jijian.audit.models import AuditEvent

    url = reverse("villageaffairs:rules_detail", args=[people.member_a.org_unit_id])
    client = login(people.township_a)
    assert "尚未报备" in client.get(url).content.decode()
    file_rules(people.member_a, item_types="集体土地承包\n村级公益事业建设")
    decision = register(people.member_a)
    page = client.get(url).content.decode()
    assert "50000.00 元及以上" in page and "集体土地承包<br>村级公益事业建设" in page
    assert "第1版" in page and "修改并重新报备" not in page  # the township reads; the member edits
    detail = client.get(reverse("villageaffairs:decision_detail", args=[decision.pk])).content.decode()
    assert f'href="{url}"' in detail
    filed = AuditEvent.objects.filter(action__contains="rules").latest("pk")
    assert filed.after["item_types"] == "集体土地承包\n村级公益事业建设"
    assert "修改并重新报备" in login(people.member_a).get(url).content.decode()
