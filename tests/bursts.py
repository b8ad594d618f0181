"""Bursts against the real cache backends: the file cache of the embedded default always, and Redis
when REDIS_URL is set (the tests' own cache is in-process memory, which counts atomically anyway and
so would prove nothing)."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings

BACKENDS = [
    pytest.param("file", id="file-cache"),
    pytest.param(
        "redis",
        id="redis",
        marks=pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set"),
    ),
]

# A second in the middle of a minute (1_699_999_980 is the start of one): a burst then falls in one
# window of the sliding-minute counters, whatever the wall clock says.
MID_MINUTE = 1_699_999_980.0 + 30


def cache_settings(kind: str, directory) -> dict:
    if kind == "file":
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(directory)}
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}


@pytest.fixture(params=BACKENDS)
def real_cache(request, tmp_path):
    """The default cache replaced by a real backend (its kind is the value) for the test."""
    with override_settings(CACHES={"default": cache_settings(request.param, tmp_path / "cache")}):
        cache.clear()
        yield request.param
        cache.clear()


def frozen_clock(at: float = MID_MINUTE):
    return mock.patch("time.time", return_value=at)
