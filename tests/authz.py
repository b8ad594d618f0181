"""The authorization matrix: every URL × every persona (+ anonymous) × in/out of jurisdiction, GET and
POST, in one table. Each app lists its URLs in tests/<app>/authz_entries.py (ENTRIES); test_authz.py
walks every URL pattern of the project and fails for a pattern that has no entry, then runs them all.

An entry names the URL, how to build its arguments from the test tree and personas (an object inside
the allowed personas' jurisdiction), and the personas allowed. Every other persona must get 404 —
the same answer as for a missing record — and anonymous gets the login redirect (pages) or 401 (API).
Personas not allowed include the ones *out of jurisdiction* for that object (township_b, outsider)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = (
    "member_a",
    "township_a",
    "township_b",
    "county_officer",
    "outsider",
    "zone_officer",
    "city_petition",
    "system_admin",
    "security_admin",
    "audit_admin",
    "party_liaison",
)

ALL = frozenset(PERSONAS)
LOGIN = "login"  # anonymous: redirect to the login page
UNAUTHORIZED = 401  # anonymous on the API
PUBLIC = "public"  # anonymous gets the same as everyone (health checks, login page)


@dataclass(frozen=True)
class Entry:
    name: str  # URL name with namespace, e.g. "core:org_detail"
    allow: frozenset[str]  # personas that get a success answer; every other persona gets 404
    args: Callable | None = None  # (tree, people) -> list of URL args, for an object in jurisdiction
    methods: tuple[str, ...] = ("GET",)
    post_data: Callable | None = None  # (tree, people) -> dict, for POST
    anonymous: object = LOGIN
    get_ok: tuple[int, ...] = (200,)
    # For URLs that only act on the caller's own data (inbox, password change): everyone is "allowed".
    note: str = ""
    query: str = ""
    extra_outside: Callable | None = None  # (tree, people) -> args of an object outside every allowed persona
    skip_personas: frozenset[str] = field(default_factory=frozenset)
    multipart: bool = False  # an API POST sent as multipart/form-data (with files) rather than JSON


def call(client, method: str, url: str, entry: Entry, tree, people):
    """Request `url` as the entry says: GET with its query, POST with its data (JSON for the API)."""
    import json

    data = entry.post_data(tree, people) if entry.post_data else {}
    if method == "GET":
        return client.get(url + entry.query)
    if method == "POST" and url.startswith("/api/") and not entry.multipart:
        return client.post(url, data=json.dumps(data), content_type="application/json")
    if method == "POST":
        return client.post(url, data=data)
    return client.generic(method, url)
