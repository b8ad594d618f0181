"""/healthz answers while the process lives; /readyz checks database, cache and broker and names the
part that fails — never an error text, URL or secret."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from jijian.core.ops import health

pytestmark = pytest.mark.django_db

SECRET_URL = "postgres://jijian:S3cret-Pa55@db.internal:5432/jijian"


def assert_no_secrets(body: str, settings) -> None:
    for secret in (
        "S3cret-Pa55",
        "db.internal",
        "postgres://",
        "redis://",
        settings.SECRET_KEY,
        settings.DATABASE_URL,
        str(settings.CELERY_BROKER_URL),
        "Traceback",
    ):
        assert secret not in body


def test_healthz_answers_without_touching_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert len(queries) == 0
    assert "no-cache" in response["Cache-Control"]


def test_healthz_stays_up_when_the_database_is_down(client):
    with mock.patch.object(health, "_check_database", side_effect=OperationalError(SECRET_URL)):
        assert client.get("/healthz").status_code == 200


def test_readyz_is_ready_when_every_part_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}


@pytest.mark.parametrize("part", ["database", "cache", "broker"])
def test_readyz_answers_503_naming_the_failing_part_without_secrets(client, settings, part, caplog):
    with mock.patch.object(
        health, f"_check_{part}", side_effect=OperationalError(f"could not connect to {SECRET_URL}")
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["checks"][part] == "fail"
    assert all(v == "ok" for k, v in body["checks"].items() if k != part)
    assert_no_secrets(response.content.decode(), settings)
    assert part in caplog.text  # the operator finds the reason in the server log


def test_readyz_reports_a_real_unreachable_cache(client, settings):
    # A Redis cache on a closed loopback port: refused at once, no network needed.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://:S3cret-Pa55@127.0.0.1:1/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["cache"] == "fail"
    assert_no_secrets(response.content.decode(), settings)


def test_readyz_reports_a_database_that_refuses_queries(client, settings):
    def broken_cursor(*args, **kwargs):
        raise OperationalError(f"connection to {SECRET_URL} failed")

    with mock.patch.object(health.connection, "cursor", side_effect=broken_cursor):
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["database"] == "fail"
    assert_no_secrets(response.content.decode(), settings)
