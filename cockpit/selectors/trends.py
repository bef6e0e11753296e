"""Trends by month and the comparison with the same period last year.

Each series is one grouped query over the months shown this year and the same months last year, so the chart costs
one query per series whatever the number of records. A series whose app has not landed is left out.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from cockpit.periods import Period
from cockpit.scope import Scope
from cockpit.selectors import innovation, service, talent
from cockpit.selectors.summary import FLOW_KEYS, HEADLINE_LABELS, flow_figures

MonthKey = tuple[int, int]


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    by_month: Callable[[Scope], dict[MonthKey, Any]]
    #: Whether the series exists under a management-office filter, and under a chain filter.
    office: bool = False
    chain: bool = True


def _signed_count(scope: Scope) -> dict[MonthKey, Any]:
    return {key: row["n"] for key, row in innovation.investment_signed_by_month(scope).items()}


def series_list() -> list[Series]:
    series = service.trend_series(Series)
    series.append(Series("projects_signed", "签约项目", _signed_count))
    series += talent.trend_series(Series)
    return series


def trend_months(period: Period) -> list[MonthKey]:
    """The months drawn: those of the period, or the year to date when the period is a single month."""
    months = period.months()
    if len(months) >= 2:
        return months[-24:]
    year, month = months[0]
    return [(year, m) for m in range(1, month + 1)]


def trends(scope: Scope) -> dict[str, Any]:
    """{labels, series: [{name, data, dashed}]}: this period's months and last year's same months (dashed)."""
    months = trend_months(scope.period)
    this_year = Period("custom", date(months[0][0], months[0][1], 1), scope.period.end)
    wide = replace(scope, period=Period("custom", this_year.same_period_last_year().start, this_year.end))
    out: list[dict[str, Any]] = []
    for series in series_list():
        if (scope.office is not None and not series.office) or (scope.chain is not None and not series.chain):
            continue
        values = series.by_month(wide)
        current = [_plain(values.get(m, 0)) for m in months]
        previous = [_plain(values.get((y - 1, m), 0)) for y, m in months]
        out.append({"name": f"{series.label}（本期）", "data": current, "key": series.key})
        if any(previous):
            out.append({"name": f"{series.label}（去年同期）", "data": previous, "key": series.key, "dashed": True})
    return {"labels": [f"{y}-{m:02d}" for y, m in months], "series": out}


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def comparison(scope: Scope) -> list[dict[str, Any]]:
    """Each flow figure this period and in the same period last year, with the change in percent (None when last
    year had nothing or the figure does not exist in the scope)."""
    now = flow_figures(scope)
    before = flow_figures(replace(scope, period=scope.period.same_period_last_year()))
    rows = []
    for key in FLOW_KEYS:
        current, previous = now.get(key), before.get(key)
        if current is None:
            continue
        change = None
        if previous:
            change = ((Decimal(current) - Decimal(previous)) / Decimal(previous) * 100).quantize(Decimal("0.1"))
        rows.append(
            {"key": key, "label": HEADLINE_LABELS[key], "current": current, "previous": previous, "change": change}
        )
    return rows
