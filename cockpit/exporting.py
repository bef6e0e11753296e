"""The monthly report as workbook sheets (through core.exporting, which neutralises formula injection)."""

from decimal import Decimal, InvalidOperation
from typing import Any


def _number(value: Any) -> Any:
    """Decimal strings back to Decimal so the spreadsheet can sum them; everything else unchanged."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except (InvalidOperation, ValueError):
            return value
    return value


def report_sheets(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    headline = [[row["label"], _number(row["month"]), _number(row["ytd"])] for row in data["headline"]]
    by_chain = [
        [row["chain"], row["organizations"], row["enterprises_covered"], row["members"], _number(row["coverage_rate"])]
        for row in data["by_chain"]
    ]
    problems = [
        [
            r["code"],
            r["enterprise"],
            r["chain"],
            r["title"],
            r["state"],
            r["owner"],
            r["submitted"],
            r["due"],
            r["age_workdays"],
        ]
        for r in data["problems"]
    ]
    results = [
        [
            r["code"],
            r["enterprise"],
            r["chain"],
            r["title"],
            r["unit"],
            r["resolved"],
            r["on_time"],
            r["resolution"],
            r["rating"],
        ]
        for r in data["results"]
    ]
    pipeline = [[r["label"], r["projects"], _number(r["amount_wan"])] for r in data["pipeline"]]
    signed = [
        [r["name"], r["investor"], r["chain"], r["team"], r["stage"], r["signed_on"], _number(r["amount_wan"])]
        for r in data["signed_projects"]
    ]
    payouts = [
        [r["talent"], r["employer"], r["policy"], r["period"], r["paid_on"], _number(r["amount_wan"])]
        for r in data["payouts"]
    ]
    return [
        (f"核心指标 {data['label']}", ["指标", "本月", "本年累计"], headline),
        ("组织链分链", ["产业链", "党组织", "覆盖企业", "党员", "覆盖率"], by_chain),
        (
            "问题清单",
            ["编号", "企业", "产业链", "诉求", "状态", "责任单位", "提出日期", "办结期限", "已用工作日"],
            problems,
        ),
        (
            "实效清单",
            ["编号", "企业", "产业链", "诉求", "主办单位", "办结日期", "按时办结", "办理结果", "企业评价"],
            results,
        ),
        ("招商项目阶段", ["阶段", "项目数", "金额（万元）"], pipeline),
        ("本月签约项目", ["项目", "投资方", "产业链", "工作组", "当前阶段", "签约日期", "金额（万元）"], signed),
        (
            "人才补贴发放汇总",
            ["政策", "笔数", "金额（万元）"],
            [[r["policy"], r["payments"], _number(r["amount_wan"])] for r in data.get("payout_summary", [])],
        ),
        ("人才补贴发放明细", ["人才", "用人单位", "政策", "所属期", "发放日期", "金额（万元）"], payouts),
    ]
