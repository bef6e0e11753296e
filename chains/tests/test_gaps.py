"""Each gap rule on a crafted chain: it fires on the figures it names, and stays quiet just past its threshold."""

from decimal import Decimal

import pytest

from chains.choices import Function
from chains.gaps import analyse_chain, gap_counts_by_chain, is_manufacturing_code, thresholds_by_chain
from chains.models import GapRuleSetting, SupplyRelation
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from enterprises.choices import SizeClass
from enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def place(link, n, **enterprise_fields):
    firms = [EnterpriseFactory(**enterprise_fields) for _ in range(n)]
    for firm in firms:
        PlacementFactory(link=link, enterprise=firm)
    return firms


def rules_on(analysis, link):
    return {f.rule: f for f in analysis.metrics_for(link.pk).findings}


def test_key_link_without_firms_is_missing_and_not_also_weak():
    link = LinkFactory(is_key=True)
    findings = rules_on(analyse_chain(link.chain), link)
    assert set(findings) == {"missing"}
    assert findings["missing"].figures == {"firms": 0, "is_key": True}
    assert analyse_chain(link.chain).metrics_for(link.pk).status.code == "missing"


def test_link_with_fewer_firms_than_threshold_is_weak_and_names_the_figures():
    link = LinkFactory()
    place(link, 2)
    finding = rules_on(analyse_chain(link.chain), link)["weak"]
    assert finding.figures == {"firms": 2, "weak_min_firms": 3}
    assert "2 家" in finding.message and "3 家" in finding.message


def test_link_at_threshold_is_not_weak():
    link = LinkFactory()
    place(link, 3)
    assert "weak" not in rules_on(analyse_chain(link.chain), link)


def test_chain_setting_overrides_area_default_threshold():
    link = LinkFactory()
    place(link, 3)
    GapRuleSetting.objects.create(chain=None, weak_min_firms=2)
    GapRuleSetting.objects.create(chain=link.chain, weak_min_firms=5)
    analysis = analyse_chain(link.chain)
    assert analysis.thresholds.weak_min_firms == 5
    assert rules_on(analysis, link)["weak"].figures == {"firms": 3, "weak_min_firms": 5}
    other = ChainFactory()
    assert thresholds_by_chain([other.pk])[other.pk].weak_min_firms == 2


def test_parent_link_counts_firms_of_its_children():
    parent = LinkFactory(is_key=True)
    child = LinkFactory(chain=parent.chain, parent=parent)
    place(child, 3, is_leading=True)
    analysis = analyse_chain(parent.chain)
    metrics = analysis.metrics_for(parent.pk)
    assert (metrics.firms, metrics.direct_firms, metrics.leading) == (3, 0, 3)
    assert rules_on(analysis, parent) == {}


def test_key_link_with_firms_but_no_leading_firm_has_no_leader():
    link = LinkFactory(is_key=True)
    place(link, 4, is_leading=False)
    finding = rules_on(analyse_chain(link.chain), link)["no_leader"]
    assert finding.figures == {"firms": 4, "leading": 0}


def test_key_link_with_a_leading_firm_has_a_leader():
    link = LinkFactory(is_key=True)
    place(link, 3)
    place(link, 1, is_leading=True)
    assert "no_leader" not in rules_on(analyse_chain(link.chain), link)


def test_rnd_link_with_only_manufacturers_is_low_end():
    link = LinkFactory(function=Function.RND)
    place(link, 3, industry_code="2710")
    finding = rules_on(analyse_chain(link.chain), link)["low_end"]
    assert finding.figures["coded_firms"] == 3
    assert finding.figures["manufacturing_firms"] == 3
    assert finding.figures["share"] == Decimal("1.00")
    assert finding.figures["expected_functions"] == ["rnd"]


def test_rnd_link_with_one_research_firm_is_not_low_end():
    link = LinkFactory(function=Function.RND)
    place(link, 3, industry_code="2710")
    place(link, 1, industry_code="7340")
    assert "low_end" not in rules_on(analyse_chain(link.chain), link)


