"""The first form's handlings short of 诫勉 (谈话提醒, 批评教育, 责令检查) in the archive: records of
their kind, entered by hand or from a source (services.record_from_source, once per archive and
source, withdrawn or not); the integrity opinion shows them and vetoes nothing (诫勉 is a sanction
with its six months). A source's entry is once per archive: the same source sent to another person's
archive enters there. A merge keeps one entry per source."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jijian.archives import opinions, services
from jijian.archives.models import ArchiveRecord, OpinionVerdict, Sanction
from jijian.audit.models import AuditEvent
from tests.archives.helpers import idn, make_archive

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def keeper(staff):
    return staff["keeper"]


@pytest.fixture
def archive(keeper, tree):
    return make_archive(
        keeper, tree.township_a, name="刘某", id_number=idn(1), level="section", post="副镇长"
    )


def _verdict(staff, n=1, name="刘某"):
    request = opinions.opinion_submit(
        actor=staff["org"],
        ref_no=f"随组函{AuditEvent.objects.count()}号",
        purpose="promotion",
        persons_text=f"{name} {idn(n)}",
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    return request.persons.get()


def _from_clue(keeper, archive, *, ref="petitions.clue:7", kind="talk_reminder"):
    return services.record_from_source(
        actor=keeper,
        archive_id=archive.pk,
        kind=kind,
        recorded_on=D(2026, 3, 2),
        summary="决定机关：随县；经谈话函询，问题轻微",
        source="问题线索 XS-7",
        source_ref=ref,
    )


@pytest.mark.parametrize(("kind", "label"), [("talk_reminder", "谈话提醒"), ("criticism", "批评教育")])
def test_a_handling_entered_by_hand_is_shown_and_vetoes_nothing(staff, keeper, archive, kind, label):
    assert _verdict(staff).verdict == OpinionVerdict.NO_OBJECTION
    record = services.record_add(
        actor=keeper,
        archive=archive,
        kind=kind,
        summary="提醒其注意",
        source="县委组织部",
        recorded_on=D(2026, 2, 1),
    )
    person = _verdict(staff)
    assert person.verdict == OpinionVerdict.REPORTED_CLOSED
    assert f"处理（无影响期）：{label}（2026-02-01，县委组织部）" in person.facts
    services.section_entry_withdraw(actor=keeper, entry=record, version=1, reason="误录")
    person = _verdict(staff)
    assert person.verdict == OpinionVerdict.NO_OBJECTION and not any(label in f for f in person.facts)


def test_an_integrity_talk_is_no_handling(staff, keeper, archive):
    services.record_add(
        actor=keeper,
        archive=archive,
        kind="talk",
        summary="任前廉政谈话",
        source="纪委",
        recorded_on=D(2026, 2, 1),
    )
    person = _verdict(staff)
    assert person.verdict == OpinionVerdict.NO_OBJECTION and not any("处理" in f for f in person.facts)


def test_a_handling_with_a_sanction_in_effect_is_still_a_veto(staff, keeper, archive):
    _from_clue(keeper, archive)
    services.sanction_add(
        actor=keeper, archive=archive, kind="org_admonition", decided_on=timezone.localdate(), source="审理室"
    )
    person = _verdict(staff)
    assert person.verdict == OpinionVerdict.IN_EFFECT
    assert any(f.startswith("处分（影响期内）：诫勉") for f in person.facts)
    assert any(f.startswith("处理（无影响期）：谈话提醒") for f in person.facts)


def test_a_handling_from_a_source_enters_once_withdrawn_or_not(keeper, archive):
    pk = _from_clue(keeper, archive)
    record = ArchiveRecord.objects.get(pk=pk)
    assert (record.kind, record.source, record.source_ref, record.recorded_on) == (
        "talk_reminder",
        "问题线索 XS-7",
        "petitions.clue:7",
        D(2026, 3, 2),
    )
    event = AuditEvent.objects.get(action="archive.record_from_source")
    assert event.after == {"entry": pk, "kind": "talk_reminder", "source_ref": "petitions.clue:7"}
    assert _from_clue(keeper, archive) == pk
    services.section_entry_withdraw(actor=keeper, entry=record, version=1, reason="谈话对象录错")
    assert _from_clue(keeper, archive) == pk
    assert ArchiveRecord.objects.count() == 1 and AuditEvent.objects.filter(action=event.action).count() == 1


def test_only_a_handling_enters_from_a_source(keeper, archive):
    for kind in ("talk", "gift", "admonishment", "org_admonition"):
        with pytest.raises(ValidationError, match="处理种类不正确"):
            _from_clue(keeper, archive, kind=kind)
    with pytest.raises(ValueError):
        _from_clue(keeper, archive, ref="")
    assert not ArchiveRecord.objects.exists()


def test_the_same_source_enters_another_persons_archive(keeper, archive, tree):
    """A source entered in a namesake's archive by mistake and withdrawn there enters the right one."""
    namesake = make_archive(keeper, tree.township_b, name="刘某", id_number=idn(2))
    wrong = services.sanction_from_source(
        actor=keeper,
        archive_id=namesake.pk,
        kind="public_demerit",
        decided_on=D(2026, 3, 2),
        source="问题线索 XS-7",
        source_ref="petitions.clue:7",
    )
    services.section_entry_withdraw(
        actor=keeper, entry=Sanction.objects.get(pk=wrong), version=1, reason="被反映人并非本人"
    )
    right = services.sanction_from_source(
        actor=keeper,
        archive_id=archive.pk,
        kind="public_demerit",
        decided_on=D(2026, 3, 2),
        source="问题线索 XS-7",
        source_ref="petitions.clue:7",
    )
    assert right != wrong and Sanction.objects.get(pk=right).archive == archive
    # Sent to the namesake again, the withdrawn entry stays as it is.
    again = services.sanction_from_source(
        actor=keeper,
        archive_id=namesake.pk,
        kind="public_demerit",
        decided_on=D(2026, 3, 2),
        source="问题线索 XS-7",
        source_ref="petitions.clue:7",
    )
    assert again == wrong and Sanction.objects.count() == 2


