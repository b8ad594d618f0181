"""The language of what is kept and of what leaves. A page speaks its reader's language; what an action
stores for others — an audit summary, a notification, a clue's facts — is written in the platform's
language (settings.LANGUAGE_CODE) whoever acted, as official documents are: a record reads the same to
every reader and is found by the same words.

A file a download produces from Python (an Excel workbook, a CSV) is such a document too: it is
forwarded, filed and compared, its headers are the platform's words, and a workbook written later by
a worker (which has no reader) must read as the one written at once. Its labels are read in the
platform's language, never half in the reader's."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def platform_language() -> translation.override:
    """A context (`with platform_language(): …`) in which choice labels and gettext read the platform's
    language: build a stored text inside it."""
    return translation.override(settings.LANGUAGE_CODE)


def written_in_platform_language(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that writes a document (a workbook, its figures): it runs in the platform's
    language, and the caller's language is restored when it returns."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with platform_language():
            return func(*args, **kwargs)

    return wrapper


def lines_in_platform_language(lines: Iterator[T], *, batch: int = 256) -> Iterator[T]:
    """A streamed document (the lines of a CSV): the lines are computed in the platform's language, a
    batch at a time, and the reader's language is back whenever the stream is paused (between two
    lines handed on), so nothing the server does then (another request on the same thread) reads the
    platform's language by mistake. Entering and leaving the language costs about as much as making a
    short line, hence batches rather than a switch per line."""
    while True:
        with platform_language():
            made = list(itertools.islice(lines, batch))
        if not made:
            return
        yield from made
