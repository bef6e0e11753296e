"""/api/v1/chains/: chains with their links, placements (scoped by role), and the organization-chain coverage."""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from chains.models import Link
from chains.selectors import can_view_coverage, chain_coverage, chains_visible_to, placements_visible_to
from core.access import get_visible_or_404
from core.api import Pages

router = Router(tags=["chains"])


class CoverageSplitOut(Schema):
    formation: str
    label: str
    organizations: int
    enterprises_covered: int
    members: int


class CoverageOut(Schema):
    chain: str
    code: str
    organizations: int
    enterprises_covered: int
    members: int
    placed: int
    placed_covered: int
    uncovered: int
    coverage_rate: float
    by_formation: list[CoverageSplitOut]


class LinkOut(Schema):
    id: int
    name: str
    parent_id: int | None
    stage: str
    function: str
    is_key: bool
    keywords: str
    industry_codes: str
    description: str


class ChainOut(Schema):
    id: int
    name: str
    code: str
    description: str
    links: list[LinkOut]


class PlacementOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    chain: str
    link_id: int
    link: str
    main_product: str

    @staticmethod
    def resolve_enterprise(obj: Any) -> str:
        return str(obj.enterprise.name)

    @staticmethod
    def resolve_chain(obj: Any) -> str:
        return str(obj.link.chain.name)

    @staticmethod
    def resolve_link(obj: Any) -> str:
        return str(obj.link.name)


def _links_prefetch() -> Prefetch:
    return Prefetch("links", queryset=Link.objects.order_by("sort_order", "id"))


@router.get("/coverage", response=list[CoverageOut], summary="组织链覆盖（按产业链）")
def coverage(request: HttpRequest) -> list[dict[str, Any]]:
    """Per chain: organizations, enterprises covered, members, placed, coverage rate (4 places), split by formation."""
    if not can_view_coverage(request.user):
        raise HttpError(403, "无权查看组织链覆盖情况。")
    rows = chain_coverage(request.user)
    for row in rows:
        row["coverage_rate"] = float(row["coverage_rate"])
    return rows


@router.get("/", response=list[ChainOut], summary="产业链及环节")
@paginate(Pages, page_size=20)
def chain_list(request: HttpRequest) -> Any:
    return chains_visible_to(request.user).prefetch_related(_links_prefetch())


@router.get("/placements", response=list[PlacementOut], summary="企业落链")
@paginate(Pages)
def placement_list(request: HttpRequest, chain: str | None = None, link_id: int | None = None) -> Any:
    qs = placements_visible_to(request.user).order_by("link__chain__sort_order", "link__sort_order", "id")
    if chain:
        qs = qs.filter(link__chain__code=chain)
    if link_id:
        qs = qs.filter(link_id=link_id)
    return qs


@router.get("/{int:chain_id}", response=ChainOut, summary="产业链详情")
def chain_detail(request: HttpRequest, chain_id: int) -> Any:
    return get_visible_or_404(chains_visible_to(request.user).prefetch_related(_links_prefetch()), pk=chain_id)


# The chain map (owned by the innovation-chain work, served at /api/v1/chain-map/{id}) under the path the issue names.
from chains.map_api import ChainMapOut, chain_map_for  # noqa: E402


@router.get("/{int:chain_id}/map", response=ChainMapOut, summary="产业链图谱：环节指标、状态与缺口判定")
def chain_map(request: HttpRequest, chain_id: int) -> Any:
    return chain_map_for(request, chain_id)
