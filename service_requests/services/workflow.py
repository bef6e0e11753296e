"""The one module that changes a request's state: it enforces the transition tables of `service_requests.workflow`.

Every action goes through `request_act(actor=, request=, action=, expected_version=, **inputs)`: one transaction,
row lock, optimistic version check (a stale version raises `core.services.StaleEditError`), state and party checks,
named guards, the change, a timeline event, an audit row, inbox messages (e-mail/SMS after commit).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role, UnitKind
from accounts.models import Unit, User
from core.calendar import WorkCalendar, local_date
from core.services import StaleEditError, audit_record, save_with_version
from service_requests import rollup
from service_requests.choices import RATING_LABELS, SATISFIED_FROM, Kind, NoticeState, State
from service_requests.models import REQUEST_RELATIONS, Feedback, ServiceRequest, SupervisionNotice, TimelineEvent
from service_requests.services.notify import notify
from service_requests.workflow import Transition, transition_for

#: Working days to sign a dispatched need (签收期限), to accept a submitted one, and to redo a reopened one.
SIGN_WORKDAYS = 1
ACCEPT_WORKDAYS = 1
REOPEN_WORKDAYS = 5
MAX_EXTENSION_WORKDAYS = 30


def max_reopens() -> int:
    """How many times a dissatisfied enterprise may reopen a need before it escalates (setting, default 2)."""
    return int(getattr(settings, "SERVICE_REQUESTS_MAX_REOPENS", 2))


class WorkflowError(ValidationError):
    """An action the table does not allow: code "unknown_action", "wrong_state" or "forbidden"."""


# ---- who is who for a request --------------------------------------------------------------------------------


def parties_of(user: Any, request: ServiceRequest) -> set[str]:
    """The parties (see workflow.py) this user holds for this request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    parties: set[str] = set()
    role = user.role
    if role == Role.ENTERPRISE:
        if user.enterprise_id == request.enterprise_id:
            parties.add("enterprise")
        return parties
    unit_id = user.unit_id
    unit_kind = user.unit.kind if unit_id else None
    if user.is_superuser or role == Role.ADMIN:
        parties |= {"dispatcher", "supervisor"}
    if role == Role.SUPERVISOR:
        parties.add("supervisor")
    if role == Role.INSTRUCTOR and request.instructor_id == user.pk:
        parties |= {"dispatcher", "instructor"}
    if role == Role.HANDLER and unit_id:
        if request.kind == Kind.NEED:
            if unit_kind == UnitKind.WINDOW:
                parties.add("dispatcher")
            if request.lead_unit_id == unit_id:
                parties.add("handler")
            elif request.pk and request.co_units.filter(pk=unit_id).exists():
                parties.add("co_handler")
        else:
            service_unit = request.service.unit_id if request.service is not None else None
            if unit_id in (service_unit, request.lead_unit_id) or unit_kind == UnitKind.WINDOW:
                parties.add("handler")
    team = {
        request.interpreter_id,
        request.runner_id,
        request.reporter_id,
        request.supervisor_id,
        request.proxy_agent_id,
        request.window_clerk_id,
    }
    if user.pk in team:
        parties.add("team")
    return parties


def allowed_actions(user: Any, request: ServiceRequest) -> list[Transition]:
    """The actions this user may try on this request now (used to draw buttons; the service re-checks)."""
    from service_requests.workflow import actions_from

    parties = parties_of(user, request)
    return [t for t in actions_from(request.kind, request.state) if t.parties & parties]


# ---- the one entry point -------------------------------------------------------------------------------------


