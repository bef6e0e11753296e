"""The service-chain API (mounted at /api/v1/services/ and /api/v1/service-requests/).

POST ""                       create a need or a matter
GET  ""                       list (paginated, scoped, filters: kind, state, view)
GET  "/{id}"                  one request with state, due_at, timeline (internal notes hidden from enterprises)
POST "/{id}/actions/{action}" one transition of the table (409 wrong state or stale version, 403 role, 400 input)
GET  "/catalog", "/figures", "/metrics/{dimension}", "/deliveries", "/notices"
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from accounts.choices import Role
from accounts.models import Unit
from core.api import Pages
from core.services import StaleEditError
from enterprises.selectors import enterprise_for
from service_requests import selectors
from service_requests.choices import Channel, DeliveryKind, Kind, Topic
from service_requests.models import ServiceRequest
from service_requests.services.deliveries import delivery_record
from service_requests.services.intake import matter_order, need_create
from service_requests.services.workflow import WorkflowError, allowed_actions, request_act

router = Router(tags=["service_requests"])
#: The same endpoints under the issue's name, /api/v1/service-requests/ (own operation ids, one OpenAPI entry each).
alias_router = Router(tags=["service_requests"])


def _route(method: str, path: str, **kwargs: Any) -> Any:
    """Register one view on both routers."""

    def register(view: Any) -> Any:
        getattr(router, method)(path, **kwargs)(view)
        getattr(alias_router, method)(path, operation_id=f"service_requests_{view.__name__}", **kwargs)(view)
        return view

    return register


# ---- schemas ---------------------------------------------------------------------------------------------------


class RequestIn(Schema):
    kind: Kind = Kind.NEED
    enterprise_id: int | None = Field(None, description="企业用户可省略（默认本企业）")
    title: str = Field("", max_length=150)
    description: str = ""
    topic: Topic = Topic.OTHER
    channel: Channel = Channel.ONLINE
    service_id: int | None = None
    form_data: dict[str, Any] = Field(default_factory=dict)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class RequestBase(Schema):
    id: int
    code: str
    kind: str
    state: str
    state_label: str
    enterprise_id: int
    enterprise_name: str
    channel: str
    topic: str
    service_id: int | None
    service_name: str | None
    title: str
    lead_unit: str | None
    submitted_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None
    rating: int | None
    reopen_count: int
    version: int


class RequestOut(RequestBase):
    @staticmethod
    def resolve_state_label(obj: ServiceRequest) -> str:
        return obj.get_state_display()

    @staticmethod
    def resolve_enterprise_name(obj: ServiceRequest) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_service_name(obj: ServiceRequest) -> str | None:
        return obj.service.name if obj.service else None

    @staticmethod
    def resolve_lead_unit(obj: ServiceRequest) -> str | None:
        return obj.lead_unit.name if obj.lead_unit else None


class EventOut(Schema):
    at: datetime
    actor: str | None
    action: str
    from_state: str
    to_state: str
    note: str
    internal: bool
    request_id: int


class RequestDetailOut(RequestBase):
    description: str
    form_data: dict[str, Any]
    accept_due_at: datetime | None
    sign_due_at: datetime | None
    co_units: list[str]
    resolution: str
    evidence: str
    rating_comment: str
    merged_into_id: int | None
    actions: list[str]
    timeline: list[EventOut]


class ActionIn(Schema):
    expected_version: int | None = Field(None, description="读取时的 version；不一致时返回 409")
    reason: str = ""
    note: str = ""
    internal: bool = False
    lead_unit_id: int | None = None
    co_unit_ids: list[int] | None = None
    sign_workdays: int | None = None
    time_limit_workdays: int | None = None
    interpreter_id: int | None = None
    runner_id: int | None = None
    reporter_id: int | None = None
    supervisor_id: int | None = None
    target_id: int | None = None
    workdays: int | None = None
    resolution: str = ""
    evidence: str = ""
    rating: int | None = Field(None, ge=1, le=5)
    comment: str = ""
    proxy_member_id: int | None = None
    proxy_agent_id: int | None = None
    window_clerk_id: int | None = None


class ServiceOut(Schema):
    id: int
    name: str
    code: str
    unit: str
    description: str
    required_materials: list[str]
    time_limit_workdays: int
    extra_fields: list[dict[str, Any]]

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return obj.unit.name


class CategoryOut(Schema):
    id: int
    name: str
    services: list[ServiceOut]

    @staticmethod
    def resolve_services(obj: Any) -> list[Any]:
        return list(obj.services.all())


class DeliveryIn(Schema):
    enterprise_id: int
    kind: DeliveryKind
    delivered_on: date
    title: str = Field(..., max_length=150)
    summary: str = ""
    amount_wan: Decimal | None = None


class DeliveryOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    kind: str
    delivered_on: date
    title: str
    amount_wan: Decimal | None

    @staticmethod
    def resolve_enterprise_name(obj: Any) -> str:
        return obj.enterprise.name


class NoticeOut(Schema):
    id: int
    request_id: int
    level: str
    stage: str
    state: str
    deadline: datetime
    message: str
    created_at: datetime


# ---- helpers ---------------------------------------------------------------------------------------------------


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(f"{k}: {'，'.join(str(m) for m in v)}" for k, v in error.message_dict.items())
    return "；".join(str(m) for m in error.messages)


def _raise_for(error: Exception) -> None:
    if isinstance(error, StaleEditError):
        raise HttpError(409, "该记录已被他人修改，请刷新后重试。")
    if isinstance(error, WorkflowError):
        status = {"wrong_state": 409, "forbidden": 403, "unknown_action": 404}.get(error.code or "", 400)
        raise HttpError(status, _messages(error))
    if isinstance(error, PermissionDenied):
        raise HttpError(403, str(error) or "无权操作。")
    if isinstance(error, ValidationError):
        raise HttpError(400, _messages(error))
    raise error


def _detail(request: HttpRequest, obj: ServiceRequest) -> dict[str, Any]:
    user = request.user
    events = selectors.timeline_for(user, obj)
    data = RequestOut.from_orm(obj).dict()
    data.update(
        description=obj.description,
        form_data=obj.form_data,
        accept_due_at=obj.accept_due_at,
        sign_due_at=obj.sign_due_at,
        co_units=[u.name for u in obj.co_units.all()],
        resolution=obj.resolution,
        evidence=obj.evidence,
        rating_comment=obj.rating_comment,
        merged_into_id=obj.merged_into_id,
        actions=[t.action for t in allowed_actions(user, obj)],
        timeline=[
            {
                "at": e.created_at,
                "actor": str(e.actor) if e.actor else None,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "internal": e.internal,
                "request_id": e.request_id,
            }
            for e in events
        ],
    )
    return data


# ---- endpoints -------------------------------------------------------------------------------------------------


@_route("get", "", response=list[RequestOut], summary="诉求与办事事项列表")
@paginate(Pages)
def list_requests(request: HttpRequest, kind: Kind | None = None, state: str | None = None, view: str = "all") -> Any:
    if view not in selectors.WORKBENCH_VIEWS:
        raise HttpError(400, f"未知视图 {view}。")
    qs = selectors.workbench(request.user, view)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs


@_route("post", "", response={201: RequestDetailOut}, summary="提交诉求或下单办事")
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    user: Any = request.user
    enterprise_id = payload.enterprise_id or (user.enterprise_id if user.role == Role.ENTERPRISE else None)
    if enterprise_id is None:
        raise HttpError(400, "请指定企业（enterprise_id）。")
    try:
        enterprise = enterprise_for(user, enterprise_id)
    except Http404:  # the access function: the same answer as for a missing enterprise
        raise HttpError(404, "企业不存在。") from None
    service = None
    if payload.service_id is not None:
        try:
            service = selectors.service_for(user, payload.service_id)
        except Http404:
            raise HttpError(404, "服务不存在或已下架。") from None
    try:
        if payload.kind == Kind.MATTER:
            if service is None:
                raise HttpError(400, "办事事项须指定服务（service_id）。")
            obj = matter_order(
                actor=user,
                enterprise=enterprise,
                service=service,
                form_data=payload.form_data,
                channel=payload.channel,
                title=payload.title,
                description=payload.description,
            )
        else:
            if not payload.title.strip():
                raise HttpError(400, "请填写诉求标题（title）。")
            obj = need_create(
                actor=user,
                enterprise=enterprise,
                title=payload.title,
                description=payload.description,
                topic=payload.topic,
                channel=payload.channel,
                service=service,
                form_data=payload.form_data if service else None,
                contact_name=payload.contact_name,
                contact_phone=payload.contact_phone,
            )
    except (ValidationError, PermissionDenied) as error:
        _raise_for(error)
    return Status(201, _detail(request, selectors.request_for(user, obj.pk)))


@_route("get", "/catalog", response=list[CategoryOut], summary="帮办超市目录")
def list_catalog(request: HttpRequest) -> Any:
    return selectors.catalog(request.user)


@_route("get", "/figures", summary="服务链指标（驾驶舱）")
def figures(request: HttpRequest, start: date | None = None, end: date | None = None) -> Any:
    if not selectors.is_staff_viewer(request.user):
        raise HttpError(403, "无权查看指标。")
    end = end or timezone.localdate()
    start = start or end.replace(month=1, day=1)
    return selectors.service_chain_figures(request.user, start, end)


@_route("get", "/metrics/{dimension}", summary="按单位、指导员、服务、产业链统计")
def metrics(request: HttpRequest, dimension: str, start: date | None = None, end: date | None = None) -> Any:
    if not selectors.is_staff_viewer(request.user):
        raise HttpError(403, "无权查看指标。")
    if dimension not in selectors.DIMENSIONS:
        raise HttpError(404, f"未知维度 {dimension}。")
    end = end or timezone.localdate()
    start = start or end.replace(month=1, day=1)
    return selectors.metrics_by(request.user, dimension, start, end)


@_route("get", "/deliveries", response=list[DeliveryOut], summary="服务记录")
@paginate(Pages)
def list_deliveries(request: HttpRequest, kind: DeliveryKind | None = None) -> Any:
    qs = selectors.deliveries_visible_to(request.user)
    return qs.filter(kind=kind) if kind else qs


@_route("post", "/deliveries", response={201: DeliveryOut}, summary="登记服务记录")
def create_delivery(request: HttpRequest, payload: DeliveryIn) -> Any:
    try:
        enterprise = enterprise_for(request.user, payload.enterprise_id)
    except Http404:
        raise HttpError(404, "企业不存在。") from None
    try:
        delivery = delivery_record(actor=request.user, **payload.dict(exclude={"enterprise_id"}), enterprise=enterprise)
    except (ValidationError, PermissionDenied) as error:
        _raise_for(error)
    return Status(201, delivery)


@_route("get", "/notices", response=list[NoticeOut], summary="督办通知")
@paginate(Pages)
def list_notices(request: HttpRequest, state: str | None = None) -> Any:
    qs = selectors.notices_visible_to(request.user)
    return qs.filter(state=state) if state else qs


@_route("get", "/{int:request_id}", response=RequestDetailOut, summary="诉求或事项详情（含时间线）")
def get_request(request: HttpRequest, request_id: int) -> Any:
    return _detail(request, _fetch(request, request_id))


def _fetch(request: HttpRequest, request_id: int) -> ServiceRequest:
    try:
        return selectors.request_for(request.user, request_id)
    except Http404:
        raise HttpError(404, "记录不存在。") from None


def _inputs(payload: ActionIn) -> dict[str, Any]:
    data = payload.dict(exclude={"expected_version"})
    inputs: dict[str, Any] = {}
    for key in ("reason", "note", "resolution", "evidence", "comment"):
        if data[key]:
            inputs[key] = data[key]
    if data["internal"]:
        inputs["internal"] = True
    if data["lead_unit_id"] is not None:
        inputs["lead_unit"] = data["lead_unit_id"]
    if data["co_unit_ids"] is not None:
        found = list(Unit.objects.filter(pk__in=data["co_unit_ids"]))
        if len(found) != len(set(data["co_unit_ids"])):
            raise HttpError(400, "协办单位不存在。")
        inputs["co_units"] = found
    for key in ("sign_workdays", "time_limit_workdays", "workdays", "rating"):
        if data[key] is not None:
            inputs[key] = data[key]
    for key in ("interpreter", "runner", "reporter", "supervisor", "proxy_member", "proxy_agent", "window_clerk"):
        if data[f"{key}_id"] is not None:
            inputs[key] = data[f"{key}_id"]
    if data["target_id"] is not None:
        inputs["target"] = data["target_id"]
    return inputs


@_route("post", "/{int:request_id}/actions/{action}", response=RequestDetailOut, summary="执行一步办理（状态流转）")
def perform_action(request: HttpRequest, request_id: int, action: str, payload: ActionIn) -> Any:
    obj = _fetch(request, request_id)
    try:
        request_act(
            actor=request.user,
            request=obj,
            action=action,
            expected_version=payload.expected_version,
            **_inputs(payload),
        )
    except (ValidationError, PermissionDenied) as error:
        _raise_for(error)
    return _detail(request, selectors.request_for(request.user, request_id))
