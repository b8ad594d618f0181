"""Every integer the API takes is bounded (issue 22 item 9): an input whose column cannot hold it is
a 422 in the one error format with a Chinese message, never an overflow in the database driver (a
meeting's head count of 2**70 was a server error). The API document is walked: every parameter and
every property of every request body of every operation, and any integer in it without a lower and
an upper bound fails the test, so a new endpoint cannot forget it (core/api/limits.py has the types)."""

from __future__ import annotations

import json
import re

import pytest

from jijian.api.api import api
from jijian.villageaffairs.models import DecisionStep
from tests.villageaffairs.helpers import days_ago, register

HUGE = 2**70


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _integers(schema: dict, where: str, components: dict) -> list[tuple[str, bool]]:
    """(where, bounded on both sides) for every integer in `schema`, nested ones included."""
    schema = _resolve(schema, components)
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _integers(sub, where, components)
    if schema.get("type") == "integer":
        low = "minimum" in schema or "exclusiveMinimum" in schema
        high = "maximum" in schema or "exclusiveMaximum" in schema
        found.append((where, low and high))
    if "items" in schema:
        found += _integers(schema["items"], f"{where}[]", components)
    for name, sub in schema.get("properties", {}).items():
        found += _integers(sub, f"{where}.{name}", components)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _integers(schema["additionalProperties"], f"{where}{{}}", components)
    return found


def test_every_integer_an_api_operation_takes_is_bounded():
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    integers = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']}:{parameter['name']}"
                integers += _integers(parameter.get("schema", {}), where, components)
            for media, body in operation.get("requestBody", {}).get("content", {}).items():
                integers += _integers(
                    body.get("schema", {}), f"{method.upper()} {path} body ({media})", components
                )
    assert len(integers) > 50  # the walk reached the operations' inputs
    unbounded = [where for where, bounded in integers if not bounded]
    assert not unbounded, "integers without both bounds:\n" + "\n".join(unbounded)


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("field", ["roll", "attended", "votes_for", "votes_against", "votes_abstain"])
@pytest.mark.parametrize("value", [HUGE, 2**31, -1])
def test_a_meeting_count_out_of_range_is_a_422_in_chinese_and_nothing_is_kept(people, login, field, value):
    decision = register(people.member_a)
    data = {"step": 1, "held_on": days_ago(9).isoformat(), "roll": 7, "attended": 7, "votes_for": 7}
    response = _post(
        login(people.member_a), f"/api/village/decisions/{decision.pk}/steps", {**data, field: value}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"] == "请求数据不符合要求"
    assert [d["loc"][-1] for d in error["details"]] == [field]
    told = error["details"][0]["message"]  # in Chinese, with the bound that was broken
    assert told == "不能小于 0" if value < 0 else re.fullmatch(r"不能大于 \d+", told)
    assert not DecisionStep.objects.exists()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/api/village/decisions/{decision}/steps", {"step": HUGE, "held_on": "2026-01-05"}),
        ("/api/village/decisions/{decision}/steps/{huge}/correct", {"held_on": "2026-01-05", "version": 1}),
        ("/api/village/decisions/{decision}/steps/1/correct", {"held_on": "2026-01-05", "version": HUGE}),
        ("/api/village/vouchers/1/sign", {"version": HUGE}),
        ("/api/petitions/1/repeat", {"original_id": HUGE, "version": 1, "level": "x"}),
        ("/api/petitions/1/archive", {"archive_id": HUGE, "version": 1}),
    ],
)
def test_huge_numbers_in_bodies_and_paths_are_refused_at_the_edge(people, login, url, data):
    decision = register(people.member_a)
    url = url.format(decision=decision.pk, huge=HUGE)
    response = _post(login(people.member_a), url, data)
    assert response.status_code in (404, 422)  # a path that cannot name a record is a 404, as a missing one


@pytest.mark.parametrize("query", [f"page_size={HUGE}", f"unit={HUGE}"])
def test_huge_numbers_in_queries_are_a_422(people, login, query):
    response = login(people.county_officer).get(f"/api/archives/?{query}")
    assert response.status_code == 422