@transaction.atomic
def request_act(
    *,
    actor: Any,
    request: ServiceRequest,
    action: str,
    expected_version: int | None = None,
    at: datetime | None = None,
    calendar: WorkCalendar | None = None,
    **inputs: Any,
) -> ServiceRequest:
    """Perform one transition. `at` back-dates the action (imports, the demo); it defaults to now."""
    transition = transition_for(request.kind, action)
    if transition is None:
        raise WorkflowError(f"没有名为“{action}”的操作。", code="unknown_action")
    obj = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("service", "enterprise")
        .get(pk=request.pk)
    )
    if expected_version is not None and expected_version != obj.version:
        raise StaleEditError("该记录已被他人修改，请刷新后重试。", code="stale")
    if obj.state not in transition.sources:
        raise WorkflowError(f"当前状态“{obj.get_state_display()}”不能执行“{transition.label}”。", code="wrong_state")
    if not (parties_of(actor, obj) & transition.parties):
        raise WorkflowError(f"您无权对该记录执行“{transition.label}”。", code="forbidden")
    missing = [name for name in transition.inputs if inputs.get(name) in (None, "", [])]
    if missing:
        labels = {
            "reason": "理由",
            "target": "并入的诉求",
            "lead_unit": "主办单位",
            "note": "说明",
            "workdays": "延期工作日数",
            "resolution": "办理结果",
            "rating": "评价",
        }
        raise ValidationError({name: f"请填写{labels.get(name, name)}。" for name in missing})
    now = at or timezone.now()
    counted_before = rollup.snapshot(obj)
    step = _Step(actor=actor, obj=obj, transition=transition, now=now, calendar=calendar or WorkCalendar())
    _HANDLERS[(obj.kind, action)](step, **inputs)
    from_state = obj.state
    if step.target is not None:
        obj.state = step.target
        step.changed.add("state")
    obj.full_clean(exclude=REQUEST_RELATIONS, validate_unique=False, validate_constraints=False)
    save_with_version(obj, expected_version=obj.version, fields=sorted(step.changed | {"updated_at"}))
    rollup.record_change(obj, counted_before)
    if step.co_units is not None:
        obj.co_units.set(step.co_units)
    TimelineEvent.objects.create(
        request=obj,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=from_state,
        to_state=obj.state,
        note=step.note,
        internal=step.internal,
        data=step.data,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action=f"service_request.{action}",
        target=obj,
        summary=f"{obj.code} {transition.label}：{obj.get_state_display()}",
        from_state=from_state,
        to_state=obj.state,
        **step.data,
    )
    if obj.state != from_state:
        _close_notices_on_leaving(obj, from_state, now)
    for recipients, title, kwargs in step.messages:
        notify(recipients, title=title, url=f"/services/requests/{obj.pk}/", request=obj, **kwargs)
    request.__dict__.update({k: v for k, v in obj.__dict__.items() if not k.startswith("_")})
    return obj


class _Step:
    def __init__(self, *, actor: Any, obj: ServiceRequest, transition: Transition, now: datetime, calendar: Any):
        self.actor = actor
        self.obj = obj
        self.transition = transition
        self.now = now
        self.calendar: WorkCalendar = calendar
        self.target: str | None = transition.target
        self.changed: set[str] = set()
        self.note = ""
        self.internal = False
        self.data: dict[str, Any] = {}
        self.co_units: list[Unit] | None = None
        self.messages: list[tuple[Any, str, dict[str, Any]]] = []

    def set(self, **fields: Any) -> None:
        for key, value in fields.items():
            setattr(self.obj, key, value)
            self.changed.add(key)

    def tell(self, recipients: Any, title: str, **kwargs: Any) -> None:
        self.messages.append((list(recipients), f"{self.obj.code} {title}", kwargs))


# ---- recipients ----------------------------------------------------------------------------------------------


def unit_handlers(*units: Any) -> list[User]:
    ids = [u.pk if isinstance(u, Unit) else u for u in units if u]
    if not ids:
        return []
    return list(User.objects.filter(role=Role.HANDLER, unit_id__in=ids, is_active=True))


def enterprise_users(obj: ServiceRequest) -> list[User]:
    return list(User.objects.filter(role=Role.ENTERPRISE, enterprise_id=obj.enterprise_id, is_active=True))


