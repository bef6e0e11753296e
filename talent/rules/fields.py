"""The fields a rule may name, per target, with their type, Chinese label and how each evaluator reads them.

Types: int, decimal, date, bool, enum (compared for equality only), ordered (an enum compared by its order).
Derived fields (`age`, `months_in_area`) are computed as of the first day of the period: in Python from the stored
date, in SQL by turning the comparison into a comparison of the stored date with a threshold date, so the database
uses the column as is.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from talent.choices import ORDERED_ENUMS, Education, HousingStatus, TalentCategory, Title

INT, DECIMAL, DATE, BOOL, ENUM, ORDERED = "int", "decimal", "date", "bool", "enum", "ordered"
TYPE_LABELS = {INT: "整数", DECIMAL: "数值", DATE: "日期", BOOL: "是/否", ENUM: "枚举", ORDERED: "有序枚举"}

SIZE_CLASSES = {"above": "规上", "below": "规下"}


def add_months(day: date, months: int) -> date:
    """Shift a first-of-month (or any day ≤ 28) by whole months; used with day 1 only, so no clamping is needed."""
    index = day.year * 12 + (day.month - 1) + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def add_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years)


def age_on(birth: date, day: date) -> int:
    """完整周岁 on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def months_between(start: date, day: date) -> int:
    """Whole months from `start` to `day` (0 if `day` is before the first full month ends)."""
    return (day.year - start.year) * 12 + (day.month - start.month) - (1 if day.day < start.day else 0)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    #: The ORM path of the stored column (for derived fields: the date column the value comes from).
    path: str
    choices: dict[str, str] = field(default_factory=dict)
    #: For derived fields: day → threshold date such that value ≥ n ⇔ column ≤ threshold(as_of, n).
    threshold: Callable[[date, int], date] | None = None
    #: For derived fields: (stored date, as_of) → value.
    derive: Callable[[date, date], int] | None = None
    #: Annotation-backed fields (enterprise counts) name the annotation; the SQL compiler adds it.
    annotation: str = ""
    #: String columns store "" for unknown; other columns NULL.
    is_string: bool = False

    @property
    def ranks(self) -> dict[str, int]:
        return ORDERED_ENUMS.get(self.name, {})

    def display(self, value: Any) -> str:
        if value is None or value == "":
            return "（缺失）"
        if isinstance(value, bool):
            return "是" if value else "否"
        if self.choices and str(value) in self.choices:
            return str(self.choices[str(value)])
        return str(value)


def _choices(enum: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in enum.choices}


TALENT_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in [
        FieldSpec("education", "学历", ORDERED, "education", _choices(Education), is_string=True),
        FieldSpec("title", "职称", ORDERED, "title", _choices(Title), is_string=True),
        FieldSpec("category", "人才类别", ENUM, "category", _choices(TalentCategory), is_string=True),
        FieldSpec("housing_status", "住房情况", ENUM, "housing_status", _choices(HousingStatus), is_string=True),
        FieldSpec("social_insurance_months", "社保缴纳月数", INT, "social_insurance_months"),
        FieldSpec("annual_salary_wan", "年薪（万元）", DECIMAL, "annual_salary_wan"),
        FieldSpec("start_date", "来新区工作日期", DATE, "start_date"),
        FieldSpec(
            "age",
            "年龄（周岁）",
            INT,
            "birth_date",
            threshold=lambda d, n: add_years(d, -n),
            derive=lambda b, d: age_on(b, d),
        ),
        FieldSpec(
            "months_in_area",
            "在新区工作月数",
            INT,
            "start_date",
            threshold=lambda d, n: add_months(d, -n),
            derive=lambda s, d: months_between(s, d),
        ),
        FieldSpec("employer.is_key", "用人单位为重点企业", BOOL, "employer__is_key"),
        FieldSpec("employer.is_leading", "用人单位为龙头企业", BOOL, "employer__is_leading"),
        FieldSpec("employer.size_class", "用人单位规模", ENUM, "employer__size_class", SIZE_CLASSES, is_string=True),
    ]
}

ENTERPRISE_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in [
        FieldSpec("size_class", "企业规模", ENUM, "size_class", SIZE_CLASSES, is_string=True),
        FieldSpec("is_key", "重点企业", BOOL, "is_key"),
        FieldSpec("is_leading", "龙头/链主企业", BOOL, "is_leading"),
        FieldSpec("revenue_wan", "营业收入（万元）", DECIMAL, "revenue_wan"),
        FieldSpec("talent_count", "在册人才数", INT, "talent_count", annotation="talent_count"),
        FieldSpec("master_plus_count", "硕士及以上人才数", INT, "master_plus_count", annotation="master_plus_count"),
    ]
}


def fields_for(target: str) -> dict[str, FieldSpec]:
    return ENTERPRISE_FIELDS if target == "enterprise" else TALENT_FIELDS
