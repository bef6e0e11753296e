"""Rule trees: validation errors, each operator and enum ordering in both evaluators, dated parameters, missing data."""

from datetime import date
from decimal import Decimal

import pytest

from talent.engine import ActivePolicy, eligible_queryset
from talent.policy_tests import _insert, _stored_record
from talent.rules import DatedValue, ParamTable, RuleError, compile_policy, explain, parse_policy

PERIOD = date(2026, 7, 1)
FIXED = {"per": "month", "kind": "fixed", "value": "100.00"}


def errors_of(rule, amount=FIXED, target="talent", **kw):
    with pytest.raises(RuleError) as info:
        parse_policy(target, rule, amount, **kw)
    return " ".join(info.value.messages)


def test_unknown_field_is_refused_with_the_known_fields_listed():
    message = errors_of({"field": "degree", "op": "=", "value": "master"})
    assert "未知字段“degree”" in message and "学历（education）" in message


def test_wrong_type_for_the_operator_is_refused():
    assert "不能使用运算符“<”" in errors_of({"field": "category", "op": "<", "value": "A"})
    assert "不能使用运算符“in”" in errors_of({"field": "employer.is_key", "op": "in", "value": [True]})


def test_bad_values_are_refused_with_clear_messages():
    assert "没有取值“phd”" in errors_of({"field": "education", "op": ">=", "value": "phd"})
    assert "应为整数" in errors_of({"field": "age", "op": "<=", "value": "35"})
    assert "带引号的小数" in errors_of({"field": "annual_salary_wan", "op": ">=", "value": 20.5})
    assert "[下限, 上限]" in errors_of({"field": "age", "op": "between", "value": [20]})
    assert "不带取值" in errors_of({"field": "age", "op": "exists", "value": 1})
    assert "不支持的运算符" in errors_of({"field": "age", "op": "~", "value": 1})
    assert "不能再带其他键" in errors_of({"not": {"field": "age", "op": "=", "value": 1}, "label": "x"})
    assert "非空列表" in errors_of({"all": []})
    assert "不能引用数值参数" in errors_of({"field": "education", "op": "=", "value": {"param": "x"}})


def test_several_problems_are_reported_together():
    with pytest.raises(RuleError) as info:
        parse_policy(
            "talent", {"all": [{"field": "x", "op": "=", "value": 1}, {"field": "age", "op": "<", "value": "a"}]}, FIXED
        )
    assert len(info.value.messages) == 2
    assert info.value.messages[0].startswith("条件.all[0]")


def test_amount_rules_are_validated():
    assert "分档起点应严格递增" in errors_of(
        {"field": "age", "op": "exists"},
        {
            "kind": "tiers",
            "field": "education",
            "steps": [{"from": "master", "value": "1"}, {"from": "bachelor", "value": "2"}],
        },
    )
    assert "max_months 只适用于" in errors_of(
        {"field": "age", "op": "exists"}, {**FIXED, "per": "once", "max_months": 3}
    )
    assert "不支持的金额方式" in errors_of({"field": "age", "op": "exists"}, {"kind": "percent"})
    assert "带引号的小数" in errors_of({"field": "age", "op": "exists"}, {"kind": "fixed", "value": 99.9})


def test_unknown_parameter_is_refused():
    message = errors_of({"field": "age", "op": "<=", "value": {"param": "nope"}}, known_params={"living_max_age"})
    assert "nope" in message


def _both(rule, records, *, params=None, amount=FIXED, period=PERIOD):
    """(python eligible list, sql eligible list) for the records, inserted in the database."""
    params = params or ParamTable({})
    parsed = parse_policy("talent", rule, amount)
    stored = [_stored_record("talent", r, period) for r in records]
    python = [explain(parsed, r, as_of=period, params=params) for r in stored]
    import random

    ids = _insert("talent", stored, random.Random(1))
    found = set(eligible_queryset(parsed, period=period, params=params).filter(pk__in=ids).values_list("pk", flat=True))
    return [e.eligible for e in python], [pk in found for pk in ids], python


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("=", 30, [False, True, False, None]),
        ("!=", 30, [True, False, True, None]),
        ("<", 30, [True, False, False, None]),
        ("<=", 30, [True, True, False, None]),
        (">", 30, [False, False, True, None]),
        (">=", 30, [False, True, True, None]),
        ("in", [29, 31], [True, False, True, None]),
        ("between", [30, 31], [False, True, True, None]),
        ("exists", None, [True, True, True, False]),
    ],
)
def test_each_operator_on_an_integer_in_both_evaluators(op, value, expected):
    leaf = {"field": "social_insurance_months", "op": op}
    if value is not None:
        leaf["value"] = value
    records = [{"social_insurance_months": n} for n in (29, 30, 31)] + [{}]
    python, sql, explained = _both(leaf, records)
    assert python == sql == [bool(x) for x in expected]
    if op != "exists":
        assert explained[3].conditions[0].outcome == "missing"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (">=", "master", [False, False, True, True]),
        (">", "master", [False, False, False, True]),
        ("<", "bachelor", [True, False, False, False]),
        ("<=", "bachelor", [True, True, False, False]),
        ("between", ["bachelor", "master"], [False, True, True, False]),
        ("!=", "master", [True, True, False, True]),
    ],
)
def test_education_compares_by_order_not_alphabet(op, value, expected):
    # Alphabetically "bachelor" < "college" < "doctor" < "master": a string comparison would get these wrong.
    records = [{"education": e} for e in ("college", "bachelor", "master", "doctor")]
    python, sql, _ = _both({"field": "education", "op": op, "value": value}, records)
    assert python == sql == expected


