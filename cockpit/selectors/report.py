"""The monthly report (月报): its data as one JSON-able dict, built live for an open month and read from the frozen
snapshot for a closed one. The page, the workbook and the snapshot all use this one structure."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cockpit.models import MonthlySnapshot
from cockpit.periods import Period, month_period
from cockpit.scope import Scope
from cockpit.selectors import service, talent
from cockpit.selectors.innovation import investment_pipeline, signed_projects_list
from cockpit.selectors.summary import HEADLINE_KEYS, HEADLINE_LABELS, cockpit_summary

#: The report lists are capped so a report stays printable; the cap is stated on the report when reached.
LIST_LIMIT = 500
#: Individual talent payments go to the workbook only (the page shows them per policy).
PAYOUT_LIMIT = 20000


def jsonable(value: Any) -> Any:
    """Decimals as strings (exact), dates as ISO strings, recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def build_monthly_report(user: Any, year: int, month: int) -> dict[str, Any]:
    """The live report of a month for the whole area: headline figures (month and year to date), organization chain
    per chain, the problem list, the results list, the investment pipeline and the talent payouts of the month."""
    period = month_period(year, month)
    scope = Scope(user=user, period=period)
    ytd = Scope(user=user, period=Period("ytd", date(year, 1, 1), period.end))
    month_figures = cockpit_summary(scope)
    ytd_figures = cockpit_summary(ytd)
    data = {
        "year": year,
        "month": month,
        "label": period.label,
        "start": period.start,
        "end": period.end,
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "headline": [
            {"key": key, "label": HEADLINE_LABELS[key], "month": month_figures[key], "ytd": ytd_figures[key]}
            for key in HEADLINE_KEYS
        ],
        "by_chain": [
            {**row, "coverage_percent": f"{row['coverage_rate'] * 100:.2f}%"} for row in month_figures["by_chain"]
        ],
        "problems": service.problem_rows(scope, LIST_LIMIT),
        "results": service.result_rows(scope, LIST_LIMIT),
        "pipeline": investment_pipeline(scope),
        "signed_projects": signed_projects_list(scope, LIST_LIMIT),
        "payout_summary": talent.payout_summary(scope),
        "payouts": talent.payout_rows(scope, PAYOUT_LIMIT),
        "list_limit": LIST_LIMIT,
    }
    return jsonable(data)


def monthly_report(user: Any, year: int, month: int) -> tuple[dict[str, Any], MonthlySnapshot | None]:
    """(report data, snapshot): the snapshot's frozen data for a closed month, else the live data and None."""
    snapshot = MonthlySnapshot.objects.select_related("closed_by").filter(year=year, month=month).first()
    if snapshot is not None:
        return snapshot.data, snapshot
    return build_monthly_report(user, year, month), None


def closed_months() -> list[MonthlySnapshot]:
    return list(MonthlySnapshot.objects.select_related("closed_by").order_by("-year", "-month")[:36])
