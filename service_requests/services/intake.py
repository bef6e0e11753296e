"""Intake on every channel: online (帮办超市), window (惠企专窗), visit, roundtable, hotline. Each record is tied to its
enterprise, the enterprise's instructor and (for statistics) its chain."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role, UnitKind
from core.calendar import WorkCalendar
from core.services import audit_record
from enterprises.models import Enterprise
from enterprises.selectors import enterprises_visible_to
from service_requests import rollup
from service_requests.choices import Channel, Kind, State, Topic
from service_requests.models import REQUEST_RELATIONS, Service, ServiceRequest, TimelineEvent
from service_requests.services.catalog import validate_form_data
from service_requests.services.notify import notify
from service_requests.services.workflow import ACCEPT_WORKDAYS, parties_of, request_act, unit_handlers

#: Default time limit of a need by topic, in working days (a catalog service brings its own).
DEFAULT_NEED_WORKDAYS = 10
#: Roles that may register a need or matter on an enterprise's behalf (window, visit, roundtable, hotline).
INTAKE_ROLES = frozenset({Role.ADMIN, Role.INSTRUCTOR, Role.HANDLER, Role.SUPERVISOR, Role.LEADER})


def chain_id_of(enterprise: Enterprise | int) -> int | None:
    """The chain of an enterprise's first placement (统计归属), or None."""
    from chains.models import Placement

    pk = enterprise if isinstance(enterprise, int) else enterprise.pk
    return Placement.objects.filter(enterprise_id=pk).order_by("id").values_list("link__chain_id", flat=True).first()


def _check_intake(actor: Any, enterprise: Enterprise, channel: str) -> None:
    """Enterprise users submit for themselves online; staff register for the enterprises they may see."""
    if actor is None:  # a system call (e.g. a roundtable agreement converted by a task)
        return
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录。")
    if actor.role == Role.ENTERPRISE:
        if actor.enterprise_id != enterprise.pk:
            raise PermissionDenied("只能为本企业提交。")
        if channel != Channel.ONLINE:
            raise ValidationError({"channel": "企业只能通过线上提交。"})
        return
    if not (actor.is_superuser or actor.role in INTAKE_ROLES):
        raise PermissionDenied("您的角色不能登记诉求或事项。")
    if not enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied("您不能为该企业登记。")


def _instructor(enterprise: Enterprise) -> Any:
    from organizations.selectors import current_instructor_for

    return current_instructor_for(enterprise)


