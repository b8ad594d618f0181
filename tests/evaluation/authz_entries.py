"""Evaluation pages and API (module EVALUATION: township committees and 党风政风监督室). Objects sit
in 随县: an evaluation of member_a (神农村, township A), a round of the county in which township A
checks township B. The outsider (广水市) is outside all of them; the zone officer (over 高城镇) sees
the check of 高城镇 but not the evaluation of a 厉山镇 member."""

from django.utils import timezone

from jijian.evaluation import services
from tests.authz import UNAUTHORIZED, Entry
from tests.evaluation import factories as f

MODULE = frozenset({"township_a", "township_b", "county_officer", "outsider", "zone_officer"})
CONFIG = frozenset({"county_officer", "outsider", "zone_officer"})
OVER_A = frozenset({"township_a", "county_officer"})
IN_CHECK = frozenset({"township_a", "township_b", "county_officer", "zone_officer"})


def rubric_a(t, p):
    return [f.rubric(p.county_officer).pk]


def rubric_outside(t, p):
    return [f.rubric(f.user("outsider")).pk]


def check_rubric_a(t, p):
    return [f.check_rubric(p.county_officer).pk]


def check_rubric_outside(t, p):
    return [f.check_rubric(f.user("outsider")).pk]


def evaluation_a(t, p):
    return [f.evaluation(t, p).pk]


def evaluation_outside(t, p):
    return [f.evaluation_outside(t, p).pk]


def round_a(t, p):
    return [f.round_with_pair(t, p)[0].pk]


def round_outside(t, p):
    keeper = f.user("outsider")
    r = services.check_round_open(actor=keeper, title="外", year=2026, rubric=f.check_rubric(keeper))
    return [r.pk]


def pair_a(t, p):
    return [f.round_with_pair(t, p)[1].pk]


def rectification_a(t, p):
    return [f.finding_with_rectification(t, p)[2].pk]


RUBRIC_POST = {
    "name": "细则",
    "year": timezone.localdate().year,
    "weight_reports": 40,
    "weight_training": 20,
    "weight_guidance": 10,
    "weight_township": 30,
    "g1_label": "合格",
    "g1_min": 0,
    "g1_coefficient": 1,
}

ENTRIES = [
    Entry("evaluation:home", MODULE),
    Entry("evaluation:rubric_list", CONFIG),
    Entry("evaluation:rubric_create", CONFIG, methods=("GET", "POST"), post_data=lambda t, p: RUBRIC_POST),
    Entry(
        "evaluation:rubric_edit",
        frozenset({"county_officer"}),
        args=rubric_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: RUBRIC_POST | {"version": 1},
        extra_outside=rubric_outside,
    ),
    Entry(
        "evaluation:check_rubric_create",
        CONFIG,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"name": "清单", "i1_ask": "问", "i1_look": "看", "i1_max": 10},
    ),
    Entry(
        "evaluation:check_rubric_edit",
        frozenset({"county_officer"}),
        args=check_rubric_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"name": "清单", "i1_ask": "问", "i1_look": "看", "i1_max": 10, "version": 1},
        extra_outside=check_rubric_outside,
    ),
    # Starting an evaluation (POST) names a member: tests/evaluation/test_pages.py tries it out of reach.
    Entry("evaluation:evaluation_list", MODULE),
    Entry("evaluation:evaluation_export", MODULE),
    Entry(
        "evaluation:evaluation_detail",
        OVER_A,
        args=evaluation_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"township_score": 80, "comment": "好", "version": 1},
        extra_outside=evaluation_outside,
    ),
    Entry("evaluation:round_list", MODULE),
    Entry("evaluation:round_create", CONFIG, methods=("GET", "POST"), post_data=lambda t, p: {"title": "轮"}),
    Entry(
        "evaluation:round_detail",
        IN_CHECK,
        args=round_a,
        methods=("GET", "POST"),
        extra_outside=round_outside,
    ),
    Entry(
        "evaluation:pair_detail",
        IN_CHECK,
        args=pair_a,
        methods=("GET", "POST"),
        post_data=lambda t, p: {"action": "score", "version": 1, "q1": 20, "q2": 20, "q3": 20, "q4": 20},
    ),
    Entry(
        "evaluation:rectification",
        IN_CHECK,
        args=rectification_a,
        methods=("POST",),
        post_data=lambda t, p: {"action": "report", "report": "已补齐", "version": 1},
    ),
    Entry("api:eval_list", MODULE, anonymous=UNAUTHORIZED),
    Entry(
        "api:eval_detail", OVER_A, args=evaluation_a, anonymous=UNAUTHORIZED, extra_outside=evaluation_outside
    ),
    Entry("api:eval_rounds", MODULE, anonymous=UNAUTHORIZED),
    Entry("api:eval_check", IN_CHECK, args=pair_a, anonymous=UNAUTHORIZED),
]
