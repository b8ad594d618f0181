"""The archives API: the list (who, never the content), and an opinion request asked, drafted,
endorsed and signed through it — scoped, with the department seeing verdicts only once signed."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from jijian.archives.models import OpinionRequest
from jijian.audit.models import AuditEvent
from tests.archives.helpers import idn, make_archive
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_the_list_is_scoped_and_holds_no_content(tree):
    keeper = make_user("gj_sx", tree.county, "cadre_supervision")
    other = make_user("gj_gs", tree.other_county, "cadre_supervision")
    found = make_archive(keeper, tree.township_a, name="郑军", id_number=idn(1), notes="秘密备注")
    make_archive(other, tree.village_c, name="陈某")
    body = client_for(keeper).get(reverse("api:archive_list"), {"q": "zj"}).json()
    assert [a["name"] for a in body["items"]] == ["郑军"]
    item = body["items"][0]
    assert (item["id"], item["org_unit_id"], item["org_unit_name"]) == (
        found.pk,
        tree.township_a.pk,
        tree.township_a.name,
    )
    assert (item["post"], item["level"], item["party_status"]) == ("村主任", "village", "none")
    assert "秘密备注" not in json.dumps(body, ensure_ascii=False) and idn(1) not in json.dumps(body)
    assert client_for(other).get(reverse("api:archive_list"), {"q": "zj"}).json()["items"] == []


def test_the_list_searches_by_unit_and_post_in_the_jurisdiction(tree):
    keeper = make_user("gj_sx", tree.county, "cadre_supervision")
    other = make_user("gj_gs", tree.other_county, "cadre_supervision")
    make_archive(keeper, tree.township_a, name="周某", post="厉山镇副镇长")
    make_archive(keeper, tree.village_b, name="吴某", post="村主任")
    make_archive(other, tree.village_c, name="陈某", post="村主任")
    client = client_for(keeper)
    url = reverse("api:archive_list")

    def names(**query):
        return sorted(a["name"] for a in client.get(url, query).json()["items"])

    assert names(post="村主任") == ["吴某"]
    assert names(post="镇长") == ["周某"]
    assert names(unit=tree.township_b.pk) == ["吴某"]
    assert names(unit=tree.township_a.pk, post="村主任") == []
    assert names(unit=tree.village_b.pk) == ["吴某"]
    # A unit outside the caller's jurisdiction is a 404, as a missing one.
    assert client.get(url, {"unit": tree.village_c.pk}).status_code == 404
    assert client.get(url, {"unit": tree.township_c.pk}).status_code == 404
    assert client.get(url, {"unit": 999999}).status_code == 404
    assert [a["name"] for a in client_for(other).get(url, {"post": "村主任"}).json()["items"]] == ["陈某"]


def test_an_opinion_through_the_api(tree):
    people = {
        "org": make_user("zzb_sx", tree.county, "org_department"),
        "keeper": make_user("gj_sx", tree.county, "cadre_supervision"),
        "leader": make_user("ld_sx", tree.county, "commission_leader"),
        "petition_office": make_user("xf_sx", tree.county, "petition_office"),
        "case_management": make_user("ag_sx", tree.county, "case_management"),
        "case_review": make_user("sl_sx", tree.county, "case_review"),
        "other_keeper": make_user("gj_gs", tree.other_county, "cadre_supervision"),
    }
    make_archive(people["keeper"], tree.township_a, name="刘某", id_number=idn(1))
    org = client_for(people["org"])
    response = post(
        org,
        reverse("api:opinion_submit"),
        {"ref_no": "1号", "purpose": "promotion", "persons": f"刘某 {idn(1)}\n赵某"},
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    bad = post(
        org, reverse("api:opinion_submit"), {"ref_no": "2号", "purpose": "promotion", "persons": "刘某\n刘某"}
    )
    assert bad.status_code == 400 and "第2行：与第1行重复" in bad.json()["error"]["message"]
    assert OpinionRequest.objects.count() == 1

    detail = reverse("api:opinion_detail", args=[pk])
    assert client_for(people["other_keeper"]).get(detail).status_code == 404
    keeper = client_for(people["keeper"])
    drafted = post(
        keeper, reverse("api:opinion_draft", args=[pk]), {"version": 1, "chosen": {"2": "under_verification"}}
    )
    assert drafted.status_code == 200
    assert [p["verdict"] for p in drafted.json()["persons"]] == ["no_objection", "under_verification"]
    stale = post(keeper, reverse("api:opinion_draft", args=[pk]), {"version": 1})
    assert stale.status_code == 409
    assert org.get(detail).json()["persons"][0]["verdict"] == ""  # not signed yet
    version = drafted.json()["version"]
    early = post(client_for(people["leader"]), reverse("api:opinion_sign", args=[pk]), {"version": version})
    assert early.status_code == 400 and "会签" in early.json()["error"]["message"]
    for office in ("petition_office", "case_management", "case_review"):
        r = post(
            client_for(people[office]),
            reverse("api:opinion_endorse", args=[pk]),
            {"version": version, "office": office},
        )
        assert r.status_code == 200, r.content
    signed = post(client_for(people["leader"]), reverse("api:opinion_sign", args=[pk]), {"version": version})
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    seen = org.get(detail).json()
    assert seen["persons"][0]["verdict"] == "no_objection" and seen["persons"][0]["facts"] == []
    assert AuditEvent.objects.filter(action="opinion.read", object_id=str(pk)).count() == 2
