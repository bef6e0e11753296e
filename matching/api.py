"""The matching API at /api/v1/matching/: postings, ranked suggestions with score components, decisions, roundtables,
agreements and the cockpit's figures. Scoped exactly like the pages (matching.selectors)."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from core.api import Pages
from matching import selectors, services
from matching.models import Posting

router = Router(tags=["matching"])


def _private(request: HttpRequest, posting: Posting) -> bool:
    """Whether this request may see the posting's contact (scope computed once per request)."""
    scope = getattr(request, "_matching_scope", None)
    if scope is None:
        from enterprises.selectors import sees_all_enterprises

        sees_all = sees_all_enterprises(request.user)
        scope = (sees_all, set() if sees_all else selectors.private_enterprise_ids(request.user))
        request._matching_scope = scope  # type: ignore[attr-defined]
    sees_all, ids = scope
    if sees_all:
        return True
    if posting.institution_id:
        return bool(getattr(request.user, "is_staff_role", False))
    return posting.enterprise_id in ids


class PostingOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    category: str
    chain_id: int | None
    link_id: int | None
    industry_code: str
    region: str
    valid_from: date
    valid_until: date | None
    status: str
    owner: str
    contact_name: str | None = None
    contact_phone: str | None = None

    @staticmethod
    def resolve_owner(obj: Posting) -> str:
        return obj.owner_name

    @staticmethod
    def resolve_contact_name(obj: Posting, context: dict[str, Any]) -> str | None:
        return obj.contact_name if _private(context["request"], obj) else None

    @staticmethod
    def resolve_contact_phone(obj: Posting, context: dict[str, Any]) -> str | None:
        return obj.contact_phone if _private(context["request"], obj) else None


class BoostOut(Schema):
    code: str
    label: str
    weight: float


class ComponentsOut(Schema):
    bm25_rank: int | None = None
    bm25_score: float = 0.0
    dense_rank: int | None = None
    dense_score: float = 0.0
    rrf: float = 0.0
    rrf_k: int = 60
    boosts: list[BoostOut] = Field(default_factory=list)
    score: float = 0.0


class SuggestionOut(Schema):
    id: int
    rank: int
    score: float
    status: str
    feedback: str
    source_id: int
    target: PostingOut
    components: ComponentsOut


class DecisionIn(Schema):
    decision: str = Field(..., description="accept 或 decline")
    feedback: str = ""


class RoundtableOut(Schema):
    id: int
    theme: str
    chain_id: int
    link_id: int | None
    held_on: date
    venue: str
    status: str


class AgreementOut(Schema):
    id: int
    title: str
    roundtable_id: int | None
    status: str
    progress: int
    due_on: date | None


@router.get("/postings", response=list[PostingOut], summary="对接信息列表")
@paginate(Pages)
def list_postings(request: HttpRequest, kind: str = "", status: str = "", chain: int | None = None) -> Any:
    qs = selectors.postings_visible_to(request.user).order_by("-created_at", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if chain:
        qs = qs.filter(chain_id=chain)
    return qs


@router.get("/postings/{posting_id}", response=PostingOut, summary="对接信息详情")
def get_posting(request: HttpRequest, posting_id: int) -> Any:
    return selectors.posting_for(request.user, posting_id)


@router.get(
    "/postings/{posting_id}/suggestions", response=list[SuggestionOut], summary="某条信息的匹配推荐（含得分构成）"
)
def posting_suggestions(request: HttpRequest, posting_id: int) -> Any:
    posting = selectors.posting_for(request.user, posting_id)
    return selectors.suggestions_visible_to(request.user).filter(source=posting).order_by("rank")


@router.get("/suggestions", response=list[SuggestionOut], summary="我的推荐 / 待撮合的推荐")
@paginate(Pages)
def list_suggestions(request: HttpRequest, status: str = "") -> Any:
    qs = selectors.suggestions_visible_to(request.user).order_by("source_id", "rank")
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/suggestions/{suggestion_id}/decision", response=SuggestionOut, summary="接受或谢绝推荐")
def decide(request: HttpRequest, suggestion_id: int, payload: DecisionIn) -> Any:
    if payload.decision not in ("accept", "decline"):
        raise HttpError(422, "decision 须为 accept 或 decline。")
    suggestion = selectors.suggestion_for(request.user, suggestion_id)
    try:
        services.suggestion_decide(
            actor=request.user, suggestion=suggestion, accept=payload.decision == "accept", feedback=payload.feedback
        )
    except PermissionDenied:
        raise Http404 from None
    return suggestion


@router.get("/roundtables", response=list[RoundtableOut], summary="党建圆桌会")
@paginate(Pages)
def list_roundtables(request: HttpRequest) -> Any:
    return selectors.roundtables_visible_to(request.user).order_by("-held_on", "-id")


@router.get("/agreements", response=list[AgreementOut], summary="合作事项")
@paginate(Pages)
def list_agreements(request: HttpRequest) -> Any:
    return selectors.agreements_visible_to(request.user).order_by("-created_at", "-id")


@router.get("/figures", summary="创新链指标（驾驶舱）")
def figures(request: HttpRequest, start: date, end: date, chain: int | None = None) -> Any:
    if end < start:
        raise HttpError(400, "结束日期不能早于开始日期。")
    data = selectors.innovation_figures(request.user, start, end, chain=chain)
    return {**data, "start": data["start"].isoformat(), "end": data["end"].isoformat()}
