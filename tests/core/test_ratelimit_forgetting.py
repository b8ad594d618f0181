"""No address outlives its purpose: once a rate-limit window and the next have passed, nothing in the
cache directory of the embedded default can be tied to an address, not even by someone who holds the
directory and SECRET_KEY. Read from the directory itself, as an intruder would."""

from __future__ import annotations

import hashlib
import hmac
import pickle
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from jijian.core.ops import ratelimit
from jijian.core.tasks import forget_rate_limit_keys
from tests.bursts import MID_MINUTE, frozen_clock

ADDRESS = "203.0.113.77"
SCOPES = ("anon", "login", "petition_follow")


@pytest.fixture
def cache_dir(tmp_path):
    directory = tmp_path / "cache"
    config = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(directory)}
    with override_settings(CACHES={"default": config}):
        cache.clear()
        yield directory
        cache.clear()


def file_of(key: str) -> str:
    """The file name Django's file cache gives a key (the MD5 of the versioned key)."""
    return hashlib.md5(cache.make_key(key).encode(), usedforsecurity=False).hexdigest() + ".djcache"


def stored_values(directory: Path) -> list:
    """Every value in the directory, expired or not (the file cache writes the expiry, then the
    compressed pickle of the value)."""
    values = []
    for path in directory.glob("*.djcache"):
        with path.open("rb") as handle:
            pickle.load(handle)
            values.append(pickle.loads(zlib.decompress(handle.read())))
    return values


def secrets_in(values) -> set[str]:
    found = set()
    for value in values:
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str) and len(item) == 64:
                found.add(item)
    return found


def files_tied_to(address: str, directory: Path, minutes) -> set[str]:
    """The files an intruder can tie to `address`: counter names under SECRET_KEY (the old scheme) and
    under every window key still found in the directory, for each scope and minute."""
    keys = set(secrets_in(stored_values(directory))) | {settings.SECRET_KEY}
    present = {p.name for p in directory.glob("*.djcache")}
    tied = set()
    for key in keys:
        for scope in SCOPES:
            digest = hmac.new(key.encode(), f"{scope}|{address}".encode(), hashlib.sha256).hexdigest()[:32]
            for bucket in minutes:
                for name in (f"rl:{scope}:{digest}:{bucket}", f"rl:{scope}:{digest}"):
                    if file_of(name) in present:
                        tied.add(name)
    return tied


def test_a_live_counter_is_found_under_its_windows_key(cache_dir):
    """The check below can see a counter while it is in use (so its silence afterwards means something)."""
    bucket = int(MID_MINUTE // 60)
    with frozen_clock():
        ratelimit.hit("anon", ADDRESS, 60)
        assert files_tied_to(ADDRESS, cache_dir, [bucket])


def test_after_its_window_no_file_in_the_cache_directory_can_be_tied_to_the_address(cache_dir):
    bucket = int(MID_MINUTE // 60)
    with frozen_clock():
        for scope in SCOPES:
            ratelimit.hit(scope, ADDRESS, 60)
    with frozen_clock(MID_MINUTE + 150):  # two windows on: another client's request comes
        ratelimit.hit("anon", "198.51.100.1", 60)
    assert not files_tied_to(ADDRESS, cache_dir, range(bucket - 2, bucket + 4))


def test_with_no_request_at_all_the_worker_forgets_the_key(cache_dir):
    bucket = int(MID_MINUTE // 60)
    with frozen_clock():
        ratelimit.hit("login", ADDRESS, 20)
    with frozen_clock(MID_MINUTE + 150):
        assert forget_rate_limit_keys() == 1
    assert not files_tied_to(ADDRESS, cache_dir, range(bucket - 2, bucket + 4))
    assert file_of(f"rl:secret:60:{bucket}") not in {p.name for p in cache_dir.iterdir()}


def test_counts_still_slide_across_the_minute_under_rotating_keys(cache_dir):
    with frozen_clock(MID_MINUTE + 29):
        assert [ratelimit.hit("login", ADDRESS, 3) for _ in range(3)] == [None, None, None]
    with frozen_clock(MID_MINUTE + 31):  # the next minute: the previous window's key is still known
        assert ratelimit.hit("login", ADDRESS, 3) is not None
