"""YAML policy test cases (as OpenFisca does), run through both evaluators.

A file holds one case or a list of cases:

    - name: 博士按最高档
      policy: living_subsidy
      period: 2026-07
      records:
        - {age: 30, education: doctor, social_insurance_months: 12, months_in_area: 5, employer.size_class: above}
      expected:
        - {record: 0, amount: "3000.00"}
        - {record: 1, eligible: false, failing: [age]}

A case may say `applicable: false` to assert that no published version is in force in the period.
Records name rule fields (`age` and `months_in_area` may be given directly or as `birth_date` / `start_date`).
Each case runs inside a transaction that is rolled back: its records are inserted, the policy's SQL is evaluated on
them, and the Python evaluator explains each one. A case fails when either evaluator disagrees with `expected`, or
the two disagree with each other.
"""

import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from core.validators import make_resident_id, make_uscc
from enterprises.models import Enterprise
from talent import engine
from talent.models import Talent
from talent.rules import ParamTable, RuleError
from talent.rules.fields import DECIMAL, add_months, add_years, fields_for

DEFAULT_BIRTH = date(1992, 5, 20)


class _Rollback(Exception):
    pass


@dataclass
class CaseResult:
    source: str
    name: str
    problems: list[str] = field(default_factory=list)
    records: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def load_cases(paths: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")) if path.is_dir() else [path])
    cases = []
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for index, case in enumerate(data if isinstance(data, list) else [data]):
            cases.append((f"{file}#{index + 1}", case))
    return cases


def _stored_record(target: str, raw: dict[str, Any], as_of: date) -> dict[str, Any]:
    """The record as the database would hold it: derived fields turned back into dates, decimals exact."""
    specs = fields_for(target)
    record: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in specs and key not in ("birth_date", "start_date"):
            raise RuleError(f"记录中有未知字段“{key}”。")
        if isinstance(value, float):
            raise RuleError(f"字段“{key}”的取值 {value} 是浮点数，请写成带引号的小数。")
        spec = specs.get(key)
        if spec is not None and spec.type == DECIMAL and value is not None:
            value = Decimal(str(value))
        record[key] = value
    if target == "enterprise":
        record.setdefault("is_key", False)
        record.setdefault("is_leading", False)
    if target == "talent":
        if any(key.startswith("employer.") for key in record):
            # An employer in the register always says whether it is key / leading.
            record.setdefault("employer.is_key", False)
            record.setdefault("employer.is_leading", False)
        if "age" in record:
            age = record.pop("age")
            record["birth_date"] = add_years(as_of, -int(age)) if age is not None else None
        record.setdefault("birth_date", DEFAULT_BIRTH)
        if "months_in_area" in record:
            months = record.pop("months_in_area")
            record["start_date"] = add_months(as_of, -int(months)) if months is not None else None
    return record


def _unique_id(rng: random.Random, birth: date, used: set[str]) -> str:
    """A valid ID number for the birth date, unused in this case and in the database (only 1000 serials a day)."""
    while True:
        number = make_resident_id(
            rng, birth=birth.strftime("%Y%m%d"), region=f"36{rng.randrange(10, 99)}{rng.randrange(10, 99)}"
        )
        if number not in used and not Talent.objects.filter(id_number=number).exists():
            used.add(number)
            return number


def _insert(target: str, records: list[dict[str, Any]], rng: random.Random) -> list[int]:
    ids = []
    used: set[str] = set()
    for record in records:
        if target == "enterprise":
            enterprise = Enterprise.objects.create(
                uscc=make_uscc(rng),
                name=f"用例企业{rng.randrange(10**9)}",
                size_class=record.get("size_class") or "",
                is_key=bool(record.get("is_key")),
                is_leading=bool(record.get("is_leading")),
                revenue_wan=record.get("revenue_wan"),
            )
            masters = int(record.get("master_plus_count") or 0)
            total = max(int(record.get("talent_count") or 0), masters)
            for n in range(total):
                Talent.objects.create(
                    name="用例人才",
                    id_number=_unique_id(rng, date(1990, 1, 1), used),
                    birth_date=date(1990, 1, 1),
                    employer=enterprise,
                    education="master" if n < masters else "college",
                )
            ids.append(enterprise.pk)
            continue
        employer = None
        if any(key.startswith("employer.") for key in record):
            employer = Enterprise.objects.create(
                uscc=make_uscc(rng),
                name=f"用例企业{rng.randrange(10**9)}",
                size_class=record.get("employer.size_class") or "",
                is_key=bool(record.get("employer.is_key")),
                is_leading=bool(record.get("employer.is_leading")),
            )
        birth = record["birth_date"]
        talent = Talent.objects.create(
            name="用例人才",
            id_number=_unique_id(rng, birth, used),
            birth_date=birth,
            education=record.get("education") or "",
            title=record.get("title") or "",
            category=record.get("category") or "",
            housing_status=record.get("housing_status") or "",
            social_insurance_months=record.get("social_insurance_months"),
            annual_salary_wan=record.get("annual_salary_wan"),
            start_date=record.get("start_date"),
            employer=employer,
        )
        ids.append(talent.pk)
    return ids


def run_case(source: str, case: dict[str, Any], params: ParamTable) -> CaseResult:
    result = CaseResult(source, str(case.get("name") or case.get("policy")))
    try:
        period = engine.parse_period(case["period"])
        code = case["policy"]
        active = next(iter(engine.active_policies(period, codes=[code])), None)
        if case.get("applicable") is False:
            if active is not None:
                result.problems.append(f"期望政策在 {period:%Y-%m} 不适用，实际适用（版本 {active.version.number}）。")
            return result
        if active is None:
            result.problems.append(f"政策“{code}”在 {period:%Y-%m} 没有生效的已发布版本。")
            return result
        target = active.parsed.target
        records = [_stored_record(target, r or {}, period) for r in case.get("records") or []]
        result.records = len(records)
        python = [engine.explain_record(active, r, period, params) for r in records]
        sql: dict[int, Decimal] = {}
        rng = random.Random(zlib.crc32(source.encode()))
        try:
            with transaction.atomic():
                ids = _insert(target, records, rng)
                qs = engine.eligible_queryset(active.parsed, period=period, params=params).filter(pk__in=ids)
                compiled_amount = engine.compile_policy(active.parsed, params=params, as_of=period).amount
                found = dict(qs.annotate(case_amount=compiled_amount).values_list("pk", "case_amount"))
                sql = {i: Decimal(found[pk]).quantize(Decimal("0.01")) for i, pk in enumerate(ids) if pk in found}
                raise _Rollback
        except _Rollback:
            pass
    except (RuleError, KeyError, ValueError) as error:
        message = "；".join(error.messages) if isinstance(error, RuleError) else str(error)
        result.problems.append(f"用例无法运行：{message}")
        return result
    for index, explanation in enumerate(python):
        in_sql = index in sql
        if explanation.eligible != in_sql:
            result.problems.append(
                f"记录 {index}：两个评估器不一致（Python {'符合' if explanation.eligible else '不符合'}，SQL {'符合' if in_sql else '不符合'}）。"
            )
        elif in_sql and explanation.amount != sql[index]:
            result.problems.append(f"记录 {index}：金额不一致（Python {explanation.amount}，SQL {sql[index]}）。")
    for expected in case.get("expected") or []:
        index = expected.get("record")
        if not isinstance(index, int) or not 0 <= index < len(python):
            result.problems.append(f"expected 中的 record {index} 不存在。")
            continue
        explanation = python[index]
        if "amount" in expected:
            want = Decimal(str(expected["amount"]))
            for name, got in (("Python", explanation.amount), ("SQL", sql.get(index))):
                if got != want:
                    result.problems.append(f"记录 {index}：{name} 金额为 {got or '不符合'}，期望 {want}。")
        if expected.get("eligible") is False:
            if explanation.eligible or index in sql:
                result.problems.append(f"记录 {index}：期望不符合，实际符合。")
            if "failing" in expected:
                got_fields = sorted({c.field for c in explanation.blocking})
                if got_fields != sorted(expected["failing"]):
                    result.problems.append(
                        f"记录 {index}：不满足的条件为 {got_fields}，期望 {sorted(expected['failing'])}。"
                    )
    return result


def run_paths(paths: Iterable[str]) -> list[CaseResult]:
    params = ParamTable.load()
    return [run_case(source, case, params) for source, case in load_cases(paths)]