def supervisors_of(obj: ServiceRequest) -> list[User]:
    if obj.supervisor_id:
        return [obj.supervisor] if obj.supervisor else []
    return list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))


def _user(value: Any, field: str) -> User | None:
    if value in (None, ""):
        return None
    if isinstance(value, User):
        return value
    try:
        return User.objects.get(pk=value, is_active=True, role__in=[r for r in Role.values if r != Role.ENTERPRISE])
    except (User.DoesNotExist, ValueError, TypeError):
        raise ValidationError({field: "人员不存在或不可选。"}) from None


def _unit(value: Any, field: str) -> Unit:
    if isinstance(value, Unit):
        return value
    try:
        return Unit.objects.get(pk=value)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise ValidationError({field: "单位不存在。"}) from None


def _positive_int(value: Any, field: str, *, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: "应为整数。"}) from None
    if not low <= number <= high:
        raise ValidationError({field: f"应在 {low} 到 {high} 之间。"})
    return number


def _roles(step: _Step, inputs: dict[str, Any]) -> None:
    for field in ("interpreter", "runner", "reporter", "supervisor"):
        if field in inputs and inputs[field] not in (None, ""):
            step.set(**{field: _user(inputs[field], field)})


# ---- need actions --------------------------------------------------------------------------------------------


def _need_accept(step: _Step, *, time_limit_workdays: Any = None, note: str = "", **inputs: Any) -> None:
    obj = step.obj
    if time_limit_workdays not in (None, ""):
        step.set(time_limit_workdays=_positive_int(time_limit_workdays, "time_limit_workdays", low=1, high=60))
    step.set(accepted_at=step.now, due_at=step.calendar.due_at(step.now, obj.time_limit_workdays))
    _roles(step, inputs)
    step.note = note
    step.tell([obj.instructor] if obj.instructor else [], "诉求已受理")


def _need_return(step: _Step, *, reason: str, **_: Any) -> None:
    step.set(return_reason=reason[:300])
    step.note = reason
    step.tell(enterprise_users(step.obj), "诉求被退回", body=reason)


def _need_merge(step: _Step, *, target: Any, note: str = "", **_: Any) -> None:
    obj = step.obj
    if not isinstance(target, ServiceRequest):
        target = ServiceRequest.objects.filter(pk=target).first()
    if (
        target is None
        or target.pk == obj.pk
        or target.kind != Kind.NEED
        or target.enterprise_id != obj.enterprise_id
        or target.state in {State.MERGED, State.RETURNED, State.CLOSED}
    ):
        raise ValidationError({"target": "只能并入同一企业尚未关闭的另一条诉求。"})
    step.set(merged_into=target)
    step.note = note or f"并入 {target.code}"
    step.data = {"merged_into": target.pk}
    TimelineEvent.objects.create(
        request=target,
        actor=step.actor if getattr(step.actor, "is_authenticated", False) else None,
        action="merged_in",
        from_state=target.state,
        to_state=target.state,
        note=f"{obj.code}（{obj.title}）并入本诉求",
        data={"merged_from": obj.pk},
        created_at=step.now,
    )


def _need_resubmit(step: _Step, note: str = "", **_: Any) -> None:
    step.set(accept_due_at=step.calendar.due_at(step.now, ACCEPT_WORKDAYS), return_reason="")
    step.note = note


def _need_dispatch(
    step: _Step, *, lead_unit: Any, co_units: Any = None, sign_workdays: Any = None, note: str = "", **inputs: Any
) -> None:
    obj = step.obj
    unit = _unit(lead_unit, "lead_unit")
    days = (
        SIGN_WORKDAYS if sign_workdays in (None, "") else _positive_int(sign_workdays, "sign_workdays", low=1, high=10)
    )
    step.set(
        lead_unit=unit,
        dispatched_at=step.now,
        sign_due_at=step.calendar.due_at(step.now, days),
        signed_at=None,
        signed_on_time=None,
    )
    if obj.state == State.ESCALATED:
        step.set(due_at=step.calendar.due_at(step.now, REOPEN_WORKDAYS), resolved_at=None, resolved_on_time=None)
    if co_units is not None:
        step.co_units = [_unit(u, "co_units") for u in co_units if u and _unit(u, "co_units").pk != unit.pk]
    _roles(step, inputs)
    step.note = note
    step.data = {"lead_unit": unit.name, "co_units": [u.name for u in step.co_units or []]}
    step.tell(unit_handlers(unit, *(step.co_units or [])), "新派单待签收", email=True)


