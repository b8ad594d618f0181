"""The township answers a split-expense flag (疑似拆分报账) as it answers a decision's flag: a written
answer or a clue opened in petitions (channel 日常监督发现), once; the flag has a due date in working
days after its latest voucher was entered, is marked overdue, and leaves the open list once answered.
A window that later gains a voucher is a new flag; the old answer stays on record."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.core.orgs.workdays import add_working_days
from jijian.petitions.models import PetitionReport
from jijian.villageaffairs import reimbursements as r
from jijian.villageaffairs import services
from jijian.villageaffairs.models import SplitFlagAnswer, Voucher, answer_working_days
from tests.villageaffairs.helpers import days_ago, file_rules, png

pytestmark = pytest.mark.django_db


def voucher(member, purpose, amount, days):
    return r.voucher_enter(
        actor=member, purpose=purpose, amount=Decimal(amount), spent_on=days_ago(days), handler_name="王经手",
        files=[png("receipt.png")],
    )  # fmt: skip


def split(people):
    """Two vouchers of one purpose, each under village A's 50,000 元 and together at it: one flag."""
    file_rules(people.member_a, large_amount=Decimal("50000"))
    voucher(people.member_a, "村道硬化材料（第一批）", "24000", 20)
    voucher(people.member_a, "村道硬化材料（第二批）", "26000", 5)
    (flag,) = r.split_expenses(people.township_a)
    return flag


def answer(people, flag, text="已核查，责令补办集体决策程序"):
    return services.split_flag_answer(
        actor=people.township_a, village=people.member_a.org_unit, flag_key=flag.key, answer=text
    )


def test_the_township_answers_a_split_flag_and_it_leaves_the_open_list(people, login):
    flag = split(people)
    row = answer(people, flag)
    assert (row.answered_by, row.answer, row.clue_serial) == (
        people.township_a,
        "已核查，责令补办集体决策程序",
        "",
    )
    assert row.vouchers == flag.voucher_ids and row.village == people.member_a.org_unit
    event = AuditEvent.objects.get(action="split_flag.answer")
    assert event.org_unit_id == people.member_a.org_unit_id and "村道硬化材料" in event.summary
    assert r.split_board(people.township_a) == []
    (shown,) = r.split_board(people.township_a, show_answered=True)
    assert shown.answer == row and not shown.overdue
    client = login(people.township_a)
    board = reverse("villageaffairs:flag_board")
    assert "疑似拆分报账" not in client.get(board).content.decode()
    page = client.get(board + "?answered=on").content.decode()
    assert "已核查，责令补办集体决策程序" in page and "已处理" in page


def test_an_open_split_flag_counts_among_the_boards_open_flags(people, login):
    split(people)  # village A's decisions raise no flag here: the split is the board's only one
    page = login(people.township_a).get(reverse("villageaffairs:flag_board")).content.decode()
    assert '<p class="muted" id="flag-total">共 1 条待处理</p>' in page
    assert "疑似拆分报账" in page and "没有风险提示" not in page


def test_a_second_answer_or_a_clue_after_it_is_refused_and_changes_nothing(people):
    flag = split(people)
    answer(people, flag)
    with pytest.raises(ValidationError) as info:
        answer(people, flag, "另一个意见")
    assert "已经处理过了" in info.value.messages[0]
    with pytest.raises(ValidationError):
        services.split_flag_open_clue(
            actor=people.township_a, village=people.member_a.org_unit, flag_key=flag.key
        )
    assert SplitFlagAnswer.objects.get().answer == "已核查，责令补办集体决策程序"
    assert not PetitionReport.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="split_flag.").count() == 1


def test_an_empty_answer_or_a_flag_that_is_gone_is_refused(people):
    flag = split(people)
    with pytest.raises(ValidationError) as info:
        answer(people, flag, "  ")
    assert info.value.messages == ["请填写处理意见"]
    with pytest.raises(ValidationError) as info:
        services.split_flag_answer(
            actor=people.township_a, village=people.member_a.org_unit, flag_key="0" * 64, answer="已核查"
        )
    assert "已不存在" in info.value.messages[0]
    assert not SplitFlagAnswer.objects.exists()


def test_only_the_township_committee_answers(people):
    flag = split(people)
    for actor in (people.member_a, people.county_officer):
        with pytest.raises(PermissionDenied):
            services.split_flag_answer(
                actor=actor, village=people.member_a.org_unit, flag_key=flag.key, answer="已核查"
            )
    assert not SplitFlagAnswer.objects.exists()


