"""Huge integers in API URLs are refused at the edge (issue 22 item 9): a page beyond any list is a
422, an id beyond 64 bits in a path or a query a 404 or 422 — never a server error."""

from __future__ import annotations

import pytest

from jijian.core.api.auth import api_token_create

HUGE = "4000000000000000000"  # fits no page offset
BEYOND_64_BITS = str(2**64 + 5)


@pytest.fixture
def bearer(people):
    _, raw = api_token_create(actor=people.county_officer, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("url", ["/api/orgs", "/api/people", "/api/petitions/", "/api/petitions/clues/"])
def test_a_huge_page_number_is_a_422(client, bearer, url):
    response = client.get(f"{url}?page={HUGE}", **bearer)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "url",
    ["/api/orgs/{}", "/api/people/{}", "/api/petitions/{}", "/api/petitions/clues/{}", "/api/reports/{}"],
)
@pytest.mark.parametrize("number", [BEYOND_64_BITS, str(2**63)])
def test_an_id_beyond_64_bits_in_a_path_is_a_404(client, bearer, url, number):
    assert client.get(url.format(number), **bearer).status_code == 404


def test_the_submit_path_refuses_a_huge_id_as_missing(client, bearer):
    response = client.post(
        f"/api/reports/{BEYOND_64_BITS}/submit",
        data={"version": 1, "endorse": True},
        content_type="application/json",
        **bearer,
    )
    assert response.status_code == 404


def test_an_id_beyond_64_bits_in_a_query_is_a_422(client, bearer):
    assert client.get(f"/api/orgs?parent={BEYOND_64_BITS}", **bearer).status_code == 422


def test_a_page_with_an_id_beyond_64_bits_is_a_404(tree, people, login):
    assert login(people.township_a).get(f"/orgs/{BEYOND_64_BITS}/").status_code == 404


def test_a_nul_character_in_a_body_or_a_query_is_a_clear_400_and_changes_nothing(client, people):
    """PostgreSQL cannot hold a NUL in text: refused at the API's edge for every endpoint, with the
    one error format (a server error before, found on the cadres API's writes)."""
    from jijian.core.api.models import ApiToken

    client.force_login(people.member_a)  # no second factor needed; the session is the API's too
    before = ApiToken.objects.count()
    response = client.post("/api/tokens", {"name": "手机\x00令牌"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "请求中含有无效字符（NUL），请删除后重试"
    assert ApiToken.objects.count() == before
    response = client.get("/api/people", {"q": "张\x00"})
    assert response.status_code == 400 and "NUL" in response.json()["error"]["message"]
    assert client.get("/api/people", {"q": "张"}).status_code == 200


def test_a_body_that_is_not_json_is_a_chinese_400(client, people):
    client.force_login(people.member_a)
    response = client.post("/api/tokens", "{name: 手机", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "请求内容不是有效的 JSON",
        "details": [],
    }
