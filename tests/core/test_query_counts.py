"""List pages cost the same number of queries for 3 rows as for 30 (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijian.core.models import OrgKind
from jijian.core.roles import Role
from jijian.core.services import org_unit_create
from tests.conftest import make_user


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add_villages(tree, n, start):
    for i in range(n):
        unit = org_unit_create(
            actor=None, name=f"新{start + i}村", kind=OrgKind.VILLAGE, parent=tree.township_a, audit=False
        )
        make_user(f"m{start + i}", unit, Role.VILLAGE_MEMBER)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("township_a", "/orgs/?q=村"),
        ("township_a", "/people/"),
        ("township_a", "/orgs/{township}/"),
        ("system_admin", "/manage/accounts/"),
        ("security_admin", "/security/accounts/"),
        ("township_a", "/api/people"),
        ("township_a", "/api/orgs"),
    ],
)
def test_list_query_count_does_not_grow_with_rows(tree, people, login, persona, url):
    client = login(getattr(people, persona))
    url = url.replace("{township}", str(tree.township_a.pk))
    _add_villages(tree, 3, 0)
    client.get(url)  # warm up: the first request after sign-in also writes the session
    few = _queries(client, url)
    _add_villages(tree, 27, 100)
    many = _queries(client, url)
    assert many == few, f"{url}: {few} queries for few rows, {many} for many"


def test_token_page_query_count_does_not_grow_with_tokens(people, login):
    from jijian.core.api.auth import api_token_create

    client = login(people.member_a)
    for i in range(3):
        api_token_create(actor=people.member_a, name=f"t{i}")
    client.get("/accounts/tokens/")
    few = _queries(client, "/accounts/tokens/")
    for i in range(27):
        api_token_create(actor=people.member_a, name=f"u{i}")
    assert _queries(client, "/accounts/tokens/") == few