def test_a_window_that_gains_a_voucher_is_a_new_flag_and_the_old_answer_stays(people):
    old = split(people)
    answer(people, old)
    voucher(people.member_a, "村道硬化材料（第三批）", "20000", 12)  # inside the same window
    (new,) = r.split_expenses(people.township_a)
    assert new.key != old.key and len(new.vouchers) == 3
    (row,) = r.split_board(people.township_a)
    assert row.flag.key == new.key and row.answer is None
    assert SplitFlagAnswer.objects.get().flag_key == old.key  # on record still


def test_the_due_date_counts_working_days_from_the_latest_voucher_and_marks_overdue(people, login):
    flag = split(people)
    (row,) = r.split_board(people.township_a)
    latest = timezone.localdate()
    assert row.due == add_working_days(latest, answer_working_days()) and not row.overdue
    entered = timezone.now() - timedelta(days=30)
    Voucher.objects.filter(pk__in=flag.voucher_ids).update(created_at=entered)
    Voucher.objects.filter(pk=flag.voucher_ids[0]).update(created_at=entered - timedelta(days=10))
    (row,) = r.split_board(people.township_a)
    raised = timezone.localtime(entered).date()
    assert row.due == add_working_days(raised, answer_working_days())
    assert row.overdue
    page = login(people.township_a).get(reverse("villageaffairs:flag_board")).content.decode()
    assert f"已超期（应于 {row.due:%Y-%m-%d}" in page


def test_the_split_flags_answer_period_is_configured(people, settings):
    split(people)
    settings.VILLAGE_FLAG_ANSWER_WORKING_DAYS = 12
    (row,) = r.split_board(people.township_a)
    assert row.due == add_working_days(timezone.localdate(), 12)


def test_opening_a_clue_registers_it_in_petitions_as_found_in_supervision(people, login):
    flag = split(people)
    client = login(people.township_a)
    page = client.get(reverse("villageaffairs:flag_board")).content.decode()
    assert "转为问题线索" in page and f'value="{flag.key}"' in page
    response = client.post(
        reverse("villageaffairs:split_clue", args=[people.member_a.org_unit_id]),
        {"flag_key": flag.key, "facts": "村委会主任经手"},
        follow=True,
    )
    report = PetitionReport.objects.get()
    assert report.channel == "supervision" and report.get_channel_display() == "日常监督发现"
    assert report.region_id == people.member_a.org_unit_id and report.received_by == people.township_a
    assert "疑似拆分报账" in report.facts and "24000" in report.facts and "村委会主任经手" in report.facts
    row = SplitFlagAnswer.objects.get()
    assert row.clue_serial == report.serial_number != ""
    assert AuditEvent.objects.filter(action="split_flag.clue").count() == 1
    assert f"已转为问题线索，登记编号 {report.serial_number}" in response.content.decode()
    again = client.post(
        reverse("villageaffairs:split_clue", args=[people.member_a.org_unit_id]), {"flag_key": flag.key}
    )
    assert again.status_code == 400 and "已经处理过了" in again.content.decode()
    assert PetitionReport.objects.count() == 1


def test_a_refused_answer_comes_back_as_typed_with_its_message(people, login):
    flag = split(people)
    client = login(people.township_a)
    url = reverse("villageaffairs:split_answer", args=[people.member_a.org_unit_id])
    response = client.post(url, {"flag_key": flag.key, "answer": ""})
    assert response.status_code == 400 and "请填写处理意见" in response.content.decode()
    assert not SplitFlagAnswer.objects.exists()
    long = "经核查" + "情况属实" * 1250  # over 5000 characters
    response = client.post(url, {"flag_key": flag.key, "answer": long})
    page = response.content.decode()
    assert response.status_code == 400 and "5000" in page and f">{long}</textarea>" in page
    assert not SplitFlagAnswer.objects.exists()
    answer(people, flag, "已核查")
    response = client.post(url, {"flag_key": flag.key, "answer": "另一位同志的意见"})
    page = response.content.decode()
    assert response.status_code == 400 and "该拆分报账提示已经处理过了" in page
    assert SplitFlagAnswer.objects.get().answer == "已核查"
    gone = client.post(url, {"flag_key": "0" * 64, "answer": "意见照录"})
    assert gone.status_code == 400 and "已不存在" in gone.content.decode()


