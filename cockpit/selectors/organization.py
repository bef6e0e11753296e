"""The organization chain (组织链) in the cockpit: organizations, enterprises covered, members, coverage per chain,
pioneer posts and commando teams.

These are stock figures (what exists now), not flows of the period. Per chain they are `chains.selectors.chain_coverage`
itself, so the cockpit and the coverage page never disagree. Narrowed to a management office (管理处), they follow the
scoping rule chain_coverage applies to an office's staff: organizations covering one of the office's enterprises, those
enterprises, and the members working at them. The office rule itself lives in `organizations.selectors`
(`organizations_of_office_q`, `members_of_office_q`), which the organization lists' `office` filter applies too, so a
figure and the list it links to cannot drift apart; `chains.coverage` keeps the same figures per office (`office_key`),
and `from_rows=True` counts them from the rows with that rule instead (the tests' comparison).
"""

from decimal import Decimal
from typing import Any

from django.db.models import Count

from chains import coverage
from chains.models import Chain, Placement
from chains.selectors import chain_coverage, chains_visible_to
from cockpit.scope import Scope
from organizations.models import CommandoTeam, PartyMember, PartyOrganization, PioneerPost
from organizations.selectors import members_of_office_q, office_enterprise_ids, organizations_of_office_q

RATE_PLACES = Decimal("0.0001")
Through: Any = PartyOrganization.enterprises.through


def _office_enterprises(scope: Scope) -> Any:
    """The ids of the office's enterprises as a subquery, or None without an office filter."""
    if scope.office is None:
        return None
    return office_enterprise_ids(scope.office)


def _rate(numerator: int, denominator: int) -> Decimal:
    if not denominator:
        return Decimal("0.0000")
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES)


def _coverage_row(
    chain: Chain, organizations: int, covered: int, members: int, placed: int, placed_covered: int
) -> dict[str, Any]:
    return {
        "chain": chain.name,
        "chain_id": chain.pk,
        "code": chain.code,
        "organizations": organizations,
        "enterprises_covered": covered,
        "members": members,
        "placed": placed,
        "placed_covered": placed_covered,
        "uncovered": placed - placed_covered,
        "coverage_rate": _rate(placed_covered, placed),
    }


def office_chain_coverage(scope: Scope, *, from_rows: bool = False) -> list[dict[str, Any]]:
    """chain_coverage's figures for the enterprises of one management office: the maintained figures of the office
    (`chains.coverage`, two queries with the chains), or with `from_rows=True` counted from the rows (six queries)."""
    assert scope.office is not None
    if from_rows:
        return _counted_office_chain_coverage(scope)
    chains = list(chains_visible_to(scope.user))
    per_chain: dict[tuple[str, int], int] = {}
    for (kind, chain_key, _formation), n in coverage.counts(scope.office.pk).items():
        per_chain[(kind, chain_key)] = per_chain.get((kind, chain_key), 0) + n

    def figure(kind: str, chain: Chain) -> int:
        return per_chain.get((kind, chain.pk), 0)

    return [
        _coverage_row(
            chain,
            figure(coverage.ORGANIZATIONS, chain),
            figure(coverage.COVERED_CHAIN, chain),
            figure(coverage.MEMBERS, chain),
            figure(coverage.PLACED, chain),
            figure(coverage.PLACED_COVERED, chain),
        )
        for chain in chains
    ]


def _counted_office_chain_coverage(scope: Scope) -> list[dict[str, Any]]:
    """office_chain_coverage counted from the rows with the office rule (six queries)."""
    assert scope.office is not None
    office = _office_enterprises(scope)
    chains = list(chains_visible_to(scope.user))
    orgs = dict(
        PartyOrganization.objects.filter(organizations_of_office_q(scope.office), chain__isnull=False)
        .order_by()
        .values("chain")
        .annotate(n=Count("pk"))
        .values_list("chain", "n")
    )
    covered = dict(
        Through.objects.filter(partyorganization__chain__isnull=False, enterprise__in=office)
        .order_by()
        .values("partyorganization__chain")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("partyorganization__chain", "n")
    )
    members = dict(
        PartyMember.objects.filter(members_of_office_q(scope.office), organization__chain__isnull=False)
        .order_by()
        .values("organization__chain")
        .annotate(n=Count("pk"))
        .values_list("organization__chain", "n")
    )
    placements = Placement.objects.filter(enterprise__in=office).order_by()
    placed = dict(
        placements.values("link__chain").annotate(n=Count("enterprise", distinct=True)).values_list("link__chain", "n")
    )
    placed_covered = dict(
        placements.filter(enterprise__in=Through.objects.values("enterprise"))
        .values("link__chain")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("link__chain", "n")
    )
    return [
        _coverage_row(
            chain,
            orgs.get(chain.pk, 0),
            covered.get(chain.pk, 0),
            members.get(chain.pk, 0),
            placed.get(chain.pk, 0),
            placed_covered.get(chain.pk, 0),
        )
        for chain in chains
    ]


