"""The cockpit's widgets, registered in display order. Each compute function only calls selectors."""

from decimal import Decimal
from typing import Any

from cockpit.links import drill
from cockpit.scope import Scope
from cockpit.selectors.innovation import (
    investment_details,
    investment_pipeline,
    investment_signed_figures,
    matching_details,
)
from cockpit.selectors.organization import organization_chain_figures
from cockpit.selectors.service import service_details
from cockpit.selectors.talent import talent_details
from cockpit.selectors.trends import comparison, trends
from cockpit.widgets import Figure, Widget, register
from matching.choices import AgreementStatus
from service_requests.choices import DeliveryKind

#: The service chain's request list (needs and matters).
SR_LIST = "service_requests:workbench"


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


# ---- service chain (服务链) ----------------------------------------------------------------------------------------


def _percent(rate: Any) -> Decimal | None:
    return None if rate is None else (Decimal(str(rate)) * 100).quantize(Decimal("0.1"))


def service_widget(scope: Scope) -> dict[str, Any]:
    """Links: the service chain's lists filtered by `chain`, `office` and the period, on the date each figure counts
    (service_requests.filters): needs collected by submission (merged ones left out), matters handled by resolution
    (done or rated), open needs by their state now among those submitted by the period's end (the workbench, not the
    problem list, which lists the needs open *at* the period's end), needs resolved on the results list."""
    data = service_details(scope)
    ids = _ids(scope)
    period = {"start": scope.period.start.isoformat(), "end": scope.period.end.isoformat()}
    needs = {"view": "all", "kind": "need", **ids}
    figures = [
        Figure(
            "needs_collected",
            "收集诉求",
            data["needs_collected"],
            "件",
            drill(SR_LIST, **needs, merged="false", date_field="submitted", **period),
        ),
        Figure(
            "needs_resolved",
            "解决诉求",
            data["needs_resolved"],
            "件",
            drill("service_requests:results", **ids, **period),
        ),
        Figure(
            "needs_open",
            "在办诉求",
            data["needs_open"],
            "件",
            drill(SR_LIST, **needs, progress="open", date_field="submitted", end=period["end"]),
        ),
        Figure(
            "needs_overdue", "超期诉求", data["needs_overdue"], "件", drill(SR_LIST, view="overdue", kind="need", **ids)
        ),
        Figure("signed_on_time_rate", "按时签收率", _percent(data["signed_on_time_rate"]), "%"),
        Figure("resolved_on_time_rate", "按时办结率", _percent(data["resolved_on_time_rate"]), "%"),
        Figure("satisfaction_rate", "满意率", _percent(data["satisfaction_rate"]), "%"),
        Figure("reopen_rate", "重办率", _percent(data["reopen_rate"]), "%"),
        Figure(
            "matters_handled",
            "代办事项",
            data["matters_handled"],
            "件",
            drill(SR_LIST, view="all", kind="matter", progress="finished", date_field="resolved", **ids, **period),
        ),
        Figure("enterprises_served", "服务企业", data["enterprises_served"], "家"),
        Figure(
            "service_deliveries",
            "服务记录",
            data["service_deliveries"]["total"],
            "次",
            drill("service_requests:deliveries", **ids, **period),
        ),
    ]
    rows = [
        {
            "label": str(DeliveryKind(kind).label) if kind in DeliveryKind.values else kind,
            "code": kind,
            "cells": [
                Figure(
                    "service_deliveries",
                    "服务记录",
                    count,
                    url=drill("service_requests:deliveries", kind=kind, **ids, **period),
                )
            ],
        }
        for kind, count in sorted(data["service_deliveries"]["by_kind"].items())
    ]
    return {
        "figures": figures,
        "table": {"caption": "服务记录（分类型）", "headers": ["次数"], "rows": rows},
    }


