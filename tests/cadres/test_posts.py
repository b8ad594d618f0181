"""三为主 nomination: the vetting against the integrity archives (through core.links.archive_vetting,
provided by the archives) and against declared relations; a candidate holding a post elsewhere is
refused; the county's approval records the holding and keeps the history without overlaps."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jijian.archives import services as archive_services
from jijian.audit.models import AuditEvent
from jijian.cadres import services
from jijian.cadres.models import Nomination, NominationState, PostHolding
from jijian.core import links
from jijian.core.models import RelationKind, StaffRelation
from tests.archives.helpers import idn, make_archive
from tests.cadres.helpers import candidate, holding, nominate
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(tree):
    return make_user("gj_sx", tree.county, "cadre_supervision")


# --- vetting against the archives ----------------------------------------------------------------
def test_a_candidate_not_in_the_archives_is_found_false(tree, people):
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    assert n.vetting["found"] is False
    assert n.vetting["verdict_label"] == "档案中未查到"
    assert AuditEvent.objects.filter(action="archive.vetting", actor=people.township_a).count() == 1


def test_the_archive_opinion_is_the_integrity_opinion_of_the_candidate(tree, people, keeper):
    make_archive(keeper, tree.village_a, name="陈思远", id_number=idn(7))
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    assert n.vetting["found"] is True
    assert n.vetting["verdict"] == "no_objection"
    assert n.vetting["facts"] == ["在办的信访举报0件，已办结0件"]


def test_a_sanction_in_effect_bars_the_approval_and_changes_nothing(tree, people, keeper):
    archive = make_archive(keeper, tree.village_a, name="陈思远", id_number=idn(7))
    archive_services.sanction_add(
        actor=keeper, archive=archive, kind="public_demerit", decided_on=timezone.localdate(), source="审理室"
    )
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    assert n.vetting["verdict"] == "in_effect"
    assert any("影响期内" in f for f in n.vetting["facts"])
    with pytest.raises(ValidationError, match="不能批准"):
        services.nomination_decide(actor=people.county_officer, nomination=n, version=n.version, approve=True)
    n.refresh_from_db()
    assert n.state == NominationState.SUBMITTED
    assert not PostHolding.objects.exists()


def test_an_archive_of_another_county_is_not_read(tree, people):
    other_keeper = make_user("gj_gs", tree.other_county, "cadre_supervision")
    make_archive(other_keeper, tree.village_c, name="陈思远", id_number=idn(7))
    answer = links.archive_vetting(people.township_a, id_number=idn(7), name="陈思远")
    assert answer["found"] is False
    county = links.archive_vetting(other_keeper, id_number=idn(7), name="陈思远")
    assert county["found"] is True  # the control: in its own county the archive answers


def test_an_id_number_of_another_name_answers_nothing_about_that_archive(tree, people, keeper):
    make_archive(keeper, tree.village_a, name="王某", id_number=idn(7))
    answer = links.archive_vetting(people.township_a, id_number=idn(7), name="陈思远")
    assert answer == {
        "found": False,
        "verdict": "not_found",
        "verdict_label": "档案中未查到",
        "facts": ["身份证号与姓名不符，请核实"],
    }


# --- vetting against relations -------------------------------------------------------------------
def test_a_near_relative_on_the_village_committee_bars_the_post(tree, people):
    person = candidate(tree.village_a)
    StaffRelation.objects.create(user=person, relative_name="王德明", kind=RelationKind.SPOUSE)
    n = nominate(people.township_a, tree.village_a, person, committee="王德明、李春燕")
    assert n.relation_findings == ["候选人申报的亲属“王德明”（夫妻关系）是该村“两委”成员"]
    with pytest.raises(ValidationError, match="王德明"):
        services.nomination_decide(actor=people.county_officer, nomination=n, version=n.version, approve=True)
    assert not PostHolding.objects.exists()
    assert Nomination.objects.get().state == NominationState.SUBMITTED


def test_a_committee_member_who_declared_the_candidate_bars_the_post(tree, people):
    person = candidate(tree.village_a)
    chair = make_user("zhuren", tree.village_a, "village_member")
    StaffRelation.objects.create(user=chair, relative_name=person.full_name, kind=RelationKind.COLLATERAL)
    n = nominate(people.township_a, tree.village_a, person, committee=f"{chair.full_name}\n李春燕")
    assert len(n.relation_findings) == 1 and chair.full_name in n.relation_findings[0]


def test_a_relative_off_the_committee_or_a_distant_relation_does_not_bar(tree, people):
    person = candidate(tree.village_a)
    StaffRelation.objects.create(user=person, relative_name="赵某", kind=RelationKind.SPOUSE)
    StaffRelation.objects.create(user=person, relative_name="李春燕", kind=RelationKind.OTHER)
    n = nominate(people.township_a, tree.village_a, person, committee="王德明\n李春燕")
    assert n.relation_findings == []
    services.nomination_decide(actor=people.county_officer, nomination=n, version=n.version, approve=True)
    assert PostHolding.objects.get(ended_on__isnull=True).holder == person


# --- who may nominate whom -----------------------------------------------------------------------
def test_someone_holding_a_post_elsewhere_is_refused(tree, people):
    holding(tree.village_a2, people.member_a, people.county_officer)
    with pytest.raises(ValidationError, match="现任凤凰村纪检委员"):
        nominate(people.township_a, tree.village_a, people.member_a)
    assert not Nomination.objects.exists()


def test_away_from_home_is_recorded_and_needs_its_reason(tree, people):
    person = candidate(tree.village_a2)
    with pytest.raises(ValidationError, match="异地任职说明"):
        nominate(people.township_a, tree.village_a, person)
    n = nominate(people.township_a, tree.village_a, person, away_reason="本村无合适人选")
    assert n.away_from_home is True
    services.nomination_decide(actor=people.county_officer, nomination=n, version=n.version, approve=True)
    assert PostHolding.objects.get(holder=person).away_from_home is True


def test_a_township_nominates_only_in_its_own_villages_and_only_the_county_decides(tree, people):
    with pytest.raises(ValidationError):
        nominate(people.township_b, tree.village_a, candidate(tree.village_b, username="hx_b"))
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    with pytest.raises(PermissionDenied):
        services.nomination_decide(actor=people.township_a, nomination=n, version=n.version, approve=True)
    with pytest.raises(PermissionDenied):
        services.nomination_decide(actor=people.outsider, nomination=n, version=n.version, approve=True)


def test_a_second_nomination_for_a_village_waits_for_the_first(tree, people):
    nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    with pytest.raises(ValidationError, match="已有待县级审批的提名"):
        nominate(people.township_a, tree.village_a, candidate(tree.village_a, username="hx2", name="刘晓琳"))


# --- post history ------------------------------------------------------------------------------
def test_approval_replaces_the_holder_and_keeps_who_held_the_post_when(tree, people):
    before = holding(tree.village_a, people.member_a, people.county_officer, date(2021, 1, 1))
    person = candidate(tree.village_a)
    n = nominate(people.township_a, tree.village_a, person)
    services.nomination_decide(
        actor=people.county_officer, nomination=n, version=n.version, approve=True, starts_on=date(2026, 3, 1)
    )
    history = list(PostHolding.objects.filter(village=tree.village_a).order_by("started_on"))
    assert [(h.holder_id, h.started_on, h.ended_on, h.end_reason) for h in history] == [
        (people.member_a.pk, date(2021, 1, 1), date(2026, 2, 28), "replaced"),
        (person.pk, date(2026, 3, 1), None, ""),
    ]
    assert history[0].pk == before.pk
    assert Nomination.objects.get().state == NominationState.APPROVED


def test_an_appointment_starting_before_the_current_holder_is_refused(tree, people):
    holding(tree.village_a, people.member_a, people.county_officer, date(2021, 1, 1))
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    with pytest.raises(ValidationError, match="须晚于现任"):
        services.nomination_decide(
            actor=people.county_officer,
            nomination=n,
            version=n.version,
            approve=True,
            starts_on=date(2020, 6, 1),
        )
    assert PostHolding.objects.get().ended_on is None  # nothing changed
    assert Nomination.objects.get().state == NominationState.SUBMITTED


def test_an_appointment_into_an_earlier_holding_is_refused(tree, people):
    """After a dismissal the post is vacant, but a start inside the dismissed holder's period overlaps."""
    h = holding(tree.village_a, people.member_a, people.county_officer, date(2021, 1, 1))
    services.post_holding_end(
        actor=people.county_officer, holding=h, version=h.version, ended_on=date(2025, 6, 30),
        reason="dismissed", note="不称职",
    )  # fmt: skip
    n = nominate(people.township_a, tree.village_a, candidate(tree.village_a))
    with pytest.raises(ValidationError, match="重叠"):
        services.nomination_decide(
            actor=people.county_officer,
            nomination=n,
            version=n.version,
            approve=True,
            starts_on=date(2025, 6, 1),
        )
    n.refresh_from_db()
    services.nomination_decide(
        actor=people.county_officer, nomination=n, version=n.version, approve=True, starts_on=date(2025, 7, 1)
    )
    periods = sorted((h.started_on, h.ended_on or date.max) for h in PostHolding.objects.all())
    assert all(a[1] < b[0] for a, b in zip(periods, periods[1:], strict=False))