def coverage_rows(scope: Scope, *, from_rows: bool = False) -> list[dict[str, Any]]:
    """Per chain (only the chosen chain when the scope names one): organizations, enterprises covered, members, …"""
    if scope.office is not None:
        rows = office_chain_coverage(scope, from_rows=from_rows)
    else:
        rows = chain_coverage(scope.user, from_rows=from_rows)
    if scope.chain is not None:
        rows = [row for row in rows if row["chain_id"] == scope.chain.pk]
    return rows


def organization_totals(scope: Scope, *, from_rows: bool = False) -> dict[str, int]:
    """Area (or office) totals: every party organization, not only those of a chain, unless a chain is chosen.

    - organizations: party organizations (of the chain; covering one of the office's enterprises);
    - enterprises_covered: distinct enterprises those organizations cover (within the office);
    - members: members of those organizations (working at one of the office's enterprises);
    - pioneer_posts: pioneer posts and responsibility zones of those organizations;
    - commando_teams: commando teams of those organizations.
    Three queries: the first three figures are the maintained ones of the area or the office (`chains.coverage`, one
    query), and `from_rows=True` counts them from the rows instead (five queries, the tests' comparison).
    """
    office = _office_enterprises(scope)
    organizations = PartyOrganization.objects.all()
    links = Through.objects.all()
    members = PartyMember.objects.all()
    if scope.chain is not None:
        organizations = organizations.filter(chain=scope.chain)
        links = links.filter(partyorganization__chain=scope.chain)
        members = members.filter(organization__chain=scope.chain)
    if scope.office is not None:
        # The office's organizations: from the maintained pairs (a join on a small table), or with `from_rows` by the
        # rule itself (through the office's enterprises' links: 0.5 s per count at province scale).
        if from_rows:
            organizations = organizations.filter(organizations_of_office_q(scope.office))
        else:
            organizations = organizations.filter(pk__in=coverage.office_organization_ids(scope.office.pk))
        links = links.filter(enterprise__in=office)
        members = members.filter(members_of_office_q(scope.office))
    org_ids = organizations.order_by().values("pk")
    if not from_rows and (office is not None or scope.area_wide):
        figures = _maintained_totals(scope)
    else:
        figures = {
            "organizations": organizations.count(),
            "enterprises_covered": links.order_by().values("enterprise").distinct().count(),
            "members": members.count(),
        }
    return {
        **figures,
        "pioneer_posts": PioneerPost.objects.filter(organization__in=org_ids).count(),
        "commando_teams": CommandoTeam.objects.filter(organization__in=org_ids).count(),
    }


def _maintained_totals(scope: Scope) -> dict[str, int]:
    """organizations, enterprises_covered and members of the whole area or the office (or a chain of them) from
    `chains.coverage`."""
    counts = coverage.counts(coverage.WHOLE_AREA if scope.office is None else scope.office.pk)

    def total(kind: str) -> int:
        return sum(
            n
            for (k, chain_key, _f), n in counts.items()
            if k == kind and (scope.chain is None or chain_key == scope.chain.pk)
        )

    return {
        "organizations": total(coverage.ORGANIZATIONS),
        "enterprises_covered": total(coverage.COVERED_ANY if scope.chain is None else coverage.COVERED_CHAIN),
        "members": total(coverage.MEMBERS),
    }


def organization_chain_figures(scope: Scope, *, from_rows: bool = False) -> dict[str, Any]:
    """Totals plus `by_chain` rows (chain, code, organizations, enterprises_covered, members, coverage_rate, …);
    `from_rows=True` counts them from the rows (the tests' comparison)."""
    figures: dict[str, Any] = dict(organization_totals(scope, from_rows=from_rows))
    figures["by_chain"] = [
        {
            key: row[key]
            for key in (
                "chain",
                "code",
                "chain_id",
                "organizations",
                "enterprises_covered",
                "members",
                "placed",
                "uncovered",
                "coverage_rate",
            )
        }
        for row in coverage_rows(scope, from_rows=from_rows)
    ]
    return figures


def chain_choices(user: Any) -> list[Chain]:
    return list(chains_visible_to(user))
