"""Garbage collection in an app-server process: the pause of a full collection with the start-up
heap frozen (core/ops/heap.py, what config/asgi.py does) against the same process before freezing, in
one run. Scale-independent (the heap is the code's, not the data's): run once, at city scale.

A child process imports jijian.config.asgi as uvicorn does (with the freeze off, so it can measure
the heap as it was), times `gc.collect()` `samples` times, freezes, and times it again. The ratio is
frozen/unfrozen: lower is better. See bench/README.md, "Garbage collection"."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "gc_full_collection"
TARGETS = {NAME: 0.1}  # a full collection of the frozen process at most a tenth of the unfrozen one

CHILD = """
import gc, json, sys, time
import jijian.config.asgi  # the app server's imports; JIJIAN_GC_FREEZE=false: nothing frozen yet
from django.conf import settings
from django.urls import get_resolver
from jijian.core.ops.heap import freeze_startup_heap

def pauses(n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        gc.collect()
        out.append((time.perf_counter() - t) * 1000)
    return out

samples = int(sys.argv[1])
get_resolver().url_patterns  # what freeze_startup_heap() loads first
tracked = len(gc.get_objects())
before = pauses(samples)
settings.JIJIAN_GC_FREEZE = True
frozen = freeze_startup_heap()
after = pauses(samples)
print(json.dumps({"tracked": tracked, "frozen": frozen, "before": before, "after": after}))
"""


def run_gc(scale: str, *, samples: int = 9) -> dict[str, float]:
    env = dict(os.environ, JIJIAN_GC_FREEZE="false")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    env.setdefault("DJANGO_SETTINGS_MODULE", "jijian.config.settings")
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", CHILD, str(samples)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"gc child failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    value, floor = statistics.median(result["after"]), statistics.median(result["before"])
    assert result["frozen"] > 0, result
    print(
        f"# {NAME} {scale}: full collections in a process with jijian.config.asgi imported, {samples} each: "
        f"{result['tracked']} tracked objects, {result['frozen']} frozen; unfrozen "
        f"{min(result['before']):.1f}..{max(result['before']):.1f} ms, frozen "
        f"{min(result['after']):.4f}..{max(result['after']):.4f} ms",
        flush=True,
    )
    ratio = value / floor
    print(
        f"BENCH name={NAME} scale={scale} value={value:.4f} unit=ms floor={floor:.2f} ratio={ratio:.5f} "
        f"target={TARGETS[NAME]}",
        flush=True,
    )
    return {NAME: ratio}
