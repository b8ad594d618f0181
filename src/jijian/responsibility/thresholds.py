"""The thresholds of primary responsibility, configurable per deployment (settings.
RESPONSIBILITY_THRESHOLDS, from JIJIAN_RESPONSIBILITY_* environment variables; docs/responsibility.md):

- blue_days / yellow_days — a period turns blue, then yellow, with this many working days or fewer
  left before its deadline (defaults 10 and 3);
- late_reason_min_chars — the shortest reason accepted for a record entered after the deadline (4);
- grade_floors — the on-time share (%) from which the annual assessment suggests 好 / 较好 / 一般
  (90 / 75 / 60; below the last, 差).

Read at call time, so a changed setting applies at the next request; a setting that contradicts
itself (yellow after blue, floors not descending) is refused as ImproperlyConfigured, not guessed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS: dict[str, Any] = {
    "blue_days": 10,
    "yellow_days": 3,
    "late_reason_min_chars": 4,
    "grade_floors": {"good": 90, "fairly_good": 75, "average": 60},
}
GRADE_ORDER = ("good", "fairly_good", "average")


def _conf() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "RESPONSIBILITY_THRESHOLDS", {})}


def colour_days() -> tuple[int, int]:
    """(blue_days, yellow_days)."""
    conf = _conf()
    blue, yellow = int(conf["blue_days"]), int(conf["yellow_days"])
    if yellow < 0 or blue < 1 or yellow >= blue:
        raise ImproperlyConfigured(
            f"RESPONSIBILITY_THRESHOLDS: yellow_days ({yellow}) must be ≥ 0 and below blue_days ({blue})"
        )
    return blue, yellow


def late_reason_min_chars() -> int:
    n = int(_conf()["late_reason_min_chars"])
    if n < 1:
        raise ImproperlyConfigured("RESPONSIBILITY_THRESHOLDS: late_reason_min_chars must be ≥ 1")
    return n


def grade_floors() -> tuple[tuple[str, int], ...]:
    """((grade, floor), …) from the best grade down, each floor below the one before."""
    floors = {**DEFAULTS["grade_floors"], **_conf()["grade_floors"]}
    out = tuple((g, int(floors[g])) for g in GRADE_ORDER)
    values = [f for _, f in out]
    if any(not 0 < f <= 100 for f in values) or values != sorted(set(values), reverse=True):
        raise ImproperlyConfigured(
            f"RESPONSIBILITY_THRESHOLDS: grade_floors must descend within 1–100, got {dict(out)}"
        )
    return out
