from datetime import date

import pytest

from core.calendar import WorkCalendar, add_workdays, is_workday, workdays_between
from core.models import WorkdayOverride


@pytest.mark.django_db
def test_spring_festival_2026_days_are_not_workdays():
    # 2026 Spring Festival holiday: 15–23 February.
    assert not is_workday(date(2026, 2, 16))
    assert not is_workday(date(2026, 2, 20))
    assert is_workday(date(2026, 2, 13))
    assert is_workday(date(2026, 2, 24))


@pytest.mark.django_db
def test_make_up_saturday_is_a_workday():
    # Saturday 14 February 2026 is a make-up workday (调休) for the Spring Festival.
    assert date(2026, 2, 14).weekday() == 5
    assert is_workday(date(2026, 2, 14))
    assert not is_workday(date(2026, 2, 7))  # an ordinary Saturday


@pytest.mark.django_db
def test_adding_workdays_skips_the_spring_festival():
    # Friday 13 Feb + 1 → Saturday 14 Feb (make-up day); + 2 → Tuesday 24 Feb (after the holiday).
    assert add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert add_workdays(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert add_workdays(date(2026, 2, 15), 0) == date(2026, 2, 24)


@pytest.mark.django_db
def test_workdays_between_counts_only_working_days():
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert workdays_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert workdays_between(date(2026, 3, 2), date(2026, 3, 9)) == 5


@pytest.mark.django_db
def test_override_wins_over_the_statutory_calendar():
    WorkdayOverride.objects.create(day=date(2026, 2, 24), is_workday=False, note="测试")
    WorkdayOverride.objects.create(day=date(2026, 2, 21), is_workday=True, note="测试")
    calendar = WorkCalendar()
    assert not calendar.is_workday(date(2026, 2, 24))
    assert calendar.is_workday(date(2026, 2, 21))
    assert calendar.add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 21)


@pytest.mark.django_db
def test_unknown_year_falls_back_to_weekdays_plus_overrides(caplog):
    WorkdayOverride.objects.create(day=date(2099, 2, 2), is_workday=False, note="测试春节")
    calendar = WorkCalendar()
    with caplog.at_level("WARNING"):
        assert calendar.is_workday(date(2099, 2, 3))  # a Tuesday
    assert not calendar.is_workday(date(2099, 2, 2))  # overridden Monday
    assert not calendar.is_workday(date(2099, 2, 7))  # Saturday
    # add_workdays runs over the fallback too: Friday 30 Jan 2099 + 1 → Tuesday 3 Feb (Monday overridden).
    assert calendar.add_workdays(date(2099, 1, 30), 1) == date(2099, 2, 3)
