"""The register export: CSV with BOM, the register's filters, reporter identity left out; identity
only by POST with a reason, for users who may reveal, row by row (core.reveal.can_reveal); one audit
event naming reason and row count."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijian.audit.models import AuditEvent
from jijian.core.roles import Role
from jijian.petitions import services
from jijian.petitions.models import PetitionReport

from .authz_entries_work import forward_down, register, report_held_by_a, report_held_by_c, staff

URL = "petitions_work:export"
IDENTITY = ("李举报", "11010519491231002X", "13800138000")


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def download(client, **params):
    return client.get(reverse(URL), {"download": "1", **params})


def exports_audited():
    return list(AuditEvent.objects.filter(action="export", object_type="petitions.register").order_by("pk"))


def test_export_form_page(login, people):
    page = login(people.city_petition).get(reverse(URL))
    assert page.status_code == 200
    html = page.content.decode()
    # The city petition office may reveal, so it is offered the identity export too.
    assert "导出（不含举报人身份）" in html and "导出身份信息的事由" in html


def test_a_case_manager_is_not_offered_identity(login, tree):
    """案管室 may not reveal reporters at all, so the export form does not offer it."""
    case_manager = staff("cm_county", tree.county, Role.CASE_MANAGEMENT)
    html = login(case_manager).get(reverse(URL)).content.decode()
    assert "含举报人身份" not in html.replace("不含举报人身份", "")


def test_export_leaves_reporter_identity_out(login, tree, people):
    report = report_held_by_a(tree, people)
    response = download(login(people.city_petition))
    assert (
        "filename*=UTF-8''" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    )
    header, *rows = rows_of(response)
    assert "举报人姓名" not in header and "实名/匿名" in header
    assert len(rows) == 1 and rows[0][0] == report.serial_number and "实名" in rows[0]
    flat = "".join(rows[0])
    for value in (*IDENTITY, "李**", "138****8000"):
        assert value not in flat


def test_export_is_one_audit_event_with_row_count(login, tree, people):
    report_held_by_a(tree, people)
    report_held_by_a(tree, people)
    rows_of(download(login(people.city_petition), state="received"))
    (event,) = exports_audited()
    assert event.actor == people.city_petition
    assert event.after["rows"] == 2 and event.after["include_identity"] is False
    assert event.after["filters"] == {"state": "received"}


def test_export_is_scoped_to_the_users_jurisdiction(login, tree, people):
    mine = report_held_by_a(tree, people)
    report_held_by_c(tree, people)
    _, *rows = rows_of(download(login(people.township_a)))
    assert [r[0] for r in rows] == [mine.serial_number]
    _, *rows = rows_of(download(login(people.township_b)))
    assert rows == []
    _, *rows = rows_of(download(login(people.city_petition)))
    assert len(rows) == 2


def test_export_filters_like_the_register(login, tree, people):
    letter = report_held_by_a(tree, people)
    visit = register(people.township_a, tree.township_a, channel="visit", category="complaint")
    old = register(people.township_a, tree.township_a, received_on=date.today() - timedelta(days=40))
    services.petition_not_accept(
        actor=people.township_a,
        report=visit,
        reason="other_body",
        reply="请向法院起诉",
        version=visit.version,
    )
    client = login(people.township_a)

    def serials(**params):
        return sorted(r[0] for r in rows_of(download(client, **params))[1:])

    assert serials(channel="visit") == [visit.serial_number]
    assert serials(category="complaint") == [visit.serial_number]
    assert serials(state="not_accepted") == [visit.serial_number]
    assert serials(received_to=(date.today() - timedelta(days=30)).isoformat()) == [old.serial_number]
    assert serials(received_from=(date.today() - timedelta(days=1)).isoformat()) == sorted(
        [letter.serial_number, visit.serial_number]
    )
    assert serials(q=old.serial_number) == [old.serial_number]


def test_bad_filters_give_a_message_and_no_file(login, people):
    client = login(people.city_petition)
    response = download(client, received_from="2026-13-01")
    assert response.status_code == 400 and "日期格式应为" in response.content.decode()
    response = download(client, received_from="2026-03-02", received_to="2026-03-01")
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    assert exports_audited() == []


def test_identity_needs_a_post_get_never_includes_it(login, tree, people):
    report_held_by_a(tree, people)
    header, *rows = rows_of(download(login(people.city_petition), include_identity="1", reason="核对"))
    assert "举报人姓名" not in header
    assert not any(v in "".join(rows[0]) for v in IDENTITY)


def test_identity_export_with_reason_for_the_petition_office(login, tree, people):
    report_held_by_a(tree, people)
    anonymous = register(people.township_a, tree.township_a, is_anonymous=True)
    client = login(people.city_petition)
    response = client.post(reverse(URL), {"include_identity": "1", "reason": "向上级报送核查"})
    header, *rows = rows_of(response)
    assert header[-3:] == ["举报人姓名", "举报人身份证号", "举报人联系电话"]
    by_serial = {r[0]: r for r in rows}
    assert [c for c in by_serial.values() if c[-3:] == list(IDENTITY)]
    assert by_serial[anonymous.serial_number][-3:] == ["", "", ""]
    (event,) = exports_audited()
    assert event.after["include_identity"] is True and event.after["reason"] == "向上级报送核查"
    assert event.after["rows"] == 2
    stored = str(event.after) + event.summary
    assert not any(v in stored for v in IDENTITY)


def test_identity_stays_masked_where_the_user_may_not_reveal(login, tree, people):
    """A county petition office sees a report the city received and forwarded down to township A
    (holder in its scope) but may not reveal its reporter (the receiving body is above it); its
    own county's report is revealed."""
    county_office = staff("county_petition", tree.county, Role.PETITION_OFFICE)
    from_city = forward_down(tree, people).report
    own = register(county_office, tree.county, reporter_name="周实名", reporter_phone="13900139000")
    response = login(county_office).post(reverse(URL), {"include_identity": "1", "reason": "核对"})
    _, *rows = rows_of(response)
    by_serial = {r[0]: r for r in rows}
    assert by_serial[own.serial_number][-3:] == ["周实名", "11010519491231002X", "13900139000"]
    assert by_serial[from_city.serial_number][-3:] == ["李**", "1101**********002X", "138****8000"]


