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
from jijian.archives.sanctions import add_months, effect_ends_on
from jijian.audit.models import AuditEvent
from jijian.core import links
from jijian.core.roles import Role
from jijian.petitions.clues import services as clues
from jijian.petitions.models import ARCHIVE_SANCTION, Clue, ClueSource, ClueState, Form, PetitionReport
from tests.archives.helpers import idn
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
        PetitionReport.objects.filter(pk=report.pk).update(archive_id=archive.pk)
    return clues.clue_register(actor=staff.cm, source=ClueSource.PETITION, report=report, endorse=True)


def _conclude(staff, clue, sanction, disposal="close", decided_on=None):
    if decided_on is None and sanction in ARCHIVE_SANCTION:
        decided_on = timezone.localdate()
    clue = clues.clue_propose(
        actor=staff.cm,
        clue=clue,
        disposal=disposal,
        note="经初核，违规发放补贴属实，给予处分",
        version=clue.version,
        endorse=True,
        sanction=sanction,
        sanction_decided_on=decided_on,
    )
    return clues.clue_approve(actor=staff.boss, clue=clue, version=clue.version, endorse=True)


def _registered_days_ago(clue, days: int):
    """The clue as if registered `days` ago (the sanction is decided weeks before its approval)."""
    Clue.objects.filter(pk=clue.pk).update(registered_at=timezone.now() - datetime.timedelta(days=days))
    return Clue.objects.get(pk=clue.pk)


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
    # Decided 40 days ago, approved today: the archive counts from the decision, not the approval.
    clue = _registered_days_ago(_clue_about_archive(tree, staff, archive), 60)
    decided = timezone.localdate() - datetime.timedelta(days=40)
    clue = _conclude(staff, clue, outcome, decided_on=decided)
    assert clue.state == ClueState.CLOSED and clue.outcome_sanction == outcome and clue.outcome_form == form
    assert clue.sanction_decided_on == decided and clue.pending_sanction_decided_on is None
    entry = Sanction.objects.get(archive=archive)
    assert (entry.kind, entry.decided_on, entry.source_ref) == (kind, decided, f"petitions.clue:{clue.pk}")
    assert entry.source == f"问题线索 {clue.number}" and entry.entered_by == staff.boss
    assert entry.authority == tree.county.name and "违规发放补贴" in entry.reason
    assert entry.effect_ends_on == effect_ends_on(kind, decided)
    if months is None:
        assert entry.effect_ends_on is None
    else:
        assert entry.effect_ends_on == add_months(decided, months) - datetime.timedelta(days=1)
        assert entry.effect_ends_on != effect_ends_on(kind, timezone.localdate())
    event = AuditEvent.objects.get(action="archive.sanction_from_source")
    assert event.object_id == str(archive.pk)
    approve = AuditEvent.objects.get(action="clue.approve", object_id=str(clue.pk))
    assert approve.after["archive_sanction"] == entry.pk
    assert approve.after["sanction_decided_on"] == decided.isoformat()
    propose = AuditEvent.objects.get(action="clue.propose", object_id=str(clue.pk))
    assert propose.after["sanction_decided_on"] == decided.isoformat()


def test_a_sanction_whose_period_ended_before_the_approval_no_longer_vetoes(tree, staff, archive):
    # 诫勉 (six months) decided seven months ago, its conclusion approved only now: the period is over,
    # and the integrity opinion says so instead of vetoing the cadre.
    clue = _registered_days_ago(_clue_about_archive(tree, staff, archive), 300)
    decided = add_months(timezone.localdate(), -7)
    _conclude(staff, clue, "admonishment", decided_on=decided)
    entry = Sanction.objects.get(archive=archive)
    assert entry.decided_on == decided and entry.effect_ends_on == effect_ends_on("org_admonition", decided)
    assert entry.effect_ends_on < timezone.localdate() and not entry.in_effect_on(timezone.localdate())
    org = make_user("zzb_sx", tree.county, Role.ORG_DEPARTMENT)
    request = opinions.opinion_submit(
        actor=org, ref_no="2号", purpose="promotion", persons_text=f"王某 {idn(1)}"
    )
    opinions.opinion_draft(actor=staff.keeper, request=request, version=request.version)
    # Not vetoed (IN_EFFECT would come first); what is left is the source report, still open.
    assert OpinionPerson.objects.get().verdict == OpinionVerdict.UNDER_VERIFICATION


