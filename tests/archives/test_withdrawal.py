"""Withdrawal (撤销) of an archive entry entered in error, and its correction (withdraw + enter anew):
only the keepers in jurisdiction withdraw, with a reason, on the version they were shown; a withdrawn
entry stays on the archive marked 已撤销 with reason, who and when, and counts no more — not in the
integrity opinion's facts and verdict, not in the flags (sanction in effect, missing personal-matters
report); the yearly version shows the withdrawal; bad input changes nothing and says why in Chinese."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jijian.archives import opinions, services
from jijian.archives.access import archives_visible_to
from jijian.archives.models import (
    ArchiveRecord,
    FamilyMember,
    OpinionVerdict,
    PersonalMattersReport,
    Sanction,
)
from jijian.archives.sanctions import matters_year_due
from jijian.audit.models import AuditEvent
from jijian.core.services import ConcurrentEditError
from tests.archives.helpers import idn, make_archive
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def keeper(staff):
    staff["keeper"].full_name = "周干监"
    staff["keeper"].save()
    return staff["keeper"]


@pytest.fixture
def archive(keeper, tree):
    # 县处级: files the yearly personal-matters report.
    return make_archive(
        keeper, tree.township_a, name="刘某", id_number=idn(1), level="division", post="副镇长"
    )


@pytest.fixture
def sanction(keeper, archive):
    return services.sanction_add(
        actor=keeper,
        archive=archive,
        kind="public_demerit",
        decided_on=timezone.localdate(),
        authority="随县监委",
        source="审理室",
    )


def _url(entry, section):
    return reverse("archives:entry_withdraw", args=[entry.archive_id, section, entry.pk])


def _withdrawals():
    return AuditEvent.objects.filter(action="archive.section_withdraw")


def _draft(staff, request):
    request.refresh_from_db()
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    return request.persons.get()


# --- the opinion and the flags -------------------------------------------------------------------
def test_withdrawing_the_sanction_lifts_the_veto_of_the_proposal(staff, keeper, archive, sanction):
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函1号", purpose="promotion", persons_text=f"刘某 {idn(1)}"
    )
    person = _draft(staff, request)
    assert person.verdict == OpinionVerdict.IN_EFFECT
    assert any(line.startswith("处分（影响期内）") for line in person.facts)

    services.section_entry_withdraw(
        actor=keeper, entry=sanction, version=sanction.version, reason="误录他人处分"
    )
    person = _draft(staff, request)
    assert person.verdict == OpinionVerdict.NO_OBJECTION
    assert not any("处分" in line for line in person.facts)


def test_a_withdrawn_sanction_is_no_longer_flagged_in_effect(keeper, archive, sanction, login):
    client = login(keeper)
    opened = client.post(reverse("archives:detail", args=[archive.pk]), {"reason": "核查"}).content.decode()
    assert "影响期内" in opened
    services.section_entry_withdraw(actor=keeper, entry=sanction, version=1, reason="误录他人处分")
    opened = client.post(reverse("archives:detail", args=[archive.pk]), {"reason": "核查"}).content.decode()
    row = opened[opened.index(f'id="sanction-{sanction.pk}"') :].split("</tr>")[0]
    assert "影响期内" not in row and "已撤销" in row and "误录他人处分" in row
    assert "处分及组织处理（0）" in opened  # the heading counts the entries in force


def test_a_withdrawn_yearly_report_is_missing_again(staff, keeper, archive, login):
    due = matters_year_due(timezone.localdate())
    report = services.matters_add(
        actor=keeper, archive=archive, year=due, items=[], source="本人填报", recorded_on=timezone.localdate()
    )
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函1号", purpose="promotion", persons_text=f"刘某 {idn(1)}"
    )
    assert "未按期报告" not in _draft(staff, request).wording
    services.section_entry_withdraw(actor=keeper, entry=report, version=1, reason="年度录错")
    assert f"{due}年度个人有关事项报告未按期报告" in _draft(staff, request).wording
    opened = (
        login(keeper).post(reverse("archives:detail", args=[archive.pk]), {"reason": "核查"}).content.decode()
    )
    assert f"{due}年度个人有关事项报告未报告" in opened


# --- the page ------------------------------------------------------------------------------------
def test_the_keeper_withdraws_on_the_page_and_the_entry_stays_marked(keeper, archive, sanction, login, tree):
    client = login(keeper)
    page = client.get(_url(sanction, "sanction"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "撤销处分（记过）" in body and "随县监委" in body and 'name="version" value="1"' in body
    assert AuditEvent.objects.filter(action="archive.open", after__reason="撤销档案内容").count() == 1

    answer = client.post(_url(sanction, "sanction"), {"reason": "误录他人处分", "version": 1})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "已撤销处分（记过）" in body  # the message, on the opened archive
    row = body[body.index(f'id="sanction-{sanction.pk}"') :].split("</tr>")[0]
    assert 'class="withdrawn"' in row and "已撤销" in row and "误录他人处分" in row and "周干监" in row
    assert "录入更正" in row
    sanction.refresh_from_db()
    assert sanction.withdrawn_by == keeper and sanction.withdrawal_reason == "误录他人处分"
    assert sanction.version == 2 and sanction.withdrawn_at is not None
    event = _withdrawals().get()
    assert event.after == {"section": "sanction", "entry": sanction.pk, "reason": "误录他人处分"}
    assert event.summary == "撤销廉情档案处分（记过）：刘某" and event.object_id == str(archive.pk)

    # A reader who may open the archive (审理室) sees the withdrawal too, without the keeper's links.
    reader = make_user("sl_sx2", tree.county, "case_review")
    body = (
        login(reader).post(reverse("archives:detail", args=[archive.pk]), {"reason": "审理"}).content.decode()
    )
    row = body[body.index(f'id="sanction-{sanction.pk}"') :].split("</tr>")[0]
    assert "已撤销" in row and "误录他人处分" in row and "周干监" in row and "录入更正" not in row
    assert reverse("archives:entry_withdraw", args=[archive.pk, "sanction", sanction.pk]) not in body


def test_a_withdrawal_without_a_reason_changes_nothing(keeper, archive, sanction, login):
    with pytest.raises(ValidationError, match="请填写撤销理由"):
        services.section_entry_withdraw(actor=keeper, entry=sanction, version=1, reason=" ")
    answer = login(keeper).post(_url(sanction, "sanction"), {"reason": "", "version": 1})
    assert answer.status_code == 400 and "请填写撤销理由" in answer.content.decode()
    sanction.refresh_from_db()
    assert sanction.withdrawn_at is None and sanction.version == 1
    assert not _withdrawals().exists()


def test_a_withdrawal_on_a_stale_page_changes_nothing(keeper, archive, sanction, login):
    # The entry changed since the page was shown (its version moved on).
    Sanction.objects.filter(pk=sanction.pk).update(version=2)
    with pytest.raises(ConcurrentEditError):
        services.section_entry_withdraw(actor=keeper, entry=sanction, version=1, reason="误录他人处分")
    answer = login(keeper).post(_url(sanction, "sanction"), {"reason": "误录他人处分", "version": 1})
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "该记录已被他人修改" in body and "误录他人处分" in body  # the reason as typed
    sanction.refresh_from_db()
    assert sanction.withdrawn_at is None and not _withdrawals().exists()


def test_a_second_withdrawal_of_the_same_entry_is_refused(keeper, archive, sanction, login, tree):
    colleague = make_user("gj_sx2", tree.county, "cadre_supervision")
    client = login(colleague)
    assert client.get(_url(sanction, "sanction")).status_code == 200  # the colleague has the page open
    services.section_entry_withdraw(actor=keeper, entry=sanction, version=1, reason="误录他人处分")
    answer = client.post(_url(sanction, "sanction"), {"reason": "决定日期错误", "version": 1})
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "该条目已撤销" in body and "该条目已于" in body and "误录他人处分" in body
    sanction.refresh_from_db()
    assert sanction.withdrawal_reason == "误录他人处分" and sanction.withdrawn_by == keeper
    assert _withdrawals().count() == 1


def test_the_other_countys_staff_and_the_readers_get_404(staff, keeper, archive, sanction, login, tree):
    url = _url(sanction, "sanction")
    opened = AuditEvent.objects.filter(action="archive.open").count()
    for user in (
        staff["other_keeper"],
        make_user("sl_gs", tree.other_county, "case_review"),
        make_user("sl_sx2", tree.county, "case_review"),  # reads archives, does not keep them
        staff["org"],
    ):
        client = login(user)
        assert client.get(url).status_code == 404, user
        assert client.post(url, {"reason": "误录他人处分", "version": 1}).status_code == 404, user
    with pytest.raises(ValidationError, match="管辖范围"):
        services.section_entry_withdraw(
            actor=staff["other_keeper"], entry=sanction, version=1, reason="误录他人处分"
        )
    sanction.refresh_from_db()
    assert sanction.withdrawn_at is None and not _withdrawals().exists()
    assert AuditEvent.objects.filter(action="archive.open").count() == opened


def test_an_entry_of_another_archive_or_section_is_404(keeper, archive, sanction, login, tree):
    other = make_archive(keeper, tree.township_a, name="张某")
    client = login(keeper)
    assert (
        client.get(reverse("archives:entry_withdraw", args=[other.pk, "sanction", sanction.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("archives:entry_withdraw", args=[archive.pk, "record", sanction.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("archives:entry_withdraw", args=[archive.pk, "nonsense", sanction.pk])).status_code
        == 404
    )


def test_a_recused_keeper_gets_404(keeper, archive, sanction, login, tree):
    relative = make_user("gj_sx3", tree.county, "cadre_supervision")
    relative.full_name = "李芳"
    relative.save()
    services.family_add(
        actor=keeper,
        archive=archive,
        relation="spouse",
        name="李芳",
        source="本人填报",
        recorded_on=D(2026, 1, 2),
    )
    assert login(relative).get(_url(sanction, "sanction")).status_code == 404


def _colleague(tree, username, role, full_name):
    user = make_user(username, tree.county, role)
    user.full_name = full_name
    user.save()
    return user


def _family(keeper, archive, name):
    return services.family_add(
        actor=keeper,
        archive=archive,
        relation="spouse",
        name=name,
        source="本人填报",
        recorded_on=D(2026, 1, 2),
    )


def test_a_withdrawn_family_member_no_longer_recuses(keeper, archive, tree, login):
    """A staff member who shares a name with a relative entered in error is not kept out for ever:
    the entry withdrawn (by a keeper who may open the archive, with a reason, audited), the archive
    opens to them again."""
    namesake = _colleague(tree, "sl_li", "case_review", "李芳")
    member = _family(keeper, archive, "李芳")
    assert not archives_visible_to(namesake).filter(pk=archive.pk).exists()
    services.section_entry_withdraw(actor=keeper, entry=member, version=1, reason="误录，配偶名为李方")
    assert archives_visible_to(namesake).filter(pk=archive.pk).exists()
    withdrawal = _withdrawals().get()
    assert withdrawal.actor_id == keeper.pk and withdrawal.after["reason"] == "误录，配偶名为李方"
    client = login(namesake)
    assert (
        client.post(reverse("archives:detail", args=[archive.pk]), {"reason": "干部考察"}).status_code == 200
    )
    # The correction names the right relative, who is recused in turn.
    relative = _colleague(tree, "sl_fang", "case_review", "李方")
    services.family_add(
        actor=keeper,
        archive=archive,
        relation="spouse",
        name="李方",
        source="本人填报",
        recorded_on=D(2026, 1, 2),
        corrects=member.pk,
    )
    assert not archives_visible_to(relative).filter(pk=archive.pk).exists()


def test_a_relative_withdrawn_from_ones_own_archive_no_longer_recuses(keeper, archive, tree):
    """The relatives recorded in one's own archive recuse one from theirs, while the entry stands."""
    colleague = _colleague(tree, "gj_zhao", "cadre_supervision", "赵某")
    own = make_archive(keeper, tree.county, name="赵某", id_number=idn(5), level="section")
    relatives = make_archive(keeper, tree.township_a, name="赵亲属", id_number=idn(6))
    entry = _family(keeper, own, "赵亲属")
    assert not archives_visible_to(colleague).filter(pk=relatives.pk).exists()
    services.section_entry_withdraw(actor=keeper, entry=entry, version=1, reason="非其亲属，录错档案")
    assert archives_visible_to(colleague).filter(pk=relatives.pk).exists()
    assert not archives_visible_to(colleague).filter(pk=own.pk).exists()  # still their own archive