def _need_send_back(step: _Step, *, reason: str, **_: Any) -> None:
    step.data = {"from_unit": str(step.obj.lead_unit)}
    step.set(lead_unit=None, sign_due_at=None)
    step.note = reason
    step.internal = True
    recipients = [step.obj.instructor] if step.obj.instructor else []
    step.tell(recipients, "派单被退回，请重新派单", body=reason)


def _need_sign(step: _Step, note: str = "", **_: Any) -> None:
    obj = step.obj
    step.set(signed_at=step.now, signed_on_time=bool(obj.sign_due_at is None or step.now <= obj.sign_due_at))
    step.note = note


def _need_start(step: _Step, note: str = "", **_: Any) -> None:
    step.note = note


def _need_note(step: _Step, *, note: str, internal: Any = False, **_: Any) -> None:
    step.note = note
    step.internal = bool(internal) and str(internal).lower() not in {"0", "false", "off", ""}


def _need_comment(step: _Step, *, note: str, **_: Any) -> None:
    step.note = note
    obj = step.obj
    step.tell(unit_handlers(obj.lead_unit) + ([obj.instructor] if obj.instructor else []), "企业留言")


def _need_transfer(step: _Step, *, lead_unit: Any, reason: str, co_units: Any = None, **_: Any) -> None:
    obj = step.obj
    unit = _unit(lead_unit, "lead_unit")
    if unit.pk == obj.lead_unit_id:
        raise ValidationError({"lead_unit": "转办须选择另一个单位。"})
    step.data = {"from_unit": str(obj.lead_unit), "to_unit": unit.name}
    step.set(
        lead_unit=unit,
        dispatched_at=step.now,
        sign_due_at=step.calendar.due_at(step.now, SIGN_WORKDAYS),
        signed_at=None,
        signed_on_time=None,
    )
    if co_units is not None:
        step.co_units = [_unit(u, "co_units") for u in co_units if u]
    step.note = reason
    step.tell(unit_handlers(unit), "转办派单待签收", email=True)


def _need_request_extension(step: _Step, *, workdays: Any, reason: str, **_: Any) -> None:
    obj = step.obj
    if obj.due_at is not None and step.now > obj.due_at:
        raise ValidationError({"workdays": "延期须在办结期限前申请。"})
    if obj.pending_extension_workdays:
        raise ValidationError({"workdays": "已有待审批的延期申请。"})
    days = _positive_int(workdays, "workdays", low=1, high=MAX_EXTENSION_WORKDAYS)
    step.set(pending_extension_workdays=days, pending_extension_reason=reason[:300])
    step.note = f"申请延期 {days} 个工作日：{reason}"
    step.internal = True
    step.data = {"workdays": days}
    step.tell(supervisors_of(obj), "延期申请待审批", body=reason)


def _need_approve_extension(step: _Step, note: str = "", **_: Any) -> None:
    obj = step.obj
    days = obj.pending_extension_workdays
    if not days:
        raise ValidationError({"action": "没有待审批的延期申请。"})
    base = obj.due_at or step.now
    step.set(
        due_at=step.calendar.due_at(base, days),
        extension_workdays=obj.extension_workdays + days,
        pending_extension_workdays=None,
        pending_extension_reason="",
    )
    step.note = note or f"批准延期 {days} 个工作日"
    step.data = {"workdays": days}
    step.tell(unit_handlers(obj.lead_unit), "延期申请已批准")


