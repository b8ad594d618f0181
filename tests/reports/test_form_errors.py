"""Issue 16, item 4: a refused form summarises its errors at the top (each linked to its field), so
the endorsement error no longer sits alone at the bottom of a page that reloads at the top."""

from datetime import date

from django.urls import reverse

from tests.reports.helpers import OCT, at, open_month


def test_a_missing_endorsement_is_summarised_above_the_form_fields(tree, people, login):
    report = open_month(tree, OCT)
    data = {"version": report.version, "summary": "走访3户", "problems": "", "is_zero_report": "0"}
    with at(date(2025, 10, 28)):
        page = login(people.member_a).post(
            reverse("reports:report_detail", args=[report.pk]), {**data, "action": "submit"}
        )
    html = page.content.decode()
    assert page.status_code == 200 and 'id="error-summary"' in html
    summary = html[html.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "请确认签字背书承诺后再提交" in summary and 'href="#id_endorse"' in summary
    assert html.index('id="error-summary"') < html.index('name="summary"')


def test_a_refused_duty_record_is_summarised_at_the_top(tree, people, login):
    with at(date(2025, 10, 28)):
        page = login(people.member_a).post(
            reverse("reports:duty_record_create"),
            {"type": "household_visit", "occurred_on": "2025-10-20", "f_households": ""},
        )
    html = page.content.decode()
    assert 'id="error-summary"' in html and 'href="#id_f_households"' in html
    assert html.index('id="error-summary"') < html.index('name="occurred_on"')
    # The message says what to fill, in the field's own words.
    assert "请填写走访户数" in html and "这个字段是必填项" not in html


def test_a_duty_record_without_a_date_asks_for_the_date(tree, people, login):
    with at(date(2025, 10, 28)):
        page = login(people.member_a).post(
            reverse("reports:duty_record_create"),
            {"type": "household_visit", "occurred_on": "", "f_households": "3"},
        )
    html = page.content.decode()
    assert "请填写日期" in html and "这个字段是必填项" not in html
