"""The headline figures (API `/api/v1/cockpit/summary`, the monthly report), in a constant number of queries.

Keys are documented in docs/cockpit.md. A figure without a management-office dimension (investment projects, roundtables,
talent events) is `None` when the scope names an office, rather than an area-wide number shown under an office's name.
"""

from typing import Any

from cockpit.scope import Scope
from cockpit.selectors import service, talent
from cockpit.selectors.innovation import investment_signed_figures, matching_figures
from cockpit.selectors.organization import organization_chain_figures

#: Every headline key, in the order of the report.
HEADLINE_KEYS = [
    "organizations",
    "enterprises_covered",
    "members",
    "pioneer_posts",
    "commando_teams",
    "needs_collected",
    "needs_resolved",
    "needs_open",
    "needs_overdue",
    "service_deliveries",
    "matters_handled",
    "enterprises_served",
    "projects_signed",
    "investment_signed_wan",
    "roundtables_held",
    "agreements",
    "talent_events",
    "talent_subsidy_planned_wan",
    "talent_subsidy_paid_wan",
]

#: Chinese labels of the headline keys (report, workbook).
HEADLINE_LABELS = {
    "organizations": "党组织（个）",
    "enterprises_covered": "覆盖企业（家）",
    "members": "党员（名）",
    "pioneer_posts": "先锋岗/责任区（个）",
    "commando_teams": "党员突击队（支）",
    "needs_collected": "收集诉求（件）",
    "needs_resolved": "解决诉求（件）",
    "needs_open": "在办诉求（件）",
    "needs_overdue": "超期诉求（件）",
    "service_deliveries": "服务记录（次）",
    "matters_handled": "代办事项（件）",
    "enterprises_served": "服务企业（家）",
    "projects_signed": "签约项目（个）",
    "investment_signed_wan": "签约金额（万元）",
    "roundtables_held": "党建圆桌会（场）",
    "agreements": "合作事项（项）",
    "talent_events": "校企人才活动（场）",
    "talent_subsidy_planned_wan": "人才补贴计划（万元）",
    "talent_subsidy_paid_wan": "人才补贴已发放（万元）",
}


#: Flows of the period (the rest are stocks): these are compared with the same period last year.
FLOW_KEYS = [
    "needs_collected",
    "needs_resolved",
    "service_deliveries",
    "matters_handled",
    "enterprises_served",
    "projects_signed",
    "investment_signed_wan",
    "roundtables_held",
    "agreements",
    "talent_events",
    "talent_subsidy_planned_wan",
    "talent_subsidy_paid_wan",
]


def flow_figures(scope: Scope) -> dict[str, Any]:
    """The figures of the service and innovation chains for the scope (None where the scope has no such dimension)."""
    figures: dict[str, Any] = {}
    figures.update(service.service_figures(scope))
    if scope.office is None:
        figures.update(investment_signed_figures(scope))
        figures.update(matching_figures(scope))
    figures.update(talent.talent_figures(scope))
    return figures


def cockpit_summary(scope: Scope) -> dict[str, Any]:
    """The headline figures of the scope: every key of HEADLINE_KEYS plus `by_chain` (organization chain per chain)."""
    summary: dict[str, Any] = dict.fromkeys(HEADLINE_KEYS)
    organization = organization_chain_figures(scope)
    summary["by_chain"] = [
        {
            "chain": row["chain"],
            "code": row["code"],
            "organizations": row["organizations"],
            "enterprises_covered": row["enterprises_covered"],
            "members": row["members"],
            "coverage_rate": row["coverage_rate"],
        }
        for row in organization.pop("by_chain")
    ]
    summary.update(organization)
    summary.update(flow_figures(scope))
    return summary
