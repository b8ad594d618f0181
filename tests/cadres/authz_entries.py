"""The cadres app (module CADRES: village members, township committees, the county's party conduct
office). Objects used: a task to member_a (village A), a nomination and a holding in village A, a
placement of township_a's cadre by the county. township_b, the outsider (another county) and the
zone officer have the module but not these objects, and get 404 like everyone without the module."""

from datetime import date, timedelta

from django.utils import timezone

from jijian.cadres.models import CasePlacement
from tests.authz import UNAUTHORIZED, Entry
from tests.cadres.helpers import candidate, holding, nominate, task
from tests.conftest import make_user

MODULE = frozenset({"member_a", "township_a", "township_b", "county_officer", "outsider", "zone_officer"})
OFFICERS = MODULE - {"member_a"}
COUNTIES = frozenset({"county_officer", "outsider", "zone_officer"})
SEE_A = frozenset({"township_a", "county_officer"})


def task_a(t, p):
    return [task(p.township_a, p.member_a).pk]


def task_c(t, p):
    """A task in 桃源村 (another county): outside every allowed persona."""
    township_c = make_user("township_c", t.township_c, "township_committee")
    member_c = make_user("member_c", t.village_c, "village_member")
    return [task(township_c, member_c).pk]


def nomination_a(t, p):
    return [nominate(p.township_a, t.village_a, candidate(t.village_a)).pk]


def nomination_c(t, p):
    township_c = make_user("township_c", t.township_c, "township_committee")
    return [nominate(township_c, t.village_c, candidate(t.village_c, username="hx_c")).pk]


def holding_a(t, p):
    return [holding(t.village_a, p.member_a, p.county_officer).pk]


def _placement(cadre, county, mentor, *, ended=True):
    today = timezone.localdate()
    return CasePlacement.objects.create(
        org_unit=county,
        cadre=cadre,
        mentor=mentor,
        case_name="某所长挪用公款案",
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=1) if ended else today + timedelta(days=30),
        placed_by=mentor,
    )


def placement_a(t, p):
    return [_placement(p.township_a, t.county, p.county_officer).pk]


def placement_c(t, p):
    cadre = make_user("cadre_c", t.township_c, "township_committee")
    return [_placement(cadre, t.other_county, p.outsider).pk]


def reported_placement_a(t, p):
    placement = _placement(p.township_a, t.county, p.county_officer)
    CasePlacement.objects.filter(pk=placement.pk).update(report="学习体会", reported_at=timezone.now())
    return [placement.pk]


ENTRIES = [
    Entry("cadres:task_list", MODULE),
    Entry(
        "cadres:task_create",
        frozenset({"township_a", "township_b"}),
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "member": p.member_a.pk,
            "kind": "dispatch",
            "title": "核查",
            "working_days": "5",
        },
        note="township_b's POST names a member outside it: the form refuses it (200, nothing issued)",
    ),
    Entry(
        "cadres:task_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=task_a,
        extra_outside=task_c,
    ),
    Entry(
        "cadres:task_answer",
        frozenset({"member_a"}),
        args=task_a,
        methods=("POST",),
        post_data=lambda t, p: {"answer": "已核查", "version": "1"},
    ),
    Entry("cadres:post_list", OFFICERS),
    Entry(
        "cadres:village_posts",
        SEE_A,
        args=lambda t, p: [t.village_a.pk],
        extra_outside=lambda t, p: [t.village_c.pk],
    ),
    Entry(
        "cadres:holding_register",
        frozenset({"county_officer"}),
        args=lambda t, p: [t.village_a.pk],
        methods=("POST",),
        post_data=lambda t, p: {"holder": p.member_a.pk, "started_on": "2021-01-01"},
    ),
    Entry(
        "cadres:holding_end",
        frozenset({"county_officer"}),
        args=holding_a,
        methods=("POST",),
        post_data=lambda t, p: {
            "reason": "dismissed",
            "ended_on": date.today().isoformat(),
            "note": "免职",
            "version": "1",
        },
    ),
    Entry(
        "cadres:nomination_create",
        frozenset({"township_a", "township_b"}),
        methods=("GET", "POST"),
        post_data=lambda t, p: {"village": t.village_a.pk, "candidate": p.member_a.pk, "reason": "熟悉村务"},
    ),
    Entry("cadres:nomination_detail", SEE_A, args=nomination_a, extra_outside=nomination_c),
    Entry(
        "cadres:nomination_decide",
        frozenset({"county_officer"}),
        args=nomination_a,
        methods=("POST",),
        post_data=lambda t, p: {"decision": "approve", "starts_on": date.today().isoformat(), "version": "1"},
    ),
    Entry("cadres:placement_list", MODULE),
    Entry(
        "cadres:placement_create",
        COUNTIES,
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "cadre": p.township_a.pk,
            "mentor": p.county_officer.pk,
            "case_name": "某案",
            "starts_on": "2026-01-05",
            "ends_on": "2026-03-05",
        },
    ),
    Entry(
        "cadres:placement_detail",
        frozenset({"township_a", "county_officer"}),
        args=placement_a,
        extra_outside=placement_c,
    ),
    Entry(
        "cadres:placement_report",
        frozenset({"township_a"}),
        args=placement_a,
        methods=("POST",),
        post_data=lambda t, p: {"report": "学习体会", "version": "1"},
    ),
    Entry(
        "cadres:placement_record",
        frozenset({"county_officer"}),
        args=reported_placement_a,
        methods=("POST",),
        post_data=lambda t, p: {"assessment": "认真", "version": "1"},
    ),
]

