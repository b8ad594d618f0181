"""Unmasked display of sensitive values: only the roles the policy names, inside their jurisdiction,
with a reason, and every reveal (and refusal) is an audit event that never holds the value."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jijian.audit.models import AuditEvent
from jijian.core.roles import Role
from jijian.core.sensitive import crypto, reveal
from jijian.core.services import user_create

from ..conftest import make_user

PHONE = "13800001111"
ID_NUMBER = "42138119900101123X"


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto.reload_keyring()


@pytest.fixture
def target(tree):
    return user_create(
        actor=None,
        username="target",
        full_name="被查看人",
        org_unit=tree.village_a,
        phone=PHONE,
        id_number=ID_NUMBER,
        audit=False,
    )


def _events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_system_admin_gets_the_id_number_and_the_reveal_is_audited(people, target):
    value = reveal.reveal_field(
        actor=people.system_admin, obj=target, field_name="id_number", reason="核对身份"
    )
    assert value == ID_NUMBER
    [event] = _events("sensitive.reveal")
    assert event.actor_id == people.system_admin.pk
    assert (event.object_type, event.object_id) == ("core.user", str(target.pk))
    assert event.after == {"field": "id_number", "reason": "核对身份"}
    assert event.org_unit_id == target.org_unit_id
    stored = json.dumps([event.summary, event.before, event.after], ensure_ascii=False)
    assert ID_NUMBER not in stored and ID_NUMBER[-4:] not in stored


def test_security_admin_gets_the_phone_but_not_the_id_number(people, target):
    assert (
        reveal.reveal_field(actor=people.security_admin, obj=target, field_name="phone", reason="联系")
        == PHONE
    )
    with pytest.raises(PermissionDenied):
        reveal.reveal_field(actor=people.security_admin, obj=target, field_name="id_number", reason="联系")
    assert len(_events("sensitive.reveal")) == 1
    [denied] = _events("sensitive.reveal_denied")
    assert denied.actor_id == people.security_admin.pk and denied.after["field"] == "id_number"


@pytest.mark.parametrize(
    "persona", ["audit_admin", "township_a", "county_officer", "member_a", "city_petition"]
)
def test_other_roles_are_refused_and_get_no_value(people, target, persona):
    actor = getattr(people, persona)
    for field_name in ("phone", "id_number"):
        assert not reveal.can_reveal(actor=actor, obj=target, field_name=field_name)
        with pytest.raises(PermissionDenied) as excinfo:
            reveal.reveal_field(actor=actor, obj=target, field_name=field_name, reason="看看")
        assert PHONE not in str(excinfo.value) and ID_NUMBER not in str(excinfo.value)
    assert not _events("sensitive.reveal")
    assert len(_events("sensitive.reveal_denied")) == 2


def test_an_admin_outside_the_jurisdiction_is_refused(tree, target):
    other_admin = make_user("gs_admin", tree.other_county, Role.SYSTEM_ADMIN)
    assert not reveal.can_reveal(actor=other_admin, obj=target, field_name="id_number")
    with pytest.raises(PermissionDenied):
        reveal.reveal_field(actor=other_admin, obj=target, field_name="id_number", reason="核对")
    assert not _events("sensitive.reveal")


def test_an_inactive_admin_is_refused(people, target):
    people.system_admin.is_active = False
    with pytest.raises(PermissionDenied):
        reveal.reveal_field(actor=people.system_admin, obj=target, field_name="id_number", reason="核对")


def test_a_reason_is_required(people, target):
    with pytest.raises(ValidationError):
        reveal.reveal_field(actor=people.system_admin, obj=target, field_name="id_number", reason="  ")
    assert not AuditEvent.objects.filter(action__startswith="sensitive.").exists()


def test_unregistered_fields_cannot_be_revealed(people, target):
    with pytest.raises(PermissionDenied):
        reveal.reveal_field(actor=people.system_admin, obj=target, field_name="password", reason="核对")


def test_modules_extend_the_policy_table(people, target, monkeypatch):
    monkeypatch.setattr(reveal, "_RULES", dict(reveal._RULES))
    reveal.register_reveal("core.user", "id_number", roles={Role.PETITION_OFFICE}, label="身份证号")
    assert (
        reveal.reveal_field(
            actor=people.city_petition, obj=target, field_name="id_number", reason="核实举报人"
        )
        == ID_NUMBER
    )
    with pytest.raises(PermissionDenied):  # the rule was replaced, not added to
        reveal.reveal_field(actor=people.system_admin, obj=target, field_name="id_number", reason="核对")
    with pytest.raises(ValueError):
        reveal.register_reveal("core.user", "phone", roles=())
