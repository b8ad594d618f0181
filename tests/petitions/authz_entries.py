"""The public report portal (no account: everyone, signed in or not, gets the same answer) and the
staff list (module PETITIONS over the report's region: only the city petition office among the
personas)."""

from tests.authz import ALL, PUBLIC, Entry

ENTRIES = [
    Entry("petitions:home", ALL, anonymous=PUBLIC),
    Entry(
        "petitions:submit",
        ALL,
        anonymous=PUBLIC,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"category": "accusation", "facts": "缺少防刷验证的提交"},
        note="a POST without proof of work is answered with the form and its message",
    ),
    Entry(
        "petitions:follow",
        ALL,
        anonymous=PUBLIC,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"code": "123"},
    ),
    Entry(
        "petitions:follow_reply",
        ALL,
        anonymous=PUBLIC,
        methods=("POST",),
        post_data=lambda t, p: {"body": "x"},
    ),
    Entry("petitions:follow_end", ALL, anonymous=PUBLIC, methods=("POST",)),
    Entry("petitions_staff:list", frozenset({"city_petition", "township_a", "township_b"})),
]