def test_identity_without_a_reason_is_refused_and_not_exported(login, tree, people):
    report_held_by_a(tree, people)
    response = login(people.city_petition).post(reverse(URL), {"include_identity": "1", "reason": "  "})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "须填写事由" in response.content.decode()
    assert exports_audited() == []


def test_identity_is_refused_to_a_role_that_may_not_reveal(login, tree, people):
    report_held_by_a(tree, people)
    case_manager = staff("cm_county", tree.county, Role.CASE_MANAGEMENT)
    response = login(case_manager).post(reverse(URL), {"include_identity": "1", "reason": "核对"})
    assert response.status_code == 400 and "无权查看举报人身份信息" in response.content.decode()
    assert exports_audited() == []


def test_a_plain_post_without_identity_exports_masked(login, tree, people):
    report_held_by_a(tree, people)
    header, *rows = rows_of(login(people.township_a).post(reverse(URL), {}))
    assert "举报人姓名" not in header and len(rows) == 1


def test_recused_rows_are_not_exported(login, tree, people):
    from jijian.petitions.handling.relations import staff_relation_declare

    report_held_by_a(tree, people)
    staff_relation_declare(actor=people.city_petition, relative_name="王某", kind="spouse")
    _, *rows = rows_of(download(login(people.city_petition)))
    assert rows == []


def test_spreadsheet_formulas_in_user_text_are_neutralised(login, tree, people):
    register(people.township_a, tree.township_a, facts='=HYPERLINK("http://x")', accused_name="+王")
    _, row = rows_of(download(login(people.township_a)))
    assert row[10].startswith("'=") and row[5] == "'+王"


@pytest.mark.parametrize("n", [3])
def test_export_streams_rows_in_received_order(login, tree, people, n):
    made = [
        register(people.township_a, tree.township_a, received_on=timezone.localdate() - timedelta(days=i))
        for i in range(n)
    ]
    _, *rows = rows_of(download(login(people.township_a)))
    assert [r[0] for r in rows] == [r.serial_number for r in reversed(made)]
    assert PetitionReport.objects.count() == n


def test_export_query_count_does_not_grow_with_rows(login, tree, people, django_assert_max_num_queries):
    client = login(people.township_a)
    report_held_by_a(tree, people)
    with django_assert_max_num_queries(30) as one:
        rows_of(download(client))
    for _ in range(5):
        report_held_by_a(tree, people)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(rows_of(download(client))) == 7


def test_the_exports_identity_decision_is_the_reveal_rule_row_by_row(login, tree, people):
    """The export decides reveal-or-mask without a query per row; for every row and every exporting
    role it must say what core.reveal.can_reveal says on the report's page."""
    from jijian.core.sensitive.reveal import can_reveal
    from jijian.petitions.handling.exports import register_for_export
    from jijian.petitions.selectors import RegisterFilter

    county_office = staff("county_petition", tree.county, Role.PETITION_OFFICE)
    forward_down(tree, people)  # received by the city, held by township A
    register(county_office, tree.county, reporter_name="周实名", reporter_phone="13900139000")
    report_held_by_a(tree, people)
    report_held_by_c(tree, people)
    revealed = {}
    for actor in (people.city_petition, county_office, people.township_a, people.township_b):
        client = login(actor)
        _, *rows = rows_of(client.post(reverse(URL), {"include_identity": "1", "reason": "核对"}))
        exported = {r[0]: r[-3:] for r in rows}
        reports = list(register_for_export(actor, RegisterFilter()))
        assert set(exported) == {r.serial_number for r in reports}
        for report in reports:
            full = can_reveal(actor=actor, obj=report, field_name="reporter_name")
            assert (exported[report.serial_number][0] == report.reporter_name) is full, (actor, report)
        named = [r for r in reports if not r.is_anonymous]
        shown = sum(exported[r.serial_number][0] == r.reporter_name for r in named)
        revealed[actor.username] = (shown, len(named) - shown)
    # Both outcomes occur: the city reveals everything it received, the county its own but not the city's.
    assert revealed["city_petition"][0] >= 2 and revealed["city_petition"][1] == 0
    assert revealed["county_petition"][0] >= 1 and revealed["county_petition"][1] >= 1


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_rows(login, tree, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(people.city_petition)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows_of(client.post(reverse(URL), {"include_identity": "1", "reason": "核对"}))
        return len(ctx.captured_queries)

    report_held_by_a(tree, people)
    queries_for_export()  # the session's first request does a little more (its last-seen mark)
    few = queries_for_export()
    for _ in range(4):
        register(people.township_a, tree.township_a)
        report_held_by_c(tree, people)
    with CaptureQueriesContext(connection) as ctx:
        rows_of(client.post(reverse(URL), {"include_identity": "1", "reason": "核对"}))
    assert len(ctx.captured_queries) == few, "\n".join(q["sql"][:300] for q in ctx.captured_queries)
