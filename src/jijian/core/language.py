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


def lines_in_platform_language(lines: Iterator[T]) -> Iterator[T]:
    """A streamed document (the lines of a CSV): each line is computed in the platform's language, and
    the reader's language is back between two lines, so nothing the server does while the stream is
    paused (another request on the same thread) reads the platform's language by mistake."""
    while True:
        with platform_language():
            try:
                line = next(lines)
            except StopIteration:
                return
        yield line
