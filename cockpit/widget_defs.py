"""The cockpit's widgets, registered in display order. Each compute function only calls selectors."""

from typing import Any

from cockpit.links import drill
from cockpit.scope import Scope
from cockpit.selectors.organization import organization_chain_figures
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
