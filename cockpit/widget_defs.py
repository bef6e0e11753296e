"""The cockpit's widgets, registered in display order. Each compute function only calls selectors."""

from typing import Any

from cockpit.links import drill
from cockpit.scope import Scope
from cockpit.selectors.innovation import investment_pipeline, investment_signed_by_chain, investment_signed_figures
from cockpit.selectors.organization import organization_chain_figures
from cockpit.selectors.trends import comparison, trends
from cockpit.widgets import Figure, Widget, register


def _ids(scope: Scope) -> dict[str, Any]:
    return {
        "chain": scope.chain.pk if scope.chain is not None else None,
        "office": scope.office.pk if scope.office is not None else None,
    }


# ---- organization chain (组织链) ------------------------------------------------------------------------------


def organization_widget(scope: Scope) -> dict[str, Any]:
    data = organization_chain_figures(scope)
    ids = _ids(scope)
    figures = [
        Figure("organizations", "党组织", data["organizations"], "个", drill("organizations:organization_list", **ids)),
        Figure(
            "enterprises_covered",
            "覆盖企业",
            data["enterprises_covered"],
            "家",
            drill("enterprises:enterprise_list", covered="1", **ids),
        ),
        Figure("members", "党员", data["members"], "名", drill("organizations:member_list", **ids)),
        Figure("pioneer_posts", "先锋岗/责任区", data["pioneer_posts"], "个", drill("organizations:post_list", **ids)),
        Figure("commando_teams", "党员突击队", data["commando_teams"], "支", drill("organizations:team_list", **ids)),
    ]
    office = ids["office"]
    rows = [
        {
            "label": row["chain"],
            "code": row["code"],
            "cells": [
                Figure(
                    "organizations",
                    "党组织",
                    row["organizations"],
                    url=drill("organizations:organization_list", chain=row["chain_id"], office=office),
                ),
                Figure(
                    "enterprises_covered",
                    "覆盖企业",
                    row["enterprises_covered"],
                    url=drill("enterprises:enterprise_list", covered="1", chain=row["chain_id"], office=office),
                ),
                Figure(
                    "members",
                    "党员",
                    row["members"],
                    url=drill("organizations:member_list", chain=row["chain_id"], office=office),
                ),
                Figure("placed", "落链企业", row["placed"], url=drill("chains:coverage", chain=row["chain_id"])),
                Figure(
                    "uncovered",
                    "未覆盖",
                    row["uncovered"],
                    url=drill("chains:uncovered", chain=row["chain_id"], office=office),
                ),
                Figure("coverage_rate", "覆盖率", row["coverage_rate"] * 100, "%"),
            ],
        }
        for row in data["by_chain"]
    ]
    return {
        "figures": figures,
        "table": {
            "caption": "分产业链",
            "headers": ["党组织", "覆盖企业", "党员", "落链企业", "未覆盖", "覆盖率"],
            "rows": rows,
        },
    }


register(
    Widget(
        key="organization",
        title="组织链 · 党组织覆盖",
        compute=organization_widget,
        office_staff=True,
        order=10,
        description="党组织、覆盖企业、党员为现有记录（存量），不随期间变化；分产业链数据与产业链覆盖页一致。",
    )
)


# ---- innovation chain: investment (创新链 · 招商) -------------------------------------------------------------------


def _period_params(scope: Scope, prefix: str = "") -> dict[str, str]:
    return {f"{prefix}from": scope.period.start.isoformat(), f"{prefix}to": scope.period.end.isoformat()}


def investment_widget(scope: Scope) -> dict[str, Any]:
    figures_data = investment_signed_figures(scope)
    chain = scope.chain.pk if scope.chain is not None else None
    signed = {"stage": "signed_or_later", "chain": chain, **_period_params(scope, "signed_")}
    figures = [
        Figure(
            "projects_signed",
            "签约项目",
            figures_data["projects_signed"],
            "个",
            drill("investment:project_list", **signed),
        ),
        Figure(
            "investment_signed_wan",
            "签约金额",
            figures_data["investment_signed_wan"],
            "万元",
            drill("investment:project_list", **signed),
        ),
    ]
    rows = [
        {
            "label": row["chain"],
            "code": row["code"],
            "cells": [
                Figure(
                    "projects_signed",
                    "签约项目",
                    row["projects_signed"],
                    url=drill("investment:project_list", **{**signed, "chain": row["chain_id"]}),
                ),
                Figure("investment_signed_wan", "签约金额（万元）", row["investment_signed_wan"]),
            ],
        }
        for row in investment_signed_by_chain(scope)
    ]
    pipeline = [
        {
            "label": row["label"],
            "code": row["stage"],
            "cells": [
                Figure(
                    "projects",
                    "项目",
                    row["projects"],
                    url=drill("investment:project_list", stage=row["stage"], chain=chain),
                ),
                Figure("amount_wan", "金额（万元）", row["amount_wan"]),
            ],
        }
        for row in investment_pipeline(scope)
    ]
    return {
        "figures": figures,
        "table": {"caption": "期间签约（分产业链）", "headers": ["签约项目", "签约金额（万元）"], "rows": rows},
        "table2": {"caption": "项目库（当前阶段，存量）", "headers": ["项目", "金额（万元）"], "rows": pipeline},
    }


register(
    Widget(
        key="investment",
        title="创新链 · 招商引资",
        compute=investment_widget,
        order=30,
        description="签约项目：期间内签约（签约日期在期间内）且现处签约及以后阶段的项目；金额为投资额合计。",
    )
)


# ---- trends and year-on-year comparison (趋势与同比) ----------------------------------------------------------------


def trends_widget(scope: Scope) -> dict[str, Any]:
    rows = [
        {
            "label": row["label"],
            "code": row["key"],
            "cells": [
                Figure("current", "本期", row["current"]),
                Figure("previous", "去年同期", row["previous"]),
                Figure("change", "同比", row["change"], "%"),
            ],
        }
        for row in comparison(scope)
    ]
    return {
        "figures": [],
        "chart": trends(scope),
        "chart_id": "chart-trends",
        "table": {"caption": "与去年同期比较", "headers": ["本期", "去年同期", "同比"], "rows": rows},
    }


register(
    Widget(
        key="trends",
        title="月度趋势与同比",
        compute=trends_widget,
        office_staff=True,
        order=90,
        description="按月统计期间内发生数；虚线为去年同期。去年同期无数据时不计算同比。",
    )
)