@pytest.mark.django_db
def test_age_derives_from_the_birth_date_at_the_period_start():
    rule = {"field": "age", "op": "<=", "value": 35}
    records = [{"birth_date": date(1990, 7, 1)}, {"birth_date": date(1990, 7, 2)}, {"birth_date": date(1990, 6, 30)}]
    # On 2026-07-01: born 1990-07-01 turns 36 that day; born 07-02 is still 35; born 06-30 is 36.
    python, sql, _ = _both(rule, records)
    assert python == sql == [False, True, False]


@pytest.mark.django_db
def test_missing_data_is_neither_met_nor_negated_into_met():
    rule = {"not": {"field": "annual_salary_wan", "op": ">", "value": "50"}}
    python, sql, explained = _both(rule, [{"annual_salary_wan": "40"}, {"annual_salary_wan": "60"}, {}])
    assert python == sql == [True, False, False]
    assert explained[2].outcome == "missing"


@pytest.mark.django_db
def test_any_is_met_when_one_branch_is_met_even_if_another_is_missing():
    rule = {
        "any": [
            {"field": "category", "op": "in", "value": ["A", "B"]},
            {"field": "title", "op": ">=", "value": "senior"},
        ]
    }
    python, sql, _ = _both(rule, [{"title": "senior"}, {"title": "junior"}, {"category": "A", "title": "none"}])
    assert python == sql == [True, False, True]


def _params():
    return ParamTable(
        {
            "rate": [
                DatedValue(date(2024, 1, 1), Decimal("800"), "文号一", "第一条"),
                DatedValue(date(2026, 7, 1), Decimal("1000"), "文号二", "第二条"),
            ]
        }
    )


def test_dated_parameters_change_exactly_at_the_boundary():
    params = _params()
    assert params.at("rate", date(2026, 6, 30)).value == Decimal("800")
    assert params.at("rate", date(2026, 7, 1)).value == Decimal("1000")
    assert params.at("rate", date(2026, 7, 1)).legal_reference == "文号二"
    with pytest.raises(RuleError, match="尚无生效的取值"):
        params.at("rate", date(2023, 12, 31))


@pytest.mark.django_db
def test_amounts_follow_the_parameter_in_force_in_each_period_in_both_evaluators():
    params = _params()
    parsed = parse_policy(
        "talent", {"field": "education", "op": "exists"}, {"kind": "fixed", "value": {"param": "rate"}}
    )
    active = ActivePolicy(None, None, parsed)
    for period, want in ((date(2026, 6, 1), Decimal("800.00")), (date(2026, 7, 1), Decimal("1000.00"))):
        assert explain(active.parsed, {"education": "master"}, as_of=period, params=params).amount == want
        compiled = compile_policy(parsed, params=params, as_of=period)
        import random

        ids = _insert(
            "talent", [_stored_record("talent", {"education": "master"}, period)], random.Random(period.month)
        )
        value = (
            eligible_queryset(parsed, period=period, params=params)
            .filter(pk__in=ids)
            .annotate(a=compiled.amount)
            .values_list("a", flat=True)
            .get()
        )
        assert Decimal(value) == want and isinstance(value, Decimal)


def test_money_is_decimal_and_rounded_half_up_never_float():
    parsed = parse_policy(
        "enterprise",
        {"field": "is_key", "op": "=", "value": True},
        {"per": "once", "kind": "rate", "field": "master_plus_count", "rate": "333.33", "cap": "1000"},
    )
    result = explain(parsed, {"is_key": True, "master_plus_count": 2}, as_of=PERIOD, params=ParamTable({}))
    assert result.amount == Decimal("666.66") and isinstance(result.amount, Decimal)
    capped = explain(parsed, {"is_key": True, "master_plus_count": 5}, as_of=PERIOD, params=ParamTable({}))
    assert capped.amount == Decimal("1000.00")


def test_explanation_names_the_parameter_and_its_legal_reference():
    parsed = parse_policy("talent", {"field": "social_insurance_months", "op": ">=", "value": {"param": "rate"}}, FIXED)
    result = explain(parsed, {"social_insurance_months": 1200}, as_of=PERIOD, params=_params())
    condition = result.conditions[0]
    assert condition.outcome == "met" and condition.expected == "1000" and condition.actual == "1200"
    assert condition.sources[0]["legal_reference"] == "文号二"
