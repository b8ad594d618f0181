"""The API document, fuzzed (issue 22 item 9): schemathesis generates requests for every operation of
/api/openapi.json — valid ones and, on purpose, invalid ones — and sends them in-process through
Django's WSGI application, authenticated with a bearer token as each role that owns write endpoints:
the county's conduct supervision office, a village member (monthly reports, village affairs,
training, cadres), a township committee (review, village affairs, guidance tasks) and the petition
office. No answer may be a server error. The number of examples per operation is bounded (fewer for
the roles after the first) so that the run stays part of the ordinary test suite."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode

from jijian.core.api.auth import api_token_create

# Examples per operation and generation mode, per persona (tests/conftest.py).
EXAMPLES = {"county_officer": 10, "member_a": 3, "township_a": 3, "city_petition": 2}


@pytest.fixture
def api_schema():
    # As Django's test client does: a request must not close the test's database connection (its
    # transaction holds the test data).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("persona", list(EXAMPLES))
def test_no_api_operation_answers_a_server_error(tree, people, api_schema, persona):
    _, raw = api_token_create(actor=getattr(people, persona), name="fuzz")
    headers = {"Authorization": f"Bearer {raw}"}
    failures: list[str] = []
    statuses: dict[int, int] = {}
    operations = _operations(api_schema)
    assert len(operations) > 20  # the whole document, not an empty one
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES[persona],
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                response = case.call(headers=headers)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query} → {response.status_code}"
                    )

            run()
    assert statuses.get(200, 0) > 10  # the token worked: real answers, not only refusals
    assert not failures, "\n".join(failures[:40])
