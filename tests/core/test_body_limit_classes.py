"""Every URL whose view takes files has its class in config/bodylimits.py, so a new upload view cannot
fall to the small limit of URLs without files (its uploads would then be refused before Django reads
them). A page view takes files when its code, or a helper of its own module it calls, reads
`request.FILES` or holds uploads (`HeldUploads`); an API operation when the API document gives it a
multipart body with a binary field."""

from __future__ import annotations

import inspect
import json
import re
import types

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from jijian.api.api import api
from jijian.config.bodylimits import LARGE_UPLOADS, PUBLIC_FORMS, RECEPTION_UPLOAD, STAFF_UPLOADS

# Views that name held uploads or request.FILES but take no file: each says why.
NO_FILES_HERE = {
    "petitions:follow": "shows the reporter's case; lets go of held files on a fresh page",
    "petitions:follow_objection": "a refused objection re-renders the follow page (the reply form's held files shown); the objection form has no file",
    "petitions_clues:detail": "shows the clue with the reply form's held files",
    "petitions_clues:propose": "re-renders the clue page (held files shown), the form has no file",
    "petitions_clues:approve": "re-renders the clue page (held files shown), the form has no file",
    "petitions_clues:reject": "re-renders the clue page (held files shown), the form has no file",
    "petitions_clues:reopen": "re-renders the clue page (held files shown), the form has no file",
    "petitions_clues:link_archive": "re-renders the clue page (held files shown), the form has no file",
    "petitions_clues:unlink_archive": "re-renders the clue page (held files shown), the form has no file",
}
CLASSIFIED = set(LARGE_UPLOADS) | set(STAFF_UPLOADS) | PUBLIC_FORMS | {RECEPTION_UPLOAD}


def url_views(patterns, namespaces=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from url_views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespaces, pattern.name)), pattern.callback


def code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= code_names(const)
    return names


def takes_files(func, seen: set | None = None) -> bool:
    seen = set() if seen is None else seen
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    names = code_names(code)
    if names & {"FILES", "HeldUploads"}:
        return True
    helpers = (getattr(func, "__globals__", {}).get(name) for name in names)
    return any(
        isinstance(helper, types.FunctionType)
        and helper.__module__ == func.__module__
        and takes_files(helper, seen)
        for helper in helpers
    )


def page_upload_views() -> set[str]:
    found = set()
    for name, view in url_views(get_resolver().url_patterns):
        if name.split(":")[0] in ("admin", api.urls_namespace):
            continue  # the admin: below; the API: from its document
        if takes_files(view):
            found.add(name)
    return found


def api_upload_operations() -> set[str]:
    found = set()
    for path, operations in api.get_openapi_schema()["paths"].items():
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            if body and '"binary"' in json.dumps(body):
                found.add(resolve(re.sub(r"\{[^}]+\}", "1", path)).view_name)
    return found


def test_the_finder_sees_the_known_upload_views():
    pages = page_upload_views()
    assert {"training:material_add", "archives:photo_upload", "petitions:submit"} <= pages
    assert "core:login" not in pages
    assert {"api:petition_report_register_files", "api:village_notice_record"} <= api_upload_operations()


def test_every_url_that_takes_files_has_an_upload_limit():
    found = page_upload_views() | api_upload_operations()
    unclassified = found - CLASSIFIED - set(NO_FILES_HERE)
    assert not unclassified, (
        f"add these to LARGE_UPLOADS or STAFF_UPLOADS in config/bodylimits.py: {unclassified}"
    )


def test_the_tables_name_only_urls_that_take_files():
    found = page_upload_views() | api_upload_operations()
    assert not (CLASSIFIED - found), "a URL in config/bodylimits.py that takes no file (or no longer exists)"
    assert not (set(NO_FILES_HERE) & CLASSIFIED)
    assert set(NO_FILES_HERE) <= found  # a stale entry here would hide nothing, but say so
    assert not (set(LARGE_UPLOADS) & set(STAFF_UPLOADS))


def test_the_admin_takes_no_file():
    # Django's admin reads request.FILES for any change form; none of the models it edits has a file
    # field, so its URLs stay in the small class.
    for model in apps.get_models():
        if admin.site.is_registered(model):
            assert not any(isinstance(field, models.FileField) for field in model._meta.get_fields()), model
