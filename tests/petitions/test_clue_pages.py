"""The clue pages: registration by the case management office (from a report and from other
sources), the list with its filters and a constant query count, one clue with its signed history
and the actions, out-of-jurisdiction and recusal answered with 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijian.core.models import RelationKind, StaffRelation
from jijian.petitions.clues import services as clues
from jijian.petitions.models import Clue, ClueState
from tests.conftest import make_user
from tests.petitions.authz_entries_clues import accepted_report, case_manager, leader, registered_clue

pytestmark = pytest.mark.django_db


@pytest.fixture
def cm(tree):
    return case_manager(tree.county, "cm")


@pytest.fixture
def boss(tree):
    return leader(tree.county, "boss")


def test_register_from_an_accepted_report(login, tree, cm):
    report = accepted_report(tree.county, tree.township_a)
    client = login(cm)
    url = reverse("petitions_clues:register_from_report", args=[report.pk])
    page = client.get(url).content.decode()
    assert "王某" in page and report.serial_number in page and "签字背书" in page
    response = client.post(url, {"source": "petition", "accused_name": "王某", "summary": ""})
    assert response.status_code == 200 and "请确认签字背书承诺后再提交" in response.content.decode()
    assert not Clue.objects.exists()
    response = client.post(url, {"source": "petition", "accused_name": "王某", "endorse": "on"})
    clue = Clue.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "petitions_clues:detail", args=[clue.pk]
    )
    assert clue.report == report and clue.summary == report.facts


def test_a_report_not_yet_accepted_shows_why_it_cannot_be_registered(login, tree, cm):
    report = accepted_report(tree.county, state="received")
    client = login(cm)
    url = reverse("petitions_clues:register_from_report", args=[report.pk])
    page = client.get(url).content.decode()
    assert "只有已受理的举报件可以登记为问题线索" in page and 'name="endorse"' not in page
    response = client.post(url, {"source": "petition", "endorse": "on"})
    assert "只有已受理的举报件" in response.content.decode() and not Clue.objects.exists()


def test_free_registration_from_a_duty_record_or_another_source(login, tree, people, cm):
    from django.utils import timezone

    from jijian.reports import services as report_services

    duty_type = report_services.duty_types_for(timezone.localdate().year).get(code="clue_found")
    record = report_services.duty_record_create(
        actor=people.member_a,
        duty_type=duty_type,
        occurred_on=timezone.localdate(),
        data={"matter": "报销不全"},
    )
    client = login(cm)
    page = client.get(reverse("petitions_clues:register")).content.decode()
    assert "报销不全" in page and "神农村" in page
    response = client.post(
        reverse("petitions_clues:register"),
        {
            "source": "duty_record",
            "duty_record": record.pk,
            "accused_name": "赵会计",
            "summary": "报销不全",
            "endorse": "on",
        },
    )
    assert response.status_code == 302
    # The clue's page names its source record (day, village, duty type) through the reports platform.
    source = client.get(response.url).content.decode()
    day = timezone.localdate().isoformat()
    assert f"村级纪检委员履职发现 · {day} 神农村 {duty_type.name}" in source
    response = client.post(
        reverse("petitions_clues:register"),
        {"source": "other_body", "accused_name": "钱某", "summary": "审计移送", "endorse": "on"},
    )
    assert response.status_code == 200 and "请填写来源说明" in response.content.decode()
    response = client.post(
        reverse("petitions_clues:register"),
        {
            "source": "inspection",
            "source_note": "县委第二巡察组",
            "accused_name": "钱某",
            "summary": "巡察发现",
            "endorse": "on",
        },
    )
    assert response.status_code == 302
    assert list(Clue.objects.order_by("pk").values_list("source", "duty_record_id")) == [
        ("duty_record", record.pk),
        ("inspection", None),
    ]


def test_the_detail_shows_the_signed_history_and_the_actions_of_the_role(login, tree, cm, boss):
    clue = registered_clue(tree.county)
    client = login(cm)
    page = client.get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    step = clue.steps.get()
    assert clue.number in page and step.endorsement_digest in page and cm.full_name in page
    assert reverse("petitions_clues:propose", args=[clue.pk]) in page
    assert reverse("petitions_clues:approve", args=[clue.pk]) not in page

    response = client.post(
        reverse("petitions_clues:propose", args=[clue.pk]),
        {"disposal": "talk_or_letter", "note": "拟函询", "version": clue.version, "endorse": "on"},
    )
    assert response.status_code == 302
    clue.refresh_from_db()
    assert clue.state == ClueState.PENDING_APPROVAL
    # The proposer sees it waits for someone else.
    page = client.get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    assert "本人提出，须由其他领导审批" in page
    # A case manager trying to approve gets the reason, nothing changes.
    response = client.post(
        reverse("petitions_clues:approve", args=[clue.pk]),
        {"version": clue.version, "endorse": "on"},
        follow=True,
    )
    assert "您没有审批权限" in response.content.decode()
    clue.refresh_from_db()
    assert clue.state == ClueState.PENDING_APPROVAL

    leader_client = login(boss)
    page = leader_client.get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    assert reverse("petitions_clues:approve", args=[clue.pk]) in page and "拟函询" in page
    response = leader_client.post(
        reverse("petitions_clues:approve", args=[clue.pk]),
        {"version": clue.version, "endorse": "on"},
        follow=True,
    )
    assert "处置意见已批准" in response.content.decode()
    clue.refresh_from_db()
    assert clue.state == ClueState.TALK_OR_LETTER
    page = response.content.decode()
    assert "函询回复（15个工作日）" in page


def test_a_stale_form_is_refused_with_a_message(login, tree, cm):
    clue = registered_clue(tree.county)
    clues.clue_propose(actor=cm, clue=clue, disposal="hold", note="x", version=clue.version, endorse=True)
    response = login(cm).post(
        reverse("petitions_clues:propose", args=[clue.pk]),
        {"disposal": "close", "note": "y", "version": 1, "endorse": "on"},
        follow=True,
    )
    assert "该记录已被他人修改" in response.content.decode()
    clue.refresh_from_db()
    assert clue.pending_disposal == "hold"


def test_a_refused_proposal_comes_back_as_typed_to_be_signed_again(login, tree, cm):
    clue = registered_clue(tree.county)
    note = "经初步核实，被反映人已主动退还多领补贴，情节轻微，建议函询后视回复情况处理。"
    response = login(cm).post(
        reverse("petitions_clues:propose", args=[clue.pk]),
        {
            "disposal": "talk_or_letter",
            "sanction": "talk_reminder",
            "note": note,
            "version": 1,
            "endorse": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有予以了结或转立案审查调查时才填写处理结果" in page
    assert note in page and 'value="talk_or_letter" selected' in page
    endorse = re.search(r'<input[^>]*id="propose-endorse"[^>]*>', page)
    assert endorse and "checked" not in endorse.group(0)  # signed anew for what is sent again
    clue.refresh_from_db()
    assert clue.state == ClueState.REGISTERED


def test_the_letter_reply_form_stores_the_scan(login, tree, cm, boss):
    clue = registered_clue(tree.county)
    clue = clues.clue_propose(
        actor=cm, clue=clue, disposal="talk_or_letter", note="x", version=clue.version, endorse=True
    )
    clue = clues.clue_approve(actor=boss, clue=clue, version=clue.version, endorse=True)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.attachments.samples import pdf as sample_pdf

    pdf = SimpleUploadedFile("回复.pdf", sample_pdf(), "application/pdf")
    client = login(cm)
    response = client.post(
        reverse("petitions_clues:letter_reply", args=[clue.pk]),
        {
            "reply": "已说明",
            "endorser": "李某 书记",
            "version": clue.version,
            "endorse": "on",
            "files": [pdf],
        },
        follow=True,
    )
    body = response.content.decode()
    assert "函询回复已登记" in body
    assert clues.clue_files(clue).count() == 1 and "回复.pdf" in body
    assert "李某 书记" in body


def test_a_letter_reply_refused_keeps_its_text_and_its_scan(login, tree, cm, boss):
    clue = registered_clue(tree.county)
    clue = clues.clue_propose(
        actor=cm, clue=clue, disposal="talk_or_letter", note="x", version=clue.version, endorse=True
    )
    clue = clues.clue_approve(actor=boss, clue=clue, version=clue.version, endorse=True)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.attachments.samples import pdf as sample_pdf

    client = login(cm)
    url = reverse("petitions_clues:letter_reply", args=[clue.pk])
    data = {"reply": "被反映人书面说明了借款的来龙去脉", "version": clue.version, "endorse": "on"}
    pdf = SimpleUploadedFile("回复.pdf", sample_pdf(), "application/pdf")
    refused = client.post(url, {**data, "files": [pdf]})  # no endorser
    body = refused.content.decode()
    assert refused.status_code == 200 and 'id="error-summary"' in body and "请填写为回复签字背书" in body
    assert "被反映人书面说明了借款的来龙去脉" in body and "已附的文件" in body and "回复.pdf" in body
    assert clues.clue_files(clue).count() == 0
    held_id = refused.context["held"][0]["id"]
    response = client.post(url, {**data, "endorser": "李某 书记", "held_keep": [held_id]}, follow=True)
    assert "函询回复已登记" in response.content.decode()
    assert [f.original_name for f in clues.clue_files(clue)] == ["回复.pdf"]


def test_the_list_filters_and_its_query_count_is_constant(login, tree, cm, boss):
    client = login(cm)
    first = registered_clue(tree.county)
    client.get(reverse("petitions_clues:list"))
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("petitions_clues:list")).content.decode()
    assert first.number in page
    for i in range(6):
        clue = registered_clue(tree.county, accused_name=f"某{i}")
    clue = clues.clue_propose(
        actor=cm,
        clue=clue,
        disposal="close",
        sanction="admonishment",
        sanction_decided_on=timezone.localdate(),
        note="x",
        version=clue.version,
        endorse=True,
    )
    clues.clue_approve(actor=boss, clue=clue, version=clue.version, endorse=True)
    with CaptureQueriesContext(connection) as seven:
        page = client.get(reverse("petitions_clues:list")).content.decode()
    assert len(seven) == len(one) <= 10
    assert page.count('<tr id="clue-') == 7
    closed = client.get(reverse("petitions_clues:list"), {"state": "closed"}).content.decode()
    assert clue.number in closed and first.number not in closed
    form_1 = client.get(reverse("petitions_clues:list"), {"form": "form_1"}).content.decode()
    assert clue.number in form_1 and first.number not in form_1
    open_ = client.get(
        reverse("petitions_clues:list"), {"state": "open", "source": "supervision"}
    ).content.decode()
    assert first.number in open_ and clue.number not in open_
    none = client.get(reverse("petitions_clues:list"), {"disposal": "hold"}).content.decode()
    assert "暂无问题线索" in none
    htmx = client.get(
        reverse("petitions_clues:list"), {"state": "closed"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in htmx and clue.number in htmx
    wrong = client.get(reverse("petitions_clues:list"), {"start": "2025-13"}, HTTP_HX_REQUEST="true")
    assert "<html" not in wrong.content.decode() and "月份格式应为 年-月" in wrong.content.decode()


def test_another_county_gets_404_everywhere(login, tree, cm):
    clue = registered_clue(tree.county)
    report = accepted_report(tree.county)
    other = login(case_manager(tree.other_county, "cm_other"))
    assert other.get(reverse("petitions_clues:detail", args=[clue.pk])).status_code == 404
    assert other.get(reverse("petitions_clues:register_from_report", args=[report.pk])).status_code == 404
    for name in ("propose", "approve", "reject", "letter_reply", "reopen"):
        response = other.post(
            reverse(f"petitions_clues:{name}", args=[clue.pk]), {"version": 1, "endorse": "on"}
        )
        assert response.status_code == 404, name
    assert clue.number not in other.get(reverse("petitions_clues:list")).content.decode()
    other_leader = login(leader(tree.other_county, "ol"))
    assert other_leader.get(reverse("petitions_clues:detail", args=[clue.pk])).status_code == 404
    clue.refresh_from_db()
    assert clue.state == ClueState.REGISTERED and clue.version == 1


def test_a_recused_officer_gets_404(login, tree, cm):
    clue = registered_clue(tree.county, accused_name="王某")
    colleague = case_manager(tree.county, "cm_related")
    StaffRelation.objects.create(user=colleague, relative_name="王某", kind=RelationKind.SPOUSE)
    client = login(colleague)
    assert client.get(reverse("petitions_clues:detail", args=[clue.pk])).status_code == 404
    assert (
        client.post(
            reverse("petitions_clues:propose", args=[clue.pk]),
            {"disposal": "hold", "note": "x", "version": 1, "endorse": "on"},
        ).status_code
        == 404
    )
    assert clue.number not in client.get(reverse("petitions_clues:list")).content.decode()
    assert login(cm).get(reverse("petitions_clues:detail", args=[clue.pk])).status_code == 200


def test_staff_without_the_module_get_404(login, tree, people):
    clue = registered_clue(tree.county)
    client = login(people.county_officer)
    assert client.get(reverse("petitions_clues:list")).status_code == 404
    assert client.get(reverse("petitions_clues:detail", args=[clue.pk])).status_code == 404
    assert client.get(reverse("petitions_clues:stats")).status_code == 404
    petition_office = login(make_user("po", tree.county, "petition_office"))
    assert petition_office.get(reverse("petitions_clues:register")).status_code == 404


def test_a_closed_clue_shows_its_outcome_and_offers_no_action(login, tree, cm, boss):
    clue = registered_clue(tree.county)
    clue = clues.clue_propose(
        actor=cm,
        clue=clue,
        disposal="close",
        sanction="warning",
        sanction_decided_on=timezone.localdate(),
        note="属实，给予警告",
        version=1,
        endorse=True,
    )
    clues.clue_approve(actor=boss, clue=clue, version=clue.version, endorse=True)
    page = login(cm).get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    assert "警告（第二种形态）" in page and "属实，给予警告" in page
    assert "<form" not in page.split("处置记录")[0].split("主要问题")[1]
    assert page.count("SM3：") == 3


def test_the_decision_date_is_asked_on_proposal_and_shown_to_the_approver_and_on_the_clue(
    login, tree, cm, boss
):
    clue = registered_clue(tree.county)
    decided = timezone.localdate(clue.registered_at)
    client = login(cm)
    page = client.get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    assert 'name="sanction_decided_on"' in page and 'type="date"' in page and "处分决定日期" in page
    response = client.post(
        reverse("petitions_clues:propose", args=[clue.pk]),
        {
            "disposal": "close",
            "sanction": "public_demerit",
            "sanction_decided_on": f"{decided:%Y-%m-%d}",
            "note": "属实，给予记过处分",
            "version": 1,
            "endorse": "on",
        },
    )
    assert response.status_code == 302
    # The approver sees the date in the proposal before approving it.
    approving = login(boss).get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    pending = approving.split("待审批的处置意见")[1].split("</section>")[0]
    assert f"处理结果：记过，处分决定日期：{decided:%Y-%m-%d}" in pending
    response = login(boss).post(
        reverse("petitions_clues:approve", args=[clue.pk]), {"version": 2, "endorse": "on"}
    )
    assert response.status_code == 302
    clue.refresh_from_db()
    assert clue.state == ClueState.CLOSED and clue.sanction_decided_on == decided
    page = login(cm).get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    assert f"<dt>处分决定日期</dt><dd>{decided:%Y-%m-%d}</dd>" in page
    # The signed history shows it on the proposal and on the approval.
    history = page.split("处置记录（签字背书）")[1]
    assert history.count("· 处理结果：记过") == 2
    assert history.count(f"· 处分决定日期：{decided:%Y-%m-%d}") == 2


def test_a_future_decision_date_comes_back_as_typed_with_its_message(login, tree, cm):
    clue = registered_clue(tree.county)
    future = timezone.localdate() + timedelta(days=3)
    response = login(cm).post(
        reverse("petitions_clues:propose", args=[clue.pk]),
        {
            "disposal": "close",
            "sanction": "warning",
            "sanction_decided_on": f"{future:%Y-%m-%d}",
            "note": "属实，给予警告",
            "version": 1,
            "endorse": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "处分决定日期不能晚于今天" in page
    assert f'value="{future:%Y-%m-%d}"' in page
    clue.refresh_from_db()
    assert (clue.state, clue.version, clue.pending_sanction_decided_on) == (ClueState.REGISTERED, 1, None)
    # A date that is no date is refused by the form, in Chinese.
    response = login(cm).post(
        reverse("petitions_clues:propose", args=[clue.pk]),
        {
            "disposal": "close",
            "sanction": "warning",
            "sanction_decided_on": "昨天",
            "note": "x",
            "version": 1,
        },
    )
    assert response.status_code == 400 and "处分决定日期格式应为 年-月-日" in response.content.decode()
    clue.refresh_from_db()
    assert clue.state == ClueState.REGISTERED
