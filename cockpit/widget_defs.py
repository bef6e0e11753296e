"""The cockpit's widgets, registered in display order. Each compute function only calls selectors."""

from typing import Any

from cockpit.links import drill
from cockpit.scope import Scope
from cockpit.selectors.innovation import investment_details, investment_pipeline, investment_signed_figures
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
    """Links: the organization lists filter by `chain` (and, requested of the organizations app, `office`: records
    of the office's enterprises, the rule the figures use); placed enterprises are the register filtered by chain and
    management office; coverage links open the chain's coverage page (its uncovered enterprises)."""
    data = organization_chain_figures(scope)
    ids = _ids(scope)
    figures = [
        Figure("organizations", "党组织", data["organizations"], "个", drill("organizations:list", **ids)),
        Figure(
            "enterprises_covered",
            "覆盖企业",
            data["enterprises_covered"],
            "家",
            drill("chains:coverage_detail", scope.chain.pk) if scope.chain else drill("chains:coverage"),
        ),
        Figure("members", "党员", data["members"], "名", drill("organizations:members", **ids)),
        Figure("pioneer_posts", "先锋岗/责任区", data["pioneer_posts"], "个", drill("organizations:posts", **ids)),
        Figure("commando_teams", "党员突击队", data["commando_teams"], "支", drill("organizations:teams", **ids)),
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
                    url=drill("organizations:list", chain=row["chain_id"], office=office),
                ),
                Figure(
                    "enterprises_covered",
                    "覆盖企业",
                    row["enterprises_covered"],
                    url=drill("chains:coverage_detail", row["chain_id"]),
                ),
                Figure(
                    "members",
                    "党员",
                    row["members"],
                    url=drill("organizations:members", chain=row["chain_id"], office=office),
                ),
                Figure(
                    "placed",
                    "落链企业",
                    row["placed"],
                    url=drill("enterprises:list", chain=row["chain_id"], management_office=office),
                ),
                Figure("uncovered", "未覆盖", row["uncovered"], url=drill("chains:coverage_detail", row["chain_id"])),
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


def signed_project_params(scope: Scope, chain_id: Any = None) -> dict[str, Any]:
    """Query parameters of the project list for the signed projects of the scope.

    The project list filters by `signed_year`, `chain` and one `stage`; the cockpit also passes `signed_from`,
    `signed_to` and `signed=1` (stage signed or later), which the list needs for periods shorter than a year and to
    leave out projects dropped after signing (docs/cockpit.md, requested of the investment app)."""
    params: dict[str, Any] = {
        "chain": chain_id,
        "signed": "1",
        "signed_from": scope.period.start.isoformat(),
        "signed_to": scope.period.end.isoformat(),
    }
    if scope.period.start.year == scope.period.end.year and scope.period.kind in ("year", "ytd"):
        params["signed_year"] = scope.period.start.year
    return params


def investment_widget(scope: Scope) -> dict[str, Any]:
    details = investment_details(scope)
    totals = investment_signed_figures(scope, details)
    chain = scope.chain.pk if scope.chain is not None else None
    signed_url = drill("investment:project_list", **signed_project_params(scope, chain))
    figures = [
        Figure("projects_signed", "签约项目", totals["projects_signed"], "个", signed_url),
        Figure("investment_signed_wan", "签约金额", totals["investment_signed_wan"], "万元", signed_url),
    ]
    rows = [
        {
            "label": row["chain"],
            "code": row["code"],
            "cells": [
                Figure(
                    "projects_signed",
                    "签约项目",
                    row["projects"],
                    url=drill("investment:project_list", **signed_project_params(scope, row["chain_id"])),
                ),
                Figure("investment_signed_wan", "签约金额（万元）", row["amount_wan"]),
            ],
        }
        for row in details["by_chain"]
    ]
    rows += [
        {
            "label": f"{row['field']}领域合计",
            "code": f"field-{row['field']}",
            "cells": [
                Figure("projects_signed", "签约项目", row["projects"]),
                Figure("investment_signed_wan", "签约金额（万元）", row["amount_wan"]),
            ],
        }
        for row in details["by_field"]
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
        for row in investment_pipeline(scope, details)
    ]
    return {
        "figures": figures,
        "table": {"caption": "期间签约（分产业链、领域）", "headers": ["签约项目", "签约金额（万元）"], "rows": rows},
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
