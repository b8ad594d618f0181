"""Jurisdiction with the module: every archive and integrity-opinion URL that names one object of 随县,
tried by 广水市's staff who hold the module and the role for it (干部监督室, 审理室, 组织部, 信访室,
案管室, 纪委监委领导): each gets 404 and nothing changes. The authorization matrix's standard personas
hold no archives module, so jurisdiction is tried here with it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jijian.archives.models import (
    ArchiveRecord,
    FamilyMember,
    IntegrityArchive,
    OpinionEndorsement,
    OpinionRequest,
    Sanction,
)
from jijian.audit.models import AuditEvent
from tests.archives.authz_entries import ENTRIES
from tests.authz import call
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.django_db

OTHER_COUNTY_ROLES = (
    "cadre_supervision",
    "case_review",
    "org_department",
    "petition_office",
    "case_management",
    "commission_leader",
)


def _cases():
    for entry in ENTRIES:
        if entry.args is None:
            continue
        for method in entry.methods:
            yield pytest.param(entry, method, id=f"{entry.name}-{method}")


def _state() -> tuple:
    return (
        list(IntegrityArchive.objects.order_by("pk").values_list("pk", "version", "is_active", "name")),
        list(OpinionRequest.objects.order_by("pk").values_list("pk", "state", "version")),
        FamilyMember.objects.count(),
        Sanction.objects.count(),
        ArchiveRecord.objects.count(),
        OpinionEndorsement.objects.count(),
        AuditEvent.objects.filter(action__startswith="archive.").count(),
    )


@pytest.mark.parametrize(("entry", "method"), list(_cases()))
def test_the_other_countys_staff_get_404_and_change_nothing(entry, method, tree, people):
    url = reverse(entry.name, args=entry.args(tree, people))
    before = _state()
    for role in OTHER_COUNTY_ROLES:
        client = Client()
        sign_in(client, make_user(f"gs_{role}", tree.other_county, role))
        response = call(client, method, url, entry, tree, people)
        assert response.status_code == 404, f"{role} {method} {url}: {response.status_code}"
    assert _state() == before
