"""The innovation chain (创新链) in the cockpit: signed investment projects, roundtables and agreements, talent.

Figures computed here from the owning apps' models (aggregate queries, one function per figure) are stand-ins until the
owning app exposes a selector for them; each says so in its docstring, and docs/cockpit.md lists them for the move.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from cockpit.scope import Scope
from investment.choices import SIGNED_STAGES
from investment.selectors import investment_figures, projects_visible_to
from matching.selectors import innovation_figures

ZERO = Decimal("0.00")


def signed_projects_in(scope: Scope) -> Any:
    """Projects signed in the period as `investment.selectors.investment_figures` counts them (signed_on within it,
    now at signed or a later stage), visible to the user, of the chosen chain."""
    qs = projects_visible_to(scope.user).filter(
        stage__in=SIGNED_STAGES, signed_on__gte=scope.period.start, signed_on__lte=scope.period.end
    )
    if scope.chain is not None:
        qs = qs.filter(chain=scope.chain)
    return qs


def investment_details(scope: Scope) -> dict[str, Any]:
    """`investment.selectors.investment_figures` for the scope: totals, by_chain, by_team, by_stage (four queries)."""
    return investment_figures(scope.user, scope.period.start, scope.period.end, chain=scope.chain)


def investment_signed_figures(scope: Scope, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """projects_signed (count) and investment_signed_wan (Decimal 万元, 2 places: investment_figures quantizes)."""
    data = details if details is not None else investment_details(scope)
    return {
        "projects_signed": data["projects_signed"],
        "investment_signed_wan": data["investment_signed_wan"],
    }


def investment_signed_by_month(scope: Scope) -> dict[tuple[int, int], dict[str, Any]]:
    """(year, month) → signed count and amount, for trends (one query).

    Stand-in for a monthly series in `investment.selectors` (to move there)."""
    rows = (
        signed_projects_in(scope)
        .order_by()
        .annotate(y=ExtractYear("signed_on"), m=ExtractMonth("signed_on"))
        .values("y", "m")
        .annotate(n=Count("pk"), total=Sum("amount_wan"))
    )
    return {(row["y"], row["m"]): {"n": row["n"], "total": row["total"] or ZERO} for row in rows}


def investment_pipeline(scope: Scope, details: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The pipeline as it stands: projects and amount per stage (of the chosen chain), in stage order."""
    data = details if details is not None else investment_details(scope)
    return [
        {
            "stage": row["stage"],
            "label": row["label"],
            "projects": row["projects"],
            "amount_wan": row["amount_wan"],
        }
        for row in data["by_stage"]
    ]


def signed_projects_list(scope: Scope, limit: int = 500) -> list[dict[str, Any]]:
    """The projects signed in the period, largest first (one query)."""
    qs = signed_projects_in(scope).select_related("team", "chain").order_by("-amount_wan", "signed_on", "pk")[:limit]
    return [
        {
            "name": project.name,
            "investor": project.investor,
            "chain": project.chain.name if project.chain else "",
            "team": project.team.name,
            "stage": project.get_stage_display(),
            "signed_on": project.signed_on,
            "amount_wan": project.amount_wan,
        }
        for project in qs
    ]


def matching_details(scope: Scope) -> dict[str, Any] | None:
    """`matching.selectors.innovation_figures` for the scope (five queries); None under an office filter, which
    roundtables and agreements do not have."""
    if scope.office is not None:
        return None
    return innovation_figures(scope.user, scope.period.start, scope.period.end, chain=scope.chain)


def matching_figures(scope: Scope, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """roundtables_held and agreements (reached in the period, every status)."""
    data = details if details is not None else matching_details(scope)
    if data is None:
        return {}
    return {"roundtables_held": data["roundtables_held"], "agreements": data["agreements_total"]}
