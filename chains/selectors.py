"""Reads on chains, links and placements, and the organization-chain coverage of each chain (组织链覆盖).

Chains and their links are facts of the area every staff role and enterprise user may read; placements are scoped
like enterprises (`enterprises.selectors.enterprises_visible_to`).

Coverage joins chains with the organization chain. The organizations app sits to the right of chains in the
dependency order, so coverage reaches its models through the app registry (`chains.coverage.org_models`).
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet

from accounts.choices import Role
from chains import coverage
from chains.models import Chain, Link, Placement
from core.access import get_visible_or_404
from enterprises.models import Enterprise
from enterprises.selectors import enterprises_visible_to, sees_all_enterprises

#: Formation types in display order, with their Chinese labels (organizations.choices.Formation).
FORMATIONS: list[tuple[str, str]] = [
    ("single", "单独组建"),
    ("regional_joint", "区域联建"),
    ("chain_joint", "产业链联合"),
]
RATE_PLACES = Decimal("0.0001")


def _anonymous(user: Any) -> bool:
    return user is None or not user.is_authenticated


def can_view_coverage(user: Any) -> bool:
    """Coverage is a figure of the area's work: staff roles see it (scoped to what they may see), others do not."""
    return not _anonymous(user) and bool(user.is_staff_role)


def chains_visible_to(user: Any) -> QuerySet[Chain]:
    qs = Chain.objects.all()
    if _anonymous(user) or (user.role == Role.TALENT and not user.is_superuser):
        return qs.none()
    return qs


def chain_for(user: Any, pk: Any) -> Chain:
    return get_visible_or_404(chains_visible_to(user), pk=pk)


def links_visible_to(user: Any) -> QuerySet[Link]:
    return Link.objects.select_related("chain", "parent").filter(chain__in=chains_visible_to(user))


def link_for(user: Any, pk: Any) -> Link:
    return get_visible_or_404(links_visible_to(user), pk=pk)


def placements_visible_to(user: Any) -> QuerySet[Placement]:
    qs = Placement.objects.select_related("enterprise", "link", "link__chain")
    if _anonymous(user):
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    return qs.filter(enterprise__in=enterprises_visible_to(user).order_by().values("pk"))


def link_tree(chain: Chain, user: Any = None) -> list[dict[str, Any]]:
    """The chain's links as a tree: [{link, placed, children: [...]}, ...] in two queries.

    `placed` counts the enterprises on the link that the user may see (all of them when user is None).
    """
    links = list(Link.objects.filter(chain=chain).order_by("sort_order", "id"))
    placements = Placement.objects.filter(link__chain=chain)
    if user is not None:
        placements = placements.filter(pk__in=placements_visible_to(user).order_by().values("pk"))
    counts = dict(placements.order_by().values("link").annotate(n=Count("enterprise")).values_list("link", "n"))
    nodes: dict[int, dict[str, Any]] = {
        link.pk: {"link": link, "placed": counts.get(link.pk, 0), "children": []} for link in links
    }
    roots = []
    for link in links:
        node = nodes[link.pk]
        if link.parent_id in nodes:
            nodes[link.parent_id]["children"].append(node)
        else:
            roots.append(node)
    return roots


# ---- coverage --------------------------------------------------------------------------------------------------


def _rate(numerator: int, denominator: int) -> Decimal:
    if not denominator:
        return Decimal("0.0000")
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


Figures = tuple[
    dict[tuple[Any, str], int],
    dict[tuple[Any, str], int],
    dict[tuple[Any, str], int],
    dict[Any, int],
    dict[Any, int],
    dict[Any, int],
]


def _maintained_coverage() -> Figures:
    """The whole area's figures from `chains.coverage` (one query), in `_counted_coverage`'s shape."""
    counts = coverage.counts()

    def split(kind: str) -> dict[tuple[Any, str], int]:
        return {(chain, formation): n for (k, chain, formation), n in counts.items() if k == kind}

    def per_chain(kind: str) -> dict[Any, int]:
        return {chain: n for (k, chain, _formation), n in counts.items() if k == kind}

    return (
        split(coverage.ORGANIZATIONS),
        split(coverage.MEMBERS),
        split(coverage.COVERED),
        per_chain(coverage.COVERED_CHAIN),
        per_chain(coverage.PLACED),
        per_chain(coverage.PLACED_COVERED),
    )


