"""A refused petitions form lists its errors at the top (issue 16, item 4): the summary
(core/partials/form_error_summary.html, id="error-summary", which app.js focuses) comes before the
first field, with a link to each field in error, and nothing is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jijian.core.models import StaffRelation
from jijian.petitions.models import Clue, PetitionReport
from tests.petitions.authz_entries_clues import case_manager
from tests.petitions.helpers import real_name, submit

pytestmark = pytest.mark.django_db


def summary_on_top(response, *texts: str) -> str:
    """The summary of the refused form: present, above the first field, listing `texts`."""
    assert response.status_code in (200, 400)  # some pages answer a refused form with 400
    html = response.content.decode()
    assert 'id="error-summary"' in html, "no error summary on the refused form"
    at = html.index('id="error-summary"')
    summary = html[at : html.index("</div>", at)]
    for text in texts:
        assert text in summary, f"{text!r} is not listed in the summary"
    form_at = html.rfind("<form", 0, at)
    first_field = html.find('<div class="field', form_at)
    assert first_field == -1 or at < first_field, "the summary is not above the fields"
    return summary


def test_the_public_form_lists_its_errors_at_the_top(client, tree):
    response = submit(client, real_name(tree, facts="有问题", reporter_phone="12345"))
    summary = summary_on_top(response, "过于简单", "手机号码应为11位")
    assert 'href="#id_facts"' in summary and 'href="#id_reporter_phone"' in summary
    assert not PetitionReport.objects.exists()


def test_the_relations_form_lists_its_errors_at_the_top(login, people):
    client = login(people.township_a)
    response = client.post(reverse("petitions_work:relations"), {"relative_name": "", "kind": "spouse"})
    summary_on_top(response, 'href="#id_relative_name"')
    assert not StaffRelation.objects.exists()


def test_the_clue_register_lists_its_errors_at_the_top(login, tree):
    client = login(case_manager(tree.county, "cm"))
    response = client.post(reverse("petitions_clues:register"), {"source": "", "summary": ""})
    summary_on_top(response, "签字")
    assert not Clue.objects.exists()


def test_the_export_with_identity_lists_its_errors_at_the_top(login, people):
    client = login(people.township_a)
    response = client.post(reverse("petitions_work:export"), {"include_identity": "1", "reason": ""})
    summary_on_top(response, 'href="#id_reason"')
