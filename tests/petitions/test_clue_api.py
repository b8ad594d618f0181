"""The clue API: the happy path from registration to closing, and the errors in the one error format
(400 refused with the Chinese message, 409 stale version, 404 outside, 422 invalid, 401 anonymous)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jijian.petitions.models import Clue, ClueState, DeadlineKind, PetitionDeadline
from tests.petitions.authz_entries_clues import accepted_report, case_manager, leader, registered_clue

pytestmark = pytest.mark.django_db


def post(client, name, payload, *args):
    return client.post(
        reverse(f"api:{name}", args=args), data=json.dumps(payload), content_type="application/json"
    )


def test_register_propose_approve_reply_close(login, tree):
    cm = case_manager(tree.county, "cm")
    boss = leader(tree.county, "boss")
    report = accepted_report(tree.county)
    api = login(cm)
    r = post(api, "clue_register", {"source": "petition", "report_id": report.pk, "endorse": True})
    assert r.status_code == 201, r.content
    clue = r.json()
    assert clue["number"].startswith("XS-421321-") and clue["report_serial"] == report.serial_number
    assert clue["steps"][0]["action"] == "register" and len(clue["steps"][0]["endorsement_digest"]) == 64
    cid = clue["id"]

    r = post(
        api,
        "clue_propose",
        {"disposal": "talk_or_letter", "note": "拟函询", "version": 1, "endorse": True},
        cid,
    )
    assert r.status_code == 200 and r.json()["state"] == "pending_approval"

    boss_api = Client()
    from tests.conftest import sign_in

    sign_in(boss_api, boss)
    r = post(boss_api, "clue_approve", {"version": 2, "endorse": True}, cid)
    assert r.status_code == 200 and r.json()["state"] == "talk_or_letter"
    assert [d["kind"] for d in r.json()["deadlines"]] == [DeadlineKind.LETTER_REPLY]

    r = post(
        api,
        "clue_letter_reply",
        {"reply": "已说明", "endorser": "李某 书记", "version": 3, "endorse": True},
        cid,
    )
    assert r.status_code == 200 and r.json()["deadlines"][0]["met_at"] is not None
    r = post(
        api,
        "clue_propose",
        {"disposal": "close", "sanction": "talk_reminder", "note": "了结", "version": 4, "endorse": True},
        cid,
    )
    assert r.status_code == 200
    r = post(boss_api, "clue_approve", {"version": 5, "endorse": True}, cid)
    body = r.json()
    assert body["state"] == "closed" and body["outcome_form"] == "form_1" and body["closed_at"]
    assert [s["action"] for s in body["steps"]] == [
        "register",
        "propose",
        "approve",
        "letter_reply",
        "propose",
        "approve",
    ]
    listed = api.get(reverse("api:clue_list"), {"state": "closed"}).json()
    assert [c["id"] for c in listed["items"]] == [cid]
    stats = api.get(reverse("api:clue_stats")).json()
    assert stats["total"] == 1 and {r["key"]: r["count"] for r in stats["by_form"]}["form_1"] == 1
    assert not PetitionDeadline.objects.filter(met_at__isnull=True).exists()


def test_errors_in_the_one_format(login, tree, people):
    cm = case_manager(tree.county, "cm")
    boss = leader(tree.county, "boss")
    clue = registered_clue(tree.county)
    api = login(cm)
    # Refused: the message says why, nothing changes.
    r = post(api, "clue_propose", {"disposal": "hold", "note": "x", "version": 1, "endorse": False}, clue.pk)
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "rejected", "message": "请确认签字背书承诺后再提交", "details": []}}
    r = post(api, "clue_approve", {"version": 1, "endorse": True}, clue.pk)
    assert r.status_code == 400 and "您没有审批权限" in r.json()["error"]["message"]
    # Stale version.
    r = post(api, "clue_propose", {"disposal": "hold", "note": "x", "version": 7, "endorse": True}, clue.pk)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    # Invalid payload.
    r = post(api, "clue_propose", {"disposal": "hold"}, clue.pk)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    # A source report outside the jurisdiction.
    outside = accepted_report(tree.other_county)
    r = post(api, "clue_register", {"source": "petition", "report_id": outside.pk, "endorse": True})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert Clue.objects.get().state == ClueState.REGISTERED and Clue.objects.count() == 1

    # Another county: 404 for everything about this clue; its list is empty.
    other = Client()
    from tests.conftest import sign_in

    sign_in(other, case_manager(tree.other_county, "cm_other"))
    assert other.get(reverse("api:clue_detail", args=[clue.pk])).status_code == 404
    for name in ("clue_propose", "clue_approve", "clue_reject", "clue_letter_reply", "clue_reopen"):
        r = post(
            other,
            name,
            {
                "version": 1,
                "endorse": True,
                "note": "x",
                "reason": "x",
                "reply": "x",
                "endorser": "x",
                "disposal": "hold",
            },
            clue.pk,
        )
        assert r.status_code == 404, name
    assert other.get(reverse("api:clue_list")).json()["count"] == 0
    # Registration is the case management office's: others get 404.
    sign_in(other, boss)
    r = post(
        other,
        "clue_register",
        {"source": "supervision", "accused_name": "王某", "summary": "x", "endorse": True},
    )
    assert r.status_code == 404
    # Anonymous: 401.
    assert Client().get(reverse("api:clue_list")).status_code == 401


def test_the_decision_date_round_trip(login, tree):
    cm = case_manager(tree.county, "cm")
    boss = leader(tree.county, "boss")
    clue = registered_clue(tree.county)
    decided = timezone.localdate(clue.registered_at)
    api = login(cm)
    body = api.get(reverse("api:clue_detail", args=[clue.pk])).json()
    assert body["pending_sanction_decided_on"] is None and body["sanction_decided_on"] is None
    # Refused with its message, nothing changes: missing, in the future, with an outcome that is none.
    for payload, message in (
        ({"sanction": "warning"}, "处理结果为“警告”，请填写处分决定日期"),
        (
            {"sanction": "warning", "sanction_decided_on": f"{decided + timedelta(days=1):%Y-%m-%d}"},
            "处分决定日期不能晚于今天",
        ),
        (
            {"sanction": "cleared", "sanction_decided_on": f"{decided:%Y-%m-%d}"},
            "只有处理结果为党纪处分、政务处分或诫勉时才填写处分决定日期",
        ),
    ):
        r = post(
            api,
            "clue_propose",
            {"disposal": "close", "note": "属实", "version": 1, "endorse": True, **payload},
            clue.pk,
        )
        assert r.status_code == 400 and message in r.json()["error"]["message"], r.content
    r = post(
        api,
        "clue_propose",
        {
            "disposal": "close",
            "sanction": "warning",
            "sanction_decided_on": "2026-13-40",
            "note": "x",
            "version": 1,
        },
        clue.pk,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    assert Clue.objects.get(pk=clue.pk).version == 1

    r = post(
        api,
        "clue_propose",
        {
            "disposal": "close",
            "sanction": "warning",
            "sanction_decided_on": f"{decided:%Y-%m-%d}",
            "note": "属实，给予警告",
            "version": 1,
            "endorse": True,
        },
        clue.pk,
    )
    assert r.status_code == 200 and r.json()["pending_sanction_decided_on"] == f"{decided:%Y-%m-%d}"
    boss_api = Client()
    from tests.conftest import sign_in

    sign_in(boss_api, boss)
    r = post(boss_api, "clue_approve", {"version": 2, "endorse": True}, clue.pk)
    body = r.json()
    assert r.status_code == 200 and body["state"] == "closed"
    assert (
        body["sanction_decided_on"] == f"{decided:%Y-%m-%d}" and body["pending_sanction_decided_on"] is None
    )
    signed = [(s["action"], s["sanction"], s["sanction_decided_on"]) for s in body["steps"]]
    assert signed == [
        ("register", "", None),
        ("propose", "warning", f"{decided:%Y-%m-%d}"),
        ("approve", "warning", f"{decided:%Y-%m-%d}"),
    ]
    listed = api.get(reverse("api:clue_list"), {"state": "closed"}).json()["items"]
    assert [c["sanction_decided_on"] for c in listed] == [f"{decided:%Y-%m-%d}"]
