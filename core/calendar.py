"""Working-day arithmetic for SLA clocks (工作日).

A day is a working day when:
1. an admin's `core.models.WorkdayOverride` row says so (overrides always win), else
2. chinese-calendar knows the year: statutory holidays are off, make-up workdays (调休, often a Saturday) are on, else
3. the year is unknown to chinese-calendar: Monday to Friday (a warning is logged once per year, so an admin adds the
   year's overrides).

Bulk callers (the ladder, metrics) build one `WorkCalendar` and reuse it: the override table is read once.
"""

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)
_warned_years: set[int] = set()


class WorkCalendar:
    """Working-day arithmetic over a snapshot of the override table (one query when built)."""

    def __init__(self, overrides: dict[date, bool] | None = None) -> None:
        if overrides is None:
            from core.models import WorkdayOverride

            overrides = dict(WorkdayOverride.objects.values_list("day", "is_workday"))
        self.overrides = overrides
        self._known: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in _warned_years:
                _warned_years.add(day.year)
                logger.warning(
                    "chinese-calendar has no data for %s: counting Monday–Friday plus admin overrides (工作日调整).",
                    day.year,
                )
            return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n=0: `start` itself if a workday, else the next workday)."""
        day = start
        if n <= 0:
            while not self.is_workday(day):
                day += timedelta(days=1)
            return day
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days have passed from `start` to `end`; negative if end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def due_at(self, start: datetime, n: int) -> datetime:
        """End of the n-th working day after the local date of `start` (23:59:59 local time), as an aware datetime."""
        local_day = timezone.localtime(start).date() if timezone.is_aware(start) else start.date()
        day = self.add_workdays(local_day, n)
        return end_of_day(day)

    def workdays_overdue(self, due: datetime, now: datetime) -> int:
        """Working days past a deadline (0 when not overdue)."""
        if now <= due:
            return 0
        return max(0, self.workdays_between(local_date(due), local_date(now)))


def local_date(value: datetime) -> date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def start_of_day(day: date) -> datetime:
    """Local midnight at the start of `day` (the lower bound of a period of local days)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def is_workday(day: date) -> bool:
    return WorkCalendar().is_workday(day)


def add_workdays(start: date, n: int) -> date:
    return WorkCalendar().add_workdays(start, n)


def workdays_between(start: date, end: date) -> int:
    return WorkCalendar().workdays_between(start, end)


def calendar_for(obj: Any = None) -> WorkCalendar:
    """A calendar to reuse across many computations (reads the overrides once)."""
    return obj if isinstance(obj, WorkCalendar) else WorkCalendar()