def _counted_coverage(user: Any) -> Figures:
    """The figures counted from the rows, limited to the enterprises `user` may see (all without a user); six queries."""
    organization_model, member_model, through = coverage.org_models()
    visible: Any = enterprises_visible_to(user).order_by().values("pk") if user is not None else None

    organizations = organization_model._default_manager.filter(chain__isnull=False)
    covered_links = through._default_manager.filter(partyorganization__chain__isnull=False)
    members = member_model._default_manager.filter(organization__chain__isnull=False)
    placements = Placement.objects.all()
    covered_any = through._default_manager.order_by().values("enterprise")
    if visible is not None:
        organizations = organizations.filter(
            pk__in=through._default_manager.filter(enterprise__in=visible).values("partyorganization")
        )
        covered_links = covered_links.filter(enterprise__in=visible)
        members = members.filter(enterprise__in=visible)
        placements = placements.filter(enterprise__in=visible)

    org_split = _grouped(organizations.values("chain", "formation").annotate(n=Count("pk")), "chain", "formation")
    member_split = _grouped(
        members.values("organization__chain", "organization__formation").annotate(n=Count("pk")),
        "organization__chain",
        "organization__formation",
    )
    covered_split = _grouped(
        covered_links.values("partyorganization__chain", "partyorganization__formation").annotate(
            n=Count("enterprise", distinct=True)
        ),
        "partyorganization__chain",
        "partyorganization__formation",
    )
    covered_total = dict(
        covered_links.values("partyorganization__chain")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("partyorganization__chain", "n")
    )
    placed = dict(
        placements.order_by()
        .values("link__chain")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("link__chain", "n")
    )
    placed_covered = dict(
        placements.filter(enterprise__in=covered_any)
        .order_by()
        .values("link__chain")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("link__chain", "n")
    )
    return org_split, member_split, covered_split, covered_total, placed, placed_covered


def chain_coverage(user: Any = None, *, from_rows: bool = False) -> list[dict[str, Any]]:
    """Per chain: organizations, enterprises covered, members, enterprises placed, coverage rate, split by formation.

    - organizations: party organizations whose `chain` is the chain;
    - enterprises_covered: distinct enterprises covered by those organizations;
    - members: members of those organizations;
    - placed: distinct enterprises placed on the chain's links;
    - placed_covered: placed enterprises covered by ANY party organization (of any chain or none);
    - coverage_rate: placed_covered ÷ placed (Decimal, 4 places; 0 when nothing is placed);
    - uncovered: placed − placed_covered;
    - by_formation: [{formation, label, organizations, enterprises_covered, members}] for the chain's organizations.

    With `user`, figures count only what that user may see: for roles limited to some enterprises, organizations
    covering one of them, those enterprises, and members working at them (seven queries whatever the number of chains).
    Users who see the whole area read the maintained figures (`chains.coverage`, two queries); `from_rows=True` counts
    the rows for them too (the tests' comparison).
    """
    chains = list(Chain.objects.all() if user is None else chains_visible_to(user))
    scoped = user is not None and not sees_all_enterprises(user)
    figures = _counted_coverage(user if scoped else None) if scoped or from_rows else _maintained_coverage()
    org_split, member_split, covered_split, covered_total, placed, placed_covered = figures
    rows = []
    for chain in chains:
        split: list[dict[str, Any]] = [
            {
                "formation": formation,
                "label": label,
                "organizations": org_split.get((chain.pk, formation), 0),
                "enterprises_covered": covered_split.get((chain.pk, formation), 0),
                "members": member_split.get((chain.pk, formation), 0),
            }
            for formation, label in FORMATIONS
        ]
        n_placed = placed.get(chain.pk, 0)
        n_placed_covered = placed_covered.get(chain.pk, 0)
        rows.append(
            {
                "chain": chain.name,
                "chain_id": chain.pk,
                "code": chain.code,
                "organizations": sum(s["organizations"] for s in split),
                "enterprises_covered": covered_total.get(chain.pk, 0),
                "members": sum(s["members"] for s in split),
                "placed": n_placed,
                "placed_covered": n_placed_covered,
                "uncovered": n_placed - n_placed_covered,
                "coverage_rate": _rate(n_placed_covered, n_placed),
                "by_formation": split,
            }
        )
    return rows


def _grouped(rows: Any, key: str, sub: str) -> dict[tuple[Any, str], int]:
    return {(row[key], row[sub]): row["n"] for row in rows.order_by()}


def chain_coverage_for(chain: Chain, user: Any = None) -> dict[str, Any]:
    """The coverage row of one chain (same figures as chain_coverage)."""
    for row in chain_coverage(user):
        if row["chain_id"] == chain.pk:
            return row
    raise Chain.DoesNotExist


def uncovered_enterprises(chain: Chain, user: Any) -> QuerySet[Enterprise]:
    """Enterprises placed on the chain (and visible to the user) that no party organization covers."""
    _organization, _member, through = coverage.org_models()
    on_chain = Placement.objects.filter(link__chain=chain).values("enterprise")
    return (
        enterprises_visible_to(user)
        .filter(pk__in=on_chain)
        .exclude(pk__in=through._default_manager.values("enterprise"))
        .order_by("name", "pk")
    )
