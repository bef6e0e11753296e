"""The service chain (服务链) in the cockpit: needs, matters, service deliveries; the problem and results lists.

Figures are `service_requests.selectors.service_chain_figures` (scoped to the user, narrowed by chain and office);
the lists are its `problem_list` / `results_list`. The monthly series of the trends chart are computed here with the
same definitions (stand-ins for a monthly series in service_requests.selectors; docs/cockpit.md).
"""

from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear, TruncMonth

from cockpit.scope import Scope
from core.calendar import WorkCalendar
from service_requests.choices import Kind, State
from service_requests.selectors import (
    deliveries_visible_to,
    problem_list,
    problem_row,
    requests_visible_to,
    result_row,
    results_list,
    service_chain_figures,
)
from service_requests.workflow import DONE_MATTER_STATES, RESOLVED_NEED_STATES

#: The headline keys this module provides.
KEYS = (
    "needs_collected",
    "needs_resolved",
    "needs_open",
    "needs_overdue",
    "service_deliveries",
    "matters_handled",
    "enterprises_served",
)


def service_details(scope: Scope) -> dict[str, Any]:
    """service_chain_figures for the scope (four queries): counts, rates and deliveries by kind."""
    return service_chain_figures(
        scope.user, scope.period.start, scope.period.end, chain=scope.chain, office=scope.office
    )


def service_figures(scope: Scope, details: dict[str, Any] | None = None) -> dict[str, Any]:
    data = details if details is not None else service_details(scope)
    figures = {key: data[key] for key in KEYS if key != "service_deliveries"}
    figures["service_deliveries"] = data["service_deliveries"]["total"]
    return figures


def problem_rows(scope: Scope, limit: int) -> list[dict[str, Any]]:
    """The problem list at the period's end (open needs), oldest first."""
    calendar = WorkCalendar()
    as_of = scope.period.end_before
    needs = problem_list(scope.user, scope.period.start, scope.period.end, chain=scope.chain, office=scope.office)[
        :limit
    ]
    return [problem_row(need, calendar=calendar, as_of=as_of) for need in needs]


def result_rows(scope: Scope, limit: int) -> list[dict[str, Any]]:
    """The results list of the period (needs resolved in it)."""
    needs = results_list(scope.user, scope.period.start, scope.period.end, chain=scope.chain, office=scope.office)
    return [result_row(need) for need in needs[:limit]]


# ---- monthly series (stand-ins; same definitions as service_chain_figures) -----------------------------------------


def _requests(scope: Scope) -> Any:
    qs = requests_visible_to(scope.user).order_by()
    if scope.chain is not None:
        qs = qs.filter(chain=scope.chain)
    if scope.office is not None:
        qs = qs.filter(office=scope.office)
    return qs


def needs_collected_by_month(scope: Scope) -> dict[tuple[int, int], int]:
    """Needs submitted per month (merged ones left out), one query."""
    rows = (
        _requests(scope)
        .filter(kind=Kind.NEED, submitted_at__gte=scope.period.start_at, submitted_at__lt=scope.period.end_before)
        .exclude(state=State.MERGED)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    return {(row["month"].year, row["month"].month): row["n"] for row in rows}


def resolved_by_month(scope: Scope) -> dict[tuple[int, int], dict[str, int]]:
    """Needs resolved and matters handled per month of resolution, one query."""
    rows = (
        _requests(scope)
        .filter(resolved_at__gte=scope.period.start_at, resolved_at__lt=scope.period.end_before)
        .annotate(month=TruncMonth("resolved_at"))
        .values("month")
        .annotate(
            needs=Count("pk", filter=Q(kind=Kind.NEED, state__in=RESOLVED_NEED_STATES)),
            matters=Count("pk", filter=Q(kind=Kind.MATTER, state__in=DONE_MATTER_STATES)),
        )
    )
    return {(row["month"].year, row["month"].month): row for row in rows}


def deliveries_by_month(scope: Scope) -> dict[tuple[int, int], int]:
    qs = deliveries_visible_to(scope.user).order_by()
    qs = qs.filter(delivered_on__gte=scope.period.start, delivered_on__lte=scope.period.end)
    if scope.chain is not None:
        from chains.models import Placement

        qs = qs.filter(enterprise__in=Placement.objects.filter(link__chain=scope.chain).values("enterprise_id"))
    if scope.office is not None:
        qs = qs.filter(enterprise__management_office=scope.office)
    rows = (
        qs.annotate(y=ExtractYear("delivered_on"), m=ExtractMonth("delivered_on"))
        .values("y", "m")
        .annotate(n=Count("pk"))
    )
    return {(row["y"], row["m"]): row["n"] for row in rows}


def trend_series(series: Any) -> list[Any]:
    """Monthly series for the trends chart (built with the `series` class passed in)."""

    def resolved_needs(scope: Scope) -> dict[tuple[int, int], int]:
        return {key: row["needs"] for key, row in resolved_by_month(scope).items()}

    def matters(scope: Scope) -> dict[tuple[int, int], int]:
        return {key: row["matters"] for key, row in resolved_by_month(scope).items()}

    return [
        series("needs_collected", "收集诉求", needs_collected_by_month, office=True),
        series("needs_resolved", "解决诉求", resolved_needs, office=True),
        series("matters_handled", "代办事项", matters, office=True),
        series("service_deliveries", "服务记录", deliveries_by_month, office=True),
    ]
