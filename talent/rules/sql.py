"""The SQL evaluator: a rule tree compiled to Django `Q` objects and expressions, evaluated by the database.

Each node compiles to two conditions, T (certainly met) and F (certainly not met), so missing data behaves exactly as
in the Python evaluator's three-valued logic without relying on how SQL negates NULL: T(all) = ∧T, F(all) = ∨F,
T(any) = ∨T, F(any) = ∧F, T(not x) = F(x), F(not x) = T(x). A record is eligible when T(root) holds.

Ordered enumerations compare by order: `education >= master` becomes `education IN ('master', 'doctor')`.
Derived integers (age, months in the area) become comparisons of the stored date with a threshold date.
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Least

from talent.rules.fields import ORDERED, FieldSpec
from talent.rules.params import ParamTable
from talent.rules.python import CENT, as_int
from talent.rules.schema import Group, Leaf, Node, ParsedPolicy, effective_root

MONEY_FIELD = models.DecimalField(max_digits=14, decimal_places=2)
_NEGATE = {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def _any(qs: list[Q]) -> Q:
    return reduce(or_, qs) if qs else Q(pk__in=[])


def _all(qs: list[Q]) -> Q:
    return reduce(and_, qs) if qs else Q()


@dataclass
class Compiled:
    eligible: Q
    rejected: Q
    annotations: dict[str, Any]
    amount: Any
    tier: Any


def present(spec: FieldSpec) -> Q:
    return Q(**{f"{spec.path}__gt": ""}) if spec.is_string else Q(**{f"{spec.path}__isnull": False})


def absent(spec: FieldSpec) -> Q:
    q = Q(**{f"{spec.path}__isnull": True})
    return q | Q(**{spec.path: ""}) if spec.is_string else q


class Compiler:
    def __init__(self, parsed: ParsedPolicy, params: ParamTable, as_of: date) -> None:
        self.parsed = parsed
        self.params = params
        self.as_of = as_of
        self.annotations: dict[str, Any] = {}

    def operand(self, spec: FieldSpec, value: Any) -> Any:
        return as_int(spec, self.params.resolve(value, self.as_of))

    # --- leaves -------------------------------------------------------------------------------------------------
    def leaf(self, leaf: Leaf) -> tuple[Q, Q]:
        spec = leaf.spec
        if spec.annotation:
            self.annotations[spec.annotation] = annotation_for(spec.annotation)
        if leaf.op == "exists":
            if self.related(spec):
                relation = spec.path.split("__", 1)[0]
                return self.on_related(spec, present), Q(**{f"{relation}__isnull": True}) | self.on_related(
                    spec, absent
                )
            return present(spec), absent(spec)
        if leaf.op == "in":
            values = [self.operand(spec, v) for v in leaf.value]
            return _any([self.simple(spec, "=", v) for v in values]), _all([self.simple(spec, "!=", v) for v in values])
        if leaf.op == "between":
            low, high = (self.operand(spec, v) for v in leaf.value)
            return (
                self.simple(spec, ">=", low) & self.simple(spec, "<=", high),
                self.simple(spec, "<", low) | self.simple(spec, ">", high),
            )
        value = self.operand(spec, leaf.value)
        return self.simple(spec, leaf.op, value), self.simple(spec, _NEGATE[leaf.op], value)

    @staticmethod
    def related(spec: FieldSpec) -> bool:
        return "__" in spec.path and spec.threshold is None

    def on_related(self, spec: FieldSpec, condition: Any) -> Q:
        """A condition on a related record's column (`employer.is_key`) as a correlated `EXISTS (SELECT … FROM
        enterprise WHERE id = employer_id AND …)` rather than a join or an `IN` list: SQLite then scans the records in
        order and probes the related row by its primary key, instead of starting from the small table and reaching
        every record through the foreign-key index (several times slower at 300k records); PostgreSQL plans it as a
        hash semi-join. A record without the related row meets neither the condition nor its negation's
        counterpart built here (missing data)."""
        relation, column = spec.path.split("__", 1)
        field = record_model(self.parsed.target)._meta.get_field(relation)
        local = replace(spec, path=column)
        related = field.related_model._default_manager.filter(condition(local), pk=OuterRef(field.attname))
        return Q(Exists(related))

    def simple(self, spec: FieldSpec, op: str, value: Any) -> Q:
        """`field op value` as a Q that is true only when the field has a value and the comparison holds."""
        if self.related(spec):
            return self.on_related(spec, lambda local: self.simple(local, op, value))
        path = spec.path
        if spec.threshold is not None:
            # value ≥ n ⇔ column ≤ threshold(n); integers, so > n ⇔ ≥ n+1.
            def ge(n: int) -> Q:
                return Q(**{f"{path}__lte": spec.threshold(self.as_of, n)})  # type: ignore[misc]

            def lt(n: int) -> Q:
                return Q(**{f"{path}__gt": spec.threshold(self.as_of, n)})  # type: ignore[misc]

            return {
                ">=": lambda: ge(value),
                ">": lambda: ge(value + 1),
                "<": lambda: lt(value),
                "<=": lambda: lt(value + 1),
                "=": lambda: ge(value) & lt(value + 1),
                "!=": lambda: lt(value) | ge(value + 1),
            }[op]()
        if spec.type == ORDERED and op in ("<", "<=", ">", ">="):
            rank = spec.ranks[value]
            chosen = [
                v for v, r in spec.ranks.items() if {"<": r < rank, "<=": r <= rank, ">": r > rank, ">=": r >= rank}[op]
            ]
            return Q(**{f"{path}__in": chosen})
        if op == "=":
            return Q(**{path: value})
        if op == "!=":
            return present(spec) & ~Q(**{path: value})
        lookup = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}[op]
        return Q(**{f"{path}__{lookup}": value})

    # --- tree ---------------------------------------------------------------------------------------------------
    def node(self, node: Node) -> tuple[Q, Q]:
        if isinstance(node, Leaf):
            return self.leaf(node)
        assert isinstance(node, Group)
        parts = [self.node(child) for child in node.children]
        if node.kind == "not":
            t, f = parts[0]
            return f, t
        trues, falses = [p[0] for p in parts], [p[1] for p in parts]
        if node.kind == "all":
            return _all(trues), _any(falses)
        return _any(trues), _all(falses)

    # --- amount -------------------------------------------------------------------------------------------------
    def money(self, value: Any) -> Value:
        """An amount resolved for the period and rounded half-up to the fen here, exactly as the Python evaluator
        does, so the database never rounds (SQLite holds decimals as binary floats and Django rounds them half-even
        on reading). Rounding before taking a cap is the same as after: rounding is monotonic."""
        amount = Decimal(self.params.resolve(value, self.as_of)).quantize(CENT, rounding=ROUND_HALF_UP)
        return Value(amount, output_field=MONEY_FIELD)

    def rate_times(self, column: Any, rate_operand: Any) -> Any:
        """count × rate, exact to the fen. A rate with at most two decimals gives an exact product; a parameter with
        finer decimals is multiplied in whole 1/10000 units and rounded half-up (away from zero) to the fen in
        integer arithmetic, identically on both databases (counts are never negative)."""
        rate = Decimal(self.params.resolve(rate_operand, self.as_of))
        if rate == rate.quantize(CENT):
            return models.ExpressionWrapper(column * Value(rate.quantize(CENT)), output_field=MONEY_FIELD)
        units = int((abs(rate) * 10000).to_integral_value())  # parameter values carry at most four decimals
        whole = Cast(column, models.BigIntegerField()) * Value(units, output_field=models.BigIntegerField())
        fen = (whole + Value(50)) / Value(100)  # integer division: whole fen, half-up
        sign = Decimal("100.00") if rate > 0 else Decimal("-100.00")
        return models.ExpressionWrapper(fen / Value(sign), output_field=MONEY_FIELD)

    def amount(self) -> tuple[Any, Any]:
        rule = self.parsed.amount
        expression: Any
        tier: Any = Value("")
        if rule.kind == "fixed":
            expression = self.money(rule.value)
        elif rule.kind == "tiers":
            assert rule.field is not None
            whens = [(self.simple(rule.field, ">=", step.start), step) for step in reversed(rule.tiers)]
            expression = Case(
                *[When(q, then=self.money(s.value)) for q, s in whens], default=Value(None), output_field=MONEY_FIELD
            )
            tier = Case(
                *[When(q, then=Value(str(s.start))) for q, s in whens],
                default=Value(""),
                output_field=models.CharField(),
            )
        else:
            assert rule.field is not None
            if rule.field.annotation:
                self.annotations[rule.field.annotation] = annotation_for(rule.field.annotation)
            expression = self.rate_times(F(rule.field.path), rule.rate)
        if rule.cap is not None:
            expression = Least(expression, self.money(rule.cap), output_field=MONEY_FIELD)
        return expression, tier

    def compile(self) -> Compiled:
        eligible, rejected = self.node(effective_root(self.parsed))
        amount, tier = self.amount()
        return Compiled(eligible, rejected, self.annotations, amount, tier)


def record_model(target: str) -> Any:
    from enterprises.models import Enterprise
    from talent.models import Talent

    return Enterprise if target == "enterprise" else Talent


def annotation_for(name: str) -> Any:
    """Enterprise counts used by enterprise policies, as correlated subqueries (no GROUP BY on the outer query)."""
    from talent.models import Talent

    talents = Talent.objects.filter(employer=OuterRef("pk"))
    if name == "master_plus_count":
        talents = talents.filter(education__in=["master", "doctor"])
    counted = talents.order_by().values("employer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


def compile_policy(parsed: ParsedPolicy, *, params: ParamTable, as_of: date) -> Compiled:
    return Compiler(parsed, params, as_of).compile()
