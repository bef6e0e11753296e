"""/api/v1/chain-map/: the chain map with gap analysis (links with metrics, status and findings) and gap counts.

Readable by admins, leaders, supervisors and investment team members; 404 for everyone else.
"""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from chains.gaps import analyse_chain, gap_counts_by_chain, map_payload
from chains.map_views import can_open_map
from chains.selectors import chains_visible_to
from core.access import get_visible_or_404

router = Router(tags=["chain-map"])


class FindingOut(Schema):
    rule: str
    label: str
    message: str
    figures: dict[str, Any]


class MapLinkOut(Schema):
    id: int
    name: str
    parent_id: int | None
    depth: int
    stage: str
    function: str
    is_key: bool
    firms: int
    direct_firms: int
    above_scale: int
    leading: int
    revenue_wan: Decimal | None
    status: str
    status_label: str
    color: str
    findings: list[FindingOut]


class ChainRefOut(Schema):
    id: int
    name: str
    code: str


class ThresholdsOut(Schema):
    weak_min_firms: int
    low_end_share: Decimal
    local_supply_target: Decimal
    local_supply_min_suppliers: int
    source: str


class LinkEdgeOut(Schema):
    supplier_link_id: int
    customer_link_id: int
    product: str
    share: Decimal | None


class ChainMapOut(Schema):
    chain: ChainRefOut
    thresholds: ThresholdsOut
    counts: dict[str, int]
    links: list[MapLinkOut]
    link_edges: list[LinkEdgeOut]


class GapCountsOut(Schema):
    chain_id: int
    chain: str
    code: str
    links: int
    gap_links: int
    missing: int
    weak: int
    no_leader: int
    low_end: int
    thin_local_supply: int


def _require(request: HttpRequest) -> None:
    if not can_open_map(request.user):
        raise HttpError(404, "未找到。")


def chain_map_for(request: HttpRequest, chain_id: int) -> dict[str, Any]:
    """The map of one chain for the requesting user (404 when they may not open it). Six queries."""
    _require(request)
    chain = get_visible_or_404(chains_visible_to(request.user), pk=chain_id)
    return map_payload(analyse_chain(chain))


@router.get("/", response=list[GapCountsOut], summary="各产业链缺口统计")
def gap_counts(request: HttpRequest) -> list[dict[str, Any]]:
    _require(request)
    counts = gap_counts_by_chain(list(chains_visible_to(request.user)))
    return [{"chain_id": pk, **row} for pk, row in counts.items()]


@router.get("/{chain_id}", response=ChainMapOut, summary="产业链图谱：环节指标、状态与缺口判定")
def chain_map(request: HttpRequest, chain_id: int) -> dict[str, Any]:
    return chain_map_for(request, chain_id)
