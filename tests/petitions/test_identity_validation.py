"""A reporter's identity is checked by one set of validators (jijian.core.validators): the staff's
registration page, the API and the service accept and refuse the same numbers, with the same Chinese
messages. The API once refused a landline with an extension that the page accepted."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jijian.core.validators import validate_contact_phone, validate_id_number
from jijian.petitions.models import PetitionReport
from tests.petitions.triage_helpers import ID_NUMBER, officer

pytestmark = pytest.mark.django_db

PAGE = "/petitions/register/"
API = "/api/petitions/"
EXTENSION = "0722-3456789-123"


def _page_post(client, tree, **identity):
    data = {
        "channel": "letter",
        "received_on": timezone.localdate().isoformat(),
        "category": "accusation",
        "region": tree.township_a.pk,
        "accused_name": "王某",
        "accused_level": "village",
        "matter": "integrity",
        "facts": "来信反映村主任王某在危房改造补贴发放中优亲厚友。",
        "is_anonymous": "0",
        "reporter_name": "李举报",
        "reporter_id_number": ID_NUMBER,
        "reporter_phone": "13800138000",
        **identity,
    }
    return client.post(PAGE, data)


def _api_post(client, tree, **identity):
    data = {
        "channel": "letter",
        "category": "accusation",
        "region_id": tree.township_a.pk,
        "facts": "来信反映村主任王某在危房改造补贴发放中优亲厚友。",
        "is_anonymous": False,
        "reporter_name": "李举报",
        "reporter_id_number": ID_NUMBER,
        "reporter_phone": "13800138000",
        "accused_name": "王某",
        "accused_level": "village",
        **identity,
    }
    return client.post(API, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def page(tree, login):
    return login(officer("county_petition", tree.county))


@pytest.fixture
def api(people, login):
    return login(people.township_a)


def test_a_landline_with_an_extension_is_accepted_by_the_page_and_the_api(tree, page, api):
    assert _page_post(page, tree, reporter_phone=EXTENSION).status_code == 302
    response = _api_post(api, tree, reporter_phone=EXTENSION)
    assert response.status_code == 201, response.content
    assert [r.reporter_phone for r in PetitionReport.objects.order_by("pk")] == [EXTENSION, EXTENSION]


@pytest.mark.parametrize(
    "identity",
    [
        {"reporter_phone": "12345"},
        {"reporter_phone": "1380013800"},
        {"reporter_phone": "0722-12"},
        {"reporter_phone": "0722-3456789-1234567"},
        {"reporter_id_number": "110105194912310021"},
        {"reporter_id_number": "11010519491331002X"},
        {"reporter_id_number": "1101051949"},
    ],
)
def test_the_page_and_the_api_refuse_the_same_input_with_the_same_chinese_message(tree, page, api, identity):
    field, value = next(iter(identity.items()))
    validate = validate_contact_phone if field == "reporter_phone" else validate_id_number
    with pytest.raises(ValidationError) as refused:
        validate(value)
    message = refused.value.messages[0]
    assert any("\u4e00" <= c <= "\u9fff" for c in message)
    page_response = _page_post(page, tree, **identity)
    assert page_response.status_code == 200 and message in page_response.content.decode()
    api_response = _api_post(api, tree, **identity)
    assert api_response.status_code == 400 and message in api_response.json()["error"]["message"]
    assert not PetitionReport.objects.exists()
