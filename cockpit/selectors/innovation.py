"""The innovation chain (创新链) in the cockpit: signed investment projects, roundtables and agreements, talent.

Figures computed here from the owning apps' models (aggregate queries, one function per figure) are stand-ins until the
owning app exposes a selector for them; each says so in its docstring, and docs/cockpit.md lists them for the move.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from cockpit.scope import Scope
from investment.choices import SIGNED_STAGES, Stage
from investment.models import Project

ZERO = Decimal("0.00")


def signed_projects_in(scope: Scope) -> Any:
    """Projects signed in the period (signed_on within it, now at signed or a later stage; dropped ones not counted),
    of the chosen chain. Projects have no management office: with an office filter the caller shows no figure."""
    qs = Project.objects.filter(
        stage__in=SIGNED_STAGES, signed_on__gte=scope.period.start, signed_on__lte=scope.period.end
    )
    if scope.chain is not None:
        qs = qs.filter(chain=scope.chain)
    return qs


def investment_signed_figures(scope: Scope) -> dict[str, Any]:
    """projects_signed (count) and investment_signed_wan (Decimal 万元) in one query.

    Stand-in for `investment.selectors.investment_figures` (to move there)."""
    row = signed_projects_in(scope).aggregate(n=Count("pk"), total=Sum("amount_wan"))
    return {"projects_signed": row["n"], "investment_signed_wan": (row["total"] or ZERO).quantize(ZERO)}


def investment_signed_by_chain(scope: Scope) -> list[dict[str, Any]]:
    """Signed projects and amount per chain in the period (one query)."""
    rows = (
        signed_projects_in(scope)
        .order_by()
        .values("chain", "chain__name", "chain__code")
        .annotate(n=Count("pk"), total=Sum("amount_wan"))
        .order_by("chain__sort_order", "chain")
    )
    return [
        {
            "chain": row["chain__name"] or "未分链",
            "code": row["chain__code"] or "",
            "chain_id": row["chain"],
            "projects_signed": row["n"],
            "investment_signed_wan": (row["total"] or ZERO).quantize(ZERO),
        }
        for row in rows
    ]


def investment_signed_by_month(scope: Scope) -> dict[tuple[int, int], dict[str, Any]]:
    """(year, month) → signed count and amount, for trends (one query)."""
    rows = (
        signed_projects_in(scope)
        .order_by()
        .annotate(y=ExtractYear("signed_on"), m=ExtractMonth("signed_on"))
        .values("y", "m")
        .annotate(n=Count("pk"), total=Sum("amount_wan"))
    )
    return {(row["y"], row["m"]): {"n": row["n"], "total": row["total"] or ZERO} for row in rows}


def investment_pipeline(scope: Scope) -> list[dict[str, Any]]:
    """The pipeline as it stands: projects and amount per stage (of the chosen chain), in stage order (one query).

    Stand-in for an `investment.selectors` pipeline summary (to move there)."""
    qs = Project.objects.all()
    if scope.chain is not None:
        qs = qs.filter(chain=scope.chain)
    rows: dict[str, tuple[int, Decimal]] = {
        row["stage"]: (row["n"], row["total"] or ZERO)
        for row in qs.order_by().values("stage").annotate(n=Count("pk"), total=Sum("amount_wan"))
    }
    return [
        {
            "stage": stage.value,
            "label": str(stage.label),
            "projects": rows.get(stage.value, (0, ZERO))[0],
            "amount_wan": rows.get(stage.value, (0, ZERO))[1].quantize(ZERO),
        }
        for stage in Stage
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


def matching_figures(scope: Scope) -> dict[str, Any]:
    """roundtables_held, agreements — None until the matching app lands (docs/cockpit.md)."""
    return {}
