"""A clue is linked to the accused's integrity archive on its own page (a clue from a duty record, a
superior's referral or an inspection has no report to carry the link): its handlers choose among the
namesakes the archives offer; the link counts the clue in the person's integrity opinion, and a clue
concluded with a sanction enters that archive, once. Bad choices and stale pages change nothing."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.archives import opinions
from jijian.archives import services as archive_services
from jijian.archives.models import OpinionVerdict, Sanction
from jijian.audit.models import AuditEvent
from jijian.core.roles import Role
from jijian.petitions.clues import services as clues
from jijian.petitions.models import Clue, ClueSource, PetitionReport
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


def archive_of(staff, unit, name, n):
    return archive_services.archive_create(
        actor=staff.keeper, name=name, org_unit=unit, id_number=idn(n), post="副镇长", level="section"
    )


def verdict(staff, n=1, name="刘某"):
    request = opinions.opinion_submit(
        actor=staff.org,
        ref_no=f"随组函{OpinionCount.next()}号",
        purpose="promotion",
        persons_text=f"{name} {idn(n)}",
    )
    opinions.opinion_draft(actor=staff.keeper, request=request, version=request.version)
    return request.persons.get()


class OpinionCount:
    n = 0

    @classmethod
    def next(cls) -> int:
        cls.n += 1
        return cls.n


def test_a_clue_without_a_report_is_linked_on_its_page_and_then_delays_the_promotion(tree, staff, login):
    archive = archive_of(staff, tree.township_a, "刘某", 1)
    clue = registered_clue(tree.county, accused_name="刘某", source=ClueSource.SUPERVISION)
    before = verdict(staff)
    assert before.verdict == OpinionVerdict.NO_OBJECTION
    assert any(f.startswith("另有被反映人与其同名的问题线索1件") for f in before.facts)

    client = login(staff.cm)
    page = client.get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    assert "被反映人廉情档案" in page and "以下人员与被反映人同名" in page and tree.township_a.name in page
    response = client.post(
        reverse("petitions_clues:link_archive", args=[clue.pk]),
        {"version": clue.version, "archive": archive.pk},
    )
    assert response.status_code == 302
    clue.refresh_from_db()
    assert clue.archive_id == archive.pk and clues.clue_archive_id(clue) == archive.pk
    event = AuditEvent.objects.get(action="clue.link_archive", object_id=str(clue.pk))
    assert event.before == {"archive": None} and event.after["archive"] == archive.pk
    page = client.get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    assert "已关联：" in page and "关联有误，取消关联" in page

    after = verdict(staff)
    assert after.verdict == OpinionVerdict.UNDER_VERIFICATION and "正在核查" in after.wording
    assert not any(f.startswith("另有被反映人与其同名") for f in after.facts)


def test_linking_a_concluded_clue_enters_its_sanction_once(tree, staff):
    archive = archive_of(staff, tree.township_a, "刘某", 1)
    clue = registered_clue(tree.county, accused_name="刘某", source=ClueSource.SUPERVISION)
    clue = clues.clue_propose(
        actor=staff.cm,
        clue=clue,
        disposal="close",
        note="经初核属实，给予记过处分",
        version=clue.version,
        endorse=True,
        sanction="public_demerit",
        sanction_decided_on=timezone.localdate(),
    )
    clue = clues.clue_approve(actor=staff.boss, clue=clue, version=clue.version, endorse=True)
    assert not Sanction.objects.exists()  # concluded before anyone linked the archive

    clue = clues.clue_link_archive(actor=staff.cm, clue=clue, archive_id=archive.pk, version=clue.version)
    entry = Sanction.objects.get(archive=archive)
    assert entry.kind == "public_demerit" and entry.source_ref == f"petitions.clue:{clue.pk}"
    link = AuditEvent.objects.get(action="clue.link_archive")
    assert link.after == {"archive": archive.pk, "archive_sanction": entry.pk}

    # A wrong link undone and made again does not enter the sanction twice.
    clue = clues.clue_unlink_archive(actor=staff.cm, clue=clue, version=clue.version)
    assert clue.archive_id is None and Sanction.objects.count() == 1
    clue = clues.clue_link_archive(actor=staff.cm, clue=clue, archive_id=archive.pk, version=clue.version)
    assert Sanction.objects.count() == 1
    assert verdict(staff).verdict == OpinionVerdict.IN_EFFECT


def test_the_clue_s_own_link_takes_the_place_of_its_report_s(tree, staff, login):
    namesake = archive_of(staff, tree.county, "刘某", 2)
    person = archive_of(staff, tree.township_a, "刘某", 1)
    report = accepted_report(tree.county, tree.township_a, accused_name="刘某")
    PetitionReport.objects.filter(pk=report.pk).update(archive_id=namesake.pk)
    clue = clues.clue_register(actor=staff.cm, source=ClueSource.PETITION, report=report, endorse=True)
    assert clues.clue_archive_id(clue) == namesake.pk
    facts = verdict(staff, 2).facts
    assert any("问题线索：尚未了结1件" in f for f in facts), facts

    page = login(staff.cm).get(reverse("petitions_clues:detail", args=[clue.pk])).content.decode()
    assert "经来源举报件关联：" in page and "可在以下同名人员中另行关联" in page
    clue = clues.clue_link_archive(actor=staff.cm, clue=clue, archive_id=person.pk, version=clue.version)
    assert clues.clue_archive_id(clue) == person.pk
    assert verdict(staff, 1).verdict == OpinionVerdict.UNDER_VERIFICATION
    # The namesake keeps the report linked to them, no longer its clue.
    facts = verdict(staff, 2).facts
    assert any("信访举报" in f for f in facts) and not any("问题线索" in f for f in facts), facts


def test_a_wrong_choice_or_a_stale_page_changes_nothing(tree, staff, login):
    archive_of(staff, tree.township_a, "刘某", 1)
    other = archive_of(staff, tree.township_a, "王某", 3)
    clue = registered_clue(tree.county, accused_name="刘某", source=ClueSource.SUPERVISION)
    client = login(staff.cm)
    url = reverse("petitions_clues:link_archive", args=[clue.pk])

    body = client.post(url, {"version": clue.version, "archive": other.pk}).content.decode()
    assert "所选廉情档案与被反映人不符，请从列出的档案中选择" in body
    body = client.post(url, {"version": clue.version + 5, "archive": other.pk}).content.decode()
    assert "已被他人修改" in body or "刷新" in body
    body = client.post(url, {"version": clue.version}).content.decode()
    assert "请选择廉情档案" in body
    body = client.post(
        reverse("petitions_clues:unlink_archive", args=[clue.pk]), {"version": clue.version}
    ).content.decode()
    assert "该线索未单独关联廉情档案" in body
    fresh = Clue.objects.get(pk=clue.pk)
    assert fresh.archive_id is None and fresh.version == clue.version
    assert not AuditEvent.objects.filter(action__startswith="clue.").exclude(action="clue.register").exists()


def test_the_api_lists_links_and_refuses_like_the_page(tree, staff, login):
    archive = archive_of(staff, tree.township_a, "刘某", 1)
    other = archive_of(staff, tree.township_a, "王某", 3)
    clue = registered_clue(tree.county, accused_name="刘某", source=ClueSource.SUPERVISION)
    api = login(staff.cm)

    def post(name, payload):
        return api.post(
            reverse(f"api:{name}", args=[clue.pk]), data=json.dumps(payload), content_type="application/json"
        )

    listed = api.get(reverse("api:clue_archive_candidates", args=[clue.pk])).json()
    assert [a["id"] for a in listed] == [archive.pk] and listed[0]["org_unit_name"] == tree.township_a.name
    refused = post("clue_link_archive", {"archive_id": other.pk, "version": clue.version})
    assert refused.status_code == 400 and "不符" in refused.json()["error"]["message"]
    stale = post("clue_link_archive", {"archive_id": archive.pk, "version": clue.version + 1})
    assert stale.status_code == 409
    assert Clue.objects.get(pk=clue.pk).archive_id is None
    done = post("clue_link_archive", {"archive_id": archive.pk, "version": clue.version})
    assert done.status_code == 200 and done.json()["archive_id"] == archive.pk

    # The clue's reader at the city links nothing; another county's case manager sees no clue at all.
    other_cm = login(case_manager(tree.other_county, "cm_other"))
    assert other_cm.get(reverse("api:clue_archive_candidates", args=[clue.pk])).status_code == 404
    r = other_cm.post(
        reverse("api:clue_unlink_archive", args=[clue.pk]),
        data=json.dumps({"version": 2}),
        content_type="application/json",
    )
    assert r.status_code == 404 and Clue.objects.get(pk=clue.pk).archive_id == archive.pk


def test_the_archive_lists_its_clues_without_their_content(tree, staff, login, tmp_path):
    archive = archive_of(staff, tree.township_a, "刘某", 1)
    own = registered_clue(tree.county, accused_name="刘某", source=ClueSource.SUPERVISION)
    clues.clue_link_archive(actor=staff.cm, clue=own, archive_id=archive.pk, version=own.version)
    report = accepted_report(tree.county, tree.township_a, accused_name="刘某")
    PetitionReport.objects.filter(pk=report.pk).update(archive_id=archive.pk)
    via_report = clues.clue_register(actor=staff.cm, source=ClueSource.PETITION, report=report, endorse=True)
    unlinked = registered_clue(tree.county, accused_name="刘某", source=ClueSource.SUPERVISION)
    elsewhere = registered_clue(tree.other_county, accused_name="刘某", source=ClueSource.SUPERVISION)
    Clue.objects.filter(pk=elsewhere.pk).update(archive_id=archive.pk)  # held outside the reader's county

    keeper = login(staff.keeper)
    page = keeper.post(reverse("archives:detail", args=[archive.pk]), {"reason": "干部考察"}).content.decode()
    assert "关联的问题线索（2）" in page
    assert own.number in page and via_report.number in page
    assert unlinked.number not in page and elsewhere.number not in page
    assert own.summary not in page  # the register's data and outcome, never what the clue says
    printed = keeper.post(reverse("archives:print", args=[archive.pk]), {"reason": "打印"})
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    pdf = tmp_path / "archive.pdf"
    pdf.write_bytes(printed.content)
    text = "".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert own.number in text and via_report.number in text and unlinked.number not in text
