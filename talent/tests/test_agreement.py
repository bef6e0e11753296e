"""The SQL and Python evaluators agree on generated rule trees and records (hypothesis, bounded examples)."""

import random
from datetime import date
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talent.engine import compile_policy, eligible_queryset
from talent.policy_tests import _insert, _stored_record
from talent.rules import ParamTable, explain, parse_policy
from talent.rules.fields import TALENT_FIELDS

PARAMS = ParamTable({})
EDUCATION = ["college", "bachelor", "master", "doctor"]
TITLES = ["none", "junior", "intermediate", "associate_senior", "senior"]

VALUES = {
    "education": st.sampled_from(EDUCATION),
    "title": st.sampled_from(TITLES),
    "category": st.sampled_from(["A", "B", "C", "D", "E"]),
    "housing_status": st.sampled_from(["none", "renting", "purchased"]),
    "social_insurance_months": st.integers(0, 40),
    "annual_salary_wan": st.integers(0, 100).map(str),
    "age": st.integers(20, 60),
    "months_in_area": st.integers(-2, 40),
    "employer.is_key": st.booleans(),
    "employer.size_class": st.sampled_from(["above", "below"]),
}
OPS = {
    "int": ["=", "!=", "<", "<=", ">", ">=", "in", "between", "exists"],
    "decimal": ["=", "!=", "<", "<=", ">", ">=", "between", "exists"],
    "ordered": ["=", "!=", "<", "<=", ">", ">=", "in", "between", "exists"],
    "enum": ["=", "!=", "in", "exists"],
    "bool": ["=", "!=", "exists"],
}


@st.composite
def leaves(draw):
    name = draw(st.sampled_from(sorted(VALUES)))
    op = draw(st.sampled_from(OPS[TALENT_FIELDS[name].type]))
    leaf = {"field": name, "op": op}
    if op == "in":
        leaf["value"] = draw(st.lists(VALUES[name], min_size=1, max_size=3))
    elif op == "between":
        low, high = draw(VALUES[name]), draw(VALUES[name])
        if TALENT_FIELDS[name].type == "ordered":
            low, high = sorted([low, high], key=TALENT_FIELDS[name].ranks.__getitem__)
        elif TALENT_FIELDS[name].type == "decimal":
            low, high = sorted([low, high], key=Decimal)
        else:
            low, high = sorted([low, high])
        leaf["value"] = [low, high]
    elif op != "exists":
        leaf["value"] = draw(VALUES[name])
    return leaf


trees = st.recursive(
    leaves(),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"all": c}),
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"any": c}),
        children.map(lambda c: {"not": c}),
    ),
    max_leaves=6,
)


@st.composite
def records(draw):
    # Each field present or missing (birth date is always present: it comes from the ID number).
    record = {}
    for name, strategy in VALUES.items():
        if name == "age" or draw(st.booleans()):
            record[name] = draw(strategy)
    if "employer.is_key" in record and "employer.size_class" not in record:
        record["employer.size_class"] = "above"
    return record


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    rule=trees,
    people=st.lists(records(), min_size=1, max_size=6),
    period=st.sampled_from([date(2026, 1, 1), date(2026, 7, 1), date(2025, 2, 1)]),
)
def test_sql_and_python_evaluators_agree(db, rule, people, period):
    amount = {
        "per": "month",
        "kind": "tiers",
        "field": "education",
        "steps": [
            {"from": "college", "value": "300.00"},
            {"from": "master", "value": "1500.50"},
        ],
    }
    parsed = parse_policy("talent", rule, amount)
    stored = [_stored_record("talent", r, period) for r in people]
    with transaction.atomic():
        ids = _insert("talent", stored, random.Random(len(people)))
        compiled = compile_policy(parsed, params=PARAMS, as_of=period)
        found = dict(
            eligible_queryset(parsed, period=period, params=PARAMS)
            .filter(pk__in=ids)
            .annotate(a=compiled.amount)
            .values_list("pk", "a")
        )
        transaction.set_rollback(True)
    for pk, record in zip(ids, stored, strict=True):
        explained = explain(parsed, record, as_of=period, params=PARAMS)
        assert explained.eligible == (pk in found), (rule, record)
        if explained.eligible:
            assert explained.amount == Decimal(found[pk]).quantize(Decimal("0.01"))
