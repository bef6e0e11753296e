"""The maintained coverage figures (`chains.coverage`), of the whole area and of every management office, stay equal to
counting the rows after every write path: organizations created, given enterprises (across offices), moved to another
chain or formation; members created and moved (to another organization, to an enterprise of another office);
placements made and removed; an enterprise moving to another office; the organization and member importers; and
concurrent writers on the same enterprise (PostgreSQL)."""

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role, UnitKind
from accounts.models import Unit
from accounts.tests.factories import UnitFactory, UserFactory
from chains import coverage
from chains.models import Chain, CoverageCount, Placement
from chains.selectors import chain_coverage
from chains.services import placement_delete, placement_upsert
from chains.tests.factories import ChainFactory, LinkFactory
from cockpit.periods import year_period
from cockpit.scope import Scope
from cockpit.selectors.organization import organization_chain_figures, organization_totals
from enterprises.services import enterprise_update
from enterprises.tests.factories import EnterpriseFactory
from organizations.choices import Formation
from organizations.models import PartyOrganization
from organizations.services import (
    commando_team_create,
    member_create,
    member_update,
    organization_create,
    organization_update,
    pioneer_post_create,
)
from organizations.tests.factories import small_area

pytestmark = pytest.mark.django_db


def maintained() -> Counter:
    """Every maintained figure of the area and the offices, keyed (kind, chain_key, formation, office_key)."""
    return Counter({key: n for key, n in coverage.all_counts().items() if n})


def area_figures() -> Counter:
    """The whole area's maintained figures, keyed (kind, chain_key, formation)."""
    return Counter({key: n for key, n in coverage.counts().items() if n})


def assert_exact(leader: Any = None) -> None:
    """Maintained rows = a recount; the coverage page and the cockpit's figures, of the area and of every office (with
    and without a chain), = their row-counting versions."""
    assert maintained() == coverage.computed()
    assert coverage.office_pairs() == coverage.computed_pairs()
    assert chain_coverage() == chain_coverage(from_rows=True)
    if leader is not None:
        chains = [None, *Chain.objects.all()]
        for office in [None, *Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE)]:
            for chain in chains:
                scope = Scope(user=leader, period=year_period(2026), chain=chain, office=office)
                assert organization_chain_figures(scope) == organization_chain_figures(scope, from_rows=True), (
                    office,
                    chain,
                )


def _counted_totals(scope: Scope) -> dict[str, int]:
    return organization_totals(scope, from_rows=True)


@pytest.fixture
def area():
    return small_area()


def test_the_small_area_is_counted_as_by_hand(area):
    figures = area_figures()
    chain = area.chain.pk
    assert figures[(coverage.ORGANIZATIONS, chain, Formation.SINGLE)] == 1
    assert figures[(coverage.ORGANIZATIONS, chain, Formation.CHAIN_JOINT)] == 1
    assert figures[(coverage.MEMBERS, chain, Formation.SINGLE)] == 3
    assert figures[(coverage.COVERED_CHAIN, chain, coverage.ALL)] == 2
    assert figures[(coverage.COVERED_ANY, coverage.AREA, coverage.ALL)] == 3  # e1, e2 and e3 (regional, no chain)
    assert figures[(coverage.PLACED, chain, coverage.ALL)] == 4
    assert figures[(coverage.PLACED_COVERED, chain, coverage.ALL)] == 3
    row = chain_coverage()[0]
    assert (row["organizations"], row["enterprises_covered"], row["members"]) == (2, 2, 5)
    assert row["coverage_rate"] == Decimal("0.7500")
    assert_exact()


