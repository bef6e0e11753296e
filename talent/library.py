"""The area's shipped policies and parameters, as data (fictional figures and document numbers).

`install(actor)` creates and publishes them through the services; the demo builder and the tests of the shipped
YAML cases (talent/policy_cases/) use it, so the cases always run against exactly these definitions.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from talent import services

LIVING_DOC = "赣江新管发〔2024〕12号《新区高层次人才生活补贴实施细则》"
LIVING_DOC_2026 = "赣江新管发〔2026〕8号《关于调整人才生活补贴标准的通知》"
POST_DOC = "赣江新管发〔2024〕15号《新区重点产业人才岗位补贴办法》"
HOUSING_DOC = "赣江新管发〔2024〕16号《新区人才安居办法》"
ENTERPRISE_DOC = "赣江新管发〔2025〕3号《新区企业引才奖励办法》"

#: (code, name, unit, [(valid_from, value, document, article)])
PARAMETERS: list[tuple[str, str, str, list[tuple[date, str, str, str]]]] = [
    ("living_max_age", "生活补贴年龄上限", "周岁", [(date(2024, 1, 1), "35", LIVING_DOC, "第五条")]),
    ("living_min_si_months", "生活补贴社保月数下限", "月", [(date(2024, 1, 1), "6", LIVING_DOC, "第五条")]),
    (
        "living_bachelor",
        "本科生活补贴",
        "元/月",
        [
            (date(2024, 1, 1), "800", LIVING_DOC, "第六条第一款"),
            (date(2026, 7, 1), "1000", LIVING_DOC_2026, "第二条"),
        ],
    ),
    (
        "living_master",
        "硕士生活补贴",
        "元/月",
        [
            (date(2024, 1, 1), "1500", LIVING_DOC, "第六条第二款"),
            (date(2026, 7, 1), "1800", LIVING_DOC_2026, "第二条"),
        ],
    ),
    ("living_doctor", "博士生活补贴", "元/月", [(date(2024, 1, 1), "3000", LIVING_DOC, "第六条第三款")]),
    ("post_low", "岗位补贴（年薪20万元以上）", "元/月", [(date(2024, 1, 1), "1000", POST_DOC, "第八条")]),
    ("post_mid", "岗位补贴（年薪40万元以上）", "元/月", [(date(2024, 1, 1), "2000", POST_DOC, "第八条")]),
    ("post_high", "岗位补贴（年薪80万元以上）", "元/月", [(date(2024, 1, 1), "4000", POST_DOC, "第八条")]),
    ("rent_monthly", "租房补贴", "元/月", [(date(2024, 1, 1), "1200", HOUSING_DOC, "第十条")]),
    ("purchase_bachelor", "购房补贴（本科）", "元", [(date(2024, 1, 1), "50000", HOUSING_DOC, "第十二条")]),
    ("purchase_master", "购房补贴（硕士）", "元", [(date(2024, 1, 1), "100000", HOUSING_DOC, "第十二条")]),
    ("purchase_doctor", "购房补贴（博士）", "元", [(date(2024, 1, 1), "200000", HOUSING_DOC, "第十二条")]),
    ("ent_min_masters", "引才奖励硕士以上人数下限", "人", [(date(2025, 1, 1), "3", ENTERPRISE_DOC, "第四条")]),
    ("ent_per_master", "引才奖励单价", "元/人", [(date(2025, 1, 1), "5000", ENTERPRISE_DOC, "第五条")]),
    ("ent_cap", "引才奖励上限", "元", [(date(2025, 1, 1), "200000", ENTERPRISE_DOC, "第五条")]),
]

POLICIES: list[dict[str, Any]] = [
    {
        "code": "living_subsidy",
        "name": "高层次人才生活补贴",
        "target": "talent",
        "summary": "35 周岁以下本科及以上人才，按学历每月发放生活补贴，最长 36 个月。",
        "legal_reference": LIVING_DOC,
        "article": "第五条至第七条",
        "effective_from": date(2024, 1, 1),
        "rule": {
            "all": [
                {"field": "age", "op": "<=", "value": {"param": "living_max_age"}, "article": "第五条"},
                {"field": "education", "op": ">=", "value": "bachelor", "article": "第五条"},
                {
                    "field": "social_insurance_months",
                    "op": ">=",
                    "value": {"param": "living_min_si_months"},
                    "article": "第五条",
                },
                {"field": "employer.size_class", "op": "exists", "article": "第五条"},
            ]
        },
        "amount": {
            "per": "month",
            "max_months": 36,
            "kind": "tiers",
            "field": "education",
            "steps": [
                {"from": "bachelor", "value": {"param": "living_bachelor"}},
                {"from": "master", "value": {"param": "living_master"}},
                {"from": "doctor", "value": {"param": "living_doctor"}},
            ],
        },
    },
    {
        "code": "post_subsidy",
        "name": "重点产业人才岗位补贴",
        "target": "talent",
        "summary": "重点或龙头企业中级职称以上或 A–C 类人才，按年薪分档每月发放。",
        "legal_reference": POST_DOC,
        "article": "第七条、第八条",
        "effective_from": date(2024, 1, 1),
        "rule": {
            "all": [
                {
                    "any": [
                        {"field": "employer.is_key", "op": "=", "value": True},
                        {"field": "employer.is_leading", "op": "=", "value": True},
                    ]
                },
                {
                    "any": [
                        {"field": "title", "op": ">=", "value": "intermediate"},
                        {"field": "category", "op": "in", "value": ["A", "B", "C"]},
                    ]
                },
            ]
        },
        "amount": {
            "per": "month",
            "kind": "tiers",
            "field": "annual_salary_wan",
            "steps": [
                {"from": "20", "value": {"param": "post_low"}},
                {"from": "40", "value": {"param": "post_mid"}},
                {"from": "80", "value": {"param": "post_high"}},
            ],
        },
    },
    {
        "code": "rent_subsidy",
        "name": "人才租房补贴",
        "target": "talent",
        "summary": "在新区租房的本科及以上人才，每月补贴，最长 36 个月。",
        "legal_reference": HOUSING_DOC,
        "article": "第十条",
        "effective_from": date(2024, 1, 1),
        "rule": {
            "all": [
                {"field": "housing_status", "op": "=", "value": "renting", "article": "第十条"},
                {"field": "education", "op": ">=", "value": "bachelor", "article": "第十条"},
            ]
        },
        "amount": {"per": "month", "max_months": 36, "kind": "fixed", "value": {"param": "rent_monthly"}},
    },
    {
        "code": "purchase_subsidy",
        "name": "人才首次购房补贴",
        "target": "talent",
        "summary": "在新区首次购房的硕士以上或 A–C 类人才，一次性补贴。",
        "legal_reference": HOUSING_DOC,
        "article": "第十二条",
        "effective_from": date(2024, 1, 1),
        "rule": {
            "all": [
                {"field": "housing_status", "op": "=", "value": "purchased", "article": "第十二条"},
                {
                    "any": [
                        {"field": "education", "op": ">=", "value": "master"},
                        {"field": "category", "op": "in", "value": ["A", "B", "C"]},
                    ]
                },
                {"not": {"field": "social_insurance_months", "op": "<", "value": 12, "article": "第十二条"}},
            ]
        },
        "amount": {
            "per": "once",
            "kind": "tiers",
            "field": "education",
            "steps": [
                {"from": "bachelor", "value": {"param": "purchase_bachelor"}},
                {"from": "master", "value": {"param": "purchase_master"}},
                {"from": "doctor", "value": {"param": "purchase_doctor"}},
            ],
        },
    },
    {
        "code": "enterprise_talent_award",
        "name": "企业引才奖励",
        "target": "enterprise",
        "summary": "规上企业在册硕士以上人才达到人数下限的，按人数一次性奖励，设上限。",
        "legal_reference": ENTERPRISE_DOC,
        "article": "第四条、第五条",
        "effective_from": date(2025, 1, 1),
        "rule": {
            "all": [
                {"field": "size_class", "op": "=", "value": "above", "article": "第四条"},
                {"field": "master_plus_count", "op": ">=", "value": {"param": "ent_min_masters"}, "article": "第四条"},
            ]
        },
        "amount": {
            "per": "once",
            "kind": "rate",
            "field": "master_plus_count",
            "rate": {"param": "ent_per_master"},
            "cap": {"param": "ent_cap"},
        },
    },
]


def install(actor: Any) -> list[Any]:
    """Create the parameters and publish the policies (through the services). Returns the published versions."""
    for code, name, unit, values in PARAMETERS:
        for valid_from, value, document, article in values:
            services.parameter_set_value(
                actor=actor,
                code=code,
                name=name,
                unit=unit,
                valid_from=valid_from,
                value=Decimal(value),
                legal_reference=document,
                article=article,
            )
    versions = []
    for spec in POLICIES:
        version = services.policy_create(actor=actor, **spec)
        versions.append(services.policy_version_publish(actor=actor, version=version))
    return versions