ENTRIES += [
    Entry("api:cadres_task_list", MODULE, anonymous=UNAUTHORIZED),
    Entry(
        "api:cadres_task_detail",
        frozenset({"member_a", "township_a", "county_officer"}),
        args=task_a,
        anonymous=UNAUTHORIZED,
        extra_outside=task_c,
    ),
    Entry(
        "api:cadres_task_answer",
        frozenset({"member_a"}),
        args=task_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"answer": "已核查", "version": 1},
    ),
    Entry("api:cadres_nomination_list", OFFICERS, anonymous=UNAUTHORIZED),
    Entry(
        "api:cadres_nomination_detail",
        SEE_A,
        args=nomination_a,
        anonymous=UNAUTHORIZED,
        extra_outside=nomination_c,
    ),
    Entry("api:cadres_post_list", OFFICERS, anonymous=UNAUTHORIZED),
    Entry("api:cadres_placement_list", MODULE, anonymous=UNAUTHORIZED),
    Entry(
        "api:cadres_placement_detail",
        frozenset({"township_a", "county_officer"}),
        args=placement_a,
        anonymous=UNAUTHORIZED,
        extra_outside=placement_c,
    ),
]

# API writes: the same services as the pages, the same personas allowed (township_b and the other
# counties name people outside them: a 400, nothing written — they are "allowed" to ask).
ENTRIES += [
    Entry(
        "api:cadres_task_issue",
        frozenset({"township_a", "township_b"}),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {
            "member": p.member_a.pk,
            "kind": "dispatch",
            "title": "核查",
            "working_days": 5,
        },
        note="township_b names a member outside its township: 400, nothing issued",
    ),
    Entry(
        "api:cadres_nomination_submit",
        frozenset({"township_a", "township_b"}),
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"village": t.village_a.pk, "candidate": p.member_a.pk, "reason": "熟悉村务"},
        note="township_b names a village outside its township: 400, nothing submitted",
    ),
    Entry(
        "api:cadres_nomination_decide",
        frozenset({"county_officer"}),
        args=nomination_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"approve": True, "starts_on": date.today().isoformat(), "version": 1},
    ),
    Entry(
        "api:cadres_placement_create",
        COUNTIES,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {
            "cadre": p.township_a.pk,
            "mentor": p.county_officer.pk,
            "case_name": "某案",
            "starts_on": "2026-01-05",
            "ends_on": "2026-03-05",
        },
        note="the outsider and the zone officer name a cadre outside them: 400, nothing placed",
    ),
    Entry(
        "api:cadres_placement_report",
        frozenset({"township_a"}),
        args=placement_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"report": "学习体会", "version": 1},
    ),
    Entry(
        "api:cadres_placement_record",
        frozenset({"county_officer"}),
        args=reported_placement_a,
        methods=("POST",),
        anonymous=UNAUTHORIZED,
        post_data=lambda t, p: {"assessment": "认真", "version": 1},
    ),
]