@pytest.mark.parametrize("persona", ["township_b", "member_a", "county_officer", "outsider"])
def test_outsiders_get_404_and_change_nothing(people, login, persona):
    flag = split(people)
    client = login(getattr(people, persona))
    village = people.member_a.org_unit_id
    for name, data in (("split_answer", {"answer": "已核查"}), ("split_clue", {})):
        url = reverse(f"villageaffairs:{name}", args=[village])
        assert client.post(url, {"flag_key": flag.key, **data}).status_code == 404
        api = f"/api/village/risks/splits/{village}/{name.removeprefix('split_')}"
        body = json.dumps({"flag_key": flag.key, **data})
        assert client.post(api, data=body, content_type="application/json").status_code == 404
    assert not SplitFlagAnswer.objects.exists() and not PetitionReport.objects.exists()


def test_the_api_lists_and_answers_split_flags(people, login):
    flag = split(people)
    client = login(people.township_a)
    (listed,) = client.get("/api/village/risks/splits").json()["items"]
    assert listed["key"] == flag.key and listed["answer"] is None and len(listed["vouchers"]) == 2
    url = f"/api/village/risks/splits/{people.member_a.org_unit_id}/answer"
    body = {"flag_key": flag.key, "answer": "已核查"}
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["answer"] == "已核查"
    again = client.post(url, data=json.dumps(body), content_type="application/json")
    assert again.status_code == 400 and "已经处理过了" in again.json()["error"]["message"]
    assert client.get("/api/village/risks/splits").json()["items"] == []
    assert SplitFlagAnswer.objects.count() == 1


def _villages_with_splits(people, tree, n: int) -> None:
    from jijian.core.models import OrgKind
    from jijian.core.services import org_unit_create

    for i in range(n):
        village = org_unit_create(
            actor=None, name=f"新村{i}", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
        )
        for amount, days in (("30000", 3), ("30000", 2)):
            Voucher.objects.create(
                village=village, purpose="水渠清淤", amount=Decimal(amount), spent_on=days_ago(days),
                handler_name="王经手", chain=["member_recheck", "agency_booking"], created_by=people.member_a,
            )  # fmt: skip


def test_the_boards_query_count_does_not_grow_with_villages(people, tree, login):
    from jijian.core.models import OrgUnit

    client = login(people.township_a)
    url = reverse("villageaffairs:flag_board")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _villages_with_splits(people, tree, 1)
    client.get(url)
    few = queries()
    answer_one = r.split_board(people.township_a)[0].flag
    services.split_flag_answer(
        actor=people.township_a,
        village=OrgUnit.objects.get(pk=answer_one.village_id),
        flag_key=answer_one.key,
        answer="已核查",
    )
    _villages_with_splits(people, tree, 5)
    assert len(r.split_board(people.township_a)) == 5
    assert queries() == few


def test_a_split_flag_reaches_the_township_once_and_again_when_its_window_grows(people, login):
    """A decision's flag was told to the township; a split one waited until someone opened the board."""
    from jijian.core.models import Notification

    file_rules(people.member_a, large_amount=Decimal("50000"))
    voucher(people.member_a, "村道硬化材料（第一批）", "24000", 20)
    assert not Notification.objects.exists()  # alone, under the threshold: nothing to tell
    voucher(people.member_a, "村道硬化材料（第二批）", "26000", 5)
    (note,) = Notification.objects.filter(recipient=people.township_a)
    assert note.title == "疑似拆分报账：神农村 村道硬化材料（第一批）"
    due = add_working_days(timezone.localdate(), answer_working_days())
    assert "2 张凭证合计 50000.00 元" in note.body and f"{due:%Y-%m-%d}" in note.body
    assert not Notification.objects.filter(recipient=people.township_b).exists()
    (flag,) = r.split_expenses(people.township_a)
    assert note.link.endswith(f"#split-{flag.key[:12]}")
    board = login(people.township_a).get(note.link).content.decode()
    assert f'id="split-{flag.key[:12]}"' in board
    voucher(people.member_a, "其他用途", "100", 3)  # not part of the window: nothing new
    assert Notification.objects.filter(recipient=people.township_a).count() == 1
    voucher(people.member_a, "村道硬化材料（第三批）", "1000", 10)  # inside the window: a new flag, told
    notes = Notification.objects.filter(recipient=people.township_a).order_by("pk")
    assert notes.count() == 2 and "3 张凭证合计 51000.00 元" in notes.last().body
