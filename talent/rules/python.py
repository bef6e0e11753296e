"""The Python evaluator: one record → eligible or not, the amount, and each condition's outcome with its figures.

Three-valued (Kleene) logic, the same as SQL's: a condition on a missing value is "missing"; `all` is not met if
any child is not met, else missing if any is missing; `any` is met if any child is met, else missing if any is
missing; `not` swaps met and not met and keeps missing. Only "met" at the root makes a record eligible.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from talent.rules.fields import ORDERED, FieldSpec
from talent.rules.params import ParamTable
from talent.rules.schema import OP_LABELS, Group, Leaf, Node, ParsedPolicy, RuleError, effective_root

MET, NOT_MET, MISSING = "met", "not_met", "missing"
OUTCOME_LABELS = {MET: "满足", NOT_MET: "不满足", MISSING: "数据缺失"}
CENT = Decimal("0.01")


@dataclass
class ConditionOutcome:
    path: str
    field: str
    label: str
    op: str
    expected: str
    actual: str
    outcome: str
    article: str = ""
    sources: list[dict[str, str]] = dataclasses.field(default_factory=list)
    implicit: bool = False
    #: Under an odd number of `not`s: the rule wants this condition NOT to hold.
    negated: bool = False

    @property
    def effective(self) -> str:
        """The outcome as the policy sees it (met means: this condition does not stand in the way)."""
        if self.negated and self.outcome != MISSING:
            return NOT_MET if self.outcome == MET else MET
        return self.outcome

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.effective]

    @property
    def sentence(self) -> str:
        prefix = "并非" if self.negated else ""
        return f"{prefix}{self.label}{OP_LABELS[self.op]}{self.expected}（实际：{self.actual}）"


@dataclass
class Explanation:
    eligible: bool
    outcome: str
    amount: Decimal | None
    tier: str
    conditions: list[ConditionOutcome]
    #: Top-level conditions of the root `all` that are not met (the ones to fix to become eligible).
    blocking: list[ConditionOutcome]

    @property
    def failing_fields(self) -> list[str]:
        return sorted({c.field for c in self.blocking if c.field})


def record_value(spec: FieldSpec, record: Mapping[str, Any], as_of: date) -> Any:
    """A field's value in a record (a dict of field names, or stored columns for derived fields); None if missing."""
    if spec.derive is not None and spec.name not in record:
        stored = record.get(spec.path)
        if stored is None or stored == "":
            return None
        if isinstance(stored, str):
            stored = date.fromisoformat(stored)
        return spec.derive(stored, as_of)
    value = record.get(spec.name)
    if value == "":
        return None
    return value


def as_int(spec: FieldSpec, value: Any) -> Any:
    """Integer fields compare with integral values only (a parameter of 35.5 years would be a data error)."""
    if spec.type == "int" and isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise RuleError(f"字段“{spec.label}”是整数，但参数取值为 {value}。")
        return int(value)
    return value


def _key(spec: FieldSpec, value: Any) -> Any:
    return spec.ranks[value] if spec.type == ORDERED else value


def compare(spec: FieldSpec, op: str, actual: Any, expected: Any) -> bool:
    if op == "in":
        return actual in expected
    if op == "between":
        low, high = expected
        return bool(_key(spec, low) <= _key(spec, actual) <= _key(spec, high))
    if op == "=":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    a, e = _key(spec, actual), _key(spec, expected)
    return bool({"<": a < e, "<=": a <= e, ">": a > e, ">=": a >= e}[op])


