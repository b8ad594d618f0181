"""Pages answer a service's refusal (PermissionDenied) with the 404 of a record outside the user's
jurisdiction, in one middleware; the admin keeps Django's 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import resolve

from jijian.core.ops.middleware import DeniedAsNotFoundMiddleware


def _request(path):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return request


def test_a_refusal_on_a_page_is_a_404():
    middleware = DeniedAsNotFoundMiddleware(lambda request: None)
    with pytest.raises(Http404):
        middleware.process_exception(_request("/petitions/"), PermissionDenied())


def test_the_admin_and_other_exceptions_are_left_to_django():
    middleware = DeniedAsNotFoundMiddleware(lambda request: None)
    assert middleware.process_exception(_request("/admin/"), PermissionDenied()) is None
    assert middleware.process_exception(_request("/petitions/"), ValueError()) is None
