import json

from jijian.api.auth import api_token_create


def test_openapi_document_is_served(db, client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/orgs" in spec["paths"] and "/api/people/{person_id}" in spec["paths"]


def test_bearer_token_reads_scoped_data(tree, people, client):
    token, raw = api_token_create(actor=people.township_a, name="手机")
    response = client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert {i["name"] for i in response.json()["items"]} == {"厉山镇", "神农村", "凤凰村"}
    assert client.get(f"/api/orgs/{tree.village_c.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404


def test_errors_share_one_format(tree, people, client):
    unauth = client.get("/api/me")
    assert unauth.status_code == 401 and unauth.json()["error"]["code"] == "unauthenticated"
    _, raw = api_token_create(actor=people.township_a, name="x")
    missing = client.get("/api/orgs/999999", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "not_found", "message": "记录不存在或不在您的权限范围内", "details": []}
    }
    bad = client.get("/api/orgs?parent=abc", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"
    assert bad.json()["error"]["details"][0]["loc"][-1] == "parent"


def test_revoked_or_wrong_token_is_refused(tree, people, client):
    token, raw = api_token_create(actor=people.township_a, name="x")
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer jj_wrong").status_code == 401
    from jijian.api.auth import api_token_revoke

    api_token_revoke(actor=people.township_a, token=token)
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_session_api_needs_csrf_for_writes(tree, people):
    from django.test import Client

    from tests.conftest import sign_in

    client = Client(enforce_csrf_checks=True)
    sign_in(client, people.township_a)
    response = client.post("/api/tokens", data=json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 403


def test_token_is_shown_once_and_stored_hashed(tree, people, login):
    client = login(people.township_a)
    created = client.post(
        "/api/tokens", data=json.dumps({"name": "手机"}), content_type="application/json"
    ).json()
    assert created["token"].startswith("jj_")
    from jijian.api.models import ApiToken

    stored = ApiToken.objects.get(pk=created["id"])
    assert created["token"] not in stored.key_hash
    listed = client.get("/api/tokens").json()
    assert "token" not in listed[0]


def test_people_api_masks_phone_numbers(tree, people, login):
    people.member_a.phone = "13812345678"
    people.member_a.save()
    client = login(people.township_a)
    person = client.get(f"/api/people/{people.member_a.pk}").json()
    assert person["phone_masked"] == "138****5678"
    assert "13812345678" not in json.dumps(person)
