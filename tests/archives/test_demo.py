"""The Suizhou demo's archives: created by the demo cadre supervision officer, and the petitions demo's
first report (about 王某 in a village of 厉山镇) offers the village cadre 王某's archive as its link."""

from django.core.management import call_command

from jijian.archives.demo import load_demo
from jijian.archives.models import IntegrityArchive
from jijian.audit.models import AuditEvent
from jijian.audit.services import audit_verify
from jijian.petitions import services
from jijian.petitions.demo import DEMO_RECEIPT_CODE
from jijian.petitions.handling.archive_links import archive_candidates


def test_demo_archives_and_the_first_report_offers_wang(db):
    call_command("setup")
    load_demo()  # a no-op once core.demo loads it too
    assert load_demo() == 0  # never twice
    archives = list(IntegrityArchive.objects.select_related("org_unit", "created_by"))
    assert len(archives) == 5
    assert {a.created_by.username for a in archives} == {"ganjian"}
    assert all(a.id_number for a in archives)
    assert AuditEvent.objects.filter(action="archive.create").count() == 5
    report = services.petition_find_by_receipt(code=DEMO_RECEIPT_CODE)
    wang = IntegrityArchive.objects.get(name="王某")
    assert wang.org_unit == report.region and wang.org_unit.is_village
    assert list(archive_candidates(report)) == [wang]
    assert audit_verify().ok


def test_demo_sections_and_an_opinion_request_to_answer(db):
    from jijian.archives.models import ArchiveRecord, OpinionRequest, Sanction

    call_command("setup")
    assert {s.archive.name: s.kind for s in Sanction.objects.all()} == {
        "王某": "party_warning",
        "陈某": "public_demerit",
    }
    assert IntegrityArchive.objects.filter(photo__isnull=False).count() == 2
    assert ArchiveRecord.objects.filter(kind="gift").exists()
    request = OpinionRequest.objects.get()
    assert request.requested_by.username == "zuzhibu" and request.persons.count() == 3
