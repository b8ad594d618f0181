"""Reads of the duty manual: the table of contents and search (by text, or by the pinyin initials of
a title: "bzfs" finds 报账复审), always within the reader's city (access.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from . import access
from .models import ManualPage, TopicKind, TypicalCase

INITIALS_RE = re.compile(r"^[A-Za-z]{2,20}$")


@dataclass
class SearchResult:
    query: str
    pages: list[ManualPage]
    cases: list[TypicalCase]


def _match(q: str) -> Q:
    """Text anywhere in the item, or (for 2–20 Latin letters) the pinyin initials of its title."""
    cond = Q(search_text__icontains=q)
    if INITIALS_RE.match(q):
        cond |= Q(title_initials__contains=q.lower())
    return cond


def search(user, q: str, *, limit: int = 50) -> SearchResult:
    q = (q or "").strip()[:50]
    if not q:
        return SearchResult(q, [], [])
    pages = list(access.pages_for(user).filter(_match(q))[:limit])
    cases = list(access.cases_for(user).filter(_match(q)).select_related("page")[:limit])
    return SearchResult(q, pages, cases)


def contents(user) -> list[tuple[str, list[ManualPage]]]:
    """The manual's pages grouped by kind, in the kinds' order (empty kinds left out)."""
    pages = list(access.pages_for(user).only("code", "title", "kind", "summary", "sort_order"))
    groups = []
    for kind, label in TopicKind.choices:
        rows = [p for p in pages if p.kind == kind]
        if rows:
            groups.append((str(label), rows))
    return groups


def page_cases(user, page: ManualPage) -> QuerySet[TypicalCase]:
    return access.cases_for(user).filter(page=page)