def _refused(staff, clue, message, **kw):
    before = Clue.objects.get(pk=clue.pk)
    with pytest.raises(ValidationError, match=message):
        clues.clue_propose(
            actor=staff.cm,
            clue=clue,
            note="属实",
            version=clue.version,
            endorse=True,
            **{"disposal": "close", **kw},
        )
    after = Clue.objects.get(pk=clue.pk)
    assert (after.state, after.version, after.pending_sanction, after.pending_sanction_decided_on) == (
        before.state,
        before.version,
        "",
        None,
    )
    assert not clue.steps.filter(action="propose").exists()
    assert not AuditEvent.objects.filter(action="clue.propose").exists()


def test_a_sanction_outcome_without_its_decision_date_is_refused(tree, staff, archive):
    clue = _clue_about_archive(tree, staff, archive)
    _refused(staff, clue, "处理结果为“记过”，请填写处分决定日期", sanction="public_demerit")
    _refused(
        staff, clue, "处理结果为“诫勉”，请填写处分决定日期", sanction="admonishment", disposal="transfer"
    )


def test_a_decision_date_in_the_future_is_refused(tree, staff, archive):
    clue = _clue_about_archive(tree, staff, archive)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _refused(staff, clue, "处分决定日期不能晚于今天", sanction="warning", sanction_decided_on=tomorrow)


def test_a_decision_date_before_the_clue_was_registered_is_refused(tree, staff, archive):
    clue = _registered_days_ago(_clue_about_archive(tree, staff, archive), 10)
    registered = timezone.localdate(clue.registered_at)
    _refused(
        staff,
        clue,
        f"处分决定日期不能早于线索登记日期（{registered:%Y-%m-%d}）",
        sanction="warning",
        sanction_decided_on=registered - datetime.timedelta(days=1),
    )
    # The day of registration itself is accepted.
    clue = _conclude(staff, clue, "warning", decided_on=registered)
    assert Sanction.objects.get().decided_on == registered


def test_a_decision_date_with_an_outcome_that_is_no_sanction_is_refused(tree, staff, archive):
    clue = _clue_about_archive(tree, staff, archive)
    today = timezone.localdate()
    for kw in (
        {"sanction": "talk_reminder"},
        {"sanction": "organisational_adjustment"},
        {"sanction": ""},
        {"sanction": "", "disposal": "hold"},
    ):
        _refused(
            staff,
            clue,
            "只有处理结果为党纪处分、政务处分或诫勉时才填写处分决定日期",
            sanction_decided_on=today,
            **kw,
        )


def test_a_proposal_pending_from_before_the_date_was_asked_goes_back_for_it(tree, staff, archive):
    clue = clues.clue_propose(
        actor=staff.cm,
        clue=_clue_about_archive(tree, staff, archive),
        disposal="close",
        sanction="warning",
        sanction_decided_on=timezone.localdate(),
        note="属实",
        version=1,
        endorse=True,
    )
    Clue.objects.filter(pk=clue.pk).update(pending_sanction_decided_on=None)  # as the migration left it
    clue = Clue.objects.get(pk=clue.pk)
    with pytest.raises(ValidationError, match="未载明处分决定日期"):
        clues.clue_approve(actor=staff.boss, clue=clue, version=clue.version, endorse=True)
    after = Clue.objects.get(pk=clue.pk)
    assert after.state == ClueState.PENDING_APPROVAL and after.version == clue.version
    assert not Sanction.objects.exists() and not AuditEvent.objects.filter(action="clue.approve").exists()
    # Sent back, it is proposed again with the date and enters the archive from that day.
    clue = clues.clue_reject(
        actor=staff.boss, clue=clue, reason="请补充处分决定日期", version=clue.version, endorse=True
    )
    assert clue.pending_sanction_decided_on is None and clue.state == ClueState.REGISTERED
    decided = timezone.localdate(clue.registered_at)
    clue = _conclude(staff, clue, "warning", decided_on=decided)
    assert clue.sanction_decided_on == decided and Sanction.objects.get().decided_on == decided


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
