"""/api/v1/investment/: the signed-projects summary, projects (scoped, paginated), stage changes, targets, candidates."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from chains.selectors import link_for
from core.api import Pages
from investment import services
from investment.filters import ProjectFilter, TargetFilter
from investment.ranking import rank_for_link
from investment.selectors import can_read, project_for, projects_visible_to, summary_for_year, targets_visible_to

router = Router(tags=["investment"])


def _require(request: HttpRequest) -> None:
    if not can_read(request.user):
        raise HttpError(404, "未找到。")


class ChainFigureOut(Schema):
    chain_id: int | None
    chain: str
    code: str
    field: str
    projects: int
    amount_wan: Decimal


class FieldFigureOut(Schema):
    field: str
    projects: int
    amount_wan: Decimal


class TeamFigureOut(Schema):
    team_id: int
    team: str
    projects: int
    amount_wan: Decimal


class StageFigureOut(Schema):
    stage: str
    label: str
    projects: int
    amount_wan: Decimal


class SummaryOut(Schema):
    year: int
    projects_signed: int
    investment_signed_wan: Decimal
    by_field: list[FieldFigureOut]
    by_chain: list[ChainFigureOut]
    by_team: list[TeamFigureOut]
    by_stage: list[StageFigureOut]


class ProjectOut(Schema):
    id: int
    name: str
    investor: str
    team_id: int
    team: str
    chain_id: int | None
    chain: str | None
    link_ids: list[int]
    stage: str
    stage_label: str
    amount_wan: Decimal
    source_event_id: int | None
    lead_on: date | None
    signed_on: date | None
    registered_on: date | None
    construction_started_on: date | None
    production_on: date | None
    dropped_on: date | None
    dropped_reason: str
    version: int

    @staticmethod
    def resolve_team(obj: Any) -> str:
        return str(obj.team.name)

    @staticmethod
    def resolve_chain(obj: Any) -> str | None:
        return obj.chain.name if obj.chain else None

    @staticmethod
    def resolve_link_ids(obj: Any) -> list[int]:
        return [link.pk for link in obj.links.all()]

    @staticmethod
    def resolve_stage_label(obj: Any) -> str:
        return str(obj.get_stage_display())


class StageIn(Schema):
    to_stage: str
    on: date | None = None
    reason: str = ""
    note: str = ""
    version: int | None = None


class TargetOut(Schema):
    id: int
    name: str
    uscc: str
    region: str
    industry_code: str
    products: str
    tags: list[str]

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return list(obj.tag_labels())


class ReasonOut(Schema):
    signal: str
    points: Decimal
    detail: str


class CandidateOut(Schema):
    target_id: int
    name: str
    region: str
    industry_code: str
    score: Decimal
    reasons: list[ReasonOut]


MAX_ID = 2**63 - 1


class ProjectFilterIn(Schema):
    q: str | None = None
    stage: str | None = None
    team: int | None = Field(None, ge=1, le=MAX_ID)
    chain: int | None = Field(None, ge=1, le=MAX_ID)
    signed_year: int | None = Field(None, ge=2000, le=2100)


class TargetFilterIn(Schema):
    q: str | None = None
    region: str | None = None
    industry_code: str | None = None


@router.get("/summary", response=SummaryOut, summary="年度签约项目汇总（按领域、产业链、工作组）")
def summary(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    _require(request)
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise HttpError(422, "年份应在 2000–2100 之间。")
    return summary_for_year(request.user, year)


@router.get("/projects", response=list[ProjectOut], summary="招商项目")
@paginate(Pages)
def projects(request: HttpRequest, filters: ProjectFilterIn = Query(...)) -> Any:  # noqa: B008
    _require(request)
    data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    filterset = ProjectFilter(
        data, queryset=projects_visible_to(request.user).prefetch_related("links").order_by("-id")
    )
    if not filterset.is_valid():
        raise HttpError(422, "筛选条件无效：" + "；".join(f"{k}: {v[0]}" for k, v in filterset.errors.items()))
    return filterset.qs


@router.get("/projects/{project_id}", response=ProjectOut, summary="招商项目详情")
def project(request: HttpRequest, project_id: int) -> Any:
    _require(request)
    return project_for(request.user, project_id)


@router.post("/projects/{project_id}/stage", response=ProjectOut, summary="推进项目阶段")
def project_stage(request: HttpRequest, project_id: int, payload: StageIn) -> Any:
    _require(request)
    project = project_for(request.user, project_id)
    try:
        services.project_change_stage(
            actor=request.user,
            project=project,
            to_stage=payload.to_stage,
            on=payload.on,
            reason=payload.reason,
            note=payload.note,
            expected_version=payload.version,
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "无权推进该项目。") from None
    except ValueError:
        raise HttpError(422, f"未知阶段：{payload.to_stage}") from None
    except ValidationError as error:
        status = 409 if getattr(error, "code", "") == "stale" else 422
        raise HttpError(status, "；".join(error.messages)) from None
    return project_for(request.user, project_id)


@router.get("/targets", response=list[TargetOut], summary="目标企业")
@paginate(Pages)
def targets(request: HttpRequest, filters: TargetFilterIn = Query(...)) -> Any:  # noqa: B008
    _require(request)
    data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    return TargetFilter(data, queryset=targets_visible_to(request.user).order_by("name")).qs


@router.get("/links/{link_id}/candidates", response=list[CandidateOut], summary="环节候选目标企业（含得分理由）")
def candidates(request: HttpRequest, link_id: int, limit: int = 10) -> list[dict[str, Any]]:
    _require(request)
    if not 1 <= limit <= 50:
        raise HttpError(422, "limit 应在 1–50 之间。")
    try:
        link = link_for(request.user, link_id)
    except Http404:
        raise HttpError(404, "未找到该环节。") from None
    return [
        {
            "target_id": c.target.pk,
            "name": c.target.name,
            "region": c.target.region,
            "industry_code": c.target.industry_code,
            "score": c.score,
            "reasons": [{"signal": r.signal, "points": r.points, "detail": r.detail} for r in c.reasons],
        }
        for c in rank_for_link(link, limit=limit)
    ]