def test_lower_low_end_share_fires_on_mostly_manufacturing():
    link = LinkFactory(function=Function.APPLICATION)
    place(link, 3, industry_code="3911")
    place(link, 1, industry_code="6510")
    GapRuleSetting.objects.create(chain=link.chain, low_end_share=Decimal("0.75"))
    assert rules_on(analyse_chain(link.chain), link)["low_end"].figures["share"] == Decimal("0.75")


def test_parent_expecting_rnd_below_it_with_only_manufacturers_is_low_end():
    parent = LinkFactory(function=Function.MANUFACTURING)
    LinkFactory(chain=parent.chain, parent=parent, function=Function.RND)
    making = LinkFactory(chain=parent.chain, parent=parent, function=Function.MANUFACTURING)
    place(making, 3, industry_code="2720")
    analysis = analyse_chain(parent.chain)
    assert rules_on(analysis, parent)["low_end"].figures["expected_functions"] == ["rnd"]
    assert "low_end" not in rules_on(analysis, making)


def test_manufacturing_link_is_never_low_end():
    link = LinkFactory(function=Function.MANUFACTURING)
    place(link, 3, industry_code="2710")
    assert "low_end" not in rules_on(analyse_chain(link.chain), link)


def test_leading_firm_with_few_local_suppliers_is_thin_local_supply():
    link = LinkFactory()
    place(link, 2)
    (leader,) = place(link, 1, is_leading=True)
    local = EnterpriseFactory()
    SupplyRelation.objects.create(supplier=local, customer=leader, product="原料")
    for n in range(4):
        SupplyRelation.objects.create(supplier_name=f"区外供应商{n}", customer=leader, product="原料")
    finding = rules_on(analyse_chain(link.chain), link)["thin_local_supply"]
    assert finding.figures["suppliers"] == 5
    assert finding.figures["local_suppliers"] == 1
    assert finding.figures["share"] == Decimal("0.20")
    assert finding.figures["enterprise_id"] == leader.pk


def test_leading_firm_meeting_local_target_or_with_too_few_records_is_not_flagged():
    link = LinkFactory()
    place(link, 2)
    leader, sparse = place(link, 2, is_leading=True)
    for n in range(3):
        SupplyRelation.objects.create(supplier=EnterpriseFactory(), customer=leader)
        SupplyRelation.objects.create(supplier_name=f"区外{n}", customer=leader)
    SupplyRelation.objects.create(supplier_name="区外独家", customer=sparse)
    SupplyRelation.objects.create(supplier_name="区外独家2", customer=sparse)
    assert "thin_local_supply" not in rules_on(analyse_chain(link.chain), link)


def test_metrics_count_above_scale_leading_and_known_revenue():
    link = LinkFactory()
    EnterpriseFactory()  # not placed: not counted
    place(link, 2, size_class=SizeClass.ABOVE, revenue_wan=Decimal("1000.50"))
    place(link, 1, size_class=SizeClass.BELOW, revenue_wan=None, is_leading=True)
    metrics = analyse_chain(link.chain).metrics_for(link.pk)
    assert (metrics.firms, metrics.above_scale, metrics.leading) == (3, 2, 1)
    assert metrics.revenue_wan == Decimal("2001.00")


def test_manufacturing_codes_are_gbt4754_divisions_13_to_43():
    assert is_manufacturing_code("1310") and is_manufacturing_code("4390") and is_manufacturing_code("27")
    assert not is_manufacturing_code("0511") and not is_manufacturing_code("7340") and not is_manufacturing_code("")


def test_gap_counts_by_chain_take_constant_queries(django_assert_max_num_queries):
    for _ in range(3):
        chain = ChainFactory()
        key = LinkFactory(chain=chain, is_key=True)
        weak = LinkFactory(chain=chain, parent=key)
        place(weak, 1, is_leading=True)
    with django_assert_max_num_queries(6):
        counts = gap_counts_by_chain()
    assert len(counts) == 3
    for row in counts.values():
        assert row["links"] == 2 and row["weak"] == 2 and row["missing"] == 0