def _need_reject_extension(step: _Step, *, reason: str, **_: Any) -> None:
    if not step.obj.pending_extension_workdays:
        raise ValidationError({"action": "没有待审批的延期申请。"})
    step.set(pending_extension_workdays=None, pending_extension_reason="")
    step.note = reason
    step.internal = True
    step.tell(unit_handlers(step.obj.lead_unit), "延期申请被驳回", body=reason)


def _need_ask_info(step: _Step, *, note: str, **_: Any) -> None:
    step.set(paused_at=step.now)
    step.note = note
    step.tell(enterprise_users(step.obj), "请补充材料或说明", body=note)


def _need_reply(step: _Step, *, note: str, **_: Any) -> None:
    obj = step.obj
    paused = 0
    if obj.paused_at is not None:
        paused = max(0, step.calendar.workdays_between(local_date(obj.paused_at), local_date(step.now)))
    fields: dict[str, Any] = {"paused_at": None, "paused_workdays": obj.paused_workdays + paused}
    if paused and obj.due_at is not None:
        fields["due_at"] = step.calendar.due_at(obj.due_at, paused)
    step.set(**fields)
    step.note = note
    step.data = {"paused_workdays": paused}
    step.tell(unit_handlers(obj.lead_unit), "企业已答复", body=note)


def _need_resolve(step: _Step, *, resolution: str, evidence: str = "", **_: Any) -> None:
    obj = step.obj
    step.set(
        resolution=resolution,
        evidence=evidence,
        resolved_at=step.now,
        resolved_on_time=bool(obj.due_at is None or step.now <= obj.due_at),
    )
    step.note = resolution
    step.tell(enterprise_users(obj), "已办结，请评价", body=resolution, sms=True)


def _rating(value: Any) -> int:
    return _positive_int(value, "rating", low=1, high=5)


def _need_feedback(step: _Step, *, rating: Any, comment: str = "", **_: Any) -> None:
    obj = step.obj
    score = _rating(rating)
    reopen = score < SATISFIED_FROM
    step.set(rating=score, rating_comment=comment[:300], rated_at=step.now)
    step.note = f"{RATING_LABELS[score]}{'：' + comment if comment else ''}"
    step.data = {"rating": score}
    if reopen and obj.reopen_count < max_reopens():
        step.target = State.IN_PROGRESS
        step.set(
            reopen_count=obj.reopen_count + 1,
            due_at=step.calendar.due_at(step.now, REOPEN_WORKDAYS),
            resolved_at=None,
            resolved_on_time=None,
        )
        step.tell(unit_handlers(obj.lead_unit) + supervisors_of(obj), "企业不满意，已重新办理", body=comment)
    elif reopen:
        step.target = State.ESCALATED
        from organizations.selectors import current_leader_for

        leader = current_leader_for(obj.enterprise_id)
        step.tell(
            supervisors_of(obj) + ([leader] if leader else []), "多次不满意，已升级督办", body=comment, email=True
        )
    Feedback.objects.create(
        request=obj,
        rating=score,
        comment=comment[:300],
        given_by=step.actor if getattr(step.actor, "is_authenticated", False) else None,
        reopened=reopen,
        created_at=step.now,
    )


def _need_verify(step: _Step, note: str = "", **_: Any) -> None:
    step.set(verified_at=step.now)
    step.note = note


def _need_close(step: _Step, note: str = "", **_: Any) -> None:
    step.set(closed_at=step.now)
    step.note = note


# ---- matter actions ------------------------------------------------------------------------------------------


def _proxy_team(step: _Step, inputs: dict[str, Any]) -> None:
    from organizations.models import PartyMember

    if inputs.get("proxy_member") not in (None, ""):
        member = inputs["proxy_member"]
        if not isinstance(member, PartyMember):
            member = PartyMember.objects.filter(pk=member).first()
            if member is None:
                raise ValidationError({"proxy_member": "代办党员不存在。"})
        step.set(proxy_member=member)
    for field in ("proxy_agent", "window_clerk"):
        if inputs.get(field) not in (None, ""):
            step.set(**{field: _user(inputs[field], field)})


