"""The sweep's amounts, computed by the database: exact to the fen and equal to the Python evaluator's (fixed amounts,
tiers, caps, rates, parameters with sub-fen decimals), and idempotent runs. Runs on SQLite and on PostgreSQL."""

from datetime import date
from decimal import Decimal

import pytest

from enterprises.tests.factories import EnterpriseFactory
from talent import engine, services
from talent.models import Entitlement
from talent.rules import ParamTable
from talent.tests.factories import TalentFactory

AUG = date(2026, 8, 1)


def _param(actor, code, value):
    services.parameter_set_value(
        actor=actor, code=code, name=code, valid_from=date(2026, 1, 1), value=Decimal(value), legal_reference="测试文号"
    )


def _publish(actor, code, amount, *, rule=None, target="talent"):
    version = services.policy_create(
        actor=actor,
        code=code,
        name=code,
        target=target,
        legal_reference="测试文号",
        effective_from=date(2026, 1, 1),
        rule=rule or {"field": "education", "op": "exists"},
        amount=amount,
    )
    return services.policy_version_publish(actor=actor, version=version)


@pytest.fixture
def fine_policies(db, admin_user):
    """Parameters with sub-fen decimals (4 are stored), so every amount needs rounding half-up to the fen."""
    _param(admin_user, "fine_fixed", "1000.0050")  # → 1000.01 (half-even would give 1000.00)
    _param(admin_user, "fine_master", "1800.0049")  # → 1800.00
    _param(admin_user, "fine_doctor", "3000.0050")  # → 3000.01, but capped
    _param(admin_user, "fine_cap", "2999.9950")  # → 3000.00
    _param(admin_user, "fine_rate", "333.3350")  # per master: 1 → 333.34, 2 → 666.67, 3 → 1000.01 → cap 1000.00
    _publish(admin_user, "fixed_fine", {"per": "month", "kind": "fixed", "value": {"param": "fine_fixed"}})
    _publish(
        admin_user,
        "tiers_capped",
        {
            "per": "month",
            "kind": "tiers",
            "field": "education",
            "steps": [
                {"from": "bachelor", "value": "999.995"},
                {"from": "master", "value": {"param": "fine_master"}},
                {"from": "doctor", "value": {"param": "fine_doctor"}},
            ],
            "cap": {"param": "fine_cap"},
        },
    )
    masters = {"field": "master_plus_count", "op": ">=", "value": 1}
    _publish(
        admin_user,
        "rate_fine",
        {"per": "once", "kind": "rate", "field": "master_plus_count", "rate": {"param": "fine_rate"}, "cap": "1000"},
        rule=masters,
        target="enterprise",
    )
    _publish(
        admin_user,
        "rate_cents",
        {"per": "once", "kind": "rate", "field": "master_plus_count", "rate": "333.33"},
        rule=masters,
        target="enterprise",
    )


@pytest.fixture
def register(db):
    talents = {
        education: TalentFactory(education=education, employer=None)
        for education in ("college", "bachelor", "master", "doctor")
    }
    firms = []
    for masters in (1, 2, 3):
        firm = EnterpriseFactory()
        for _ in range(masters):
            TalentFactory(employer=firm, education="master")
        TalentFactory(employer=firm, education="college")
        firms.append(firm)
    return talents, firms


def _amounts(code):
    rows = Entitlement.objects.filter(policy__code=code).values_list("talent_id", "enterprise_id", "amount", "tier")
    return {(talent or enterprise): (amount, tier) for talent, enterprise, amount, tier in rows}


def test_sweep_amounts_are_rounded_half_up_to_the_fen_like_the_python_evaluator(fine_policies, register, admin_user):
    talents, firms = register
    services.sweep_period(actor=admin_user, period=AUG)

    fixed = _amounts("fixed_fine")
    assert {amount for amount, _ in fixed.values()} == {Decimal("1000.01")}
    tiers = _amounts("tiers_capped")
    assert tiers[talents["bachelor"].pk] == (Decimal("1000.00"), "bachelor")
    assert tiers[talents["master"].pk] == (Decimal("1800.00"), "master")
    assert tiers[talents["doctor"].pk] == (Decimal("3000.00"), "doctor")  # 3000.01 capped at 3000.00
    assert [_amounts("rate_fine")[f.pk][0] for f in firms] == [Decimal("333.34"), Decimal("666.67"), Decimal("1000.00")]
    assert [_amounts("rate_cents")[f.pk][0] for f in firms] == [Decimal("333.33"), Decimal("666.66"), Decimal("999.99")]

    # Every stored amount is a Decimal equal, to the fen, to what the Python evaluator explains for that record.
    params = ParamTable.load()
    for active in engine.active_policies(AUG):
        for entitlement in Entitlement.objects.filter(policy=active.policy).select_related("talent__employer"):
            if entitlement.talent_id:
                record = engine.talent_record(entitlement.talent)
            else:
                record = engine.enterprise_record(entitlement.enterprise)
            explained = engine.explain_record(active, record, AUG, params)
            assert isinstance(entitlement.amount, Decimal)
            assert (entitlement.amount, entitlement.tier) == (explained.amount, explained.tier), active.policy.code


def test_records_outside_every_tier_get_no_entitlement(fine_policies, register, admin_user):
    talents, _ = register
    services.sweep_period(actor=admin_user, period=AUG)
    assert talents["college"].pk not in _amounts("tiers_capped")
    assert talents["college"].pk in _amounts("fixed_fine")


def test_a_second_sweep_writes_nothing_and_counts_the_same_eligible_records(fine_policies, register, admin_user):
    first = services.sweep_period(actor=admin_user, period=AUG)
    stored = sorted(Entitlement.objects.values_list("policy_id", "talent_id", "enterprise_id", "amount"), key=str)
    second = services.sweep_period(actor=admin_user, period=AUG)
    assert {code: eligible for code, (eligible, _) in first.per_policy.items()} == {
        code: eligible for code, (eligible, _) in second.per_policy.items()
    }
    assert all(inserted == 0 for _, inserted in second.per_policy.values())
    assert (
        sorted(Entitlement.objects.values_list("policy_id", "talent_id", "enterprise_id", "amount"), key=str) == stored
    )
    assert first.per_policy["fixed_fine"] == (13, 13)  # 4 + (1 + 2 + 3 masters and a college graduate per firm)
    assert first.per_policy["rate_fine"] == (3, 3)


def test_a_one_off_policy_is_counted_eligible_but_not_written_again_next_period(fine_policies, register, admin_user):
    services.sweep_period(actor=admin_user, period=AUG)
    september = services.sweep_period(actor=admin_user, period=date(2026, 9, 1))
    assert september.per_policy["rate_fine"] == (3, 0)
    assert september.per_policy["fixed_fine"] == (13, 13)
    assert Entitlement.objects.filter(policy__code="rate_fine").count() == 3