def test_a_declared_relation_recuses_whatever_the_archive_says(keeper, archive, tree):
    from jijian.core.models import StaffRelation

    relative = _colleague(tree, "sl_li", "case_review", "李芳")
    StaffRelation.objects.create(user=relative, relative_name="刘某", kind="spouse")
    member = _family(keeper, archive, "李芳")
    services.section_entry_withdraw(actor=keeper, entry=member, version=1, reason="姓名录错")
    assert not archives_visible_to(relative).filter(pk=archive.pk).exists()


def test_a_recused_keeper_cannot_withdraw_the_entry_that_recuses_them(keeper, archive, tree, login):
    """The keeper named in the archive's family section opens neither the archive nor the entry: the
    page answers 404 to GET and POST, and the service refuses them too. Nothing changes."""
    recused = _colleague(tree, "gj_li", "cadre_supervision", "李芳")
    member = _family(keeper, archive, "李芳")
    client = login(recused)
    url = _url(member, "family")
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "本人并非其配偶", "version": 1}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.section_entry_withdraw(actor=recused, entry=member, version=1, reason="本人并非其配偶")
    member.refresh_from_db()
    assert member.withdrawn_at is None and member.version == 1 and not _withdrawals().exists()
    assert not archives_visible_to(recused).filter(pk=archive.pk).exists()


