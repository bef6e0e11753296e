"""Maintained coverage figures of the organization chain (组织链), so the whole area's coverage is read in one query.

The figures are those of `chains.selectors.chain_coverage` and of the cockpit's organization totals, for the whole area
(users limited to some enterprises, and the cockpit narrowed to a management office, still count rows: their sets are
small and their scope is not a key of these counts). One row of `CoverageCount` per figure:

| kind | chain_key | formation | figure |
|---|---|---|---|
| organizations | chain (0: none) | formation | party organizations |
| members | chain (0: none) | formation | their members |
| covered | chain (0: none) | formation | distinct enterprises those organizations cover |
| covered_chain | chain (0: none) | "" | distinct enterprises covered by the chain's organizations, any formation |
| covered_any | 0 | "" | distinct enterprises covered by any party organization |
| placed | chain | "" | distinct enterprises placed on the chain's links |
| placed_covered | chain | "" | of those, the enterprises covered by any party organization |

Distinct counts cannot be added up, so the unit of change is the enterprise: every write that can change what an
enterprise contributes (an organization's enterprises, chain or formation; a placement) runs inside `change()`, which
locks the enterprises (and organizations) concerned, computes their contribution before and after the write, and adds
the difference, in the same transaction — the mechanism of `service_requests.rollup`. Organizations contribute their
own count and their members' count the same way. Bulk loads that bypass the services end with `rebuild()`
(`manage.py rebuild_coverage`), which recomputes every figure from the rows, set-based; tests hold the maintained rows
equal to a rebuild after every write path and the figures equal to counting the rows.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, F, Model
from django.db.models.functions import Coalesce

from chains.models import CoverageCount, Placement
from core.counters import increment_cells

ORGANIZATIONS = "organizations"
MEMBERS = "members"
COVERED = "covered"
COVERED_CHAIN = "covered_chain"
COVERED_ANY = "covered_any"
PLACED = "placed"
PLACED_COVERED = "placed_covered"

AREA = 0  # chain_key of organizations without a chain, and of the area-wide kinds
ALL = ""  # formation of the figures that span every formation
CHUNK = 5000  # ids per IN (…) list

Key = tuple[str, int, str]


def org_models(registry: Any = apps) -> tuple[type[Model], type[Model], Any]:
    """PartyOrganization, PartyMember and their enterprises' through model. The organizations app sits to the right
    of chains in the dependency order, so chains reaches its models through the app registry instead of importing it."""
    organization = registry.get_model("organizations", "PartyOrganization")
    return organization, registry.get_model("organizations", "PartyMember"), organization.enterprises.through


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


# ---- what one enterprise / one organization contributes -------------------------------------------------------------


def enterprise_contribution(enterprise_ids: Iterable[int]) -> Counter[Key]:
    """The distinct-enterprise figures these enterprises make up (two queries per 5,000 enterprises)."""
    _organization, _member, through = org_models()
    total: Counter[Key] = Counter()
    for ids in _chunks(enterprise_ids):
        covers: dict[int, set[tuple[int, str]]] = {}
        for enterprise_id, chain_id, formation in (
            through._default_manager.filter(enterprise_id__in=ids)
            .order_by()
            .values_list("enterprise_id", "partyorganization__chain_id", "partyorganization__formation")
            .distinct()
        ):
            covers.setdefault(enterprise_id, set()).add((chain_id or AREA, formation))
        placed: dict[int, set[int]] = {}
        for enterprise_id, chain_id in (
            Placement.objects.filter(enterprise_id__in=ids)
            .order_by()
            .values_list("enterprise_id", "link__chain_id")
            .distinct()
        ):
            placed.setdefault(enterprise_id, set()).add(chain_id)
        for enterprise_id in set(covers) | set(placed):
            cells = covers.get(enterprise_id, set())
            for chain_key, formation in cells:
                total[(COVERED, chain_key, formation)] += 1
            for chain_key in {chain_key for chain_key, _formation in cells}:
                total[(COVERED_CHAIN, chain_key, ALL)] += 1
            if cells:
                total[(COVERED_ANY, AREA, ALL)] += 1
            for chain_id in placed.get(enterprise_id, ()):
                total[(PLACED, chain_id, ALL)] += 1
                if cells:
                    total[(PLACED_COVERED, chain_id, ALL)] += 1
    return total


def organization_contribution(organization_ids: Iterable[int]) -> Counter[Key]:
    """The organizations' own count and their members' count (two queries per 5,000 organizations)."""
    organization_model, member_model, _through = org_models()
    total: Counter[Key] = Counter()
    for ids in _chunks(organization_ids):
        cells = {
            pk: (chain_id or AREA, formation)
            for pk, chain_id, formation in organization_model._default_manager.filter(pk__in=ids).values_list(
                "pk", "chain_id", "formation"
            )
        }
        for chain_key, formation in cells.values():
            total[(ORGANIZATIONS, chain_key, formation)] += 1
        for organization_id, n in (
            member_model._default_manager.filter(organization_id__in=ids)
            .order_by()
            .values("organization_id")
            .annotate(n=Count("pk"))
            .values_list("organization_id", "n")
        ):
            chain_key, formation = cells[organization_id]
            total[(MEMBERS, chain_key, formation)] += n
    return total


def covered_enterprise_ids(organization_ids: Iterable[int]) -> set[int]:
    """The enterprises the organizations cover now (whose figures move when an organization changes)."""
    _organization, _member, through = org_models()
    found: set[int] = set()
    for ids in _chunks(organization_ids):
        found.update(
            through._default_manager.filter(partyorganization_id__in=ids).values_list("enterprise_id", flat=True)
        )
    return found


# ---- applying a change ----------------------------------------------------------------------------------------------


@dataclass
class Change:
    """The enterprises and organizations a write touches."""

    enterprises: set[int] = field(default_factory=set)
    organizations: set[int] = field(default_factory=set)

    def created(self, *, organization: int) -> None:
        """An organization created during the write: it contributed nothing before, its contribution after counts."""
        self.organizations.add(organization)

    def contribution(self) -> Counter[Key]:
        total = enterprise_contribution(self.enterprises)
        total.update(organization_contribution(self.organizations))
        return total


def _lock(model: Any, ids: set[int]) -> None:
    """Lock the rows whose contribution is recomputed, in key order, so two writers touching the same enterprise or
    organization see each other's result instead of the same "before" (organizations first, then enterprises)."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers on the database
    for chunk in _chunks(ids):
        list(model._default_manager.filter(pk__in=chunk).order_by("pk").select_for_update().values_list("pk"))