@transaction.atomic
def need_create(
    *,
    actor: Any,
    enterprise: Enterprise,
    title: str,
    description: str = "",
    topic: str = Topic.OTHER,
    channel: str = Channel.ONLINE,
    service: Service | None = None,
    form_data: dict[str, Any] | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    source_visit: Any = None,
    source_ref: str = "",
    time_limit_workdays: int | None = None,
    at: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> ServiceRequest:
    """Open a need (诉求) in state submitted, with its intake deadline. `at` back-dates it (imports, demo)."""
    _check_intake(actor, enterprise, channel)
    now = at or timezone.now()
    cal = calendar or WorkCalendar()
    if service is not None:
        form_data = validate_form_data(service.extra_fields, form_data)
    limit = time_limit_workdays or (service.time_limit_workdays if service else DEFAULT_NEED_WORKDAYS)
    need = ServiceRequest(
        kind=Kind.NEED,
        enterprise=enterprise,
        office_id=enterprise.management_office_id,
        chain_id=chain_id_of(enterprise),
        instructor=_instructor(enterprise),
        channel=channel,
        topic=topic,
        service=service,
        title=title.strip(),
        description=description,
        form_data=form_data or {},
        contact_name=contact_name,
        contact_phone=contact_phone,
        state=State.SUBMITTED,
        submitted_at=now,
        accept_due_at=cal.due_at(now, ACCEPT_WORKDAYS),
        time_limit_workdays=limit,
        source_visit=source_visit,
        source_ref=source_ref,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    need.full_clean(exclude=["co_units"])
    need.save()
    rollup.record_change(need, None)
    TimelineEvent.objects.create(
        request=need,
        actor=need.created_by,
        action="submit",
        to_state=State.SUBMITTED,
        note=f"经{need.get_channel_display()}提交",
        created_at=now,
    )
    audit_record(actor=actor, action="service_request.submit", target=need, summary=f"{need.code} 新诉求：{need.title}")
    if need.instructor is not None and need.instructor != actor:
        notify([need.instructor], title=f"{need.code} 新诉求待受理", url=f"/services/requests/{need.pk}/", request=need)
    return need


@transaction.atomic
def need_create_from_visit(
    *, actor: Any, visit: Any, title: str, description: str = "", topic: str = Topic.OTHER, at: datetime | None = None
) -> ServiceRequest:
    """A finding in a visit log becomes a need in one step (and is accepted at once when the visitor may accept)."""
    if actor.role not in (Role.INSTRUCTOR, Role.ADMIN) and not actor.is_superuser:
        raise PermissionDenied("只有指导员或管理员可以从走访记录生成诉求。")
    need = need_create(
        actor=actor,
        enterprise=visit.enterprise,
        title=title,
        description=description or visit.findings,
        topic=topic,
        channel=Channel.VISIT,
        source_visit=visit,
        at=at,
    )
    if "dispatcher" in parties_of(actor, need):
        need = request_act(actor=actor, request=need, action="accept", at=at, note="走访发现，直接受理")
    return need


def _build_matter(
    *,
    actor: Any,
    enterprise: Enterprise,
    service: Service,
    form_data: dict[str, Any] | None,
    channel: str,
    title: str,
    description: str,
    now: datetime,
    cal: WorkCalendar,
) -> ServiceRequest:
    """Validate and build (not save) a matter; shared by the per-row service and the bulk import."""
    if not service.is_active:
        raise ValidationError({"service": "该服务已下架。"})
    if channel not in (Channel.ONLINE, Channel.WINDOW):
        raise ValidationError({"channel": "办事事项只能通过帮办超市或惠企专窗办理。"})
    cleaned = validate_form_data(service.extra_fields, form_data)
    window_clerk = None
    if (
        channel == Channel.WINDOW
        and getattr(actor, "role", None) == Role.HANDLER
        and getattr(getattr(actor, "unit", None), "kind", None) == UnitKind.WINDOW
    ):
        window_clerk = actor
    matter = ServiceRequest(
        kind=Kind.MATTER,
        enterprise=enterprise,
        office_id=enterprise.management_office_id,
        channel=channel,
        service=service,
        lead_unit_id=service.unit_id,
        title=(title or service.name).strip(),
        description=description,
        form_data=cleaned,
        state=State.ORDERED,
        submitted_at=now,
        due_at=cal.due_at(now, service.time_limit_workdays),
        time_limit_workdays=service.time_limit_workdays,
        window_clerk=window_clerk,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    matter.full_clean(exclude=REQUEST_RELATIONS, validate_unique=False, validate_constraints=False)
    return matter


@transaction.atomic
def matter_order(
    *,
    actor: Any,
    enterprise: Enterprise,
    service: Service,
    form_data: dict[str, Any] | None = None,
    channel: str = Channel.ONLINE,
    title: str = "",
    description: str = "",
    at: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> ServiceRequest:
    """Order a catalog service online (any hour) or record a walk-in at the window: a matter in state ordered."""
    _check_intake(actor, enterprise, channel)
    now = at or timezone.now()
    matter = _build_matter(
        actor=actor,
        enterprise=enterprise,
        service=service,
        form_data=form_data,
        channel=channel,
        title=title,
        description=description,
        now=now,
        cal=calendar or WorkCalendar(),
    )
    matter.chain_id = chain_id_of(enterprise)
    matter.instructor = _instructor(enterprise)
    matter.save()
    rollup.record_change(matter, None)
    TimelineEvent.objects.create(
        request=matter,
        actor=matter.created_by,
        action="order",
        to_state=State.ORDERED,
        note=f"经{matter.get_channel_display()}办理：{service.name}",
        created_at=now,
    )
    audit_record(
        actor=actor, action="service_request.order", target=matter, summary=f"{matter.code} 办事：{service.name}"
    )
    notify(
        unit_handlers(service.unit_id),
        title=f"{matter.code} 新办事事项",
        url=f"/services/requests/{matter.pk}/",
        request=matter,
    )
    return matter


@transaction.atomic
def matters_import_handled(*, actor: Any, rows: list[dict[str, Any]], calendar: WorkCalendar | None = None) -> int:
    """Bulk path for matters already handled (a window's ledger, the demo): the same validation as `matter_order`
    (`_build_matter`: active service, channel, the service's form fields, full_clean), then one bulk insert of the
    requests and their timeline events instead of ~6 writes per row. Each row: enterprise, service, channel,
    form_data, ordered_at, done_at, rating (optional), proxy_member/proxy_agent/window_clerk (optional).
    """
    cal = calendar or WorkCalendar()
    from organizations.selectors import current_instructors_for

    instructors = current_instructors_for({r["enterprise"].pk for r in rows})
    chains: dict[int, int | None] = {}
    matters = []
    for row in rows:
        enterprise = row["enterprise"]
        ordered_at, done_at = row["ordered_at"], row["done_at"]
        if done_at < ordered_at or done_at > timezone.now():
            raise ValidationError({"done_at": "办结时间须在下单之后且不晚于现在。"})
        matter = _build_matter(
            actor=actor,
            enterprise=enterprise,
            service=row["service"],
            form_data=row.get("form_data"),
            channel=row.get("channel", Channel.WINDOW),
            title=row.get("title", ""),
            description=row.get("description", ""),
            now=ordered_at,
            cal=cal,
        )
        if enterprise.pk not in chains:
            chains[enterprise.pk] = chain_id_of(enterprise)
        rating = row.get("rating")
        matter.chain_id = chains[enterprise.pk]
        matter.instructor = instructors.get(enterprise.pk)
        matter.state = State.RATED if rating else State.DONE
        matter.accepted_at = ordered_at
        matter.resolved_at = done_at
        matter.resolved_on_time = done_at <= matter.due_at if matter.due_at else True
        matter.resolution = row.get("resolution", "已办结")
        matter.rating = rating
        matter.rated_at = done_at if rating else None
        matter.proxy_member = row.get("proxy_member")
        matter.proxy_agent = row.get("proxy_agent")
        matter.window_clerk = row.get("window_clerk") or matter.window_clerk
        matters.append(matter)
    ServiceRequest.objects.bulk_create(matters, batch_size=500)
    rollup.record_new(matters)
    events = []
    for matter in matters:
        events.append(
            TimelineEvent(
                request=matter,
                action="order",
                to_state=State.ORDERED,
                note=f"经{matter.get_channel_display()}办理",
                created_at=matter.submitted_at,
            )
        )
        events.append(
            TimelineEvent(
                request=matter,
                action="complete",
                from_state=State.ORDERED,
                to_state=matter.state,
                note="按台账导入：已办结",
                created_at=matter.resolved_at or matter.submitted_at,
            )
        )
    TimelineEvent.objects.bulk_create(events, batch_size=1000)
    audit_record(actor=actor, action="service_request.import_matters", summary=f"导入已办结事项 {len(matters)} 件")
    return len(matters)
