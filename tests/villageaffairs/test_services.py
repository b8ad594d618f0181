"""Recording 四议两公开 steps: what is refused (nothing changes then), what is kept, and the duty log
that fills itself from the steps the member attended."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jijian.audit.models import AuditEvent
from jijian.core.services import ConcurrentEditError
from jijian.reports.models import DutyRecord, MonthlyReport, ReportState
from jijian.reports.services import month_counts, month_start
from jijian.villageaffairs import services
from jijian.villageaffairs.models import DecisionStep, Step
from tests.villageaffairs.helpers import days_ago, file_rules, names, record, register, step_fields, walk

pytestmark = pytest.mark.django_db


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return "；".join(info.value.messages)


def test_a_decision_needs_the_villages_rules_filed_first(people):
    message = refused(
        services.major_decision_register, actor=people.member_a, category="major_project", title="修路"
    )
    assert "请先填报本村“三重一大”规则" in message


def test_only_a_village_member_registers_a_decision(people):
    file_rules(people.member_a)
    with pytest.raises(PermissionDenied):
        services.major_decision_register(actor=people.township_a, category="major_project", title="修路")


def test_a_large_fund_use_needs_its_amount(people):
    file_rules(people.member_a)
    message = refused(
        services.major_decision_register, actor=people.member_a, category="large_fund", title="购置农机"
    )
    assert "须填写涉及金额" in message


def test_votes_greater_than_attendance_are_refused_and_nothing_is_kept(people):
    decision = register(people.member_a)
    message = refused(
        record, people.member_a, decision, Step.PROPOSAL, attended=5, votes_for=5, votes_against=2
    )
    assert "表决票数合计（7）不能大于实到人数（5）" in message
    assert not DecisionStep.objects.exists()
    assert not DutyRecord.objects.exists()


def test_attendance_greater_than_the_roll_is_refused(people):
    decision = register(people.member_a)
    assert "实到人数（9）不能大于应到人数（7）" in refused(
        record, people.member_a, decision, Step.PROPOSAL, attended=9, votes_for=7
    )


def test_a_party_meeting_quorum_against_the_wrong_roll_is_refused(people):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=2)
    message = refused(
        record,
        people.member_a,
        decision,
        Step.PARTY_MEETING,
        roll=24,
        attended=17,
        attendees=names(17),
        votes_for=17,
    )
    assert "应到人数应为本村党员人数 30 人" in message
    assert not DecisionStep.objects.filter(step=Step.PARTY_MEETING).exists()


def test_an_attendee_list_that_does_not_match_the_count_is_refused(people):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=2)
    message = refused(record, people.member_a, decision, Step.PARTY_MEETING, attendees=names(22))
    assert "参会人员名单共 22 人，与实到人数 25 不符" in message


def test_a_step_out_of_order_is_refused_without_an_explanation(people):
    decision = register(people.member_a)
    message = refused(record, people.member_a, decision, Step.PARTY_MEETING)
    assert "“村党组织提议”“村“两委”会商议”尚未登记" in message
    assert not DecisionStep.objects.exists()


def test_a_step_twice_is_refused(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL)
    assert "已经登记过了" in refused(record, people.member_a, decision, Step.PROPOSAL)


def test_a_step_in_the_future_is_refused(people):
    decision = register(people.member_a)
    assert "日期不能晚于今天" in refused(
        record, people.member_a, decision, Step.PROPOSAL, held_on=days_ago(-1)
    )


def test_a_notice_needs_its_board_photo(people):
    decision = register(people.member_a)
    walk(people.member_a, decision, upto=4)
    assert "请上传公开栏照片" in refused(record, people.member_a, decision, Step.RESOLUTION_PUBLIC, files=[])


def test_the_notice_board_photos_are_stored_with_the_step(people):
    from jijian.attachments.models import Attachment

    decision = register(people.member_a)
    steps = walk(people.member_a, decision, upto=5)
    photo = Attachment.objects.get(purpose="villageaffairs.step")
    assert photo.object_id == str(steps[4].step.pk)
    assert photo.org_unit_id == decision.village_id


def test_another_member_cannot_record_a_step_of_village_a(people, tree):
    from jijian.core.roles import Role
    from tests.conftest import make_user

    decision = register(people.member_a)
    member_a2 = make_user("member_a2", tree.village_a2, Role.VILLAGE_MEMBER)
    with pytest.raises(PermissionDenied):
        services.decision_step_record(actor=member_a2, decision=decision, step=1, **step_fields(1))
    with pytest.raises(PermissionDenied):
        services.decision_step_record(actor=people.township_a, decision=decision, step=1, **step_fields(1))


def test_a_decision_keeps_the_rules_it_started_under(people):
    decision = register(people.member_a)
    file_rules(people.member_a, party_members=40, large_amount=Decimal("100000"))
    walk(people.member_a, decision, upto=2)
    # Still 30 party members for this decision: 25 of 30 is quorate, and the roll of 40 is refused.
    assert "应到人数应为本村党员人数 30 人" in refused(
        record, people.member_a, decision, Step.PARTY_MEETING, roll=40
    )
    record(people.member_a, decision, Step.PARTY_MEETING)
    assert register(people.member_a, "新事项").rules["party_members"] == 40


def test_rules_edited_from_a_stale_page_are_refused(people):
    file_rules(people.member_a)
    with pytest.raises(ConcurrentEditError):
        file_rules(people.member_a, version=0, party_members=50)
    assert services.village_rules_for(people.member_a.org_unit).party_members == 30


def test_each_step_is_audited(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL)
    assert (
        AuditEvent.objects.filter(action="decision_step.record", org_unit_id=decision.village_id).count() == 1
    )


# --- the duty log fills itself ------------------------------------------------------------------
def test_a_step_attended_becomes_a_duty_record_of_its_month(people):
    decision = register(people.member_a)
    outcome = record(people.member_a, decision, Step.PROPOSAL, member_opinion="提议程序规范")
    duty = DutyRecord.objects.get()
    assert outcome.step.duty_record_id == duty.pk
    assert duty.member == people.member_a
    assert duty.duty_type.code == "decision_meeting"
    assert duty.occurred_on == outcome.step.held_on
    assert duty.data["deliberations"] == ["党支部提议"]
    assert duty.data["opinion"] == "提议程序规范"
    assert month_counts(village=decision.village, month=month_start(duty.occurred_on)) == {
        "decision_meeting": 1
    }


def test_a_step_not_attended_is_not_a_duty_record(people):
    # Without an opinion either: an opinion given without attending is one (test_gaps_dec07.py).
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, member_present=False, member_opinion="")
    assert not DutyRecord.objects.exists()


def test_a_closed_month_keeps_the_step_and_says_the_log_refused_it(people):
    decision = register(people.member_a)
    held_on = days_ago(1)
    MonthlyReport.objects.create(
        village=decision.village,
        month=month_start(held_on),
        member=people.member_a,
        state=ReportState.SUBMITTED,
        deadline=held_on,
    )
    outcome = record(people.member_a, decision, Step.PROPOSAL, held_on=held_on)
    assert "未能计入履职纪实" in outcome.duty_log_note
    assert DecisionStep.objects.filter(pk=outcome.step.pk, duty_record_id__isnull=True).exists()
    assert not DutyRecord.objects.exists()


# --- answers ------------------------------------------------------------------------------------
def late_decision(people):
    decision = register(people.member_a)
    record(people.member_a, decision, Step.PROPOSAL, held_on=days_ago(9))
    return decision


def test_the_township_answers_a_flag_once(people):
    decision = late_decision(people)
    services.flag_answer(
        actor=people.township_a, decision=decision, flag_key="late:1", answer="已提醒村两委及时记录"
    )
    assert "已经处理过了" in refused(
        services.flag_answer, actor=people.township_a, decision=decision, flag_key="late:1", answer="再次"
    )


def test_an_answer_to_a_flag_that_does_not_exist_is_refused(people):
    decision = late_decision(people)
    assert "已不存在" in refused(
        services.flag_answer, actor=people.township_a, decision=decision, flag_key="quorum:3", answer="x"
    )


def test_an_empty_answer_is_refused(people):
    decision = late_decision(people)
    assert "请填写处理意见" in refused(
        services.flag_answer, actor=people.township_a, decision=decision, flag_key="late:1", answer="  "
    )


def test_only_the_township_answers(people):
    decision = late_decision(people)
    with pytest.raises(PermissionDenied):
        services.flag_answer(actor=people.member_a, decision=decision, flag_key="late:1", answer="自己回答")


def test_a_video_with_the_notice_photos_refuses_the_step_and_leaves_no_file(people, files_dir):
    import io

    from jijian.attachments.models import Attachment
    from tests.attachments import samples
    from tests.villageaffairs.helpers import png

    decision = register(people.member_a)
    walk(people.member_a, decision, upto=4)
    video = io.BytesIO(samples.mp4())
    video.name = "公开栏.mp4"
    message = refused(record, people.member_a, decision, Step.RESOLUTION_PUBLIC, files=[png(), video])
    assert "只接收图片、PDF、Office 文档" in message
    assert not DecisionStep.objects.filter(decision=decision, step=Step.RESOLUTION_PUBLIC).exists()
    assert not Attachment.objects.exists()
    assert not [p for p in files_dir.rglob("*") if p.is_file()]  # the photo stored before it went too
