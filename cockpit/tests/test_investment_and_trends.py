"""Investment figures (signed projects and amount), period boundaries, the trends chart and the year-on-year table."""

from datetime import date
from decimal import Decimal

import pytest

from cockpit.periods import month_period, quarter_period, year_period
from cockpit.scope import Scope
from cockpit.selectors.innovation import investment_details, investment_pipeline, investment_signed_figures
from cockpit.selectors.trends import comparison, trends
from investment.models import InvestmentTeam, Project

YEAR = 2026


@pytest.fixture
def projects(area):
    team = InvestmentTeam.objects.create(name="第一招商组")

    def make(name, stage, signed_on, amount, chain=area.lh):
        return Project.objects.create(
            name=name, team=team, chain=chain, stage=stage, signed_on=signed_on, amount_wan=Decimal(amount)
        )

    make("年初签约", "signed", date(YEAR, 1, 1), "100.10")  # first day of the year: in
    make("三月底签约", "registered", date(YEAR, 3, 31), "200.20")  # last day of Q1: in Q1
    make("四月初签约", "production", date(YEAR, 4, 1), "300.30", chain=area.de)  # first day of Q2
    make("年末签约", "construction", date(YEAR, 12, 31), "400.40", chain=area.de)  # last day of the year
    make("去年签约", "signed", date(YEAR - 1, 3, 15), "50.00")  # last year, Q1
    make("去年底签约", "signed", date(YEAR - 1, 12, 31), "1.00")  # not in this year
    make("签约后终止", "dropped", date(YEAR, 5, 1), "999.00")  # dropped: not counted
    make("洽谈中", "negotiating", None, "777.00")  # not signed
    return team


def _scope(user, period, **kwargs):
    return Scope(user=user, period=period, **kwargs)


def test_signed_projects_count_the_period_inclusive_of_both_ends(projects, leader):
    year = investment_signed_figures(_scope(leader, year_period(YEAR)))
    assert year == {"projects_signed": 4, "investment_signed_wan": Decimal("1001.00")}
    q1 = investment_signed_figures(_scope(leader, quarter_period(YEAR, 1)))
    assert q1 == {"projects_signed": 2, "investment_signed_wan": Decimal("300.30")}
    april = investment_signed_figures(_scope(leader, month_period(YEAR, 4)))
    assert april == {"projects_signed": 1, "investment_signed_wan": Decimal("300.30")}
    march = investment_signed_figures(_scope(leader, month_period(YEAR, 3)))
    assert march["projects_signed"] == 1


def test_signed_projects_by_chain_and_chain_filter(projects, area, leader):
    rows = {row["code"]: row for row in investment_details(_scope(leader, year_period(YEAR)))["by_chain"]}
    assert (rows["lh"]["projects"], rows["lh"]["amount_wan"]) == (2, Decimal("300.30"))
    assert (rows["de"]["projects"], rows["de"]["amount_wan"]) == (2, Decimal("700.70"))
    filtered = investment_signed_figures(_scope(leader, year_period(YEAR), chain=area.de))
    assert filtered == {"projects_signed": 2, "investment_signed_wan": Decimal("700.70")}


def test_pipeline_counts_every_project_by_current_stage(projects, leader):
    pipeline = {row["stage"]: row for row in investment_pipeline(_scope(leader, year_period(YEAR)))}
    assert pipeline["signed"]["projects"] == 3
    assert pipeline["dropped"]["projects"] == 1
    assert pipeline["negotiating"]["amount_wan"] == Decimal("777.00")
    assert pipeline["lead"]["projects"] == 0


def test_summary_amount_is_an_exact_decimal_string(projects, leader, client_for):
    data = client_for(leader).get("/api/v1/cockpit/summary", {"year": YEAR}).json()
    assert data["projects_signed"] == 4
    assert data["investment_signed_wan"] == "1001.00"


def test_trends_draw_this_year_and_last_year(projects, leader):
    chart = trends(_scope(leader, year_period(YEAR)))
    assert chart["labels"][0] == f"{YEAR}-01" and chart["labels"][-1] == f"{YEAR}-12"
    series = {s["name"]: s["data"] for s in chart["series"]}
    assert series["签约项目（本期）"][0] == 1  # January
    assert series["签约项目（本期）"][2] == 1  # March
    assert series["签约项目（本期）"][4] == 0  # the dropped project of May is not counted
    assert series["签约项目（去年同期）"][2] == 1  # March last year
    assert sum(series["签约项目（去年同期）"]) == 2


def test_a_single_month_trend_shows_the_year_to_that_month(projects, leader):
    chart = trends(_scope(leader, month_period(YEAR, 4)))
    assert chart["labels"] == [f"{YEAR}-0{m}" for m in range(1, 5)]


def test_comparison_with_the_same_period_last_year(projects, leader):
    rows = {row["key"]: row for row in comparison(_scope(leader, quarter_period(YEAR, 1)))}
    assert rows["projects_signed"]["current"] == 2
    assert rows["projects_signed"]["previous"] == 1
    assert rows["projects_signed"]["change"] == Decimal("100.0")
    assert rows["investment_signed_wan"]["previous"] == Decimal("50.00")
