"""The app server's start-up heap, frozen out of the garbage collector's way.

Once a process has loaded Django, every app, the URLconf and its views (pypinyin's phrase dictionary
among them), it holds a large number of objects the collector tracks. They live as long as the
process, yet CPython's oldest generation walks all of them in every full collection, and every
request in flight waits out that pause. gc.freeze() moves everything alive at start-up into the
permanent generation, which no collection walks. The objects are not freed by this; they were never
going to be. The pause with and without it is measured in bench/ (bench/README.md, "Garbage
collection")."""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver


def freeze_startup_heap() -> int:
    """Import every view module (the URLconf), collect what start-up left behind, and freeze the
    rest. Returns how many objects were frozen (0 when JIJIAN_GC_FREEZE is off, as in tests)."""
    if not settings.JIJIAN_GC_FREEZE:
        return 0
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and with it every view module
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
