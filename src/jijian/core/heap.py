"""The app server's start-up heap, frozen out of the garbage collector's way.

A process of this project holds ~300,000 objects the collector tracks once it has loaded Django,
every app, the URLconf and its views (pypinyin's phrase dictionary alone is a large part). They live
as long as the process, yet CPython's oldest generation walks all of them in every full collection:
measured under load on the development VM, ~110 ms per full collection, one every two seconds or so
(objects of requests still in flight when a young collection runs are promoted until a full one is
due). Every request in flight waits out that pause. gc.freeze() moves everything alive at start-up
into the permanent generation, which no collection walks: full collections then took ~4 ms (the
same measurement, bench/README.md "Garbage collection"). The objects are not freed by this, they
were never going to be."""

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
