"""Reads on investment teams, target companies, promotion events and projects, scoped by role.

| role | projects, teams, events, targets | edit projects |
|---|---|---|
| admin (and superusers) | all | all |
| investment team member | all (so teams see who already courts a target) | their own teams' projects |
| leader, supervisor | all | none |
| instructor, handler, enterprise, talent | none (404) | none |

Figures the cockpit calls: `investment_figures(user, start, end, chain=None)` and `summary_for_year(user, year)`.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from accounts.choices import Role
from core.access import get_visible_or_404
from investment.choices import SIGNED_STAGES, Stage
from investment.models import InvestmentTeam, Project, ProjectStageChange, PromotionEvent, TargetCompany

READ_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.INVESTMENT})
#: Reporting fields (领域): micro-drama is counted in the digital economy.
FIELD_OF_CHAIN = {"life_health": "生命健康", "digital_economy": "数字经济", "micro_drama": "数字经济"}
ZERO = Decimal("0.00")


def _wan(value: Decimal | None) -> Decimal:
    """Amounts in 万元 with two places whatever the database returns (SQLite drops trailing zeros)."""
    return (value or ZERO).quantize(ZERO)


def can_read(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.role in READ_ROLES))


def is_investment_admin(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def editable_team_ids(user: Any) -> set[int]:
    """Teams whose projects the user may edit: every team for admins, their own teams for investment members."""
    if is_investment_admin(user):
        return set(InvestmentTeam.objects.values_list("pk", flat=True))
    if user is not None and user.is_authenticated and user.role == Role.INVESTMENT:
        return set(user.investment_teams.values_list("pk", flat=True))
    return set()


def can_edit_project(user: Any, project: Project) -> bool:
    if is_investment_admin(user):
        return True
    return bool(
        user.is_authenticated and user.role == Role.INVESTMENT and project.team.members.filter(pk=user.pk).exists()
    )


def can_edit_targets(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in {Role.ADMIN, Role.INVESTMENT}))


def projects_visible_to(user: Any) -> QuerySet[Project]:
    qs = Project.objects.select_related("team", "chain", "target", "source_event")
    return qs if can_read(user) else qs.none()


def project_for(user: Any, pk: Any) -> Project:
    return get_visible_or_404(
        projects_visible_to(user).prefetch_related(
            "links",
            Prefetch(
                "stage_changes",
                queryset=ProjectStageChange.objects.select_related("actor").order_by("created_at", "id"),
            ),
        ),
        pk=pk,
    )


def teams_visible_to(user: Any) -> QuerySet[InvestmentTeam]:
    qs = InvestmentTeam.objects.select_related("head")
    return qs if can_read(user) else qs.none()


def team_for(user: Any, pk: Any) -> InvestmentTeam:
    return get_visible_or_404(teams_visible_to(user).prefetch_related("members", "chains"), pk=pk)


def targets_visible_to(user: Any) -> QuerySet[TargetCompany]:
    qs = TargetCompany.objects.all()
    return qs if can_read(user) else qs.none()


def target_for(user: Any, pk: Any) -> TargetCompany:
    return get_visible_or_404(targets_visible_to(user), pk=pk)


def events_visible_to(user: Any) -> QuerySet[PromotionEvent]:
    qs = PromotionEvent.objects.select_related("chain", "team").annotate(lead_count=Count("leads"))
    return qs if can_read(user) else qs.none()


def event_for(user: Any, pk: Any) -> PromotionEvent:
    return get_visible_or_404(events_visible_to(user), pk=pk)


def teams_with_figures(user: Any, year: int) -> list[dict[str, Any]]:
    """Each team with its members, open projects and this year's signed projects. Three queries."""
    teams = list(teams_visible_to(user).prefetch_related("members").order_by("sort_order", "id"))
    signed = _signed(projects_visible_to(user), date(year, 1, 1), date(year, 12, 31))
    by_team: dict[int, dict[str, Any]] = {
        row["team"]: dict(row)
        for row in signed.values("team").annotate(count=Count("pk"), amount=Sum("amount_wan")).order_by()
    }
    return [
        {
            "team": team,
            "members": list(team.members.all()),
            "signed": by_team.get(team.pk, {}).get("count", 0),
            "amount_wan": _wan(by_team.get(team.pk, {}).get("amount")),
        }
        for team in teams
    ]


def _signed(qs: QuerySet[Project], start: date, end: date) -> QuerySet[Project]:
    return qs.filter(stage__in=SIGNED_STAGES, signed_on__gte=start, signed_on__lte=end)


def investment_figures(user: Any, start: date, end: date, chain: Any = None) -> dict[str, Any]:
    """Signed projects in [start, end] (signed_on in the period, stage signed or later) for the cockpit:

    {projects_signed, investment_signed_wan (Decimal), by_chain: [{chain_id, chain, code, field, projects, amount_wan}],
     by_field: [{field, projects, amount_wan}], by_team: [{team_id, team, projects, amount_wan}],
     by_stage: [{stage, label, projects, amount_wan}] (the current pipeline, whatever the dates)}.
    Four queries; nothing for users who may not read projects.
    """
    qs = projects_visible_to(user)
    if chain is not None:
        qs = qs.filter(chain=chain)
    signed = _signed(qs, start, end).order_by()
    total = signed.aggregate(n=Count("pk"), amount=Sum("amount_wan"))
    by_chain = [
        {
            "chain_id": row["chain"],
            "chain": row["chain__name"] or "未归链",
            "code": row["chain__code"] or "",
            "field": FIELD_OF_CHAIN.get(row["chain__code"] or "", "其他"),
            "projects": row["n"],
            "amount_wan": _wan(row["amount"]),
        }
        for row in signed.values("chain", "chain__name", "chain__code", "chain__sort_order")
        .annotate(n=Count("pk"), amount=Sum("amount_wan"))
        .order_by("chain__sort_order", "chain")
    ]
    fields: dict[str, dict[str, Any]] = {}
    for row in by_chain:
        entry = fields.setdefault(row["field"], {"field": row["field"], "projects": 0, "amount_wan": ZERO})
        entry["projects"] += row["projects"]
        entry["amount_wan"] += row["amount_wan"]
    by_team = [
        {"team_id": row["team"], "team": row["team__name"], "projects": row["n"], "amount_wan": _wan(row["amount"])}
        for row in signed.values("team", "team__name", "team__sort_order")
        .annotate(n=Count("pk"), amount=Sum("amount_wan"))
        .order_by("team__sort_order", "team")
    ]
    stage_rows: dict[str, dict[str, Any]] = {
        row["stage"]: dict(row)
        for row in qs.order_by().values("stage").annotate(n=Count("pk"), amount=Sum("amount_wan"))
    }
    by_stage = [
        {
            "stage": stage.value,
            "label": str(stage.label),
            "projects": stage_rows.get(stage.value, {}).get("n", 0),
            "amount_wan": _wan(stage_rows.get(stage.value, {}).get("amount")),
        }
        for stage in Stage
    ]
    return {
        "start": start,
        "end": end,
        "projects_signed": total["n"] or 0,
        "investment_signed_wan": _wan(total["amount"]),
        "by_chain": by_chain,
        "by_field": list(fields.values()),
        "by_team": by_team,
        "by_stage": by_stage,
    }


def summary_for_year(user: Any, year: int, chain: Any = None) -> dict[str, Any]:
    return {"year": year, **investment_figures(user, date(year, 1, 1), date(year, 12, 31), chain=chain)}


def project_search(qs: QuerySet[Project], text: str) -> QuerySet[Project]:
    return qs.filter(Q(name__icontains=text) | Q(investor__icontains=text)) if text else qs
