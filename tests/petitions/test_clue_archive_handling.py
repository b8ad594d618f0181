"""A clue concluded with a first-form handling short of 诫勉 (谈话提醒, 批评教育, 责令检查) enters the
accused's integrity archive as a record of that handling, once, with the clue as its source
(core.links.archive_record_handling): it has no effect period, so the integrity opinion shows it and
vetoes nothing; 诫勉, the fourth first-form handling, is a sanction of the archive whose six months
veto a promotion. A keeper's withdrawal is not undone by the clue; the clue linked anew to another
person's archive enters that one."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.archives import opinions
from jijian.archives import services as archive_services
from jijian.archives.models import ArchiveRecord, OpinionPerson, OpinionVerdict, RecordKind, Sanction
from jijian.audit.models import AuditEvent
from jijian.core import links
from jijian.core.roles import Role
from jijian.petitions.clues import services as clues
from jijian.petitions.models import (
    ARCHIVE_HANDLING,
    ARCHIVE_SANCTION,
    SANCTION_FORM,
    Clue,
    ClueSource,
    ClueState,
    Form,
    PetitionReport,
)
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
        org = make_user("zzb_sx", tree.county, Role.ORG_DEPARTMENT)

    return Staff


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


def _linked_clue(tree, staff, archive):
    """A clue of daily supervision (no report, so nothing else open about the person), linked to the
    archive on its page."""
    clue = registered_clue(tree.county, accused_name=archive.name, source=ClueSource.SUPERVISION)
    return clues.clue_link_archive(actor=staff.cm, clue=clue, archive_id=archive.pk, version=clue.version)


def _conclude(staff, clue, outcome, *, disposal="close"):
    decided_on = timezone.localdate() if outcome in ARCHIVE_SANCTION else None
    clue = clues.clue_propose(
        actor=staff.cm,
        clue=clue,
        disposal=disposal,
        note="经谈话函询，反映的问题部分属实，情节轻微",
        version=clue.version,
        endorse=True,
        sanction=outcome,
        sanction_decided_on=decided_on,
    )
    return clues.clue_approve(actor=staff.boss, clue=clue, version=clue.version, endorse=True)


def _opinion(staff, n=1, name="王某") -> OpinionPerson:
    request = opinions.opinion_submit(
        actor=staff.org,
        ref_no=f"随组函{OpinionPerson.objects.count() + 1}号",
        purpose="promotion",
        persons_text=f"{name} {idn(n)}",
    )
    opinions.opinion_draft(actor=staff.keeper, request=request, version=request.version)
    return request.persons.get()


def test_the_first_form_outcomes_are_the_archive_s_handlings_or_its_sanction():
    first_form = {outcome for outcome, form in SANCTION_FORM.items() if form == Form.FORM_1}
    assert first_form == {*ARCHIVE_HANDLING, "admonishment"}
    assert ARCHIVE_SANCTION["admonishment"] == "org_admonition"  # 诫勉: a sanction with its period
    assert set(ARCHIVE_HANDLING.values()) <= set(RecordKind.values)
    assert not set(ARCHIVE_HANDLING) & set(ARCHIVE_SANCTION)


@pytest.mark.parametrize(
    ("outcome", "kind", "label"),
    [
        ("talk_reminder", "talk_reminder", "谈话提醒"),
        ("criticism", "criticism", "批评教育"),
        ("ordered_review", "ordered_review", "责令检查"),
    ],
)
def test_a_first_form_handling_enters_the_archive_once_with_its_source(
    tree, staff, archive, outcome, kind, label
):
    clue = _conclude(staff, _linked_clue(tree, staff, archive), outcome)
    assert clue.state == ClueState.CLOSED and clue.outcome_form == Form.FORM_1
    record = ArchiveRecord.objects.get(archive=archive)
    assert (record.kind, record.source, record.source_ref) == (
        kind,
        f"问题线索 {clue.number}",
        f"petitions.clue:{clue.pk}",
    )
    assert record.recorded_on == timezone.localdate(clue.closed_at) and record.entered_by == staff.boss
    assert tree.county.name in record.summary and "情节轻微" in record.summary
    assert str(record.get_kind_display()) == label
    assert not Sanction.objects.exists()
    event = AuditEvent.objects.get(action="archive.record_from_source")
    assert event.object_id == str(archive.pk) and event.after["entry"] == record.pk
    approve = AuditEvent.objects.get(action="clue.approve", object_id=str(clue.pk))
    assert approve.after["archive_record"] == record.pk and approve.after["archive_sanction"] is None
    # The yearly version lists it.
    assert any(label in line for line in archive.year_versions.get().content["entries"].values())

    # The same source again gives the same record; a link undone and made again adds nothing.
    again = links.archive_record_handling(
        actor=staff.boss,
        archive_id=archive.pk,
        kind=kind,
        recorded_on=timezone.localdate(),
        summary="再次",
        source=f"问题线索 {clue.number}",
        source_ref=f"petitions.clue:{clue.pk}",
    )
    assert again == record.pk
    clue = clues.clue_unlink_archive(actor=staff.cm, clue=clue, version=clue.version)
    clue = clues.clue_link_archive(actor=staff.cm, clue=clue, archive_id=archive.pk, version=clue.version)
    assert ArchiveRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action="archive.record_from_source").count() == 1


def test_a_talk_reminder_is_shown_in_the_opinion_and_vetoes_nothing(tree, staff, archive):
    clue = _conclude(staff, _linked_clue(tree, staff, archive), "talk_reminder")
    person = _opinion(staff)
    assert person.verdict == OpinionVerdict.REPORTED_CLOSED and "不影响该同志提拔任用" in person.wording
    day = timezone.localdate(clue.closed_at)
    assert f"处理（无影响期）：谈话提醒（{day:%Y-%m-%d}，问题线索 {clue.number}）" in person.facts
    assert not any(f.startswith("处分") for f in person.facts)


def test_an_admonishment_within_its_six_months_vetoes_the_promotion(tree, staff, archive):
    clue = _conclude(staff, _linked_clue(tree, staff, archive), "admonishment")
    entry = Sanction.objects.get(archive=archive)
    assert entry.kind == "org_admonition" and entry.source_ref == f"petitions.clue:{clue.pk}"
    assert not ArchiveRecord.objects.exists()
    person = _opinion(staff)
    assert person.verdict == OpinionVerdict.IN_EFFECT
    assert any(f.startswith("处分（影响期内）：诫勉") for f in person.facts), person.facts
    # Once its six months are over it no longer vetoes: reported, but closed.
    Sanction.objects.filter(pk=entry.pk).update(
        decided_on=timezone.localdate() - datetime.timedelta(days=200),
        effect_ends_on=timezone.localdate() - datetime.timedelta(days=17),
    )
    assert _opinion(staff).verdict == OpinionVerdict.REPORTED_CLOSED


def test_nothing_enters_for_clearing_or_without_a_linked_archive(tree, staff, archive):
    _conclude(staff, _linked_clue(tree, staff, archive), "cleared")
    _conclude(staff, registered_clue(tree.county, accused_name="王某"), "criticism")  # linked to nothing
    report = accepted_report(tree.county, tree.township_a)  # a report linked to no archive
    via_report = clues.clue_register(actor=staff.cm, source=ClueSource.PETITION, report=report, endorse=True)
    _conclude(staff, via_report, "ordered_review")
    assert not ArchiveRecord.objects.exists() and not Sanction.objects.exists()
    assert not AuditEvent.objects.filter(
        action__in=["archive.record_from_source", "archive.sanction_from_source"]
    )


def test_a_clue_whose_report_is_linked_enters_the_report_s_archive(tree, staff, archive):
    report = accepted_report(tree.county, tree.township_a)
    PetitionReport.objects.filter(pk=report.pk).update(archive_id=archive.pk)
    clue = clues.clue_register(actor=staff.cm, source=ClueSource.PETITION, report=report, endorse=True)
    _conclude(staff, clue, "criticism", disposal="transfer")
    assert ArchiveRecord.objects.get().archive == archive


def test_a_handling_withdrawn_by_a_keeper_is_not_entered_again_by_the_clue(tree, staff, archive, login):
    clue = _conclude(staff, _linked_clue(tree, staff, archive), "talk_reminder")
    record = ArchiveRecord.objects.get()
    keeper = login(staff.keeper)
    url = reverse("archives:entry_withdraw", args=[archive.pk, "record", record.pk])
    page = keeper.get(url).content.decode()
    assert f"该条目由问题线索 {clue.number}的办结结论自动记入" in page and "录入更正" in page
    done = keeper.post(url, {"reason": "谈话对象录错", "version": record.version}).content.decode()
    assert f"问题线索 {clue.number}不会再将其记入本档案" in done
    record.refresh_from_db()
    assert record.is_withdrawn

    clue = clues.clue_unlink_archive(actor=staff.cm, clue=clue, version=clue.version)
    clues.clue_link_archive(actor=staff.cm, clue=clue, archive_id=archive.pk, version=clue.version)
    assert ArchiveRecord.objects.count() == 1 and ArchiveRecord.objects.get().is_withdrawn
    assert _opinion(staff).verdict == OpinionVerdict.REPORTED_CLOSED  # the clue, closed; not the record
    assert not any("谈话提醒" in f for f in _opinion(staff).facts)


def test_a_clue_linked_anew_to_the_right_person_enters_their_archive(tree, staff, archive):
    """A namesake chosen in error: its keeper withdraws the sanction there, and the clue linked to the
    right archive enters that one — the withdrawal in the first archive does not stop it."""
    namesake = archive_services.archive_create(
        actor=staff.keeper, name="王某", org_unit=tree.village_a, id_number=idn(2), level="village"
    )
    clue = _conclude(staff, _linked_clue(tree, staff, namesake), "public_demerit")
    wrong = Sanction.objects.get(archive=namesake)
    archive_services.section_entry_withdraw(
        actor=staff.keeper,
        entry=wrong,
        version=wrong.version,
        reason="被反映人并非本人，线索已改为关联王某（另一人）",
    )
    clue = clues.clue_link_archive(actor=staff.cm, clue=clue, archive_id=archive.pk, version=clue.version)
    right = Sanction.objects.get(archive=archive)
    assert right.source_ref == wrong.source_ref == f"petitions.clue:{clue.pk}" and not right.is_withdrawn
    link = AuditEvent.objects.filter(action="clue.link_archive").latest("pk")
    assert link.after == {"archive": archive.pk, "archive_sanction": right.pk}
    assert _opinion(staff, 1).verdict == OpinionVerdict.IN_EFFECT
    assert _opinion(staff, 2).verdict == OpinionVerdict.NO_OBJECTION


def test_the_record_shows_on_the_archive_with_its_source(tree, staff, archive, login):
    clue = _conclude(staff, _linked_clue(tree, staff, archive), "ordered_review")
    page = (
        login(staff.keeper)
        .post(reverse("archives:detail", args=[archive.pk]), {"reason": "干部考察"})
        .content.decode()
    )
    record = ArchiveRecord.objects.get()
    assert f'id="record-{record.pk}"' in page and "责令检查" in page and f"问题线索 {clue.number}" in page
    assert Clue.objects.get(pk=clue.pk).outcome_sanction == "ordered_review"
