"""A copy of typed text for a record with a shorter field. Typed text itself is taken, and refused
when too long, by jijian.core.validators.typed_text: never cut."""

from __future__ import annotations


def abridged(text: str, limit: int) -> str:
    """A copy of `text` for a record with a shorter field (the duty log's topic and opinion): the whole
    text stays where it was typed, the copy says it was shortened (…)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