def test_a_keeper_cannot_withdraw_a_relative_from_their_own_archive(keeper, archive, tree, login):
    """The relative recorded in one's own archive recuses one from the relative's archive; one's own
    archive does not open to one, so the entry stays as the colleagues entered it."""
    colleague = make_user("gj_other", tree.county, "cadre_supervision")
    own = make_archive(colleague, tree.county, name=keeper.full_name, id_number=idn(7), level="section")
    relatives = make_archive(colleague, tree.township_a, name="周亲属", id_number=idn(8))
    entry = _family(colleague, own, "周亲属")
    assert archives_visible_to(colleague).filter(pk=relatives.pk).exists()
    client = login(keeper)
    assert client.get(_url(entry, "family")).status_code == 404
    assert client.post(_url(entry, "family"), {"reason": "录错", "version": 1}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.section_entry_withdraw(actor=keeper, entry=entry, version=1, reason="录错")
    entry.refresh_from_db()
    assert entry.withdrawn_at is None and not _withdrawals().exists()
    assert not archives_visible_to(keeper).filter(pk=relatives.pk).exists()


# --- correction ----------------------------------------------------------------------------------
def test_a_report_of_the_same_year_is_entered_again_as_the_correction(keeper, archive, login):
    old = services.matters_add(
        actor=keeper,
        archive=archive,
        year=2025,
        items=["property"],
        source="本人填报",
        recorded_on=D(2026, 1, 20),
    )
    with pytest.raises(ValidationError, match="已录入"):
        services.matters_add(
            actor=keeper, archive=archive, year=2025, items=[], source="本人填报", recorded_on=D(2026, 1, 20)
        )
    with pytest.raises(ValidationError, match="只能更正本档案中已撤销的条目"):  # not withdrawn
        services.matters_add(
            actor=keeper,
            archive=archive,
            year=2024,
            items=[],
            source="本人填报",
            recorded_on=D(2026, 1, 20),
            corrects=old.pk,
        )
    services.section_entry_withdraw(actor=keeper, entry=old, version=1, reason="事项勾选错误")

    client = login(keeper)
    form = client.get(reverse("archives:section_add", args=[archive.pk, "matters"]), {"corrects": old.pk})
    body = form.content.decode()
    assert 'name="corrects" value="' + str(old.pk) + '"' in body and "本条为对已撤销条目的更正" in body
    answer = client.post(
        reverse("archives:section_add", args=[archive.pk, "matters"]),
        {
            "year": 2025,
            "recorded_on": "2026-01-20",
            "items": ["investment"],
            "source": "本人填报",
            "corrects": old.pk,
        },
    )
    assert answer.status_code == 200 and "已录入个人有关事项报告" in answer.content.decode()
    new = PersonalMattersReport.objects.get(withdrawn_at__isnull=True)
    assert new.corrects == old and new.items == ["investment"]
    event = AuditEvent.objects.filter(action="archive.section_add").latest("pk")
    assert event.after["corrects"] == old.pk and "（更正）" in event.summary
    body = answer.content.decode()
    old_row = body[body.index(f'id="matters-{old.pk}"') :].split("</tr>")[0]
    assert f'href="#matters-{new.pk}"' in old_row and "已更正" in old_row
    new_row = body[body.index(f'id="matters-{new.pk}"') :].split("</tr>")[0]
    assert f'href="#matters-{old.pk}"' in new_row

    # One correction per withdrawn entry.
    services.section_entry_withdraw(actor=keeper, entry=new, version=1, reason="仍有错误")
    with pytest.raises(ValidationError, match="已录入过更正内容"):
        services.matters_add(
            actor=keeper,
            archive=archive,
            year=2025,
            items=[],
            source="本人填报",
            recorded_on=D(2026, 1, 20),
            corrects=old.pk,
        )


def test_a_correction_names_an_entry_of_its_own_section_and_archive(keeper, archive, tree):
    other = make_archive(keeper, tree.township_a, name="张某")
    record = services.record_add(
        actor=keeper, archive=other, kind="talk", summary="谈话", source="纪委", recorded_on=D(2026, 1, 5)
    )
    services.section_entry_withdraw(actor=keeper, entry=record, version=1, reason="录错档案")
    with pytest.raises(ValidationError, match="只能更正本档案中已撤销的条目"):
        services.record_add(
            actor=keeper,
            archive=archive,
            kind="talk",
            summary="谈话",
            source="纪委",
            recorded_on=D(2026, 1, 5),
            corrects=record.pk,
        )
    with pytest.raises(ValidationError, match="只能更正本档案中已撤销的条目"):
        services.family_add(
            actor=keeper,
            archive=other,
            relation="spouse",
            name="李某",
            source="本人",
            recorded_on=D(2026, 1, 5),
            corrects=record.pk,
        )
    assert ArchiveRecord.objects.count() == 1 and not FamilyMember.objects.exists()


# --- the yearly version, the print, the clue, the merge ------------------------------------------
def test_the_yearly_version_shows_the_withdrawal(keeper, archive, login):
    record = services.record_add(
        actor=keeper,
        archive=archive,
        kind="gift",
        summary="上交购物卡",
        amount=500,
        source="本人",
        recorded_on=D(2026, 1, 5),
    )
    services.section_entry_withdraw(actor=keeper, entry=record, version=1, reason="重复录入")
    this_year = services.year_changes(archive)[0]
    assert any("上交购物卡" in a for a in this_year["added"])
    assert this_year["withdrawn"] == ["拒收或上交礼品礼金（2026-01-05）：上交购物卡（撤销理由：重复录入）"]
    body = (
        login(keeper).post(reverse("archives:detail", args=[archive.pk]), {"reason": "核查"}).content.decode()
    )
    assert "撤销 拒收或上交礼品礼金（2026-01-05）：上交购物卡（撤销理由：重复录入）" in body


def test_last_years_entry_withdrawn_this_year_is_a_change_of_this_year(keeper, archive):
    from jijian.archives.models import ArchiveYearVersion

    record = services.record_add(
        actor=keeper,
        archive=archive,
        kind="talk",
        summary="任前谈话",
        source="纪委",
        recorded_on=D(2026, 1, 5),
    )
    this_year = timezone.localdate().year
    ArchiveYearVersion.objects.filter(archive=archive).update(year=this_year - 1)
    services.section_entry_withdraw(actor=keeper, entry=record, version=1, reason="误录")
    now, before = services.year_changes(archive)
    assert now["added"] == [] and now["withdrawn"] == ["廉政谈话（2026-01-05）：任前谈话（撤销理由：误录）"]
    assert before["withdrawn"] == []


def test_the_printed_archive_marks_the_withdrawn_entry(keeper, archive, sanction, login, tmp_path):
    services.section_entry_withdraw(actor=keeper, entry=sanction, version=1, reason="误录他人处分")
    response = login(keeper).post(reverse("archives:print", args=[archive.pk]), {"reason": "提拔考察"})
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "（已撤销：误录他人处分）" in "".join(text.split())


def test_a_withdrawn_sanction_from_a_clue_is_not_entered_again(keeper, archive, tree):
    kwargs = {
        "actor": keeper,
        "archive_id": archive.pk,
        "kind": "party_warning",
        "decided_on": D(2026, 1, 5),
        "source": "问题线索处置",
        "source_ref": "clue:7",
    }
    pk = services.sanction_from_source(**kwargs)
    entry = Sanction.objects.get(pk=pk)
    services.section_entry_withdraw(actor=keeper, entry=entry, version=1, reason="决定日期有误，另行录入")
    assert services.sanction_from_source(**kwargs) == pk
    assert Sanction.objects.count() == 1


def test_a_merge_brings_the_duplicates_report_when_the_survivors_is_withdrawn(keeper, archive, tree):
    duplicate = make_archive(keeper, tree.township_a, name="刘某", level="division")
    kept = services.matters_add(
        actor=keeper, archive=archive, year=2025, items=[], source="本人", recorded_on=D(2026, 1, 10)
    )
    services.section_entry_withdraw(actor=keeper, entry=kept, version=1, reason="录错档案")
    moved = services.matters_add(
        actor=keeper,
        archive=duplicate,
        year=2025,
        items=["property"],
        source="本人",
        recorded_on=D(2026, 1, 10),
    )
    services.archive_merge(actor=keeper, keep=archive, drop=duplicate, reason="同一人重复建档")
    moved.refresh_from_db()
    assert moved.archive == archive
    assert PersonalMattersReport.objects.filter(archive=archive).count() == 2


def test_an_entry_of_a_merged_away_archive_is_led_to_the_survivor(keeper, archive, tree, login):
    duplicate = make_archive(keeper, tree.township_a, name="刘某", level="division")
    record = services.record_add(
        actor=keeper, archive=duplicate, kind="talk", summary="谈话", source="纪委", recorded_on=D(2026, 1, 5)
    )
    services.archive_merge(actor=keeper, keep=archive, drop=duplicate, reason="同一人重复建档")
    answer = login(keeper).post(
        reverse("archives:entry_withdraw", args=[duplicate.pk, "record", record.pk]),
        {"reason": "误录", "version": 1},
    )
    assert answer.status_code == 410 and "该档案已合并至" in answer.content.decode()
    record.refresh_from_db()
    assert record.withdrawn_at is None


def test_a_recused_keeper_cannot_enter_anything_in_the_archive_by_any_path(keeper, archive, tree):
    """The pages answer 404 to a recused keeper; the section services refuse them too, so the API, an
    import or a command cannot write into an archive they may not open. Nothing is entered."""
    recused = _colleague(tree, "gj_wang", "cadre_supervision", "王芳")
    _family(keeper, archive, "王芳")
    before = FamilyMember.objects.count(), Sanction.objects.count()
    with pytest.raises(PermissionDenied):
        services.family_add(
            actor=recused,
            archive=archive,
            name="张三",
            relation="child",
            source="本人填报",
            recorded_on=timezone.localdate(),
        )
    with pytest.raises(PermissionDenied):
        services.sanction_add(
            actor=recused,
            archive=archive,
            kind="public_demerit",
            decided_on=timezone.localdate(),
            source="审理室",
        )
    assert (FamilyMember.objects.count(), Sanction.objects.count()) == before
