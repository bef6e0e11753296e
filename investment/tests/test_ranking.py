"""Candidate ranking for a link: every point comes with its reason, and the order follows the points."""

from decimal import Decimal

import pytest

from chains.models import SupplyRelation
from chains.tests.factories import LinkFactory, PlacementFactory
from enterprises.tests.factories import EnterpriseFactory
from investment.ranking import code_match, rank_for_link, tokenize
from investment.tests.factories import TargetCompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def imaging_link():
    return LinkFactory(name="高端医学影像设备", keywords="CT,MRI,超声,影像", industry_codes="3581")


def reasons_of(candidate):
    return {r.signal: r for r in candidate.reasons}


def test_code_match_levels():
    assert code_match("3581", ["3581"]) == (4, "3581")
    assert code_match("3584", ["3581", "2720"]) == (3, "3581")
    assert code_match("3512", ["3581"]) == (2, "3581")
    assert code_match("6513", ["3581"]) == (0, "")


def test_tokenize_cuts_chinese_and_drops_noise():
    tokens = tokenize("医学影像设备有限公司，CT 与 MRI")
    assert "影像" in tokens and "ct" in tokens and "mri" in tokens
    assert "有限公司" not in tokens and "，" not in tokens


def test_candidates_are_ranked_by_code_text_and_tags_with_reasons(imaging_link):
    exact = TargetCompanyFactory(
        name="甲影像", industry_code="3581", products="CT 机、MRI 磁共振成像系统", is_specialized=True
    )
    text_only = TargetCompanyFactory(
        name="乙科技", industry_code="6513", products="医学影像云平台、超声影像 AI 辅助诊断"
    )
    unrelated = TargetCompanyFactory(name="丙食品", industry_code="1495", products="饼干、糖果", is_listed=True)
    candidates = rank_for_link(imaging_link)
    names = [c.target.name for c in candidates]
    assert names == ["甲影像", "乙科技"]
    assert unrelated.name not in names
    top = reasons_of(candidates[0])
    assert top["code"].points == Decimal("3.00") and "3581" in top["code"].detail
    assert "text" in top and "影像" in top["text"].detail or "ct" in top["text"].detail
    assert top["tag"].detail == "专精特新" and top["tag"].points == Decimal("1.00")
    assert candidates[0].score == sum(r.points for r in candidates[0].reasons)
    assert set(reasons_of(candidates[1])) == {"text"}
    assert exact.pk == candidates[0].target.pk and text_only.pk == candidates[1].target.pk


def test_outside_supplier_of_a_local_leading_firm_earns_points(imaging_link):
    leader = EnterpriseFactory(name="本区影像龙头", is_leading=True)
    PlacementFactory(link=imaging_link, enterprise=leader)
    supplier = TargetCompanyFactory(name="丁探测器", industry_code="3581", products="CT 探测器")
    maker = TargetCompanyFactory(name="戊球管", industry_code="3581", products="X射线球管")
    plain = TargetCompanyFactory(name="己设备", industry_code="3581", products="超声探头")
    SupplyRelation.objects.create(supplier_name="丁探测器", customer=leader, product="CT 探测器")
    SupplyRelation.objects.create(supplier_name="某区外球管厂", customer=leader, product="球管")
    candidates = {c.target.pk: reasons_of(c) for c in rank_for_link(imaging_link)}
    assert "本区影像龙头" in candidates[supplier.pk]["supplies_leader"].detail
    assert candidates[supplier.pk]["supplies_leader"].points == Decimal("2.00")
    assert "球管" in candidates[maker.pk]["makes_what_leader_buys"].detail
    assert "supplies_leader" not in candidates[plain.pk] and "makes_what_leader_buys" not in candidates[plain.pk]


def test_no_targets_means_no_candidates(imaging_link):
    assert rank_for_link(imaging_link) == []


def test_the_index_follows_a_changed_target(imaging_link):
    target = TargetCompanyFactory(name="庚公司", industry_code="1495", products="饼干")
    TargetCompanyFactory(name="辛公司", industry_code="1495", products="糖果")
    assert rank_for_link(imaging_link) == []
    target.products = "超声影像设备"
    target.save()
    assert [c.target.name for c in rank_for_link(imaging_link)] == ["庚公司"]


def test_ranking_never_embeds_even_with_dense_matching_on(imaging_link, settings, monkeypatch):
    from matching.engine import dense

    settings.MATCHING_DENSE_ENABLED = True

    def refuse(*args, **kwargs):
        raise AssertionError("the embedding model must not load for candidate ranking")

    monkeypatch.setattr(dense, "embed_query", refuse)
    monkeypatch.setattr(dense, "embed_passages", refuse)
    TargetCompanyFactory(name="壬影像", industry_code="6513", products="CT 影像")
    assert [c.target.name for c in rank_for_link(imaging_link)] == ["壬影像"]
