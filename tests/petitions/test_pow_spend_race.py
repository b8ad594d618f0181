"""A solved challenge is spent once, even when many posts of it arrive together (issue 22 item 3):
on the file cache of the embedded default cache.add() checked and wrote in two steps, so several of
20 simultaneous spends were accepted. Threads and processes race on the real backends."""

from __future__ import annotations

import multiprocessing

import pytest
from django.core.cache import cache

from jijian.petitions.intake import pow
from tests.bursts import real_cache  # noqa: F401 - a fixture
from tests.concurrency import together


def _spend(challenge: str, nonce: str) -> bool:
    try:
        pow.challenge_verify(challenge, nonce)
    except pow.PowError:
        return False
    return True


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_posts_of_one_solved_challenge_are_accepted_once(real_cache, settings, round_):  # noqa: F811
    settings.PETITION_POW_BITS = 4
    challenge = pow.challenge_issue()
    nonce = pow.solve(challenge, 4)
    results, errors = together(20, lambda i: _spend(challenge, nonce))
    assert errors == []
    assert results.count(True) == 1 and results.count(False) == 19


def test_simultaneous_uses_of_one_solved_token_are_accepted_once(real_cache):  # noqa: F811
    token = pow.solved_issue()

    def use(i: int) -> bool:
        try:
            pow.solved_verify(token)
        except pow.PowError:
            return False
        return True

    results, errors = together(20, use)
    assert errors == [] and results.count(True) == 1


def _spend_in_process(barrier, accepted, challenge: str, nonce: str) -> None:
    barrier.wait()
    if _spend(challenge, nonce):
        with accepted.get_lock():
            accepted.value += 1


def test_processes_sharing_the_file_cache_accept_one_spend(tmp_path, settings):
    """The web server and the worker are separate processes sharing the cache directory."""
    settings.PETITION_POW_BITS = 4
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    cache.clear()
    challenge = pow.challenge_issue()
    nonce = pow.solve(challenge, 4)
    context = multiprocessing.get_context("fork")
    barrier, accepted = context.Barrier(8), context.Value("i", 0)
    processes = [
        context.Process(target=_spend_in_process, args=(barrier, accepted, challenge, nonce))
        for _ in range(8)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0] * 8
    assert accepted.value == 1
