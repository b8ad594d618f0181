from datetime import date

from jijian.core.models import CalendarDay
from jijian.core.orgs.workdays import add_working_days, calendar_seed, is_working_day, working_days_between


def test_plain_week_skips_the_weekend(db):
    # Friday 2026-11-27 + 1 working day = Monday 2026-11-30
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 30), 5) == date(2026, 12, 7)


def test_national_day_holiday_and_make_up_days(db):
    calendar_seed([2025])
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up working days.
    assert not is_working_day(date(2025, 10, 3))
    assert is_working_day(date(2025, 9, 28))
    assert is_working_day(date(2025, 10, 11))
    # 15 working days from 26 September 2025 (Friday)
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    assert add_working_days(date(2025, 9, 26), 2) == date(2025, 9, 29)
    assert add_working_days(date(2025, 9, 26), 3) == date(2025, 9, 30)
    assert add_working_days(date(2025, 9, 26), 4) == date(2025, 10, 9)
    # 9 Oct, 10 Oct, Sat 11 Oct (make-up), 13–17, 20–24, 27, 28: the 15th is 28 October.
    assert add_working_days(date(2025, 9, 30), 15) == date(2025, 10, 28)


def test_zero_days_moves_to_next_working_day(db):
    calendar_seed([2026])
    assert add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 8)
    assert add_working_days(date(2026, 11, 30), 0) == date(2026, 11, 30)


def test_negative_counts_backwards(db):
    assert add_working_days(date(2026, 11, 30), -1) == date(2026, 11, 27)


def test_administrator_edit_wins_over_seed(db):
    calendar_seed([2026])
    CalendarDay.objects.update_or_create(
        date=date(2026, 12, 7), defaults={"is_working_day": False, "source": "manual"}
    )
    calendar_seed([2026])  # re-seeding keeps the manual day
    assert not is_working_day(date(2026, 12, 7))
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 8)


def test_seed_is_idempotent(db):
    first = calendar_seed([2026])
    count = CalendarDay.objects.count()
    assert calendar_seed([2026]) == first
    assert CalendarDay.objects.count() == count


def test_working_days_between(db):
    assert working_days_between(date(2026, 11, 27), date(2026, 12, 4)) == 5
    assert working_days_between(date(2026, 12, 4), date(2026, 11, 27)) == -5


# --- years without the State Council's arrangement (issue 16, item 11) ---------------------------
def test_rule_holidays_match_the_published_arrangements():
    import chinese_calendar

    from jijian.core.orgs.workdays import statutory_holidays

    for year in (2025, 2026):  # the rules in force from 2025, checked against the real arrangements
        rule = statutory_holidays(year)
        assert len(rule) == 13
        assert all(chinese_calendar.is_holiday(day) for day in rule), year


def test_unpublished_year_applies_the_statutory_holidays_by_rule(db):
    from jijian.core.orgs.workdays import is_provisional, statutory_holidays

    calendar_seed([2026])
    assert is_provisional(date(2027, 1, 4)) and not is_provisional(date(2026, 12, 31))
    # 2026-12-25 (Friday) + 5 working days: 28, 29, 30, 31 December, then not New Year's Day.
    assert add_working_days(date(2026, 12, 25), 5) == date(2027, 1, 4)
    assert not is_working_day(date(2027, 1, 1))
    assert not is_working_day(date(2027, 10, 1))
    assert working_days_between(date(2027, 9, 30), date(2027, 10, 4)) == 1  # Monday 4th only
    rule = statutory_holidays(2027)
    # 春节 2027: 除夕 5 February, 初一 6 February to 初三 8 February; 清明 5 April; 端午 9 June;
    # 中秋 15 September (lunar dates from lunardate, 清明 from the solar terms).
    assert [d for d, name in rule.items() if name == "春节"] == [date(2027, 2, d) for d in (5, 6, 7, 8)]
    assert rule[date(2027, 4, 5)] == "清明节"
    assert rule[date(2027, 6, 9)] == "端午节"
    assert rule[date(2027, 9, 15)] == "中秋节"
    assert not is_working_day(date(2027, 2, 5))


def test_manual_edit_wins_over_the_rules(people):
    from jijian.core.services import calendar_day_set

    calendar_day_set(actor=people.system_admin, day=date(2027, 10, 1), is_working_day=True, name="测试")
    assert is_working_day(date(2027, 10, 1))


def test_confirmed_year_is_no_longer_provisional(people):
    from jijian.core.orgs.workdays import is_provisional
    from jijian.core.services import calendar_year_confirm

    assert is_provisional(date(2027, 3, 1))
    calendar_year_confirm(actor=people.system_admin, year=2027)
    assert not is_provisional(date(2027, 3, 1))
    assert is_provisional(date(2028, 3, 1))


def test_calendar_seed_fails_for_a_year_it_cannot_load(db):
    import pytest
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="2027"):
        call_command("calendar_seed", "2027")
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    call_command("calendar_seed", "2026")  # a known year still loads and exits 0
    assert CalendarDay.objects.filter(date__year=2026).exists()


def test_system_admin_is_warned_in_november_and_confirms_on_the_calendar_page(people, login, settings):
    from unittest import mock

    from django.urls import reverse

    from jijian.core.todos import todos_for

    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 11, 2)):
        titles = [t["title"] for t in todos_for(people.system_admin)]
    assert any("2027 年" in t and "暂定" in t for t in titles)
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 10, 30)):
        assert not any("2027" in t["title"] for t in todos_for(people.system_admin))
    assert not any("2027" in t["title"] for t in todos_for(people.member_a))

    client = login(people.system_admin)
    page = client.get(reverse("core:calendar") + "?year=2027").content.decode()
    assert "暂定" in page and "2027-10-01" in page
    client.post(reverse("core:calendar") + "?year=2027", {"confirm_year": "1"})
    page = client.get(reverse("core:calendar") + "?year=2027").content.decode()
    assert 'id="provisional-year"' not in page


def test_the_calendar_page_sets_a_day_with_a_date_picker(people, login):
    from django.urls import reverse

    from jijian.core.models import CalendarDay

    client = login(people.system_admin)
    page = client.get(reverse("core:calendar") + "?year=2027").content.decode()
    assert 'type="date" name="date"' in page
    # What the picker sends (ISO, YYYY-MM-DD) is what the form takes.
    client.post(
        reverse("core:calendar") + "?year=2027", {"date": "2027-10-09", "is_working_day": "1", "name": "调休"}
    )
    assert CalendarDay.objects.get(date=date(2027, 10, 9)).is_working_day
