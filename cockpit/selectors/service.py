"""The service chain (服务链) in the cockpit: needs, matters, service deliveries; the problem and results lists.

Filled from `service_requests.selectors` as that app lands (docs/cockpit.md)."""

from typing import Any

from cockpit.scope import Scope


def service_figures(scope: Scope) -> dict[str, Any]:
    """needs_collected, needs_resolved, needs_open, needs_overdue, service_deliveries, matters_handled,
    enterprises_served — None until the service chain lands."""
    return {}


def problem_rows(scope: Scope, limit: int) -> list[dict[str, Any]]:
    return []


def result_rows(scope: Scope, limit: int) -> list[dict[str, Any]]:
    return []


def trend_series(series: Any) -> list[Any]:
    """Monthly series for the trends chart (built with the `series` class passed in)."""
    return []
