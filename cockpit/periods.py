"""Reporting periods of the cockpit: a month, a quarter, year to date, a whole year, or custom dates (both inclusive)."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from core.calendar import start_of_day


class PeriodError(ValueError):
    """A period the user asked for cannot be built (bad month, end before start, …)."""


@dataclass(frozen=True)
class Period:
    """A closed range of local dates [start, end] with its kind and a Chinese label."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.kind == "ytd":
            return f"{self.start.year}年1月1日至{self.end.month}月{self.end.day}日"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    @property
    def start_at(self) -> datetime:
        """The first instant of the period in the server's time zone (for DateTimeField lookups: >=)."""
        return start_of_day(self.start)

    @property
    def end_before(self) -> datetime:
        """The first instant after the period (for DateTimeField lookups: <)."""
        return start_of_day(self.end + timedelta(days=1))

    def same_period_last_year(self) -> "Period":
        return Period(self.kind, _shift_year(self.start, -1), _shift_year(self.end, -1))

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period touches, in order."""
        result = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            result.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result

    def as_query(self) -> dict[str, str]:
        """The query parameters that rebuild this period (for links and htmx requests)."""
        if self.kind == "month":
            return {"period": "month", "month": f"{self.start.year:04d}-{self.start.month:02d}"}
        if self.kind == "quarter":
            return {"period": "quarter", "quarter": f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"}
        if self.kind in ("year", "ytd"):
            return {"period": self.kind, "year": str(self.start.year)}
        return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12 or not 1900 <= year <= 9999:
        raise PeriodError("月份不正确。")
    return Period("month", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise PeriodError("季度须为 1–4。")
    first = month_period(year, quarter * 3 - 2)
    last = month_period(year, quarter * 3)
    return Period("quarter", first.start, last.end)


def year_period(year: int) -> Period:
    if not 1900 <= year <= 9999:
        raise PeriodError("年份不正确。")
    return Period("year", date(year, 1, 1), date(year, 12, 31))


def year_to_date(year: int, *, today: date | None = None) -> Period:
    """1 January to today for the current year; the whole year for a past one (a future year has nothing yet)."""
    day = today or timezone.localdate()
    whole = year_period(year)
    if year == day.year:
        return Period("ytd", whole.start, day)
    return Period("ytd", whole.start, whole.end)


def custom_period(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError("结束日期不能早于开始日期。")
    if (end - start).days > 366 * 5:
        raise PeriodError("自定义期间最长 5 年。")
    return Period("custom", start, end)


def _int(value: Any, message: str) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise PeriodError(message) from None


def period_from_params(params: Any, *, today: date | None = None) -> Period:
    """Build a period from query parameters (`period` = month | quarter | ytd | year | custom; default ytd)."""
    day = today or timezone.localdate()
    kind = params.get("period") or "ytd"
    if kind == "month":
        raw = params.get("month") or f"{day.year:04d}-{day.month:02d}"
        year, _, month = str(raw).partition("-")
        return month_period(_int(year, "月份格式应为 YYYY-MM。"), _int(month, "月份格式应为 YYYY-MM。"))
    if kind == "quarter":
        raw = params.get("quarter") or f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
        year, _, quarter = str(raw).upper().partition("-Q")
        return quarter_period(_int(year, "季度格式应为 YYYY-Qn。"), _int(quarter, "季度格式应为 YYYY-Qn。"))
    if kind in ("ytd", "year"):
        number = _int(params.get("year") or day.year, "年份不正确。")
        return year_period(number) if kind == "year" else year_to_date(number, today=day)
    if kind == "custom":
        try:
            start = date.fromisoformat(str(params.get("start") or ""))
            end = date.fromisoformat(str(params.get("end") or ""))
        except ValueError:
            raise PeriodError("自定义期间须填写开始和结束日期（YYYY-MM-DD）。") from None
        return custom_period(start, end)
    raise PeriodError("期间类型不正确。")
