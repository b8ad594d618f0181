"""The home page's to-dos of mutual checks and the annual evaluation, for the user's own unit: the check
it has to score, the rectifications it has to make (and those late), the reports it has to close as
checker, a township committee's evaluations not yet confirmed — nothing of another unit's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.core.todos import todos_for
from jijian.evaluation import services
from jijian.evaluation.models import Rectification
from tests.conftest import sign_in
from tests.evaluation.factories import evaluation, finding_with_rectification, round_with_pair

pytestmark = pytest.mark.django_db

SCORE = "待完成评分的互查"
RECTIFY = "待整改的互查问题"
LATE = "已超过整改期限的互查问题"
CLOSE = "待销号审核的整改报告"
ANNUAL = "未确定的年度考评"


def counts(user) -> dict[str, int]:
    return {item["title"]: item["count"] for item in todos_for(user)}


def test_the_checker_scores_and_the_checked_unit_waits(tree, people):
    _round, pair = round_with_pair(tree, people)
    assert counts(people.township_a)[SCORE] == 1  # 厉山镇 checks 高城镇
    assert SCORE not in counts(people.township_b)
    assert SCORE not in counts(people.county_officer)  # organises, does not score
    services.check_pair_score(
        actor=people.township_a,
        pair=pair,
        scores={"q1": 20, "q2": 25, "q3": 15, "q4": 10},
        version=pair.version,
    )
    assert SCORE not in counts(people.township_a)


def test_a_rectification_waits_on_the_checked_unit_then_on_the_checker(tree, people):
    _pair, _finding, rect = finding_with_rectification(tree, people)
    assert counts(people.township_b)[RECTIFY] == 1 and LATE not in counts(people.township_b)
    assert RECTIFY not in counts(people.township_a)
    Rectification.objects.filter(pk=rect.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert counts(people.township_b)[LATE] == 1
    rect.refresh_from_db()
    services.rectification_report(
        actor=people.township_b, rectification=rect, report="已补记录", version=rect.version
    )
    assert RECTIFY not in counts(people.township_b)
    assert counts(people.township_a)[CLOSE] == 1
    assert CLOSE not in counts(people.township_b)
    rect.refresh_from_db()
    services.rectification_close(
        actor=people.township_a, rectification=rect, version=rect.version, accept=True
    )
    assert CLOSE not in counts(people.township_a)


def test_the_township_sees_its_evaluations_not_yet_confirmed(tree, people, client):
    evaluation(tree, people)
    assert counts(people.township_a)[ANNUAL] == 1
    assert ANNUAL not in counts(people.township_b)
    sign_in(client, people.township_a)
    home = client.get(reverse("core:home")).content.decode()
    assert ANNUAL in home and reverse("evaluation:evaluation_list") in home
