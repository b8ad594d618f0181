"""A clue concluded with a sanction enters the accused's integrity archive as a sanction, once, with
its source (core.links.archive_record_sanction; petitions and archives do not import each other). The
clue's outcomes include the 政务处分 (警告, 记过, 记大过, 降级, 撤职, 开除), classed by the four forms."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jijian.archives import opinions
from jijian.archives import services as archive_services
from jijian.archives.models import OpinionPerson, OpinionVerdict, Sanction
from jijian.audit.models import AuditEvent
from jijian.core import links
from jijian.core.roles import Role
from jijian.petitions.clues import services as clues
from jijian.petitions.models import ClueSource, ClueState, Form, PetitionReport
from tests.archives.test_pages import idn
from tests.conftest import make_user
from tests.petitions.authz_entries_clues import accepted_report, case_manager, leader, registered_clue

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree):
    class Staff:
        cm = case_manager(tree.county, "cm")
        boss = leader(tree.county, "boss")
        keeper = make_user("gj_sx", tree.county, Role.CADRE_SUPERVISION)

    return Staff


def _clue_about_archive(tree, staff, archive=None):
    report = accepted_report(tree.county, tree.township_a)
    if archive is not None:
        PetitionReport.objects.filter(pk=report.pk).update(archive=archive)
    return clues.clue_register(actor=staff.cm, source=ClueSource.PETITION, report=report, endorse=True)


def _conclude(staff, clue, sanction, disposal="close"):
    clue = clues.clue_propose(
        actor=staff.cm,
        clue=clue,
        disposal=disposal,
        note="经初核，违规发放补贴属实，给予处分",
        version=clue.version,
        endorse=True,
        sanction=sanction,
    )
    return clues.clue_approve(actor=staff.boss, clue=clue, version=clue.version, endorse=True)


@pytest.fixture
def archive(tree, staff):
    return archive_services.archive_create(
        actor=staff.keeper,
        name="王某",
        org_unit=tree.village_a,
        id_number=idn(1),
        post="村主任",
        level="village",
    )


@pytest.mark.parametrize(
    ("outcome", "form", "kind", "months"),
    [
        ("public_warning", Form.FORM_2, "public_warning", 6),
        ("public_demerit", Form.FORM_2, "public_demerit", 12),
        ("public_major_demerit", Form.FORM_2, "public_major_demerit", 18),
        ("public_demotion", Form.FORM_3, "public_demotion", 24),
        ("public_dismissal", Form.FORM_3, "public_dismissal", 24),
        ("public_expulsion", Form.FORM_3, "public_expulsion", None),
        ("warning", Form.FORM_2, "party_warning", 12),
        ("admonishment", Form.FORM_1, "org_admonition", 6),
    ],
)
def test_a_concluded_clue_enters_the_archive_as_a_sanction_with_its_source(
    tree, staff, archive, outcome, form, kind, months
):
    clue = _conclude(staff, _clue_about_archive(tree, staff, archive), outcome)
    assert clue.state == ClueState.CLOSED and clue.outcome_sanction == outcome and clue.outcome_form == form
    entry = Sanction.objects.get(archive=archive)
    today = timezone.localdate()
    assert (entry.kind, entry.decided_on, entry.source_ref) == (kind, today, f"petitions.clue:{clue.pk}")
    assert entry.source == f"问题线索 {clue.number}" and entry.entered_by == staff.boss
    assert entry.authority == tree.county.name and "违规发放补贴" in entry.reason
    if months is None:
        assert entry.effect_ends_on is None
    else:
        from jijian.archives.sanctions import add_months

        assert entry.effect_ends_on == add_months(today, months) - datetime.timedelta(days=1)
    event = AuditEvent.objects.get(action="archive.sanction_from_source")
    assert event.object_id == str(archive.pk)
    approve = AuditEvent.objects.get(action="clue.approve", object_id=str(clue.pk))
    assert approve.after["archive_sanction"] == entry.pk


def test_it_enters_once_and_then_vetoes_the_integrity_opinion(tree, staff, archive):
    clue = _conclude(staff, _clue_about_archive(tree, staff, archive), "public_demerit")
    entry = Sanction.objects.get(archive=archive)
    again = links.archive_record_sanction(
        actor=staff.boss,
        archive_id=archive.pk,
        kind="public_demerit",
        decided_on=timezone.localdate(),
        source=f"问题线索 {clue.number}",
        source_ref=f"petitions.clue:{clue.pk}",
    )
    assert again == entry.pk and Sanction.objects.count() == 1
    # The archive's yearly version lists it, and the opinion vetoes while it is in effect.
    assert any("记过" in line for line in archive.year_versions.get().content["entries"].values())
    org = make_user("zzb_sx", tree.county, Role.ORG_DEPARTMENT)
    request = opinions.opinion_submit(
        actor=org, ref_no="1号", purpose="promotion", persons_text=f"王某 {idn(1)}"
    )
    opinions.opinion_draft(actor=staff.keeper, request=request, version=request.version)
    assert OpinionPerson.objects.get().verdict == OpinionVerdict.IN_EFFECT


def test_a_merged_duplicate_passes_the_sanction_to_its_survivor(tree, staff, archive):
    duplicate = archive_services.archive_create(
        actor=staff.keeper, name="王某", org_unit=tree.village_a, post="村主任", level="village"
    )
    clue = _clue_about_archive(tree, staff, duplicate)
    archive_services.archive_merge(actor=staff.keeper, keep=archive, drop=duplicate, reason="同一人重复建档")
    _conclude(staff, clue, "public_warning")
    assert Sanction.objects.get().archive == archive


def test_no_sanction_without_a_linked_archive_or_for_an_outcome_that_is_none(tree, staff, archive):
    _conclude(staff, _clue_about_archive(tree, staff), "public_warning")  # the report is not linked
    _conclude(staff, registered_clue(tree.county), "public_warning")  # no report at all
    _conclude(staff, _clue_about_archive(tree, staff, archive), "talk_reminder")
    _conclude(staff, _clue_about_archive(tree, staff, archive), "cleared")
    assert not Sanction.objects.exists()
    assert not AuditEvent.objects.filter(action="archive.sanction_from_source").exists()


def test_probation_without_its_period_is_counted_at_two_years_and_said_so(tree, staff, archive):
    _conclude(staff, _clue_about_archive(tree, staff, archive), "probation")
    entry = Sanction.objects.get()
    assert entry.kind == "party_probation" and entry.probation_months == 24
    assert "按二年计算影响期" in entry.reason


def test_a_public_office_outcome_on_a_non_ending_disposal_is_refused(tree, staff, archive):
    clue = _clue_about_archive(tree, staff, archive)
    with pytest.raises(ValidationError, match="只有予以了结或转立案"):
        clues.clue_propose(
            actor=staff.cm,
            clue=clue,
            disposal="preliminary_check",
            note="初核",
            version=clue.version,
            endorse=True,
            sanction="public_demerit",
        )
    assert not Sanction.objects.exists()


def test_the_propose_page_offers_the_public_office_outcomes(tree, staff, archive, login):
    clue = _clue_about_archive(tree, staff, archive)
    page = login(staff.cm).get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    for label in ("政务警告", "记过", "记大过", "降级", "撤职", "开除公职"):
        assert f">{label}</option>" in page, label
