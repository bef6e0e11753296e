"""Organization-chain figures against the hand-counted area of conftest.py."""

from datetime import date
from decimal import Decimal

from chains.selectors import chain_coverage
from cockpit.periods import year_period
from cockpit.scope import Scope
from cockpit.selectors.organization import organization_chain_figures


def _scope(user, **kwargs):
    return Scope(user=user, period=year_period(date.today().year), **kwargs)


def _by_code(figures):
    return {row["code"]: row for row in figures["by_chain"]}


def test_area_totals_count_every_organization(area, leader):
    figures = organization_chain_figures(_scope(leader))
    assert {
        k: figures[k] for k in ("organizations", "enterprises_covered", "members", "pioneer_posts", "commando_teams")
    } == {
        "organizations": 4,
        "enterprises_covered": 5,
        "members": 7,
        "pioneer_posts": 4,
        "commando_teams": 2,
    }


def test_per_chain_rows_are_the_coverage_page_figures(area, leader):
    rows = _by_code(organization_chain_figures(_scope(leader)))
    assert (rows["lh"]["organizations"], rows["lh"]["enterprises_covered"], rows["lh"]["members"]) == (2, 3, 4)
    assert (rows["de"]["organizations"], rows["de"]["enterprises_covered"], rows["de"]["members"]) == (1, 2, 2)
    assert rows["lh"]["coverage_rate"] == Decimal("0.7500")
    assert rows["de"]["coverage_rate"] == Decimal("0.6667")
    assert (rows["de"]["placed"], rows["de"]["uncovered"]) == (3, 1)
    coverage = {row["code"]: row for row in chain_coverage(leader)}
    for code in ("lh", "de"):
        for key in ("organizations", "enterprises_covered", "members", "coverage_rate"):
            assert rows[code][key] == coverage[code][key]


def test_chain_filter_makes_totals_the_chain_row(area, leader):
    figures = organization_chain_figures(_scope(leader, chain=area.lh))
    assert [row["code"] for row in figures["by_chain"]] == ["lh"]
    assert (figures["organizations"], figures["enterprises_covered"], figures["members"]) == (2, 3, 4)
    assert (figures["pioneer_posts"], figures["commando_teams"]) == (2, 1)


def test_office_filter_counts_the_office_enterprises_only(area, leader):
    figures = organization_chain_figures(_scope(leader, office=area.east))
    assert (figures["organizations"], figures["enterprises_covered"], figures["members"]) == (3, 3, 4)
    assert (figures["pioneer_posts"], figures["commando_teams"]) == (4, 1)
    rows = _by_code(figures)
    assert (rows["lh"]["organizations"], rows["lh"]["enterprises_covered"], rows["lh"]["members"]) == (1, 2, 3)
    assert (rows["lh"]["placed"], rows["lh"]["uncovered"]) == (2, 0)
    assert (rows["de"]["organizations"], rows["de"]["enterprises_covered"], rows["de"]["members"]) == (1, 1, 0)
    assert (rows["de"]["placed"], rows["de"]["uncovered"]) == (2, 1)
    west = organization_chain_figures(_scope(leader, office=area.west))
    assert (west["organizations"], west["enterprises_covered"], west["members"]) == (2, 2, 2)


def test_office_filter_agrees_with_the_office_staff_view_of_coverage(area, east_handler, leader):
    """An office handler's chain_coverage is the office filter's per-chain figures (one scoping rule, not two)."""
    office_rows = _by_code(organization_chain_figures(_scope(leader, office=area.east)))
    handler_rows = {row["code"]: row for row in chain_coverage(east_handler)}
    for code in ("lh", "de"):
        for key in ("organizations", "enterprises_covered", "members", "placed", "uncovered", "coverage_rate"):
            assert office_rows[code][key] == handler_rows[code][key], (code, key)


def test_chain_and_office_filters_combine(area, leader):
    figures = organization_chain_figures(_scope(leader, chain=area.de, office=area.east))
    assert (figures["organizations"], figures["enterprises_covered"], figures["members"]) == (1, 1, 0)
    assert [row["code"] for row in figures["by_chain"]] == ["de"]


def test_organization_figures_take_a_constant_number_of_queries(area, leader, django_assert_max_num_queries):
    with django_assert_max_num_queries(13):
        organization_chain_figures(_scope(leader))
    with django_assert_max_num_queries(11):
        organization_chain_figures(_scope(leader, office=area.east))
