"""Training list pages cost the same number of queries for few rows as for many (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijian.core.roles import Role
from jijian.training import services
from tests.conftest import make_user, sign_in
from tests.training.factories import bank, exam, wrong_values

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)  # the session's first request writes what it writes once
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _sit(tree, e, n, start):
    for i in range(n):
        member = make_user(f"m{start + i}", tree.village_a2, Role.VILLAGE_MEMBER)
        s = services.sitting_start(actor=member, exam=e, device="d")
        services.sitting_submit(actor=member, sitting=s, device="d")


def test_exam_results_and_statistics_do_not_grow_with_sittings(client, tree, people):
    bank(tree.county, per_kind=6)
    e = exam(tree.county)
    _sit(tree, e, 2, 0)
    sign_in(client, people.county_officer)
    few = [_queries(client, f"/training/exams/{e.pk}/"), _queries(client, "/training/stats/")]
    _sit(tree, e, 12, 100)
    assert [_queries(client, f"/training/exams/{e.pk}/"), _queries(client, "/training/stats/")] == few


def test_question_list_wrong_book_and_paper_do_not_grow_with_rows(client, tree, people):
    bank(tree.county, per_kind=2)
    sign_in(client, people.county_officer)
    few_bank = _queries(client, "/training/questions/")
    bank(tree.county, per_kind=10, prefix="多")
    assert _queries(client, "/training/questions/") == few_bank

    e = exam(tree.county, per_kind=1)
    sitting = services.sitting_start(actor=people.member_a, exam=e, device="d")
    for seq, item in enumerate(sitting.items.all(), start=1):
        services.answer_save(
            actor=people.member_a,
            sitting=sitting,
            position=item.position,
            values=wrong_values(item),
            seq=seq,
            device="d",
        )
    services.sitting_submit(actor=people.member_a, sitting=sitting, device="d")
    sign_in(client, people.member_a)
    few = [_queries(client, "/training/wrong/"), _queries(client, f"/training/sittings/{sitting.pk}/")]
    e2 = exam(tree.county, per_kind=5, title="第二场")
    sitting2 = services.sitting_start(actor=people.member_a, exam=e2, device="d")
    for seq, item in enumerate(sitting2.items.all(), start=1):
        services.answer_save(
            actor=people.member_a,
            sitting=sitting2,
            position=item.position,
            values=wrong_values(item),
            seq=seq,
            device="d",
        )
    services.sitting_submit(actor=people.member_a, sitting=sitting2, device="d")
    assert [
        _queries(client, "/training/wrong/"),
        _queries(client, f"/training/sittings/{sitting2.pk}/"),
    ] == few
