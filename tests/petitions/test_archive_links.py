"""Issue 5, item 7: a report about a person who has an integrity archive is linked to it — by staff,
from the archives of people with the accused's name in the report's city (same county first)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jijian.archives import services as archive_services
from jijian.archives.models import IntegrityArchive
from jijian.audit.models import AuditEvent
from jijian.core.roles import Role
from jijian.core.services import ConcurrentEditError
from jijian.petitions import services
from jijian.petitions.access import reports_linked_to_archive
from jijian.petitions.handling import routing
from jijian.petitions.handling.archive_links import (
    archive_candidates,
    petition_link_archive,
    petition_unlink_archive,
)
from tests.petitions.triage_helpers import fresh, officer, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def keepers(tree):
    return {
        "county": officer("gj_county", tree.county, Role.CADRE_SUPERVISION),
        "other": officer("gj_other", tree.other_county, Role.CADRE_SUPERVISION),
        "city": officer("gj_city", tree.city, Role.CADRE_SUPERVISION),
    }


def _archive(keeper, unit, name="王某", **extra) -> IntegrityArchive:
    return archive_services.archive_create(
        actor=keeper, name=name, org_unit=unit, post=extra.pop("post", "村主任"), level="village", **extra
    )


def test_candidates_are_namesakes_in_the_city_with_the_reports_county_first(tree, keepers):
    po = officer("po_county", tree.county)
    report = register(po, tree.township_a)
    in_other_county = _archive(keepers["other"], tree.village_c)
    in_county = _archive(keepers["county"], tree.village_a)
    _archive(keepers["county"], tree.village_a2, name="李某")  # another name
    gone = _archive(keepers["county"], tree.village_b)
    IntegrityArchive.objects.filter(pk=gone.pk).update(is_active=False)

    assert list(archive_candidates(report)) == [in_county, in_other_county]


def test_no_candidates_for_an_unnamed_accused(tree, keepers):
    po = officer("po_county", tree.county)
    _archive(keepers["county"], tree.village_a)
    report = register(po, tree.township_a, accused_name="")
    assert list(archive_candidates(report)) == []


def test_the_handler_links_and_unlinks_with_the_pages_version(tree, keepers):
    po = officer("po_county", tree.county)
    report = register(po, tree.township_a)
    archive = _archive(keepers["county"], tree.village_a)

    linked = petition_link_archive(actor=po, report=report, archive_id=archive.pk, version=report.version)
    assert fresh(report).archive_id == archive.pk and linked.version == report.version + 1
    assert AuditEvent.objects.filter(action="petition.link_archive", object_id=str(report.pk)).count() == 1

    with pytest.raises(ConcurrentEditError):  # the page read before the link
        petition_unlink_archive(actor=po, report=report, version=report.version)
    assert fresh(report).archive_id == archive.pk

    petition_unlink_archive(actor=po, report=report, version=linked.version)
    assert fresh(report).archive_id is None
    with pytest.raises(ValidationError, match="未关联"):
        petition_unlink_archive(actor=po, report=report, version=linked.version + 1)


def test_an_archive_that_is_not_a_candidate_is_refused_and_nothing_changes(tree, keepers):
    po = officer("po_county", tree.county)
    report = register(po, tree.township_a)
    other_name = _archive(keepers["county"], tree.village_a, name="李某")
    for archive_id in (other_name.pk, 999999, "abc", None):
        with pytest.raises(ValidationError, match="不符"):
            petition_link_archive(actor=po, report=report, archive_id=archive_id, version=report.version)
    row = fresh(report)
    assert row.archive_id is None and row.version == report.version
    assert not AuditEvent.objects.filter(action="petition.link_archive").exists()


def test_only_handlers_link(tree, keepers):
    po = officer("po_county", tree.county)
    report = register(po, tree.township_a)
    archive = _archive(keepers["county"], tree.village_a)
    with pytest.raises(PermissionDenied):
        petition_link_archive(
            actor=keepers["county"], report=report, archive_id=archive.pk, version=report.version
        )
    assert fresh(report).archive_id is None


def test_the_archive_shows_linked_reports_by_the_holder_rule(tree, keepers):
    """A report about a county cadre sent up to the city on the restricted path is not shown to the
    county's archive readers: it never shows below the body that holds it."""
    po_county = officer("po_county", tree.county)
    county_cadre = _archive(keepers["county"], tree.county, name="赵某", post="副县长")
    kept = register(po_county, tree.county, accused_name="赵某", accused_level="section")
    kept = petition_link_archive(
        actor=po_county, report=kept, archive_id=county_cadre.pk, version=kept.version
    )
    sent_up = register(po_county, tree.county, accused_name="赵某", accused_level="division")
    sent_up = petition_link_archive(
        actor=po_county, report=sent_up, archive_id=county_cadre.pk, version=sent_up.version
    )
    route = routing.route(receiving=tree.county, managing=tree.city, about_own_head=False)
    assert route.restricted
    services.petition_route(
        actor=po_county, report=sent_up, managing=tree.city, about_own_head=False, version=sent_up.version
    )
    assert fresh(sent_up).holder_id == tree.city.pk

    assert list(reports_linked_to_archive(keepers["county"], county_cadre.pk)) == [kept]
    assert set(reports_linked_to_archive(keepers["city"], county_cadre.pk)) == {kept, sent_up}
    assert list(reports_linked_to_archive(keepers["other"], county_cadre.pk)) == []


