"""The responsibility thresholds come from settings.RESPONSIBILITY_THRESHOLDS (docs/responsibility.md
"Thresholds"): a changed value changes the colours, the late-entry rule and the suggested grade; a
setting that contradicts itself is refused."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from jijian.core.orgs.workdays import calendar_seed
from jijian.responsibility import monitoring, services, thresholds

from .test_monitoring import item, status

DEFAULT = {
    "blue_days": 10,
    "yellow_days": 3,
    "late_reason_min_chars": 4,
    "grade_floors": {"good": 90, "fairly_good": 75, "average": 60},
}


def test_the_colours_follow_the_configured_working_days(tree, settings):
    calendar_seed([2025])
    it = item(tree.party_org, due_date=date(2025, 10, 1))
    # Fri 26 Sept 2025: 4 working days left (see test_monitoring) -> blue by default.
    assert status(it, 1, date(2025, 9, 26)).status == monitoring.BLUE
    settings.RESPONSIBILITY_THRESHOLDS = {**DEFAULT, "yellow_days": 5}
    assert status(it, 1, date(2025, 9, 26)).status == monitoring.YELLOW
    settings.RESPONSIBILITY_THRESHOLDS = {**DEFAULT, "blue_days": 3, "yellow_days": 1}
    assert status(it, 1, date(2025, 9, 26)).status == monitoring.OPEN


def test_the_suggested_grade_follows_the_configured_floors(settings):
    assert services.suggested_grade(85) == "fairly_good"
    settings.RESPONSIBILITY_THRESHOLDS = {
        **DEFAULT,
        "grade_floors": {"good": 80, "fairly_good": 70, "average": 50},
    }
    assert services.suggested_grade(85) == "good"
    assert services.suggested_grade(55) == "average"
    assert services.suggested_grade(49) == "poor"


@pytest.mark.parametrize(
    "bad",
    [
        {"yellow_days": 10},  # not below blue_days
        {"grade_floors": {"good": 70, "fairly_good": 75, "average": 60}},  # not descending
        {"late_reason_min_chars": 0},
    ],
)
def test_a_contradictory_setting_is_refused(settings, bad):
    settings.RESPONSIBILITY_THRESHOLDS = {**DEFAULT, **bad}
    with pytest.raises(ImproperlyConfigured):
        thresholds.colour_days()
        thresholds.grade_floors()
        thresholds.late_reason_min_chars()
