"""The audit administrator's viewer: filters, HTMX partial, pagination, CSV export (itself audited),
jurisdiction, and nothing that edits or deletes."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.audit.services import audit_record
from jijian.core.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _export(client, query=""):
    response = client.get(reverse("audit:event_export") + query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


@pytest.fixture
def events(tree, people):
    a = audit_record(
        actor=people.township_a,
        action="report.submit",
        object_type="reports.monthlyreport",
        object_id=7,
        org_unit_id=tree.village_a.pk,
        summary="提交月报",
        ip_address="10.0.0.8",
    )
    b = audit_record(
        actor=people.outsider,
        action="clue.dispose",
        object_type="petitions.clue",
        object_id=9,
        org_unit_id=tree.village_c.pk,
        summary='=HYPERLINK("http://x")',
    )
    c = audit_record(
        actor=people.county_officer,
        action="report.return",
        object_type="reports.monthlyreport",
        object_id=7,
        org_unit_id=tree.village_b.pk,
        summary="退回月报",
    )
    return a, b, c


def test_audit_admin_filters_by_actor_action_object_and_time(events, people, login):
    a, b, c = events
    client = login(people.audit_admin)
    page = client.get(reverse("audit:event_list"), {"actor": "township_a"}).content.decode()
    assert "提交月报" in page and "退回月报" not in page
    listed = {e.pk for e in client.get(reverse("audit:event_list"), {"action": "report."}).context["page"]}
    assert listed == {a.pk, c.pk}
    page = client.get(reverse("audit:event_list"), {"object_type": "reports.monthlyreport", "object_id": "7"})
    assert page.context["page"].paginator.count == 2
    today = timezone.localdate()
    page = client.get(
        reverse("audit:event_list"),
        {"start": str(today - timedelta(days=2)), "end": str(today - timedelta(days=1))},
    )
    assert page.context["page"].paginator.count == 0
    page = client.get(
        reverse("audit:event_list"), {"start": str(today), "end": str(today), "action": "report"}
    )
    assert page.context["page"].paginator.count == 2


def test_a_reversed_date_range_is_explained_in_chinese(events, people, login):
    client = login(people.audit_admin)
    today = timezone.localdate()
    page = client.get(
        reverse("audit:event_list"), {"start": str(today), "end": str(today - timedelta(days=3))}
    )
    assert "起始日期不能晚于截止日期" in page.content.decode()


def test_a_filter_in_error_lists_and_exports_nothing_rather_than_everything(events, people, login):
    client = login(people.audit_admin)
    today = timezone.localdate()
    reversed_range = {"start": str(today), "end": str(today - timedelta(days=3))}
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        page = client.get(reverse("audit:event_list"), reversed_range, **headers)
        html = page.content.decode()
        assert page.context["page"].paginator.count == 0
        assert "提交月报" not in html and "起始日期不能晚于截止日期" in html
        assert reverse("audit:event_export") not in html
    response = client.get(reverse("audit:event_export"), {"object_id": "9" * 65})
    assert response.status_code == 400
    assert "未导出" in response.content.decode() and "64" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_htmx_gets_only_the_rows(events, people, login):
    client = login(people.audit_admin)
    response = client.get(reverse("audit:event_list"), {"action": "report"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "提交月报" in html and "<form" not in html and "<html" not in html


def test_the_list_pages_and_its_query_count_does_not_grow(tree, people, login):
    client = login(people.audit_admin)
    audit_record(action="test.one", org_unit_id=tree.village_a.pk)
    client.get(reverse("audit:event_list"))  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit:event_list"))
    for i in range(60):
        audit_record(action="test.many", org_unit_id=tree.village_a.pk, summary=f"第{i}条")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("audit:event_list"))
    assert len(many) == len(few)
    assert len(response.context["page"]) == 50
    assert client.get(reverse("audit:event_list"), {"page": 2}).context["page"].number == 2


def test_export_follows_the_filters_defuses_formulas_and_is_itself_audited(events, people, login):
    client = login(people.audit_admin)
    rows = _export(client, "?action=clue")
    assert rows[0][0] == "编号" and len(rows) == 2
    assert rows[1][9].startswith("'=HYPERLINK")
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor_id == people.audit_admin.pk and "1 条" in export.summary
    assert export.after == {"filters": {"action": "clue"}}
    assert export.ip_address == "127.0.0.1"


def test_a_county_audit_admin_sees_only_their_county(tree, events, login):
    county_auditor = make_user("county_auditor", tree.county, Role.AUDIT_ADMIN)
    a, b, c = events
    client = login(county_auditor)
    listed = {e.pk for e in client.get(reverse("audit:event_list")).context["page"]}
    assert a.pk in listed and c.pk in listed and b.pk not in listed
    assert client.get(reverse("audit:event_detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("audit:event_detail", args=[a.pk])).status_code == 200
    exported = {r[0] for r in _export(client)[1:]}
    assert {str(a.pk), str(c.pk)} <= exported and str(b.pk) not in exported


def test_other_administrators_cannot_read_or_export(events, people, login):
    for person in (people.system_admin, people.security_admin, people.county_officer):
        client = login(person)
        assert client.get(reverse("audit:event_list")).status_code == 404
        assert client.get(reverse("audit:event_export")).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_nobody_can_edit_or_delete_through_the_application(events, people, login):
    client = login(people.audit_admin)
    a = events[0]
    for url in (reverse("audit:event_list"), reverse("audit:event_detail", args=[a.pk])):
        assert client.post(url, {"summary": "x"}).status_code == 405
        assert client.delete(url).status_code == 405
    assert AuditEvent.objects.get(pk=a.pk).summary == "提交月报"


# --- Chinese names for events and objects ------------------------------------------------------
def test_every_event_the_code_records_has_a_chinese_name():
    import ast
    import re
    from pathlib import Path

    import jijian
    from jijian.core.audit_reader.labels import ACTION_LABELS

    src = Path(jijian.__file__).parent
    recorded = set()
    for path in src.rglob("*.py"):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(call, "func", None)
            if getattr(func, "id", getattr(func, "attr", "")) != "audit_record":
                continue
            for keyword in call.keywords:
                if keyword.arg != "action":
                    continue
                # Every literal of the action: `action="user.activate" if on else "user.deactivate"`
                # records two events, and the second once showed as its English code.
                for node in ast.walk(keyword.value):
                    if isinstance(node, ast.Constant) and re.fullmatch(
                        r"[a-z_]+(?:\.[a-z_]+)+", str(node.value)
                    ):
                        recorded.add(node.value)
    assert {"user.deactivate", "user.password_change", "voucher.sign", "petition.unlink_archive"} <= recorded
    assert len(recorded) > 40
    assert recorded - set(ACTION_LABELS) == set()
    assert all(not label.isascii() for label in ACTION_LABELS.values())
    # The first step of a two-factor sign-in is not a change of password.
    assert ACTION_LABELS["login.password"] == "密码验证通过"
    assert ACTION_LABELS["user.password_change"] == "修改密码"


def test_the_trail_shows_chinese_names_filters_by_them_and_details_read_as_a_list(tree, people, login):
    from jijian.archives.models import IntegrityArchive

    opened = audit_record(
        actor=people.township_a,
        action="archive.open",
        object_type="archives.integrityarchive",
        object_id=4,
        org_unit_id=tree.village_a.pk,
        summary="查阅",
        before={"roles": ["village_member"], "post": "主任"},
        after={"roles": ["village_member", "township_committee"], "post": "书记"},
    )
    other = audit_record(actor=people.township_a, action="role.grant", org_unit_id=tree.village_a.pk)
    client = login(people.audit_admin)
    html = client.get(reverse("audit:event_list")).content.decode()
    assert "查阅廉情档案" in html and "archive.open" not in html
    assert str(IntegrityArchive._meta.verbose_name) in html and "archives.integrityarchive" not in html
    listed = {e.pk for e in client.get(reverse("audit:event_list"), {"action": "廉情档案"}).context["page"]}
    assert opened.pk in listed and other.pk not in listed
    by_object = client.get(
        reverse("audit:event_list"), {"object_type": str(IntegrityArchive._meta.verbose_name)}
    )
    assert {e.pk for e in by_object.context["page"]} == {opened.pk}
    detail = client.get(reverse("audit:event_detail", args=[opened.pk])).content.decode()
    assert "{&#x27;" not in detail and "{'" not in detail  # no Python dict
    assert "村（社区）纪检委员、乡镇（街道）纪委" in detail


def test_a_stored_code_of_a_field_with_choices_reads_as_its_chinese_name(tree, people, login):
    submitted = audit_record(
        action="petition.submit",
        object_type="petitions.petitionreport",
        object_id=1,
        org_unit_id=tree.village_a.pk,
        summary="网上信访举报",
        after={"category": "accusation", "channel": "online", "is_anonymous": True, "attachments": 0},
    )
    detail = (
        login(people.audit_admin).get(reverse("audit:event_detail", args=[submitted.pk])).content.decode()
    )
    assert "检举" in detail and "网络举报" in detail and "附件数" in detail
    assert "accusation" not in detail and "online" not in detail and "attachments" not in detail


def test_events_about_an_account_or_a_unit_name_it_in_a_constant_number_of_statements(tree, people, login):
    """ "用户 1047" told the reader nothing without a second lookup: an account and a unit are named."""
    reset = audit_record(
        actor=people.audit_admin,
        action="user.password_reset",
        obj=people.township_a,
        org_unit_id=tree.village_a.pk,
    )
    audit_record(action="org_unit.update", obj=tree.township_a, org_unit_id=tree.township_a.pk)
    audit_record(
        action="user.update", object_type="core.user", object_id=999_999, org_unit_id=tree.village_a.pk
    )
    client = login(people.audit_admin)
    client.get(reverse("audit:event_list"))
    with CaptureQueriesContext(connection) as few:
        html = client.get(reverse("audit:event_list")).content.decode()
    assert people.township_a.full_name in html and tree.township_a.name in html
    assert "999999" in html  # a deleted account keeps its number
    detail = client.get(reverse("audit:event_detail", args=[reset.pk])).content.decode()
    assert people.township_a.full_name in detail
    for user in (people.member_a, people.county_officer, people.outsider):
        audit_record(action="user.update", obj=user, org_unit_id=tree.village_a.pk)
    audit_record(action="org_unit.update", obj=tree.village_b, org_unit_id=tree.village_b.pk)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("audit:event_list")).content.decode()
    assert len(many) == len(few)
    assert people.outsider.full_name in html and tree.village_b.name in html