# --- the report page --------------------------------------------------------------------------------
def test_the_report_page_offers_the_candidates_and_links_one(client, tree, keepers):
    from django.urls import reverse

    from tests.conftest import sign_in

    po = officer("po_county", tree.county)
    report = register(po, tree.township_a)
    archive = _archive(keepers["county"], tree.village_a, post="村委会主任")
    _archive(keepers["county"], tree.village_a2, name="李某")
    sign_in(client, po)
    page = client.get(reverse("petitions_staff:detail", args=[report.pk])).content.decode()
    assert "被反映人廉情档案" in page and "村委会主任" in page and "李某" not in page

    stale = client.post(
        reverse("petitions_staff:link_archive", args=[report.pk]),
        {"version": report.version + 5, "archive": archive.pk},
        follow=True,
    )
    assert "已被他人修改" in stale.content.decode() or "刷新" in stale.content.decode()
    assert fresh(report).archive_id is None

    done = client.post(
        reverse("petitions_staff:link_archive", args=[report.pk]),
        {"version": report.version, "archive": archive.pk},
        follow=True,
    )
    assert "已关联廉情档案" in done.content.decode() and fresh(report).archive_id == archive.pk
    page = done.content.decode()
    assert "已关联：" in page and "取消关联" in page
    assert "查阅档案" not in page  # the petition office does not open archives


def test_an_outsider_cannot_link_and_the_archive_is_not_offered_to_readers(client, tree, keepers):
    from django.urls import reverse

    from tests.conftest import sign_in

    po = officer("po_county", tree.county)
    report = register(po, tree.township_a)
    archive = _archive(keepers["county"], tree.village_a)
    other_po = officer("po_other", tree.other_county)
    sign_in(client, other_po)
    response = client.post(
        reverse("petitions_staff:link_archive", args=[report.pk]), {"version": 1, "archive": archive.pk}
    )
    assert response.status_code == 404 and fresh(report).archive_id is None


# --- the API ----------------------------------------------------------------------------------------
def test_the_api_lists_candidates_links_with_the_version_and_shows_the_link(client, tree, keepers):
    import json

    from tests.conftest import sign_in

    po = officer("po_county", tree.county)
    report = register(po, tree.township_a)
    archive = _archive(keepers["county"], tree.village_a, post="村委会主任")
    sign_in(client, po)
    base = f"/api/petitions/{report.pk}"

    candidates = client.get(f"{base}/archive-candidates").json()
    assert [(c["id"], c["org_unit_name"], c["post"]) for c in candidates] == [
        (archive.pk, tree.village_a.name, "村委会主任")
    ]

    def post(url, data):
        return client.post(url, data=json.dumps(data), content_type="application/json")

    stale = post(f"{base}/archive", {"archive_id": archive.pk, "version": report.version + 1})
    assert stale.status_code == 409 and fresh(report).archive_id is None
    refused = post(f"{base}/archive", {"archive_id": archive.pk + 1000, "version": report.version})
    assert refused.status_code == 400 and "不符" in refused.json()["error"]["message"]

    done = post(f"{base}/archive", {"archive_id": archive.pk, "version": report.version})
    assert done.status_code == 200 and done.json()["archive_id"] == archive.pk
    assert client.get(base).json()["archive_id"] == archive.pk

    undone = post(f"{base}/archive/unlink", {"version": done.json()["version"]})
    assert undone.status_code == 200 and undone.json()["archive_id"] is None


