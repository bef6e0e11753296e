"""The innovation-chain demo reproduces the report's figures (foundation + investment builders, loaded once)."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import transaction

from chains.gaps import analyse_chain
from investment.models import InvestmentTeam, Project, PromotionEvent
from investment.ranking import rank_candidates
from investment.selectors import summary_for_year

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def ctx(django_db_setup, django_db_blocker) -> Iterator:
    from demo.builders import DemoContext, foundation
    from demo.builders import investment as investment_builder

    with django_db_blocker.unblock(), transaction.atomic():
        context = DemoContext()
        foundation.build(context)
        investment_builder.build(context)
        yield context
        transaction.set_rollback(True)


def test_fifty_five_projects_signed_this_year_above_140_yi(ctx):
    summary = summary_for_year(ctx.users["leader"], ctx.today.year)
    assert summary["projects_signed"] == 55
    assert summary["investment_signed_wan"] > Decimal("1400000")
    assert {row["field"] for row in summary["by_field"]} == {"生命健康", "数字经济"}
    assert len(summary["by_team"]) == 10
    signed = Project.objects.filter(signed_on__year=ctx.today.year)
    assert all(p.signed_on <= ctx.today for p in signed)


def test_flagship_projects_and_the_filled_micro_drama_link(ctx):
    assert Project.objects.get(name="瑞禾健康产品产业基地").amount_wan == Decimal("200000")
    assert Project.objects.get(name="智算云图人工智能数据产业基地").amount_wan == Decimal("100000")
    drama = Project.objects.get(name="光影星河微短剧全产业链制作基地")
    assert "IP 版权运营" in {link.name for link in drama.links.all()}
    micro = analyse_chain(ctx.shared["chains"]["micro_drama"])
    ip_link = next(m for m in micro.links if m.link.name == "IP 版权运营")
    assert "missing" not in {f.rule for f in ip_link.findings}


def test_lead_chains_keep_gaps_with_ranked_candidates(ctx):
    for code in ("life_health", "digital_economy"):
        analysis = analyse_chain(ctx.shared["chains"][code])
        gaps = [m.link for m in analysis.links if {f.rule for f in m.findings} & {"missing", "weak"}]
        assert gaps, code
        ranked = rank_candidates(gaps)
        assert all(ranked[link.pk] for link in gaps), code
        assert "thin_local_supply" in {f.rule for f in analysis.findings}


def test_teams_events_and_open_pipeline(ctx):
    assert InvestmentTeam.objects.count() == 10
    assert all(team.members.count() == 2 for team in InvestmentTeam.objects.all())
    assert PromotionEvent.objects.count() >= 5
    assert Project.objects.filter(stage__in=["lead", "negotiating"]).count() >= 10
    assert Project.objects.filter(stage="dropped").exclude(dropped_reason="").count() == 2
