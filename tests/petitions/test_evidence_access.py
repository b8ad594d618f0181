"""Evidence follows its report, not the region it was filed under: once a report has gone up the
restricted path, the accused's own township cannot open its files, and neither can a recused officer;
the body holding the report can. The files of a clue's letter reply follow the clue."""

from __future__ import annotations

import pytest

from jijian.attachments.access import attachments_visible_to
from jijian.core.models import StaffRelation
from jijian.petitions import services
from tests.petitions.helpers import png
from tests.petitions.triage_helpers import officer, register

pytestmark = pytest.mark.django_db


def _evidence(report):
    services.petition_reporter_reply(report=report, body="补充照片", files=[png("photo.png")])
    return services.petition_evidence(report).get()


def test_the_township_of_the_accused_cannot_open_evidence_of_a_report_sent_up(tree, people, login):
    county = officer("county_petition", tree.county)
    report = register(county, tree.township_a, accused_level="section")
    evidence = _evidence(report)
    # Before routing, the township holds nothing: the county received it.
    assert login(people.township_a).get(f"/files/{evidence.pk}/").status_code == 404
    services.petition_route(
        actor=county, report=report, managing=tree.city, about_own_head=False, version=report.version
    )
    assert login(people.township_a).get(f"/files/{evidence.pk}/").status_code == 404
    assert login(county).get(f"/files/{evidence.pk}/").status_code == 404  # it left the county too
    assert login(people.city_petition).get(f"/files/{evidence.pk}/").status_code == 200


def test_a_township_opens_the_evidence_of_a_report_forwarded_to_it(tree, people, login):
    county = officer("county_petition", tree.county)
    report = register(county, tree.township_a)
    evidence = _evidence(report)
    services.petition_route(
        actor=county, report=report, managing=tree.township_a, about_own_head=False, version=report.version
    )
    assert login(people.township_a).get(f"/files/{evidence.pk}/").status_code == 200
    assert login(people.township_b).get(f"/files/{evidence.pk}/").status_code == 404


def test_a_recused_officer_cannot_open_the_evidence(tree, people, login):
    report = register(people.city_petition, tree.township_a)
    evidence = _evidence(report)
    assert attachments_visible_to(people.city_petition).filter(pk=evidence.pk).exists()
    StaffRelation.objects.create(user=people.city_petition, relative_name="王某", kind="spouse")
    assert not attachments_visible_to(people.city_petition).filter(pk=evidence.pk).exists()
    assert login(people.city_petition).get(f"/files/{evidence.pk}/").status_code == 404


def test_other_attachments_keep_the_unit_rule(tree, people):
    """A duty-record photo is not affected by the petitions' object scopes."""
    from jijian.attachments.models import Attachment
    from jijian.attachments.services import attachment_store
    from jijian.core.roles import Module

    photo = attachment_store(
        actor=people.member_a,
        file=png("duty.png"),
        org_unit=tree.village_a,
        module=Module.REPORTS,
        purpose="duty_record",
        object_id="1",
    )
    assert attachments_visible_to(people.township_a).filter(pk=photo.pk).exists()
    assert not attachments_visible_to(people.township_b).filter(pk=photo.pk).exists()
    assert Attachment.objects.filter(pk=photo.pk).exists()
