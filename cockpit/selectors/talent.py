"""Talent (人才) in the cockpit: events, planned and paid subsidies, the payouts of a month.

Filled from `talent.selectors` as that app lands (docs/cockpit.md)."""

from typing import Any

from cockpit.scope import Scope


def talent_figures(scope: Scope) -> dict[str, Any]:
    return {}


def payout_rows(scope: Scope, limit: int) -> list[dict[str, Any]]:
    return []


def trend_series(series: Any) -> list[Any]:
    """Monthly series for the trends chart (built with the `series` class passed in)."""
    return []
