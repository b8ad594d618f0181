"""The manual's read API: everyone signed in reads their city's pages, versions and published cases;
an unknown code and a draft case are 404; the search takes initials."""

from __future__ import annotations

import pytest

from jijian.manual import services
from tests.conftest import sign_in
from tests.manual.factories import city_editor, page

pytestmark = pytest.mark.django_db


def test_pages_versions_and_cases(client, tree, people):
    editor = city_editor(tree)
    p = page(editor)
    page(editor, code="household_visit", title="走访农户")
    services.page_update(
        actor=editor, page=p, version=1, change_note="第二版", title=p.title, steps=["新步骤"]
    )
    published = services.case_create(
        actor=editor, page=p, publish=True, title="案例甲", situation="情况", lesson="启示"
    )
    draft = services.case_create(actor=editor, title="草稿", situation="情况", lesson="启示")
    sign_in(client, people.member_a)
    assert [r["code"] for r in client.get("/api/manual/pages").json()] == [
        "household_visit",
        "reimbursement_check",
    ]
    assert [r["code"] for r in client.get("/api/manual/pages?q=zfnh").json()] == ["household_visit"]
    body = client.get("/api/manual/pages/reimbursement_check").json()
    assert body["version"] == 2 and body["steps"] == ["新步骤"] and body["cases"] == [published.pk]
    assert [v["number"] for v in client.get("/api/manual/pages/reimbursement_check/versions").json()] == [
        2,
        1,
    ]
    assert client.get("/api/manual/pages/nothing_here").status_code == 404
    assert [c["id"] for c in client.get("/api/manual/cases").json()] == [published.pk]
    assert client.get(f"/api/manual/cases/{published.pk}").json()["topic"] == "reimbursement_check"
    assert client.get(f"/api/manual/cases/{draft.pk}").status_code == 404
