"""Talent (人才) in the cockpit: events, planned and paid subsidies, the payouts of a month.

Figures are `talent.selectors.talent_figures(user, start, end)`. That selector has no chain or office dimension, so
under a chain or office filter the talent figures are not shown (None) rather than shown area-wide under the filter's
name (docs/cockpit.md: `chain=` / `office=` requested of the talent app). The monthly series and the payout rows
are computed here from the talent selectors' scoped querysets (stand-ins to move into talent.selectors).
"""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from cockpit.scope import Scope
from talent.selectors import disbursements_visible_to, events_visible_to
from talent.selectors import talent_figures as talent_app_figures

WAN = Decimal("10000")
CENT = Decimal("0.01")


def has_dimension(scope: Scope) -> bool:
    return scope.chain is None and scope.office is None


def talent_details(scope: Scope) -> dict[str, Any] | None:
    if not has_dimension(scope):
        return None
    return talent_app_figures(scope.user, scope.period.start, scope.period.end, with_talents=False)


def talent_figures(scope: Scope, details: dict[str, Any] | None = None) -> dict[str, Any]:
    data = details if details is not None else talent_details(scope)
    if data is None:
        return {}
    return {
        "talent_events": data["talent_events"],
        "talent_subsidy_planned_wan": data["talent_subsidy_planned_wan"],
        "talent_subsidy_paid_wan": data["paid_wan"],
    }


def payout_rows(scope: Scope, limit: int) -> list[dict[str, Any]]:
    """Ledger payments whose period (the month paid for) falls in the scope's period, one query."""
    if not has_dimension(scope):
        return []
    payments = (
        disbursements_visible_to(scope.user)
        .filter(period__gte=scope.period.start.replace(day=1), period__lte=scope.period.end)
        .order_by("period", "policy__name", "id")[:limit]
    )
    return [
        {
            "talent": payment.talent.name if payment.talent else "",
            "employer": (
                payment.talent.employer.name
                if payment.talent and payment.talent.employer
                else (payment.enterprise.name if payment.enterprise else "")
            ),
            "policy": payment.policy.name,
            "period": payment.period.strftime("%Y-%m"),
            "paid_on": payment.paid_at.date(),
            "amount_wan": (Decimal(payment.amount) / WAN).quantize(Decimal("0.0001")),
        }
        for payment in payments
    ]


def payout_summary(scope: Scope) -> list[dict[str, Any]]:
    """Ledger payments of the period's months per policy: payments and total in 万元 (one query)."""
    if not has_dimension(scope):
        return []
    rows = (
        disbursements_visible_to(scope.user)
        .order_by()
        .filter(period__gte=scope.period.start.replace(day=1), period__lte=scope.period.end)
        .values("policy__name")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("policy__name")
    )
    return [
        {
            "policy": row["policy__name"],
            "payments": row["n"],
            "amount_wan": (Decimal(row["total"] or 0) / WAN).quantize(CENT),
        }
        for row in rows
    ]


def events_by_month(scope: Scope) -> dict[tuple[int, int], int]:
    rows = (
        events_visible_to(scope.user)
        .order_by()
        .filter(held_on__gte=scope.period.start, held_on__lte=scope.period.end)
        .annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
        .values("y", "m")
        .annotate(n=Count("pk"))
    )
    return {(row["y"], row["m"]): row["n"] for row in rows}


def paid_by_month(scope: Scope) -> dict[tuple[int, int], Decimal]:
    rows = (
        disbursements_visible_to(scope.user)
        .order_by()
        .filter(period__gte=scope.period.start.replace(day=1), period__lte=scope.period.end)
        .annotate(y=ExtractYear("period"), m=ExtractMonth("period"))
        .values("y", "m")
        .annotate(total=Sum("amount"))
    )
    return {(row["y"], row["m"]): (Decimal(row["total"] or 0) / WAN).quantize(CENT) for row in rows}


def trend_series(series: Any) -> list[Any]:
    return [series("talent_events", "人才活动", events_by_month, chain=False)]