def test_the_api_gives_an_outsider_404(client, tree, keepers):
    from tests.conftest import sign_in

    po = officer("po_county", tree.county)
    report = register(po, tree.township_a)
    _archive(keepers["county"], tree.village_a)
    sign_in(client, officer("po_other", tree.other_county))
    assert client.get(f"/api/petitions/{report.pk}/archive-candidates").status_code == 404


# --- a person transferred from another city: matched by the ID number's blind index ---------------
def _other_city():
    from jijian.core.models import OrgKind
    from jijian.core.services import org_unit_create

    def unit(name, kind, parent, code):
        return org_unit_create(actor=None, name=name, kind=kind, parent=parent, code=code, audit=False)

    city = unit("孝感市", OrgKind.CITY, None, "420900")
    county = unit("孝昌县", OrgKind.COUNTY, city, "420921")
    return unit("花园镇", OrgKind.TOWN, county, "420921100"), county


def test_a_report_carrying_the_accused_id_number_finds_the_archive_in_another_city(tree, keepers):
    from tests.archives.helpers import idn

    town, county = _other_city()
    there = officer("gj_xg", county, Role.CADRE_SUPERVISION)
    moved = _archive(there, town, name="王某", id_number=idn(7), post="原花园镇副镇长")
    namesake = _archive(keepers["county"], tree.village_a)  # 王某 of 随县, another person
    _archive(there, town, name="王某", post="花园镇干部")  # a namesake in the other city, no ID
    po = officer("po_county", tree.county)

    by_name_only = register(po, tree.township_a)
    assert list(archive_candidates(by_name_only)) == [namesake]  # the other city: not by name

    with_id = register(po, tree.township_a, accused_id_number=idn(7).lower())
    assert fresh(with_id).accused_id_number == idn(7)  # kept encrypted, with its blind index
    assert fresh(with_id).accused_id_index and fresh(with_id).accused_id_index != idn(7)
    assert list(archive_candidates(with_id)) == [moved, namesake]  # by ID number first
    petition_link_archive(actor=po, report=with_id, archive_id=moved.pk, version=with_id.version)
    assert fresh(with_id).archive_id == moved.pk

    # Matched by the ID number even when the name was written otherwise (or not at all).
    renamed = register(po, tree.township_a, accused_name="", accused_id_number=idn(7))
    assert list(archive_candidates(renamed)) == [moved]
    # Another person's ID number finds nobody by it: only the namesakes of the city.
    stranger = register(po, tree.township_a, accused_id_number=idn(8))
    assert list(archive_candidates(stranger)) == [namesake]


def test_a_bad_accused_id_number_is_refused_and_nothing_is_registered(tree):
    from jijian.petitions.models import PetitionReport
    from tests.archives.helpers import idn

    po = officer("po_county", tree.county)
    bad = idn(7)[:-1] + ("0" if idn(7)[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="被反映人身份证号：身份证号校验位错误"):
        register(po, tree.township_a, accused_id_number=bad)
    assert not PetitionReport.objects.exists()


def test_the_register_page_takes_the_accused_id_number_and_shows_it_masked(tree, login):
    from django.urls import reverse

    from jijian.petitions.models import PetitionReport
    from tests.archives.helpers import idn

    po = officer("po_county", tree.county)
    client = login(po)
    data = {
        "channel": "letter",
        "received_on": "2026-01-05",
        "category": "accusation",
        "region": tree.township_a.pk,
        "accused_name": "王某",
        "accused_level": "village",
        "matter": "integrity",
        "facts": "来信反映王某调任前的问题。",
        "is_anonymous": "1",
    }
    refused = client.post(reverse("petitions_staff:register"), {**data, "accused_id_number": "4213211980"})
    assert refused.status_code == 200 and "身份证号应为18位" in refused.content.decode()
    assert not PetitionReport.objects.exists()
    response = client.post(reverse("petitions_staff:register"), {**data, "accused_id_number": idn(7)})
    report = PetitionReport.objects.get()
    assert response.status_code == 302 and report.accused_id_number == idn(7)
    page = client.get(reverse("petitions_staff:detail", args=[report.pk])).content.decode()
    assert idn(7) not in page and idn(7)[:6] in page  # masked
