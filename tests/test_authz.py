"""Runs the authorization matrix (tests/authz.py): every URL pattern of the project must have an entry,
and every entry is tried for every persona and anonymous, GET and POST as listed."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authz import LOGIN, PERSONAS, PUBLIC, UNAUTHORIZED, Entry, call
from tests.conftest import sign_in

# Django's admin has its own site-level permission test (tests/core/test_admin.py).
EXEMPT_NAMESPACES = ("admin:",)


def all_entries() -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    root = Path(__file__).parent
    for module in pkgutil.walk_packages([str(root)], prefix="tests."):
        if module.name.rsplit(".", 1)[-1].startswith("authz_entries"):
            for entry in importlib.import_module(module.name).ENTRIES:
                assert entry.name not in entries, f"two matrix entries for {entry.name}"
                entries[entry.name] = entry
    return entries


def url_names(patterns=None, namespace="") -> set[str]:
    names: set[str] = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            names |= url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            names.add(f"{namespace}{p.name}" if p.name else f"{namespace}<unnamed {p.pattern}>")
    return names


def test_every_url_has_an_authorization_entry():
    """A new view without an entry in the matrix fails here: add it to tests/<app>/authz_entries.py."""
    missing = sorted(n for n in url_names() if not n.startswith(EXEMPT_NAMESPACES) and n not in all_entries())
    assert not missing, f"URLs without an authorization-matrix entry: {missing}"


def test_the_url_walk_catches_an_unlisted_view(settings):
    """The check above is not vacuous: a URL added at run time is reported."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    module = type(importlib)("tmp_urls")
    module.urlpatterns = [
        *importlib.import_module("jijian.config.urls").urlpatterns,
        path("sneaky/", lambda r: HttpResponse("x"), name="sneaky"),
    ]
    import sys

    sys.modules["tmp_urls"] = module
    settings.ROOT_URLCONF = "tmp_urls"
    clear_url_caches()
    try:
        assert "sneaky" in url_names(get_resolver("tmp_urls").url_patterns)
        assert "sneaky" not in all_entries()
    finally:
        clear_url_caches()


def _cases():
    for entry in sorted(all_entries().values(), key=lambda e: e.name):
        for method in entry.methods:
            for persona in (*PERSONAS, "anonymous"):
                yield pytest.param(entry, method, persona, id=f"{entry.name}-{method}-{persona}")


@pytest.mark.parametrize(("entry", "method", "persona"), list(_cases()))
def test_authorization_matrix(entry: Entry, method: str, persona: str, tree, people):
    client = Client()
    if persona != "anonymous":
        sign_in(client, getattr(people, persona))
    args = entry.args(tree, people) if entry.args else []
    url = reverse(entry.name, args=args)
    response = call(client, method, url, entry, tree, people)
    status = response.status_code
    if persona == "anonymous":
        if entry.anonymous == PUBLIC:
            assert status < 500 and status not in (401, 403), status
        elif entry.anonymous == LOGIN:
            assert status == 302 and reverse("core:login") in response["Location"], status
        else:
            assert status == UNAUTHORIZED, status
        return
    if persona in entry.allow:
        if method == "GET":
            assert status in entry.get_ok, f"{persona} expected {entry.get_ok}, got {status}"
        else:
            assert status not in (403, 404, 405) and status < 500, f"{persona} {method} got {status}"
    else:
        assert status == 404, f"{persona} should get 404 (outside jurisdiction or module), got {status}"
        if entry.extra_outside is None:
            return
    if entry.extra_outside is not None and persona in entry.allow and method == "GET":
        # The same URL for an object outside this persona's jurisdiction is a 404.
        outside_url = reverse(entry.name, args=entry.extra_outside(tree, people))
        others = client.get(outside_url).status_code
        visible = persona in {"city_petition", "system_admin", "security_admin"}  # city level sees all
        assert others == (200 if visible else 404), f"{persona} on outside object got {others}"