register(
    Widget(
        key="service",
        title="服务链 · 诉求闭环与帮办",
        compute=service_widget,
        office_staff=True,
        order=20,
        description=(
            "收集诉求：期间内提出（并单除外）；解决诉求：期间内办结；在办、超期为当前数；代办事项：期间内办结；"
            "服务企业：期间内提出诉求、办结事项或接受服务记录的企业（去重）。比率定义见服务链文档。"
        ),
    )
)


# ---- innovation chain: roundtables and talent (创新链 · 圆桌会与人才) ---------------------------------------------------


def innovation_widget(scope: Scope) -> dict[str, Any]:
    matching = matching_details(scope)
    talent = talent_details(scope)
    chain = scope.chain.pk if scope.chain is not None else None
    figures = []
    rows = []
    if matching is not None:
        figures += [
            Figure(
                "roundtables_held",
                "党建圆桌会",
                matching["roundtables_held"],
                "场",
                drill("matching:roundtable_list", status="held", chain=chain, **_dates(scope)),
            ),
            Figure(
                "agreements",
                "合作事项",
                matching["agreements_total"],
                "项",
                drill("matching:agreement_list", chain=chain, **_dates(scope)),
            ),
        ]
        rows = [
            {
                "label": str(AgreementStatus(status).label),
                "code": status,
                "cells": [
                    Figure(
                        "agreements",
                        "合作事项",
                        count,
                        url=drill("matching:agreement_list", status=status, chain=chain, **_dates(scope)),
                    )
                ],
            }
            for status, count in matching["agreements"].items()
        ]
    if talent is not None:
        figures += [
            Figure(
                "talent_events",
                "校企人才活动",
                talent["talent_events"],
                "场",
                drill("talent:event_list", **_dates(scope)),
            ),
            Figure(
                "talent_subsidy_planned_wan",
                "人才补贴计划",
                talent["talent_subsidy_planned_wan"],
                "万元",
                drill(
                    "talent:entitlement_list",
                    planned="true",
                    period_from=scope.period.start.isoformat(),
                    period_to=scope.period.end.isoformat(),
                ),
            ),
            Figure(
                "talent_subsidy_paid_wan",
                "人才补贴已发放",
                talent["paid_wan"],
                "万元",
                drill(
                    "talent:ledger",
                    period_from=scope.period.start.isoformat(),
                    period_to=scope.period.end.isoformat(),
                ),
            ),
        ]
    else:
        figures.append(Figure("talent", "人才", None, note="人才数据不分产业链、管理处"))
    return {
        "figures": figures,
        "table": {"caption": "期间达成的合作事项（按状态）", "headers": ["事项"], "rows": rows},
    }


def _dates(scope: Scope) -> dict[str, str]:
    return {"start": scope.period.start.isoformat(), "end": scope.period.end.isoformat()}


register(
    Widget(
        key="innovation",
        title="创新链 · 圆桌会与人才",
        compute=innovation_widget,
        order=40,
        description="圆桌会：期间内召开；合作事项：期间内达成；人才补贴计划：所属期在期间内、未暂缓的待遇（万元）。",
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
        "signed": "true",
        "signed_from": scope.period.start.isoformat(),
        "signed_to": scope.period.end.isoformat(),
    }
    if scope.period.start.year == scope.period.end.year and scope.period.kind in ("year", "ytd"):
        params["signed_year"] = scope.period.start.year
    return params


def investment_widget(scope: Scope) -> dict[str, Any]:
    """Projects have no management office: under an office filter the figures are "—" (as in the summary), never an
    area-wide number or a link to area-wide lists under the office's name."""
    if scope.office is not None:
        note = "招商项目不分管理处"
        return {
            "figures": [
                Figure("projects_signed", "签约项目", None, "个", note=note),
                Figure("investment_signed_wan", "签约金额", None, "万元", note=note),
            ]
        }
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
        wide=True,
        description="按月统计期间内发生数；虚线为去年同期。去年同期无数据时不计算同比。",
    )
)
