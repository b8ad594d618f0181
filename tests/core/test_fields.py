"""Encrypted model fields: the database holds only ciphertext; exact lookup through the blind index."""

from __future__ import annotations

import pytest
from django.db import connection

from jijian.core.models import User
from jijian.core.sensitive import crypto
from jijian.core.services import user_create

ID_NUMBER = "42138119900101123X"
PHONE = "13800001111"


@pytest.fixture(autouse=True)
def _fresh_keyring():
    crypto.reload_keyring()
    yield
    crypto.reload_keyring()


@pytest.fixture
def person(tree):
    user_create(
        actor=None,
        username="other",
        full_name="别人",
        org_unit=tree.village_a,
        phone="13900002222",
        id_number="421321198506152345",
        audit=False,
    )
    return user_create(
        actor=None,
        username="zhang",
        full_name="张三",
        org_unit=tree.village_a,
        phone=PHONE,
        id_number=ID_NUMBER,
        audit=False,
    )


def test_encrypted_fields_are_not_readable_in_the_database(person):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number, phone_index, id_number_index FROM core_user WHERE id = %s", [person.pk]
        )
        phone, id_number, phone_index, id_number_index = cursor.fetchone()
    for stored, plain in ((phone, PHONE), (id_number, ID_NUMBER)):
        assert stored.startswith("sm4g2$k1$")
        assert plain not in stored and plain[-4:] not in stored
    # the blind index is a keyed hash, not the value and not its plain SM3
    assert id_number_index == crypto.blind_index(ID_NUMBER) != crypto.sm3_hex(ID_NUMBER.encode())
    assert len(phone_index) == 64 and PHONE not in phone_index


def test_no_plaintext_anywhere_in_the_user_table(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_user")
        dump = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert ID_NUMBER not in dump and PHONE not in dump and "421321198506152345" not in dump


def test_orm_reads_the_plaintext(person):
    fresh = User.objects.get(pk=person.pk)
    assert (fresh.phone, fresh.id_number) == (PHONE, ID_NUMBER)
    assert list(User.objects.filter(pk=person.pk).values_list("id_number", flat=True)) == [ID_NUMBER]


def test_blind_index_finds_the_one_row(person):
    found = User.objects.filter(id_number_index=crypto.blind_index(ID_NUMBER))
    assert list(found) == [person]
    assert list(User.objects.filter(phone_index=crypto.blind_index(PHONE))) == [person]
    assert not User.objects.filter(id_number_index=crypto.blind_index("421381199001011235")).exists()


def test_blind_index_lookup_normalises_a_lowercase_x(person):
    assert User.objects.get(id_number_index=crypto.blind_index(ID_NUMBER.lower())) == person
    assert User.objects.get(id_number_index=crypto.blind_index(" 4213811990 0101123x ")) == person


def test_blind_index_follows_a_changed_value(person):
    person.id_number = "421321198506150000"
    person.save()
    assert not User.objects.filter(id_number_index=crypto.blind_index(ID_NUMBER)).exists()
    assert User.objects.get(id_number_index=crypto.blind_index("421321198506150000")) == person


def test_empty_values_stay_empty_and_have_no_index(tree):
    user = user_create(actor=None, username="blank", full_name="空", org_unit=tree.village_a, audit=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM core_user WHERE id = %s", [user.pk])
        assert cursor.fetchone() == ("", "")
    assert User.objects.get(pk=user.pk).phone == ""


@pytest.mark.parametrize("lookup", ["", "__exact", "__iexact", "__contains", "__startswith", "__in"])
def test_lookups_on_an_encrypted_field_raise(person, lookup):
    value = [ID_NUMBER] if lookup == "__in" else ID_NUMBER
    with pytest.raises(TypeError, match="blind index"):
        list(User.objects.filter(**{f"id_number{lookup}": value}))


def test_isnull_and_empty_lookups_are_allowed(person, tree):
    user_create(actor=None, username="blank", full_name="空", org_unit=tree.village_a, audit=False)
    assert User.objects.filter(id_number__isnull=False).count() == 3
    assert set(User.objects.exclude(id_number="").values_list("username", flat=True)) == {"zhang", "other"}
    assert list(User.objects.filter(phone="").values_list("username", flat=True)) == ["blank"]


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(person):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_user SET phone = id_number WHERE id = %s", [person.pk])
    with pytest.raises(crypto.CryptoError):
        User.objects.get(pk=person.pk)


def test_a_value_that_looks_like_a_ciphertext_is_stored_as_typed(person):
    field = User._meta.get_field("phone")
    token = field.get_prep_value(PHONE)
    assert field.to_python(token) == token  # form input is never decrypted on the way in
    person.phone = token
    person.save()
    assert User.objects.get(pk=person.pk).phone == token


def test_bulk_update_encrypts(person):
    person.phone = "13700003333"
    User.objects.bulk_update([person], ["phone"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM core_user WHERE id = %s", [person.pk])
        assert cursor.fetchone()[0].startswith("sm4g2$")
    assert User.objects.get(pk=person.pk).phone == "13700003333"


def test_model_forms_get_a_one_line_input():
    from django import forms

    assert isinstance(User._meta.get_field("phone").formfield().widget, forms.TextInput)