class Evaluator:
    def __init__(self, parsed: ParsedPolicy, params: ParamTable, as_of: date) -> None:
        self.parsed = parsed
        self.params = params
        self.as_of = as_of

    def operand(self, spec: FieldSpec, value: Any) -> Any:
        return as_int(spec, self.params.resolve(value, self.as_of))

    def leaf(self, leaf: Leaf, record: Mapping[str, Any], out: list[ConditionOutcome], negated: bool) -> str:
        spec = leaf.spec
        actual = record_value(spec, record, self.as_of)
        sources: list[dict[str, str]] = []
        expected: Any = None
        shown = ""
        if leaf.op == "exists":
            outcome = MET if actual is not None else NOT_MET
        else:
            raw = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
            resolved = [self.operand(spec, v) for v in raw]
            sources = [s for s in (self.params.source(v, self.as_of) for v in raw) if s]
            expected = tuple(resolved) if isinstance(leaf.value, tuple) else resolved[0]
            joiner = "至" if leaf.op == "between" else "、"
            shown = joiner.join(spec.display(v) for v in resolved)
            outcome = MISSING if actual is None else MET if compare(spec, leaf.op, actual, expected) else NOT_MET
        out.append(
            ConditionOutcome(
                path=leaf.path,
                field=spec.name,
                label=leaf.label if leaf.implicit else spec.label,
                op=leaf.op,
                expected=shown,
                actual=spec.display(actual),
                outcome=outcome,
                article=leaf.article,
                sources=sources,
                implicit=leaf.implicit,
                negated=negated,
            )
        )
        return outcome

    def node(self, node: Node, record: Mapping[str, Any], out: list[ConditionOutcome], negated: bool = False) -> str:
        if isinstance(node, Leaf):
            return self.leaf(node, record, out, negated)
        inner = not negated if node.kind == "not" else negated
        results = [self.node(child, record, out, inner) for child in node.children]
        if node.kind == "not":
            return {MET: NOT_MET, NOT_MET: MET, MISSING: MISSING}[results[0]]
        if node.kind == "all":
            return NOT_MET if NOT_MET in results else (MISSING if MISSING in results else MET)
        return MET if MET in results else (MISSING if MISSING in results else NOT_MET)

    def amount(self, record: Mapping[str, Any]) -> tuple[Decimal | None, str]:
        rule = self.parsed.amount
        tier = ""
        value: Decimal | None
        if rule.kind == "fixed":
            value = Decimal(self.params.resolve(rule.value, self.as_of))
        elif rule.kind == "tiers":
            assert rule.field is not None
            actual = record_value(rule.field, record, self.as_of)
            value = None
            if actual is not None:
                for step in rule.tiers:
                    if _key(rule.field, actual) >= _key(rule.field, step.start):
                        value = Decimal(self.params.resolve(step.value, self.as_of))
                        tier = str(step.start)
        else:
            assert rule.field is not None
            count = record_value(rule.field, record, self.as_of)
            value = None if count is None else Decimal(count) * Decimal(self.params.resolve(rule.rate, self.as_of))
        if value is not None and rule.cap is not None:
            value = min(value, Decimal(self.params.resolve(rule.cap, self.as_of)))
        return (None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)), tier

    def explain(self, record: Mapping[str, Any], *, already_granted: bool = False) -> Explanation:
        conditions: list[ConditionOutcome] = []
        root = effective_root(self.parsed)
        outcome = self.node(root, record, conditions)
        blocking: list[ConditionOutcome] = []
        if self.parsed.amount.per == "once" and already_granted:
            once = ConditionOutcome("历史", "", "一次性补贴尚未享受", "=", "是", "已享受", NOT_MET)
            conditions.append(once)
            outcome = NOT_MET
            blocking.append(once)
        eligible = outcome == MET
        amount, tier = self.amount(record) if eligible else (None, "")
        # What blocks eligibility: the root's direct children (or the root itself) that are not met.
        tops = root.children if isinstance(root, Group) and root.kind == "all" else (root,)
        for top in tops:
            sub: list[ConditionOutcome] = []
            if self.node(top, record, sub) != MET:
                blocking.extend(c for c in sub if c.effective != MET)
        return Explanation(eligible, outcome, amount, tier, conditions, blocking)


def explain(
    parsed: ParsedPolicy, record: Mapping[str, Any], *, as_of: date, params: ParamTable, **kw: Any
) -> Explanation:
    return Evaluator(parsed, params, as_of).explain(record, **kw)
