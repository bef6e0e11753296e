"""Maintained coverage figures of the organization chain (组织链), so the coverage of the whole area, or of one
management office (管理处), is read in one query.

The figures are those of `chains.selectors.chain_coverage` and of the cockpit's organization totals, for the whole area
and for each management office (users limited to some enterprises still count rows: their sets are small and their
scope is not a key of these counts). One row of `CoverageCount` per figure and office:

| kind | chain_key | formation | figure |
|---|---|---|---|
| organizations | chain (0: none) | formation | party organizations |
| members | chain (0: none) | formation | their members |
| covered | chain (0: none) | formation | distinct enterprises those organizations cover |
| covered_chain | chain (0: none) | "" | distinct enterprises covered by the chain's organizations, any formation |
| covered_any | 0 | "" | distinct enterprises covered by any party organization |
| placed | chain | "" | distinct enterprises placed on the chain's links |
| placed_covered | chain | "" | of those, the enterprises covered by any party organization |

`office_key` is 0 for the whole area, otherwise the management office's `Unit` id, by the office rule of
`organizations.selectors`: the enterprise-based kinds count in the enterprise's office; an organization counts in every
office among its covered enterprises' offices (once per office); a member counts in the office of the enterprise they
work at. An enterprise without an office, and a member without an enterprise, count only for the whole area. The pairs
(organization, office) themselves are kept in `CoverageOffice`, so an office's pioneer posts and commando teams are
counted from their rows by a join on it (`office_organization_ids`).

Distinct counts cannot be added up, so the unit of change is the enterprise: every write that can change what an
enterprise contributes (an organization's enterprises, chain or formation; a placement) runs inside `change()`, which
locks the enterprises (and organizations) concerned, computes their contribution before and after the write, and adds
the difference, in the same transaction — the mechanism of `service_requests.rollup`. Organizations contribute their
own count and their members' count the same way. An enterprise moving to another office moves its own cells, those of
the organizations covering it and those of the members working there (`enterprise_office_changed`, the receiver of
`enterprises.signals.office_changed`). Bulk loads that bypass the services end with `rebuild()`
(`manage.py rebuild_coverage`), which recomputes every figure from the rows, set-based; tests hold the maintained rows
equal to a rebuild after every write path and the figures equal to counting the rows.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, F, Model
from django.db.models.functions import Coalesce

from chains.models import CoverageCount, CoverageOffice, Placement
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
WHOLE_AREA = 0  # office_key of the figures of the whole area
CHUNK = 5000  # ids per IN (…) list

Cell = tuple[str, int, str]  # kind, chain_key, formation
Key = tuple[str, int, str, int]  # … and office_key
Pair = tuple[int, int]  # office_key, organization id
#: Enterprises whose management office is taken from here instead of the database (the office an enterprise had
#: before a move, already saved, when the contribution "before" the move is computed).
Offices = Mapping[int, int | None]
NO_MOVE: Offices = {}


def org_models(registry: Any = apps) -> tuple[type[Model], type[Model], Any]:
    """PartyOrganization, PartyMember and their enterprises' through model. The organizations app sits to the right
    of chains in the dependency order, so chains reaches its models through the app registry instead of importing it."""
    organization = registry.get_model("organizations", "PartyOrganization")
    return organization, registry.get_model("organizations", "PartyMember"), organization.enterprises.through


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _add(total: Counter[Key], cell: Cell, offices: Iterable[int | None], n: int = 1) -> None:
    """Count `n` in the whole area's cell and in each office's (an office of None counts for the area only)."""
    kind, chain_key, formation = cell
    total[(kind, chain_key, formation, WHOLE_AREA)] += n
    for office in offices:
        if office:
            total[(kind, chain_key, formation, office)] += n


# ---- what one enterprise / one organization contributes -------------------------------------------------------------


def enterprise_contribution(enterprise_ids: Iterable[int], moved: Offices = NO_MOVE) -> Counter[Key]:
    """The distinct-enterprise figures these enterprises make up, in the area and their office (three queries per
    5,000 enterprises)."""
    _organization, _member, through = org_models()
    enterprise_model = apps.get_model("enterprises", "Enterprise")
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
        counted = set(covers) | set(placed)
        if not counted:
            continue
        office_of: dict[int, int | None] = dict(
            enterprise_model._default_manager.filter(pk__in=counted).values_list("pk", "management_office_id")
        )
        office_of.update({pk: office for pk, office in moved.items() if pk in counted})
        for enterprise_id in counted:
            office = (office_of.get(enterprise_id),)
            cells = covers.get(enterprise_id, set())
            for chain_key, formation in cells:
                _add(total, (COVERED, chain_key, formation), office)
            for chain_key in {chain_key for chain_key, _formation in cells}:
                _add(total, (COVERED_CHAIN, chain_key, ALL), office)
            if cells:
                _add(total, (COVERED_ANY, AREA, ALL), office)
            for chain_id in placed.get(enterprise_id, ()):
                _add(total, (PLACED, chain_id, ALL), office)
                if cells:
                    _add(total, (PLACED_COVERED, chain_id, ALL), office)
    return total


def organization_contribution(
    organization_ids: Iterable[int], moved: Offices = NO_MOVE, pairs: set[Pair] | None = None
) -> Counter[Key]:
    """The organizations' own count (in the area and each office they cover an enterprise of) and their members' count
    (in the area and the office of each member's enterprise); three queries per 5,000 organizations, five when
    enterprises `moved`. The (office, organization) pairs are added to `pairs` when given."""
    organization_model, member_model, through = org_models()
    total: Counter[Key] = Counter()
    for ids in _chunks(organization_ids):
        cells = {
            pk: (chain_id or AREA, formation)
            for pk, chain_id, formation in organization_model._default_manager.filter(pk__in=ids).values_list(
                "pk", "chain_id", "formation"
            )
        }
        links = through._default_manager.filter(partyorganization_id__in=ids).order_by()
        offices: dict[int, set[int | None]] = {}
        for organization_id, office in (
            links.exclude(enterprise_id__in=list(moved))
            .values_list("partyorganization_id", "enterprise__management_office_id")
            .distinct()
        ):
            offices.setdefault(organization_id, set()).add(office)
        members = member_model._default_manager.filter(organization_id__in=ids).order_by()
        counts: Counter[tuple[int, int | None]] = Counter()
        for organization_id, office, n in (
            members.exclude(enterprise_id__in=list(moved))
            .values("organization_id", "enterprise__management_office_id")
            .annotate(n=Count("pk"))
            .values_list("organization_id", "enterprise__management_office_id", "n")
        ):
            counts[(organization_id, office)] += n
        if moved:
            for organization_id, enterprise_id in links.filter(enterprise_id__in=list(moved)).values_list(
                "partyorganization_id", "enterprise_id"
            ):
                offices.setdefault(organization_id, set()).add(moved[enterprise_id])
            for organization_id, enterprise_id, n in (
                members.filter(enterprise_id__in=list(moved))
                .values("organization_id", "enterprise_id")
                .annotate(n=Count("pk"))
                .values_list("organization_id", "enterprise_id", "n")
            ):
                counts[(organization_id, moved[enterprise_id])] += n
        for organization_id, (chain_key, formation) in cells.items():
            _add(total, (ORGANIZATIONS, chain_key, formation), offices.get(organization_id, ()))
            if pairs is not None:
                pairs.update((office, organization_id) for office in offices.get(organization_id, ()) if office)
        for (organization_id, office), n in counts.items():
            chain_key, formation = cells[organization_id]
            _add(total, (MEMBERS, chain_key, formation), (office,), n)
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

    def contribution(self, moved: Offices = NO_MOVE) -> tuple[Counter[Key], set[Pair]]:
        """The figures the enterprises and organizations make up, and the organizations' (office, organization)
        pairs."""
        pairs: set[Pair] = set()
        total = enterprise_contribution(self.enterprises, moved)
        total.update(organization_contribution(self.organizations, moved, pairs))
        return total, pairs


def _lock(model: Any, ids: set[int]) -> None:
    """Lock the rows whose contribution is recomputed, in key order, so two writers touching the same enterprise or
    organization see each other's result instead of the same "before" (organizations first, then enterprises)."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers on the database
    for chunk in _chunks(ids):
        list(model._default_manager.filter(pk__in=chunk).order_by("pk").select_for_update().values_list("pk"))


@contextmanager
def change(
    *,
    enterprises: Iterable[int] = (),
    organizations: Iterable[int] = (),
    their_enterprises: bool = False,
    workplaces: Iterable[int | None] = (),
) -> Iterator[Change]:
    """Run a write that may change the coverage of `enterprises` or the counts of `organizations`, and keep the
    figures in step: before (after locking them) and after the write, the difference is added in the same transaction.

    Pass every enterprise whose coverage or placement the write may change, including those it adds, and every
    organization whose chain, formation, enterprises or members change; `their_enterprises=True` adds the enterprises
    the organizations cover now (read after locking them), for a change of their chain, formation or enterprises. An
    organization created inside is registered with `tracked.created(organization=pk)`. `workplaces` are the
    enterprises the members written work at (before and after): they are only locked, so that their office cannot
    move (`enterprise_office_changed`) between the member's "before" and "after".
    """
    organization_model, _member, _through = org_models()
    tracked = Change(set(enterprises), set(organizations))
    with transaction.atomic():
        _lock(organization_model, tracked.organizations)
        if their_enterprises:
            tracked.enterprises |= covered_enterprise_ids(tracked.organizations)
        locked = tracked.enterprises | {pk for pk in workplaces if pk is not None}
        _lock(apps.get_model("enterprises", "Enterprise"), locked)
        before = tracked.contribution()
        yield tracked
        _apply(before, tracked.contribution())


def enterprise_office_changed(enterprise_id: int, old_office: int | None) -> None:
    """An enterprise moved from `old_office` to the office it now has (already saved, in this transaction): move its
    own cells, and those of the organizations covering it and of the members working there.

    Called inside the enterprise's update, which holds the enterprise's row lock, so the organizations are locked after
    it — the reverse of `change()`'s order: a write locking one of them and then this enterprise at the same instant
    deadlocks, and PostgreSQL aborts one of the two (moving an enterprise is a rare administrative edit). The
    organizations covering it and the members working there cannot change meanwhile: their writers lock it."""
    organization_model, member_model, through = org_models()
    with transaction.atomic():
        organizations = set(
            through._default_manager.filter(enterprise_id=enterprise_id).values_list("partyorganization_id", flat=True)
        )
        organizations |= set(
            member_model._default_manager.filter(enterprise_id=enterprise_id).values_list("organization_id", flat=True)
        )
        _lock(organization_model, organizations)
        tracked = Change({enterprise_id}, organizations)
        _apply(tracked.contribution(moved={enterprise_id: old_office}), tracked.contribution())


def _apply(before: tuple[Counter[Key], set[Pair]], after: tuple[Counter[Key], set[Pair]]) -> None:
    """Add the difference of the figures, and drop and add the (office, organization) pairs that changed (their
    organizations are locked, so no other writer changes the same pairs meanwhile)."""
    delta = after[0].copy()
    delta.subtract(before[0])
    with connection.cursor() as cursor:
        increment_cells(cursor, CoverageCount, ("kind", "chain_key", "formation", "office_key"), delta)
    for office, organization in sorted(before[1] - after[1]):
        CoverageOffice.objects.filter(office_key=office, organization_key=organization).delete()
    CoverageOffice.objects.bulk_create(
        [
            CoverageOffice(office_key=office, organization_key=organization)
            for office, organization in sorted(after[1] - before[1])
        ],
        ignore_conflicts=True,
    )


# ---- reading --------------------------------------------------------------------------------------------------------


def counts(office: int = WHOLE_AREA) -> dict[Cell, int]:
    """The maintained figures of the whole area (or of the office with this id), keyed (kind, chain_key, formation) —
    one query over a few dozen rows."""
    return {
        (kind, chain_key, formation): n
        for kind, chain_key, formation, n in CoverageCount.objects.filter(office_key=office).values_list(
            "kind", "chain_key", "formation", "n"
        )
    }


def office_organization_ids(office: int) -> Any:
    """The ids of the party organizations covering one of the office's enterprises, as a subquery (maintained)."""
    return CoverageOffice.objects.filter(office_key=office).order_by().values("organization_key")


def office_pairs() -> set[Pair]:
    """Every maintained (office, organization) pair (tests, rebuild checks)."""
    return set(CoverageOffice.objects.values_list("office_key", "organization_key"))


def computed_pairs(registry: Any = apps) -> set[Pair]:
    """Every (office, organization) pair counted from the rows, in one query."""
    _organization, _member, through = org_models(registry)
    return set(
        through._default_manager.filter(enterprise__management_office__isnull=False)
        .order_by()
        .values_list("enterprise__management_office_id", "partyorganization_id")
        .distinct()
    )


def all_counts() -> dict[Key, int]:
    """Every maintained figure of every office, keyed (kind, chain_key, formation, office_key) (tests, rebuild checks)."""
    return {
        (kind, chain_key, formation, office): n
        for kind, chain_key, formation, office, n in CoverageCount.objects.values_list(
            "kind", "chain_key", "formation", "office_key", "n"
        )
    }


# ---- rebuilding from the rows (set-based) ---------------------------------------------------------------------------


def computed(registry: Any = apps) -> Counter[Key]:
    """Every figure counted from the rows (the same definitions as the contributions above), in eight queries.
    `registry` is the app registry to take the models from (a migration passes its historical one).

    The enterprise-based kinds and the members are grouped by office and the whole area is the sum of its offices
    (with the group of no office): every enterprise, and every member, is in one office at most. An organization may
    be in several, so the whole area's organizations are counted apart."""
    organization_model, member_model, through = org_models(registry)
    total: Counter[Key] = Counter()

    def add(kind: str, rows: Any) -> None:
        for chain_key, formation, office, n in rows:
            if n:
                _add(total, (kind, chain_key, formation), (office,), n)

    org_chain, org_formation = "partyorganization__chain_id", "partyorganization__formation"
    office = F("enterprise__management_office_id")
    covers = through._default_manager.order_by()
    for chain_key, formation, n in (
        organization_model._default_manager.order_by()
        .values(key=Coalesce("chain_id", AREA), f=F("formation"))
        .annotate(n=Count("pk"))
        .values_list("key", "f", "n")
    ):
        total[(ORGANIZATIONS, chain_key, formation, WHOLE_AREA)] += n
    for chain_key, formation, office_key, n in (
        covers.filter(enterprise__management_office__isnull=False)
        .values(key=Coalesce(org_chain, AREA), f=F(org_formation), o=office)
        .annotate(n=Count("partyorganization_id", distinct=True))
        .values_list("key", "f", "o", "n")
    ):
        total[(ORGANIZATIONS, chain_key, formation, office_key)] += n
    add(
        MEMBERS,
        member_model._default_manager.order_by()
        .values(key=Coalesce("organization__chain_id", AREA), f=F("organization__formation"), o=office)
        .annotate(n=Count("pk"))
        .values_list("key", "f", "o", "n"),
    )
    add(
        COVERED,
        covers.values(key=Coalesce(org_chain, AREA), f=F(org_formation), o=office)
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("key", "f", "o", "n"),
    )
    for chain_key, office_key, n in (
        covers.values(key=Coalesce(org_chain, AREA), o=office)
        .annotate(n=Count("enterprise_id", distinct=True))
        .values_list("key", "o", "n")
    ):
        _add(total, (COVERED_CHAIN, chain_key, ALL), (office_key,), n)
    for office_key, n in (
        covers.values(o=office).annotate(n=Count("enterprise_id", distinct=True)).values_list("o", "n")
    ):
        _add(total, (COVERED_ANY, AREA, ALL), (office_key,), n)
    placements = registry.get_model("chains", "Placement").objects.order_by().values("link__chain_id", o=office)
    for kind, rows in (
        (PLACED, placements),
        (PLACED_COVERED, placements.filter(enterprise_id__in=covers.values("enterprise_id"))),
    ):
        for chain_key, office_key, n in rows.annotate(n=Count("enterprise_id", distinct=True)).values_list(
            "link__chain_id", "o", "n"
        ):
            _add(total, (kind, chain_key, ALL), (office_key,), n)
    return +total


@transaction.atomic
def rebuild(registry: Any = apps) -> int:
    """Recompute every figure from the rows (after a bulk load, and by the migrations that create and refill the
    table). Returns the number of rows written.

    The table of migration 0004 has no office yet: there only the whole area's figures are written (0005 refills)."""
    figures = computed(registry)
    counts = registry.get_model("chains", "CoverageCount")
    per_office = any(f.name == "office_key" for f in counts._meta.get_fields())
    if not per_office:
        figures = Counter({key: n for key, n in figures.items() if key[3] == WHOLE_AREA})
    else:
        pairs = registry.get_model("chains", "CoverageOffice")
        pairs.objects.all().delete()
        pairs.objects.bulk_create(
            (
                pairs(office_key=office, organization_key=organization)
                for office, organization in sorted(computed_pairs(registry))
            ),
            batch_size=CHUNK,
        )
    counts.objects.all().delete()
    counts.objects.bulk_create(
        counts(
            kind=kind, chain_key=chain_key, formation=formation, n=n, **({"office_key": office} if per_office else {})
        )
        for (kind, chain_key, formation, office), n in sorted(figures.items())
    )
    return len(figures)
