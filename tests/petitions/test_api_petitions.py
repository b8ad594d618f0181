"""The staff API of reports: the register (filters, paging, reporter masked), one report (deadlines,
forwards, transitions), registration (JSON and multipart), triage and notices carrying `version`
(stale: 409; refused: 400 with the service's message, nothing changed), messages, the forwards desk
and a report's time limits. Outside the caller's jurisdiction: 404; anonymous: 401."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from jijian.core.roles import Role
from jijian.petitions import services
from jijian.petitions.handling import conclusion
from jijian.petitions.handling.relations import staff_relation_declare
from jijian.petitions.models import (
    DeadlineKind,
    ForwardAnswer,
    PetitionApproval,
    PetitionForward,
    PetitionMessage,
    PetitionReport,
    PetitionState,
)
from tests.conftest import sign_in
from tests.petitions.triage_helpers import leader_of

from .authz_entries_work import forward_down, register, report_held_by_a, report_held_by_c, staff

BASE = "/api/petitions/"
IDENTITY = ("李举报", "11010519491231002X", "13800138000")


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def rejected(response, status=400):
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()["error"]
    assert set(body) == {"code", "message", "details"}
    return body["message"]


def png(name="scan.png"):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def report(tree, people) -> PetitionReport:
    return report_held_by_a(tree, people)


def test_anonymous_gets_401_everywhere():
    client = Client()
    for url in (BASE, f"{BASE}1", f"{BASE}forwards", f"{BASE}forwards/sent", f"{BASE}1/deadlines"):
        assert client.get(url).status_code == 401, url
    assert post(client, f"{BASE}1/close", {"result": "x", "version": 1}).status_code == 401


# --- the register -------------------------------------------------------------------------------------
def test_register_list_is_scoped_and_masks_the_reporter(login, tree, people, report):
    report_held_by_c(tree, people)
    body = login(people.township_a).get(BASE).json()
    assert body["count"] == 1
    (row,) = body["items"]
    assert row["id"] == report.pk and row["reporter"] == "李** 138****8000" and row["version"] == 1
    assert not any(v in json.dumps(body, ensure_ascii=False) for v in IDENTITY)
    assert login(people.township_b).get(BASE).json()["count"] == 0
    assert login(people.city_petition).get(BASE).json()["count"] == 2
    assert login(people.county_officer).get(BASE).status_code == 404


def test_register_list_filters(login, tree, people, report):
    visit = register(people.township_a, tree.township_a, channel="visit", accused_name="陈某")
    client = login(people.township_a)
    assert [r["id"] for r in client.get(BASE, {"channel": "visit"}).json()["items"]] == [visit.pk]
    assert client.get(BASE, {"q": "陈"}).json()["count"] == 1
    assert client.get(BASE, {"state": "closed"}).json()["count"] == 0
    assert client.get(BASE, {"received_from": "2000-01-01"}).json()["count"] == 2
    assert rejected(client.get(BASE, {"received_from": "yesterday"}), 422)


def test_register_list_query_count_is_constant(login, tree, people, django_assert_max_num_queries):
    client = login(people.township_a)
    report_held_by_a(tree, people)
    with django_assert_max_num_queries(30) as one:
        client.get(BASE)
    for _ in range(5):
        report_held_by_a(tree, people)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(BASE).json()["count"] == 6


# --- one report ---------------------------------------------------------------------------------------
def test_detail_shows_deadlines_forwards_transitions_with_reporter_masked(login, tree, people):
    forward = forward_down(tree, people)
    body = login(people.township_a).get(f"{BASE}{forward.report_id}").json()
    assert body["reporter"] == "李** 138****8000" and body["state"] == "forwarded"
    assert {d["kind"] for d in body["deadlines"]} >= {"route", "acceptance_notice", "forward_answer"}
    assert [f["id"] for f in body["forwards"]] == [forward.pk] and body["forwards"][0][
        "to_unit_name"
    ] == "厉山镇"
    assert [t["action"] for t in body["transitions"]] == ["register", "forward_lower"]
    assert not any(v in json.dumps(body, ensure_ascii=False) for v in IDENTITY)


def test_detail_outside_jurisdiction_or_recused_is_404(login, tree, people, report):
    outsider = staff("other_petition", tree.other_county, Role.PETITION_OFFICE)
    assert rejected(login(outsider).get(f"{BASE}{report.pk}"), 404)
    assert login(people.township_b).get(f"{BASE}{report.pk}/deadlines").status_code == 404
    staff_relation_declare(actor=people.township_a, relative_name="王某", kind="spouse")
    assert login(people.township_a).get(f"{BASE}{report.pk}").status_code == 404


def test_deadlines_of_a_report(login, people, report):
    rows = login(people.township_a).get(f"{BASE}{report.pk}/deadlines").json()
    assert {r["kind"]: r["urgency"] for r in rows} == {"route": "green", "acceptance_notice": "green"}


# --- registration -------------------------------------------------------------------------------------
REGISTER = {
    "channel": "phone",
    "phone_area_code": "0722",
    "category": "accusation",
    "facts": "来电反映村干部截留补贴。",
    "is_anonymous": False,
    "reporter_name": "吴来电",
    "reporter_phone": "0722-3456789",
    "accused_name": "郑某",
    "accused_level": "village",
}


def test_register_a_phone_call(login, tree, people):
    response = post(login(people.township_a), BASE, {**REGISTER, "region_id": tree.township_a.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    report = PetitionReport.objects.get(pk=body["id"])
    assert (
        report.channel == "phone"
        and report.holder == tree.township_a
        and report.reporter_phone == "0722-3456789"
    )
    assert body["reporter"].startswith("吴*") and "3456789" not in json.dumps(body)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"region_id": "outside"}, "不在您的管辖范围内"),
        ({"reporter_id_number": "110105194912310021"}, "身份证号校验位错误"),
        ({"reporter_phone": "12345"}, "联系电话应为11位手机号码或带区号的固定电话"),
        ({"phone_area_code": ""}, "来电区号"),
        ({"facts": "  "}, "请填写反映的主要问题和事实"),
        ({"channel": "online"}, "请选择来信、来访、来电或视频接访"),
    ],
)
def test_bad_registrations_are_refused_with_a_message_and_nothing_saved(login, tree, people, change, message):
    data = {**REGISTER, "region_id": tree.township_a.pk, **change}
    if data["region_id"] == "outside":
        data["region_id"] = tree.township_b.pk
    assert message in rejected(post(login(people.township_a), BASE, data))
    assert PetitionReport.objects.count() == 0


def test_register_with_scanned_letters(login, tree, people):
    data = {**REGISTER, "channel": "letter", "region_id": tree.township_a.pk, "is_anonymous": "true"}
    data.pop("phone_area_code")
    response = login(people.township_a).post(
        f"{BASE}with-files", {**data, "files": [png("a.png"), png("b.png")]}
    )
    assert response.status_code == 201, response.content
    report = PetitionReport.objects.get(pk=response.json()["id"])
    assert report.is_anonymous and report.reporter_name == ""
    assert services.petition_evidence(report).count() == 2


def test_register_with_files_refuses_bad_input(login, tree, people):
    client = login(people.township_a)
    assert rejected(client.post(f"{BASE}with-files", {"channel": "letter"}), 422)
    disguised = SimpleUploadedFile("letter.png", b"MZ\x90\x00 not an image", content_type="image/png")
    data = {**REGISTER, "channel": "letter", "region_id": tree.township_a.pk, "files": [disguised]}
    data.pop("phone_area_code")
    assert rejected(client.post(f"{BASE}with-files", data))
    assert PetitionReport.objects.count() == 0
    assert login(people.county_officer).post(f"{BASE}with-files", data).status_code == 404


# --- triage and notices ---------------------------------------------------------------------------------
def test_accept_here_then_notices_and_close(login, tree, people, report):
    client = login(people.township_a)
    body = post(client, f"{BASE}{report.pk}/route", {"managing_id": tree.township_a.pk, "version": 1}).json()
    assert body["state"] == "accepted" and body["route"] == "this_level" and body["version"] == 2
    body = post(
        client, f"{BASE}{report.pk}/acceptance-notice", {"text": "您的举报已受理", "version": 2}
    ).json()
    assert body["acceptance_notified_on"] and body["version"] == 3
    body = post(
        client, f"{BASE}{report.pk}/close", {"result": "经核实，问题属实，已给予处分", "version": 3}
    ).json()
    assert body["state"] == "accepted" and body["version"] == 4  # the 办结 report waits on a leader
    assert [(a["kind"], a["state"], a["text"]) for a in body["approvals"]] == [
        ("conclusion", "pending", "经核实，问题属实，已给予处分")
    ]
    approval = PetitionApproval.objects.get(report=report)
    conclusion.petition_approval_decide(
        actor=leader_of(tree.township_a), approval=approval, approve=True, note="", version=4
    )
    body = client.get(f"{BASE}{report.pk}").json()
    assert body["state"] == "closed" and body["result"].startswith("经核实")
    assert body["approvals"][0]["state"] == "approved" and body["approvals"][0]["decided_at"]
    assert any(d["kind"] == DeadlineKind.RESULT_NOTICE and d["met_at"] is None for d in body["deadlines"])
    body = post(client, f"{BASE}{report.pk}/result-notice", {"text": "办理结果如下……", "version": 5}).json()
    assert body["result_notified_on"] and all(d["met_at"] for d in body["deadlines"])


def test_a_stale_version_is_409_and_nothing_changes(login, tree, people, report):
    client = login(people.township_a)
    response = post(client, f"{BASE}{report.pk}/route", {"managing_id": tree.township_a.pk, "version": 7})
    assert rejected(response, 409)
    report.refresh_from_db()
    assert report.state == PetitionState.RECEIVED and report.version == 1


def test_route_down_forwards_and_route_up_leaves_the_register(login, tree, people):
    city_report = register(people.city_petition, tree.township_a)
    body = post(
        login(people.city_petition),
        f"{BASE}{city_report.pk}/route",
        {"managing_id": tree.township_a.pk, "version": 1},
    ).json()
    assert body["state"] == "forwarded" and body["forwards"][0]["to_unit_id"] == tree.township_a.pk

    mine = report_held_by_a(tree, people)
    client = login(people.township_a)
    response = post(client, f"{BASE}{mine.pk}/route", {"managing_id": tree.county.pk, "version": 1})
    assert response.status_code == 202
    assert response.json() == {
        "id": mine.pk,
        "serial_number": mine.serial_number,
        "state": "forwarded",
        "version": 2,
        "left_jurisdiction": True,
    }
    assert client.get(f"{BASE}{mine.pk}").status_code == 404


def test_route_to_a_unit_that_is_not_a_commission_is_refused(login, tree, people, report):
    client = login(people.township_a)
    for managing in (tree.village_a.pk, tree.department.pk, 999999):
        message = rejected(post(client, f"{BASE}{report.pk}/route", {"managing_id": managing, "version": 1}))
        assert "纪检监察机关" in message
    report.refresh_from_db()
    assert report.state == PetitionState.RECEIVED and report.forwards.count() == 0


def test_acceptance_notice_before_acceptance_is_refused(login, people, report):
    message = rejected(
        post(login(people.township_a), f"{BASE}{report.pk}/acceptance-notice", {"text": "x", "version": 1})
    )
    assert "不能进行此操作" in message
    report.refresh_from_db()
    assert report.acceptance_notified_on is None


def test_not_accept_needs_a_reply_for_a_real_name_reporter(login, people, report):
    client = login(people.township_a)
    message = rejected(post(client, f"{BASE}{report.pk}/not-accept", {"reason": "other_body", "version": 1}))
    assert "须填写给举报人的答复" in message
    body = post(
        client,
        f"{BASE}{report.pk}/not-accept",
        {"reason": "legal_procedure", "reply": "请依法申请仲裁", "version": 1},
    ).json()
    assert body["state"] == "not_accepted" and body["not_accepted_reason"] == "legal_procedure"


def test_mark_repeat_links_to_the_original(login, tree, people, report):
    second = report_held_by_a(tree, people)
    client = login(people.township_a)
    body = post(client, f"{BASE}{second.pk}/repeat", {"original_id": report.pk, "version": 1}).json()
    assert body["repeat_of_id"] == report.pk
    assert all(d["met_at"] for d in body["deadlines"] if d["kind"] == "acceptance_notice")
    outside = report_held_by_c(tree, people)
    third = report_held_by_a(tree, people)
    assert rejected(post(client, f"{BASE}{third.pk}/repeat", {"original_id": outside.pk, "version": 1}), 404)
    assert "自身" in rejected(
        post(client, f"{BASE}{third.pk}/repeat", {"original_id": third.pk, "version": 1})
    )


def test_message_to_the_reporter(login, people, report):
    client = login(people.township_a)
    response = post(client, f"{BASE}{report.pk}/messages", {"body": "请补充相关材料"})
    assert response.status_code == 201 and response.json()["author_name"] == people.township_a.full_name
    assert PetitionMessage.objects.get().body == "请补充相关材料"
    assert "请填写" in rejected(post(client, f"{BASE}{report.pk}/messages", {"body": " "}))
    assert PetitionMessage.objects.count() == 1


def test_actions_outside_jurisdiction_are_404_and_change_nothing(login, tree, people, report):
    client = login(people.township_b)
    for path, data in (
        ("route", {"managing_id": tree.township_a.pk, "version": 1}),
        ("close", {"result": "x", "version": 1}),
        ("not-accept", {"reason": "other", "reply": "x", "version": 1}),
        ("messages", {"body": "x"}),
    ):
        assert rejected(post(client, f"{BASE}{report.pk}/{path}", data), 404)
    report.refresh_from_db()
    assert report.version == 1 and PetitionMessage.objects.count() == 0


def test_a_missing_version_is_422(login, tree, people, report):
    assert rejected(post(login(people.township_a), f"{BASE}{report.pk}/close", {"result": "x"}), 422)


# --- forwards desk ------------------------------------------------------------------------------------------
def test_forwards_inbox_and_accept(login, tree, people):
    forward = forward_down(tree, people)
    client = login(people.township_a)
    body = client.get(f"{BASE}forwards").json()
    assert [f["id"] for f in body["items"]] == [forward.pk] and body["items"][0]["overdue"] is False
    other = Client()
    sign_in(other, people.township_b)
    assert other.get(f"{BASE}forwards").json()["count"] == 0
    answered = post(
        client, f"{BASE}forwards/{forward.pk}/answer", {"answer": "accepted", "note": "本级办理"}
    ).json()
    assert answered["answer"] == "accepted"
    assert PetitionReport.objects.get(pk=forward.report_id).state == PetitionState.ACCEPTED
    assert "已答复" in rejected(post(client, f"{BASE}forwards/{forward.pk}/answer", {"answer": "accepted"}))


def test_forward_transfer_needs_a_commission(login, tree, people):
    forward = forward_down(tree, people)
    client = login(people.township_a)
    assert "管理机关" in rejected(
        post(client, f"{BASE}forwards/{forward.pk}/answer", {"answer": "transferred"})
    )
    assert "请选择接收办理或转送" in rejected(
        post(client, f"{BASE}forwards/{forward.pk}/answer", {"answer": "maybe"})
    )
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.PENDING
    body = post(
        client,
        f"{BASE}forwards/{forward.pk}/answer",
        {"answer": "transferred", "managing_id": tree.county.pk},
    ).json()
    assert body["answer"] == "transferred"
    assert PetitionForward.objects.filter(report_id=forward.report_id).count() == 2


def test_forward_answer_outside_jurisdiction_is_404(login, tree, people):
    forward = forward_down(tree, people)
    assert rejected(
        post(login(people.township_b), f"{BASE}forwards/{forward.pk}/answer", {"answer": "accepted"}), 404
    )
    forward.refresh_from_db()
    assert forward.answer == ForwardAnswer.PENDING


def test_forwards_sent_hide_a_restricted_forward(login, tree, people):
    mine = report_held_by_a(tree, people)
    services.petition_route(
        actor=people.township_a, report=mine, managing=tree.county, about_own_head=False, version=1
    )
    body = login(people.township_a).get(f"{BASE}forwards/sent").json()
    (row,) = body["items"]
    assert row["restricted"] and row["serial_number"] == mine.serial_number and row["to_unit_name"] == "随县"
    assert row["accused_name"] is None and row["report_id"] is None and row["kind"] is None
    assert "王某" not in json.dumps(body, ensure_ascii=False)
    down = forward_down(tree, people)
    row = login(people.city_petition).get(f"{BASE}forwards/sent", {"state": "pending"}).json()["items"][0]
    assert row["report_id"] == down.report_id and row["accused_name"] == "王某" and row["status"] == "pending"


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/petitions/" in paths and "/api/petitions/{report_id}/route" in paths
    assert "multipart/form-data" in paths["/api/petitions/with-files"]["post"]["requestBody"]["content"]
