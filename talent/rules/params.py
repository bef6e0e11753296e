"""Dated parameter values: the value in force on a day is the one with the latest valid_from on or before it."""

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from talent.rules.schema import ParamRef, RuleError


@dataclass(frozen=True)
class DatedValue:
    valid_from: date
    value: Decimal
    legal_reference: str
    article: str = ""


class ParamTable:
    """Parameter code → dated values (sorted), plus optional overrides (a reform in the policy sandbox)."""

    def __init__(self, values: Mapping[str, Iterable[DatedValue]], overrides: Mapping[str, Decimal] | None = None):
        self._values = {code: sorted(vs, key=lambda v: v.valid_from) for code, vs in values.items()}
        self._starts = {code: [v.valid_from for v in vs] for code, vs in self._values.items()}
        self.overrides = dict(overrides or {})

    @classmethod
    def load(cls, overrides: Mapping[str, Decimal] | None = None) -> "ParamTable":
        """Every parameter's dated values in one query."""
        from talent.models import ParameterValue

        values: dict[str, list[DatedValue]] = {}
        rows = ParameterValue.objects.values_list(
            "parameter__code", "valid_from", "value", "legal_reference", "article"
        ).order_by()
        for code, valid_from, value, reference, article in rows:
            values.setdefault(code, []).append(DatedValue(valid_from, value, reference, article))
        return cls(values, overrides)

    def codes(self) -> set[str]:
        return set(self._values)

    def at(self, code: str, day: date) -> DatedValue:
        if code in self.overrides:
            return DatedValue(day, Decimal(self.overrides[code]), "沙盘假设", "")
        if code not in self._values:
            raise RuleError(f"参数“{code}”不存在。")
        index = bisect_right(self._starts[code], day)
        if index == 0:
            raise RuleError(f"参数“{code}”在 {day:%Y-%m-%d} 尚无生效的取值。")
        return self._values[code][index - 1]

    def resolve(self, operand: Any, day: date) -> Any:
        """A literal as is; a parameter reference → its value on `day` (Decimal)."""
        if isinstance(operand, ParamRef):
            return self.at(operand.code, day).value
        return operand

    def source(self, operand: Any, day: date) -> dict[str, str] | None:
        if isinstance(operand, ParamRef):
            dated = self.at(operand.code, day)
            return {
                "param": operand.code,
                "value": str(dated.value.normalize()),
                "valid_from": dated.valid_from.isoformat(),
                "legal_reference": dated.legal_reference,
                "article": dated.article,
            }
        return None
