import json

from jijian.core.api.auth import api_token_create


def test_openapi_document_is_served(db, client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/orgs" in spec["paths"] and "/api/people/{person_id}" in spec["paths"]
    # One bearer scheme and the session, the submit endpoint (its own token read) included.
    schemes = spec["components"]["securitySchemes"]
    assert sorted(schemes) == ["SessionAuth", "TokenAuth"] and schemes["TokenAuth"]["scheme"] == "bearer"
    submit = spec["paths"]["/api/reports/{report_id}/submit"]["post"]
    assert submit["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]


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
    assert bad.json()["error"]["details"][0]["message"] == "应为整数"


def test_revoked_or_wrong_token_is_refused(tree, people, client):
    token, raw = api_token_create(actor=people.township_a, name="x")
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer jj_wrong").status_code == 401
    from jijian.core.api.auth import api_token_revoke

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
    from jijian.core.api.models import ApiToken

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


def test_a_token_loads_its_user_with_unit_and_roles(tree, people):
    """TokenAuth reads the token with its user and unit: the user as the ORM loads it elsewhere,
    encrypted fields decrypted when asked for, roles included."""
    from django.test import RequestFactory

    from jijian.core.api.auth import TokenAuth
    from jijian.core.models import User
    from jijian.core.roles import Role

    person = people.township_a
    person.phone, person.id_number = "13812345678", "11010519491231002X"
    person.save()
    person.roles.create(role=Role.CONDUCT_SUPERVISION)
    _, raw = api_token_create(actor=person, name="手机")
    user = TokenAuth().authenticate(RequestFactory().get("/api/me"), raw)
    # The encrypted fields are not read with the token; they load, decrypted, when asked for.
    assert user.get_deferred_fields() == {"phone", "id_number"}
    expected = User.objects.select_related("org_unit").get(pk=person.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
    assert user.phone == "13812345678" and user.id_number == "11010519491231002X"
    assert user.role_set == expected.role_set == {Role.TOWNSHIP_COMMITTEE, Role.CONDUCT_SUPERVISION}
    assert user.org_unit == expected.org_unit and user.org_unit.name == expected.org_unit.name
    assert user.org_unit.path == expected.org_unit.path and not user._state.adding


def test_no_request_decrypts_the_callers_phone_or_id_number_unless_it_shows_them(
    tree, people, client, login, monkeypatch
):
    from jijian.core.fields import EncryptedTextField

    person = people.township_a
    person.phone, person.id_number = "13812345678", "11010519491231002X"
    person.save()
    _, raw = api_token_create(actor=person, name="手机")
    decrypted = []
    original = EncryptedTextField.decrypt

    def counted(self, token, **kwargs):
        decrypted.append(self.name)
        return original(self, token, **kwargs)

    monkeypatch.setattr(EncryptedTextField, "decrypt", counted)
    assert client.get("/api/orgs", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    signed_in = login(person)
    decrypted.clear()  # signing in itself may read the whole user
    assert signed_in.get("/").status_code == 200
    assert signed_in.get("/api/orgs").status_code == 200
    assert decrypted == []
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert me["phone_masked"] == "138****5678" and decrypted == ["phone"]


def test_an_expired_token_or_a_disabled_account_is_refused(tree, people, client):
    from datetime import timedelta

    from django.utils import timezone

    from jijian.core.api.models import ApiToken

    token, raw = api_token_create(actor=people.township_a, name="x")
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    people.township_a.is_active = False
    people.township_a.save()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_changes_keep_their_audit_object_type(tree, people):
    """The model moved from the `api` app into core with its table: the audit trail names a token
    as before, so one object type finds its whole history."""
    from jijian.audit.models import AuditEvent
    from jijian.core.api.auth import api_token_revoke
    from jijian.core.api.models import ApiToken

    assert ApiToken._meta.app_label == "core" and ApiToken._meta.db_table == "api_apitoken"
    token, _ = api_token_create(actor=people.township_a, name="x")
    api_token_revoke(actor=people.township_a, token=token)
    events = AuditEvent.objects.filter(object_id=str(token.pk), action__startswith="api_token.")
    assert sorted(events.values_list("action", "object_type")) == [
        ("api_token.create", "api.apitoken"),
        ("api_token.revoke", "api.apitoken"),
    ]


def test_the_platform_routers_import_nothing_of_the_api_package():
    """The platforms' routers take what they share (auth, errors) from jijian.core.api; only the
    `api` app assembles them, and none of them imports it."""
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup()\n"
        "before = set(sys.modules)\n"
        "import jijian.reports.api_member, jijian.reports.api_review, jijian.reports.api_stats\n"
        "import jijian.petitions.handling.api, jijian.petitions.clues.api\n"
        "loaded = sorted(m for m in set(sys.modules) - before if m.split('.')[:2] == ['jijian', 'api'])\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_refused_field_is_told_in_chinese_and_the_value_is_not_echoed():
    """pydantic's English sentence and the refused value never reach the caller: each error type a
    schema of ours can raise gets its Chinese sentence, with the bound it broke."""
    from datetime import date
    from typing import Literal

    from pydantic import BaseModel, Field, ValidationError, field_validator

    from jijian.core.api.errors import FIELD_MESSAGE_DEFAULT, field_message

    class Sample(BaseModel):
        count: int = Field(ge=0, le=10)
        name: str = Field(max_length=3)
        day: date
        kind: Literal["x", "y"]
        items: list[int] = Field(max_length=2)
        flag: bool
        amount: float
        needed: str
        own: str

        @field_validator("own")
        @classmethod
        def _own(cls, value):
            raise ValueError("身份证号码校验位不正确")

    try:
        Sample(count=99, name="郑军军军", day="2026-13-01", kind="z", items=[1, 2, 3], flag="maybe",
               amount="q", own="x")  # fmt: skip
    except ValidationError as exc:
        told = {e["loc"][0]: field_message(e) for e in exc.errors(include_url=False)}
    assert told == {
        "count": "不能大于 10",
        "name": "最多 3 个字",
        "day": "应为日期（年-月-日，如 2026-01-31）",
        "kind": "只能是 'x'、'y' 之一",
        "items": "最多 2 项",
        "flag": "应为 true 或 false",
        "amount": "应为数字",
        "needed": "必填",
        "own": "身份证号码校验位不正确",
    }
    assert field_message({"type": "some_new_type", "msg": "English"}) == FIELD_MESSAGE_DEFAULT