def test_a_registered_period_may_not_overlap_another(tree, people):
    holding(tree.village_a, people.member_a, people.county_officer, date(2021, 1, 1))
    with pytest.raises(ValidationError, match="重叠"):
        services.post_holding_register(
            actor=people.county_officer,
            village=tree.village_a,
            holder=candidate(tree.village_a),
            started_on=date(2019, 1, 1),
            ended_on=date(2021, 1, 1),
        )
    services.post_holding_register(
        actor=people.county_officer,
        village=tree.village_a,
        holder=candidate(tree.village_a, username="hx2"),
        started_on=date(2019, 1, 1),
        ended_on=date(2020, 12, 31),
    )
    assert PostHolding.objects.count() == 2


def test_the_database_allows_one_open_holding_per_village_and_per_person(tree, people):
    holding(tree.village_a, people.member_a, people.county_officer)
    person = candidate(tree.village_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        PostHolding.objects.create(
            village=tree.village_a,
            holder=person,
            started_on=date(2026, 1, 1),
            recorded_by=people.county_officer,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PostHolding.objects.create(
            village=tree.village_a2,
            holder=people.member_a,
            started_on=date(2026, 1, 1),
            recorded_by=people.county_officer,
        )


def test_dismissal_is_the_countys_with_a_reason(tree, people):
    h = holding(tree.village_a, people.member_a, people.county_officer)
    with pytest.raises(PermissionDenied):
        services.post_holding_end(
            actor=people.township_a, holding=h, version=h.version, ended_on=date(2026, 1, 1),
            reason="dismissed", note="x",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="离任说明"):
        services.post_holding_end(
            actor=people.county_officer, holding=h, version=h.version, ended_on=date(2026, 1, 1),
            reason="dismissed", note="",
        )  # fmt: skip
    services.post_holding_end(
        actor=people.county_officer, holding=h, version=h.version, ended_on=date(2026, 1, 1),
        reason="resigned", note="外出务工",
    )  # fmt: skip
    h.refresh_from_db()
    assert (h.ended_on, h.end_reason) == (date(2026, 1, 1), "resigned")