def test_every_service_write_keeps_the_figures_exact(area):
    admin = UserFactory.create(role=Role.ADMIN, username="cov_counts_admin")
    leader = UserFactory.create(role=Role.LEADER, username="cov_counts_leader")
    other = ChainFactory.create(name="数字经济", code="digital_economy")
    other_link = LinkFactory.create(chain=other, name="软件")
    office_c = UnitFactory.create(name="第三管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    e6 = EnterpriseFactory.create(management_office=area.office_b)
    e7 = EnterpriseFactory.create(management_office=office_c)
    assert_exact(leader)

    # A new organization covering an already-covered enterprise (e1) and a new one (e6).
    org = organization_create(actor=admin, name="新建联合党支部", chain=area.chain, enterprises=[area.e1, e6])
    assert_exact(leader)
    # Posts and teams are counted from their rows; an office's follow its organizations' offices as these move.
    pioneer_post_create(actor=admin, kind="post", name="新建先锋岗", organization=org)
    pioneer_post_create(actor=admin, kind="post", name="甲先锋岗", organization=area.org_single)
    commando_team_create(actor=admin, name="新建突击队", organization=org, goal="攻关")
    assert_exact(leader)
    assert chain_coverage()[0]["enterprises_covered"] == 3
    # Its enterprises replaced: e1 and e6 leave, e4 (placed, uncovered) and e7 come.
    organization_update(actor=admin, organization=org, enterprises=[area.e4, e7])
    assert_exact(leader)
    assert chain_coverage()[0]["coverage_rate"] == Decimal("1.0000")
    # Moved to another chain, then another formation, then out of any chain.
    organization_update(actor=admin, organization=org, chain=other)
    assert_exact(leader)
    organization_update(actor=admin, organization=org, formation=Formation.REGIONAL_JOINT)
    assert_exact(leader)
    organization_update(actor=admin, organization=org, chain=None)
    assert_exact(leader)
    organization_update(actor=admin, organization=org, name="改名不改数")
    assert_exact(leader)

    # Members: created, moved between organizations.
    member = member_create(actor=admin, name="新党员", organization=org)
    assert_exact(leader)
    member_update(actor=admin, member=member, organization=area.org_single)
    assert_exact(leader)
    assert chain_coverage()[0]["members"] == 6
    # … moved to an enterprise of another office, then to none, then to the office's enterprise.
    member_update(actor=admin, member=member, enterprise=area.e3)
    assert_exact(leader)
    member_update(actor=admin, member=member, enterprise=None)
    assert_exact(leader)
    member_update(actor=admin, member=member, enterprise=e7, organization=org)
    assert_exact(leader)

    # Enterprises moving office: e1 (covered twice, placed, three members) to office C, e3 out of any office, e7 (the
    # only enterprise of `org` in office C) to office A, and e4 back in.
    enterprise_update(actor=admin, enterprise=area.e1, management_office=office_c)
    assert_exact(leader)
    enterprise_update(actor=admin, enterprise=area.e3, management_office=None)
    assert_exact(leader)
    enterprise_update(actor=admin, enterprise=e7, management_office=area.office_a)
    assert_exact(leader)
    enterprise_update(actor=admin, enterprise=area.e3, management_office=area.office_b)
    assert_exact(leader)
    # An organization's enterprises replaced across offices: e1 (C) and e5 (B) instead of e4 (B) and e7 (A).
    organization_update(actor=admin, organization=org, enterprises=[area.e1, area.e5])
    assert_exact(leader)

    # Placements: a new one on the other chain for a covered enterprise, an uncovered one, then removals.
    placement, created = placement_upsert(actor=admin, enterprise=area.e1, link=other_link)
    assert created
    assert_exact(leader)
    placement_upsert(actor=admin, enterprise=e6, link=other_link, main_product="改主营")
    assert_exact(leader)
    placement_delete(actor=admin, placement=placement)
    assert_exact(leader)
    for placement in Placement.objects.filter(link__chain=area.chain):
        placement_delete(actor=admin, placement=placement)
    assert_exact(leader)
    assert chain_coverage()[0]["placed"] == 0


def test_rebuild_recomputes_what_a_bulk_load_wrote(area):
    extra = PartyOrganization.objects.create(name="批量导入党支部", chain=area.chain)
    extra.enterprises.add(area.e4)  # a bulk load bypasses the services
    assert maintained() != coverage.computed()
    assert coverage.rebuild() == len(coverage.computed())
    assert_exact()
    assert chain_coverage()[0]["coverage_rate"] == Decimal("1.0000")


def test_the_area_wide_cockpit_reads_the_maintained_figures_in_a_constant_number_of_queries(area):
    leader = UserFactory.create(role=Role.LEADER, username="cov_counts_leader2")
    scope = Scope(user=leader, period=year_period(2026))
    with CaptureQueriesContext(connection) as queries:
        organization_totals(scope)
    assert len(queries) == 3  # the maintained figures, pioneer posts, commando teams
    narrowed = Scope(user=leader, period=year_period(2026), chain=area.chain)
    assert organization_totals(narrowed) == _counted_totals(narrowed)


def test_an_enterprise_moving_office_takes_its_figures_along(area):
    """e1 (office A: covered by org_single and org_joint, placed, three members) moves to office B: office A keeps
    org_joint through e2 and e2's two members; office B gains org_single, e1 and its members."""
    admin = UserFactory.create(role=Role.ADMIN, username="cov_move_admin")
    chain = area.chain.pk

    def figures(office: Any) -> tuple[int, int, int, int, int]:
        counts = Counter(coverage.counts(office.pk))
        return (
            sum(n for (kind, _c, _f), n in counts.items() if kind == coverage.ORGANIZATIONS),
            counts[(coverage.COVERED_ANY, coverage.AREA, coverage.ALL)],
            sum(n for (kind, _c, _f), n in counts.items() if kind == coverage.MEMBERS),
            counts[(coverage.PLACED, chain, coverage.ALL)],
            counts[(coverage.PLACED_COVERED, chain, coverage.ALL)],
        )

    assert figures(area.office_a) == (2, 2, 5, 2, 2)
    assert figures(area.office_b) == (1, 1, 1, 2, 1)
    enterprise_update(actor=admin, enterprise=area.e1, management_office=area.office_b)
    assert figures(area.office_a) == (1, 1, 2, 1, 1)
    assert figures(area.office_b) == (3, 2, 4, 3, 2)
    assert_exact(UserFactory.create(role=Role.LEADER, username="cov_move_leader"))


def test_the_office_cockpit_reads_the_maintained_figures_in_a_constant_number_of_queries(area):
    leader = UserFactory.create(role=Role.LEADER, username="cov_office_leader")
    scope = Scope(user=leader, period=year_period(2026), office=area.office_a)
    with CaptureQueriesContext(connection) as queries:
        organization_totals(scope)
    assert len(queries) == 3  # the office's maintained figures, pioneer posts, commando teams (by the office's pairs)
    with CaptureQueriesContext(connection) as queries:
        figures = organization_chain_figures(scope)
    assert len(queries) == 5  # … and the office's maintained figures again, with the chains, for the rows per chain
    assert figures == organization_chain_figures(scope, from_rows=True)
    assert (figures["organizations"], figures["enterprises_covered"], figures["members"]) == (2, 2, 5)


def test_zero_rows_left_by_removals_do_not_change_the_figures(area):
    admin = UserFactory.create(role=Role.ADMIN, username="cov_counts_admin3")
    link = LinkFactory.create(chain=ChainFactory.create(code="empty_again"))
    placement, _ = placement_upsert(actor=admin, enterprise=area.e5, link=link)
    placement_delete(actor=admin, placement=placement)
    assert (
        CoverageCount.objects.get(kind=coverage.PLACED, chain_key=link.chain_id, office_key=coverage.WHOLE_AREA).n == 0
    )
    assert CoverageCount.objects.get(kind=coverage.PLACED, chain_key=link.chain_id, office_key=area.office_b.pk).n == 0
    assert_exact()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_one_enterprise_lose_nothing():
    """Eight organizations created at the same instant, all covering the same uncovered, placed enterprise, while it
    is placed on four more links: the distinct counts move by exactly one, whatever the interleaving."""
    from tests.test_concurrency import race

    admin = UserFactory.create(role=Role.ADMIN, username="cov_race_admin")
    chain = ChainFactory.create(code="race_chain")
    links = [LinkFactory.create(chain=chain, name=f"环节{i}") for i in range(5)]
    enterprise = EnterpriseFactory.create()
    placement_upsert(actor=admin, enterprise=enterprise, link=links[0])
    jobs = [
        (lambda i=i: organization_create(actor=admin, name=f"并发党支部{i}", chain=chain, enterprises=[enterprise]))
        for i in range(8)
    ]
    jobs += [(lambda link=link: placement_upsert(actor=admin, enterprise=enterprise, link=link)) for link in links[1:]]
    results = race(*jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    figures = area_figures()
    assert figures[(coverage.COVERED_CHAIN, chain.pk, coverage.ALL)] == 1
    assert figures[(coverage.PLACED_COVERED, chain.pk, coverage.ALL)] == 1
    assert figures[(coverage.ORGANIZATIONS, chain.pk, Formation.SINGLE)] == 8
    assert maintained() == coverage.computed()