@contextmanager
def change(
    *, enterprises: Iterable[int] = (), organizations: Iterable[int] = (), their_enterprises: bool = False
) -> Iterator[Change]:
    """Run a write that may change the coverage of `enterprises` or the counts of `organizations`, and keep the
    figures in step: before (after locking them) and after the write, the difference is added in the same transaction.

    Pass every enterprise whose coverage or placement the write may change, including those it adds, and every
    organization whose chain, formation, enterprises or members change; `their_enterprises=True` adds the enterprises
    the organizations cover now (read after locking them), for a change of their chain, formation or enterprises. An
    organization created inside is registered with `tracked.created(organization=pk)`.
    """
    organization_model, _member, _through = org_models()
    tracked = Change(set(enterprises), set(organizations))
    with transaction.atomic():
        _lock(organization_model, tracked.organizations)
        if their_enterprises:
            tracked.enterprises |= covered_enterprise_ids(tracked.organizations)
        _lock(apps.get_model("enterprises", "Enterprise"), tracked.enterprises)
        before = tracked.contribution()
        yield tracked
        after = tracked.contribution()
        after.subtract(before)
        _apply(after)


def _apply(delta: Counter[Key]) -> None:
    with connection.cursor() as cursor:
        increment_cells(cursor, CoverageCount, ("kind", "chain_key", "formation"), delta)


# ---- reading --------------------------------------------------------------------------------------------------------


def counts() -> dict[Key, int]:
    """Every maintained figure, keyed (kind, chain_key, formation) — one query over a few dozen rows."""
    return {
        (kind, chain_key, formation): n
        for kind, chain_key, formation, n in CoverageCount.objects.values_list("kind", "chain_key", "formation", "n")
    }


# ---- rebuilding from the rows (set-based) ---------------------------------------------------------------------------


def computed(registry: Any = apps) -> Counter[Key]:
    """Every figure counted from the rows (the same definitions as the contributions above), in seven queries.
    `registry` is the app registry to take the models from (a migration passes its historical one)."""
    organization_model, member_model, through = org_models(registry)
    chain = Coalesce("chain_id", AREA)
    total: Counter[Key] = Counter()

    def add(kind: str, rows: Any) -> None:
        for chain_key, formation, n in rows:
            if n:
                total[(kind, chain_key, formation)] += n

    org_chain, org_formation = "partyorganization__chain_id", "partyorganization__formation"
    covers = through._default_manager.order_by()
    add(
        ORGANIZATIONS,
        organization_model._default_manager.order_by()
        .values(key=chain, f=F("formation"))
        .annotate(n=Count("pk"))
        .values_list("key", "f", "n"),
    )
    add(
        MEMBERS,
        member_model._default_manager.order_by()
        .values(key=Coalesce("organization__chain_id", AREA), f=F("organization__formation"))
        .annotate(n=Count("pk"))
        .values_list("key", "f", "n"),
    )
    add(
        COVERED,
        covers.values(key=Coalesce(org_chain, AREA), f=F(org_formation))
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("key", "f", "n"),
    )
    for chain_key, n in (
        covers.values(key=Coalesce(org_chain, AREA))
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("key", "n")
    ):
        total[(COVERED_CHAIN, chain_key, ALL)] += n
    any_cover = covers.values("enterprise_id").distinct().count()
    if any_cover:
        total[(COVERED_ANY, AREA, ALL)] = any_cover
    placements = registry.get_model("chains", "Placement").objects.order_by().values("link__chain_id")
    for kind, rows in (
        (PLACED, placements),
        (PLACED_COVERED, placements.filter(enterprise_id__in=covers.values("enterprise_id"))),
    ):
        for chain_key, n in rows.annotate(n=Count("enterprise_id", distinct=True)).values_list("link__chain_id", "n"):
            total[(kind, chain_key, ALL)] += n
    return total


@transaction.atomic
def rebuild(registry: Any = apps) -> int:
    """Recompute every figure from the rows (after a bulk load, and by the migration that creates the table).
    Returns the number of rows written."""
    figures = computed(registry)
    counts = registry.get_model("chains", "CoverageCount")
    counts.objects.all().delete()
    counts.objects.bulk_create(
        counts(kind=kind, chain_key=chain_key, formation=formation, n=n)
        for (kind, chain_key, formation), n in sorted(figures.items())
    )
    return len(figures)