def _matter_accept(step: _Step, note: str = "", **inputs: Any) -> None:
    step.set(accepted_at=step.now)
    _proxy_team(step, inputs)
    actor = step.actor
    if step.obj.window_clerk_id is None and getattr(getattr(actor, "unit", None), "kind", None) == UnitKind.WINDOW:
        step.set(window_clerk=actor)
    step.note = note


def _matter_cancel(step: _Step, reason: str = "", **_: Any) -> None:
    step.note = reason


def _matter_handle(step: _Step, note: str = "", **inputs: Any) -> None:
    _proxy_team(step, inputs)
    step.note = note


def _matter_complete(step: _Step, *, resolution: str, evidence: str = "", **_: Any) -> None:
    obj = step.obj
    step.set(
        resolution=resolution,
        evidence=evidence,
        resolved_at=step.now,
        resolved_on_time=bool(obj.due_at is None or step.now <= obj.due_at),
    )
    step.note = resolution
    step.tell(enterprise_users(obj), "事项已办结，请评价")


def _matter_rate(step: _Step, *, rating: Any, comment: str = "", **_: Any) -> None:
    score = _rating(rating)
    step.set(rating=score, rating_comment=comment[:300], rated_at=step.now)
    step.note = RATING_LABELS[score]
    Feedback.objects.create(
        request=step.obj,
        rating=score,
        comment=comment[:300],
        given_by=step.actor if getattr(step.actor, "is_authenticated", False) else None,
        created_at=step.now,
    )


_HANDLERS: dict[tuple[str, str], Any] = {
    (Kind.NEED, "accept"): _need_accept,
    (Kind.NEED, "return"): _need_return,
    (Kind.NEED, "merge"): _need_merge,
    (Kind.NEED, "resubmit"): _need_resubmit,
    (Kind.NEED, "dispatch"): _need_dispatch,
    (Kind.NEED, "send_back"): _need_send_back,
    (Kind.NEED, "sign"): _need_sign,
    (Kind.NEED, "start"): _need_start,
    (Kind.NEED, "note"): _need_note,
    (Kind.NEED, "comment"): _need_comment,
    (Kind.NEED, "transfer"): _need_transfer,
    (Kind.NEED, "request_extension"): _need_request_extension,
    (Kind.NEED, "approve_extension"): _need_approve_extension,
    (Kind.NEED, "reject_extension"): _need_reject_extension,
    (Kind.NEED, "ask_info"): _need_ask_info,
    (Kind.NEED, "reply"): _need_reply,
    (Kind.NEED, "resolve"): _need_resolve,
    (Kind.NEED, "feedback"): _need_feedback,
    (Kind.NEED, "verify"): _need_verify,
    (Kind.NEED, "close"): _need_close,
    (Kind.MATTER, "accept"): _matter_accept,
    (Kind.MATTER, "cancel"): _matter_cancel,
    (Kind.MATTER, "handle"): _matter_handle,
    (Kind.MATTER, "note"): _need_note,
    (Kind.MATTER, "complete"): _matter_complete,
    (Kind.MATTER, "rate"): _matter_rate,
}


def _close_notices_on_leaving(obj: ServiceRequest, from_state: str, now: datetime) -> None:
    """Notices about a clock that stopped (the stage was completed) close themselves."""
    from service_requests.services.supervision import stage_of

    if stage_of(obj) != stage_of_state(obj.kind, from_state):
        SupervisionNotice.objects.filter(
            request=obj,
            state__in=[NoticeState.ISSUED, NoticeState.ANSWERED],
            stage=stage_of_state(obj.kind, from_state),
        ).update(state=NoticeState.CLOSED, closed_at=now)


def stage_of_state(kind: str, state: str) -> str | None:
    from service_requests.services.supervision import stage_for

    return stage_for(kind, state)