def test_a_merge_keeps_one_handling_per_source(keeper, archive, tree):
    duplicate = make_archive(keeper, tree.township_a, name="刘某")
    kept = _from_clue(keeper, archive)
    stays = _from_clue(keeper, duplicate)
    moves = _from_clue(keeper, duplicate, ref="petitions.clue:8", kind="ordered_review")
    services.archive_merge(actor=keeper, keep=archive, drop=duplicate, reason="同一人重复建档")
    assert set(ArchiveRecord.objects.filter(archive=archive).values_list("pk", flat=True)) == {kept, moves}
    assert ArchiveRecord.objects.get(pk=stays).archive == duplicate
    # Sent to the duplicate after the merge, the survivor's entry answers.
    assert _from_clue(keeper, duplicate) == kept
    assert _from_clue(keeper, duplicate, ref="petitions.clue:8", kind="ordered_review") == moves


def test_the_keeper_enters_a_handling_on_the_page(keeper, archive, login):
    client = login(keeper)
    form = client.get(reverse("archives:section_add", args=[archive.pk, "record"])).content.decode()
    for label in ("谈话提醒", "批评教育", "责令检查"):
        assert f">{label}</option>" in form
    response = client.post(
        reverse("archives:section_add", args=[archive.pk, "record"]),
        {
            "kind": "ordered_review",
            "summary": "责令其作出书面检查",
            "source": "镇党委",
            "recorded_on": "2026-02-03",
        },
    )
    assert response.status_code == 200
    record = ArchiveRecord.objects.get()
    assert record.kind == "ordered_review" and record.source_ref == ""
    assert "责令检查" in response.content.decode()


def test_the_withdraw_page_of_an_entry_made_by_hand_says_nothing_of_a_source(keeper, archive, login):
    record = services.record_add(
        actor=keeper,
        archive=archive,
        kind="criticism",
        summary="批评",
        source="镇党委",
        recorded_on=D(2026, 2, 1),
    )
    page = login(keeper).get(reverse("archives:entry_withdraw", args=[archive.pk, "record", record.pk]))
    assert page.status_code == 200 and "自动记入" not in page.content.decode()
