"""The language of what is kept. A page speaks its reader's language; what an action stores for
others — an audit summary, a notification, a clue's facts — is written in the platform's language
(settings.LANGUAGE_CODE) whoever acted, as official documents are: a record reads the same to every
reader and is found by the same words."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def platform_language() -> translation.override:
    """A context (`with platform_language(): …`) in which choice labels and gettext read the platform's
    language: build a stored text inside it."""
    return translation.override(settings.LANGUAGE_CODE)
