"""Typed text (a name, a purpose, an opinion, minutes) as the services take it: stripped, and refused
when longer than its column or the platform's limit — never cut. A signer's name or an objection's
reason cut short without a word would be a record of something nobody wrote; the refusal names the
field, its limit and the length typed, and nothing is changed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def length_error(text: str, *, limit: int, label: str) -> str | None:
    """The refusal of `text` (already stripped) when it is longer than `limit` characters, else None."""
    if len(text) <= limit:
        return None
    return gettext("%(label)s最多%(limit)s字（现有%(count)s字），请删减后再提交") % {
        "label": label,
        "limit": limit,
        "count": len(text),
    }


def typed(value: str | None, *, limit: int, label: str) -> str:
    """`value` stripped; longer than `limit` characters is refused (ValidationError in Chinese)."""
    text = (value or "").strip()
    error = length_error(text, limit=limit, label=label)
    if error:
        raise ValidationError(error, code="too_long")
    return text


def abridged(text: str, limit: int) -> str:
    """A copy of `text` for a record with a shorter field (the duty log's topic and opinion): the whole
    text stays where it was typed, the copy says it was shortened (…)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
