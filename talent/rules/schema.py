"""Validation of rule trees and amount rules (stored as JSON), with errors in Chinese that say where and what.

A rule tree node is one of:
    {"all": [node, ...]}   {"any": [node, ...]}   {"not": node}
    {"field": "education", "op": ">=", "value": "master", "label": "硕士及以上", "article": "第三条"}
A value may name a parameter: {"param": "living_max_age"}; `between` takes [low, high]; `in` a list; `exists` none.
Ops: = != < <= > >= in between exists (≠ ≤ ≥ are accepted and stored in ASCII).

An amount rule:
    {"per": "month" | "once", "max_months": 36,                  # max_months: monthly talent policies only
     "kind": "fixed", "value": "3000.00" | {"param": ...}
     "kind": "tiers", "field": "education", "steps": [{"from": "bachelor", "value": "800"}, ...]   # ascending
     "kind": "rate",  "field": "master_plus_count", "rate": "20000.00"                              # int field
     "cap": "500000.00"}                                                                            # optional
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from talent.rules.fields import BOOL, DATE, DECIMAL, ENUM, INT, ORDERED, TYPE_LABELS, FieldSpec, fields_for

OP_ALIASES = {"≠": "!=", "≤": "<=", "≥": ">=", "==": "="}
ORDER_OPS = {"<", "<=", ">", ">="}
ALL_OPS = {"=", "!=", "<", "<=", ">", ">=", "in", "between", "exists"}
OPS_BY_TYPE = {
    INT: ALL_OPS,
    DECIMAL: ALL_OPS,
    DATE: ALL_OPS,
    ORDERED: ALL_OPS,
    ENUM: {"=", "!=", "in", "exists"},
    BOOL: {"=", "!=", "exists"},
}
OP_LABELS = {
    "=": "等于",
    "!=": "不等于",
    "<": "小于",
    "<=": "不超过",
    ">": "大于",
    ">=": "不低于",
    "in": "属于",
    "between": "介于",
    "exists": "已填写",
}


class RuleError(ValidationError):
    """A rule tree or amount rule that cannot be evaluated; `messages` lists every problem found."""


@dataclass(frozen=True)
class ParamRef:
    code: str


Operand = Any  # a literal (int, Decimal, date, str, bool) or a ParamRef


@dataclass(frozen=True)
class Leaf:
    path: str
    spec: FieldSpec
    op: str
    value: Any  # Operand, list[Operand] (in) or tuple[Operand, Operand] (between), None (exists)
    label: str = ""
    article: str = ""
    implicit: bool = False

    @property
    def code(self) -> str:
        return f"{self.spec.name}{self.op}" + ("" if self.value is None else _code_value(self.value))


def _code_value(value: Any) -> str:
    if isinstance(value, ParamRef):
        return "$" + value.code
    if isinstance(value, (list, tuple)):
        return ",".join(_code_value(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Group:
    path: str
    kind: str  # all | any | not
    children: tuple["Node", ...]


Node = Leaf | Group


@dataclass(frozen=True)
class Tier:
    start: Any
    value: Any


@dataclass(frozen=True)
class AmountRule:
    per: str
    kind: str
    value: Any = None
    field: FieldSpec | None = None
    tiers: tuple[Tier, ...] = ()
    rate: Any = None
    cap: Any = None
    max_months: int | None = None


class _Checker:
    def __init__(self, target: str) -> None:
        self.fields = fields_for(target)
        self.target = target
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}：{message}" if path else message)

    def field(self, path: str, name: Any) -> FieldSpec | None:
        spec = self.fields.get(name) if isinstance(name, str) else None
        if spec is None:
            known = "、".join(f"{s.label}（{s.name}）" for s in self.fields.values())
            self.error(path, f"未知字段“{name}”。可用字段：{known}")
        return spec

    def operand(self, path: str, spec: FieldSpec, raw: Any) -> Any:
        if isinstance(raw, dict) and set(raw) == {"param"}:
            if spec.type not in (INT, DECIMAL):
                self.error(path, f"字段“{spec.label}”是{TYPE_LABELS[spec.type]}，不能引用数值参数。")
                return None
            if not isinstance(raw["param"], str) or not raw["param"]:
                self.error(path, '参数引用应写成 {"param": "参数代码"}。')
                return None
            return ParamRef(raw["param"])
        return literal(self, path, spec, raw)

    def node(self, path: str, raw: Any) -> Node | None:
        if not isinstance(raw, dict):
            self.error(path, "条件应为对象（all / any / not 或 field + op）。")
            return None
        groups = [k for k in ("all", "any", "not") if k in raw]
        if groups:
            if len(raw) != 1:
                self.error(path, f"“{groups[0]}”节点不能再带其他键（{', '.join(sorted(set(raw) - {groups[0]}))}）。")
                return None
            kind = groups[0]
            if kind == "not":
                child = self.node(f"{path}.not", raw["not"])
                return Group(path, "not", (child,)) if child else None
            items = raw[kind]
            if not isinstance(items, list) or not items:
                self.error(path, f"“{kind}”应为非空列表。")
                return None
            children = [self.node(f"{path}.{kind}[{i}]", item) for i, item in enumerate(items)]
            if any(c is None for c in children):
                return None
            return Group(path, kind, tuple(c for c in children if c is not None))
        unknown = set(raw) - {"field", "op", "value", "label", "article"}
        if unknown:
            self.error(path, f"不认识的键：{', '.join(sorted(unknown))}。")
            return None
        spec = self.field(path, raw.get("field"))
        raw_op = raw.get("op")
        op = OP_ALIASES.get(raw_op, raw_op) if isinstance(raw_op, str) else raw_op
        if op not in ALL_OPS:
            self.error(path, f"不支持的运算符“{raw.get('op')}”，可用：= ≠ < ≤ > ≥ in between exists。")
            return None
        if spec is None:
            return None
        if op not in OPS_BY_TYPE[spec.type]:
            self.error(path, f"字段“{spec.label}”是{TYPE_LABELS[spec.type]}，不能使用运算符“{op}”。")
            return None
        value: Any = None
        raw_value = raw.get("value")
        if op == "exists":
            if "value" in raw:
                self.error(path, "运算符 exists 不带取值。")
                return None
        elif "value" not in raw:
            self.error(path, f"运算符“{op}”需要取值（value）。")
            return None
        elif op == "in":
            if not isinstance(raw_value, list) or not raw_value:
                self.error(path, "运算符 in 的取值应为非空列表。")
                return None
            value = tuple(self.operand(f"{path}.value[{i}]", spec, v) for i, v in enumerate(raw_value))
        elif op == "between":
            if not isinstance(raw_value, list) or len(raw_value) != 2:
                self.error(path, "运算符 between 的取值应为 [下限, 上限]。")
                return None
            value = tuple(self.operand(f"{path}.value[{i}]", spec, v) for i, v in enumerate(raw_value))
        else:
            value = self.operand(f"{path}.value", spec, raw_value)
        label = raw.get("label", "")
        article = raw.get("article", "")
        if not isinstance(label, str) or not isinstance(article, str):
            self.error(path, "label 与 article 应为文字。")
        return Leaf(path, spec, op, value, str(label), str(article))


def literal(checker: "_Checker | None", path: str, spec: FieldSpec, raw: Any) -> Any:
    """Parse a literal for a field of the given type; report (or raise) a clear error otherwise."""

    def fail(message: str) -> None:
        if checker is None:
            raise RuleError(f"{path}：{message}" if path else message)
        checker.error(path, message)

    if spec.type == INT:
        if isinstance(raw, bool) or not isinstance(raw, int):
            fail(f"字段“{spec.label}”的取值应为整数，实为“{raw}”。")
            return None
        return raw
    if spec.type == DECIMAL:
        return money(checker, path, raw, label=spec.label)
    if spec.type == BOOL:
        if not isinstance(raw, bool):
            fail(f"字段“{spec.label}”的取值应为 true 或 false，实为“{raw}”。")
            return None
        return raw
    if spec.type == DATE:
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            fail(f"字段“{spec.label}”的取值应为日期（YYYY-MM-DD），实为“{raw}”。")
            return None
    if spec.type in (ENUM, ORDERED):
        if not isinstance(raw, str) or raw not in spec.choices:
            options = "、".join(f"{label}（{value}）" for value, label in spec.choices.items())
            fail(f"字段“{spec.label}”没有取值“{raw}”，可选：{options}。")
            return None
        return raw
    fail(f"未知类型 {spec.type}")  # pragma: no cover
    return None


def money(checker: "_Checker | None", path: str, raw: Any, *, label: str = "金额") -> Decimal | None:
    """Decimals are written as strings (or integers) — a float would already have lost precision."""
    if isinstance(raw, (bool, float)) or not isinstance(raw, (str, int, Decimal)):
        message = f'“{label}”的取值应为整数或带引号的小数（如 "1500.00"），实为“{raw}”。'
        if checker is None:
            raise RuleError(message)
        checker.error(path, message)
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        message = f"“{label}”的取值“{raw}”不是数。"
        if checker is None:
            raise RuleError(message)
        checker.error(path, message)
        return None
    return value


def _amount_operand(checker: _Checker, path: str, raw: Any) -> Any:
    if isinstance(raw, dict) and set(raw) == {"param"} and isinstance(raw["param"], str):
        return ParamRef(raw["param"])
    return money(checker, path, raw)


def _amount(checker: _Checker, raw: Any) -> AmountRule | None:
    path = "金额规则"
    if not isinstance(raw, dict):
        checker.error(path, "应为对象。")
        return None
    per = raw.get("per", "month")
    if per not in ("month", "once"):
        checker.error(path, "per 应为 month（按月）或 once（一次性）。")
    max_months = raw.get("max_months")
    if max_months is not None:
        if isinstance(max_months, bool) or not isinstance(max_months, int) or max_months <= 0:
            checker.error(path, "max_months 应为正整数。")
            max_months = None
        elif per != "month" or checker.target != "talent":
            checker.error(path, "max_months 只适用于按月发放的人才政策。")
    cap = _amount_operand(checker, f"{path}.cap", raw["cap"]) if raw.get("cap") is not None else None
    kind = raw.get("kind")
    if kind == "fixed":
        return AmountRule(
            per, kind, value=_amount_operand(checker, f"{path}.value", raw.get("value")), cap=cap, max_months=max_months
        )
    if kind == "tiers":
        spec = checker.field(f"{path}.field", raw.get("field"))
        steps = raw.get("steps")
        if spec is None:
            return None
        if spec.type not in (INT, DECIMAL, ORDERED):
            checker.error(f"{path}.field", f"分档字段“{spec.label}”应为数值或有序枚举。")
            return None
        if not isinstance(steps, list) or not steps:
            checker.error(f"{path}.steps", "分档应为非空列表 [{from, value}, …]。")
            return None
        tiers = []
        for i, step in enumerate(steps):
            if not isinstance(step, dict) or set(step) != {"from", "value"}:
                checker.error(f"{path}.steps[{i}]", "每一档应为 {from: 起点, value: 金额}。")
                return None
            tiers.append(
                Tier(
                    literal(checker, f"{path}.steps[{i}].from", spec, step["from"]),
                    _amount_operand(checker, f"{path}.steps[{i}].value", step["value"]),
                )
            )
        starts = [t.start for t in tiers if t.start is not None]
        keys = [spec.ranks[s] for s in starts] if spec.type == ORDERED else starts
        if len(keys) == len(tiers) and keys != sorted(set(keys)):
            checker.error(f"{path}.steps", "分档起点应严格递增。")
        return AmountRule(per, kind, field=spec, tiers=tuple(tiers), cap=cap, max_months=max_months)
    if kind == "rate":
        spec = checker.field(f"{path}.field", raw.get("field"))
        if spec is not None and spec.type != INT:
            checker.error(f"{path}.field", f"按人数/数量计发的字段“{spec.label}”应为整数。")
        rate = _amount_operand(checker, f"{path}.rate", raw.get("rate"))
        if isinstance(rate, Decimal) and rate.as_tuple().exponent < -2:  # type: ignore[operator]
            checker.error(f"{path}.rate", "单价最多两位小数。")
        return AmountRule(per, kind, field=spec, rate=rate, cap=cap, max_months=max_months)
    checker.error(f"{path}.kind", f"不支持的金额方式“{kind}”，可用：fixed（固定）、tiers（分档）、rate（按数量）。")
    return None


@dataclass(frozen=True)
class ParsedPolicy:
    target: str
    root: Node
    amount: AmountRule

    def param_codes(self) -> set[str]:
        codes: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, ParamRef):
                codes.add(value.code)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    walk(v)
            elif isinstance(value, (Tier, Leaf)):
                walk(value.value)
            elif isinstance(value, Group):
                for c in value.children:
                    walk(c)

        walk(self.root)
        walk([self.amount.value, self.amount.rate, self.amount.cap, *self.amount.tiers])
        return codes


def parse_policy(target: str, rule: Any, amount: Any, *, known_params: set[str] | None = None) -> ParsedPolicy:
    """Validate and parse; raises RuleError listing every problem (unknown field, wrong type for the op, …)."""
    if target not in ("talent", "enterprise"):
        raise RuleError(f"未知的政策对象“{target}”。")
    checker = _Checker(target)
    root = checker.node("条件", rule)
    amount_rule = _amount(checker, amount)
    if checker.errors:
        raise RuleError(checker.errors)
    assert root is not None and amount_rule is not None
    parsed = ParsedPolicy(target, root, amount_rule)
    if known_params is not None:
        missing = sorted(parsed.param_codes() - known_params)
        if missing:
            raise RuleError([f"引用了不存在的参数：{', '.join(missing)}。"])
    return parsed


def implicit_leaves(parsed: ParsedPolicy) -> list[Leaf]:
    """Conditions the amount rule implies: a tier's lowest start, a rate's field present, the N-month limit."""
    amount = parsed.amount
    leaves: list[Leaf] = []
    if amount.kind == "tiers" and amount.field is not None:
        leaves.append(Leaf("金额规则", amount.field, ">=", amount.tiers[0].start, "达到最低档", implicit=True))
    if amount.kind == "rate" and amount.field is not None:
        leaves.append(Leaf("金额规则", amount.field, ">", 0, "计发数量大于零", implicit=True))
    if amount.max_months:
        spec = fields_for(parsed.target)["months_in_area"]
        label = f"来新区工作后 {amount.max_months} 个月内"
        leaves.append(Leaf("金额规则", spec, "between", (0, amount.max_months - 1), label, implicit=True))
    return leaves


def effective_root(parsed: ParsedPolicy) -> Node:
    extra = implicit_leaves(parsed)
    if not extra:
        return parsed.root
    root = parsed.root
    base = root.children if isinstance(root, Group) and root.kind == "all" else (root,)
    return Group(root.path, "all", (*base, *extra))
