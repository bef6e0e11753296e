"""The supervision ladder (督办): reminders before a deadline, yellow notices when overdue, red notices escalated to
the enterprise's paired leader when long overdue. Notices are records: issued → answered → closed.

`run_ladder` is idempotent: each notice has a key (request, stage, level, deadline); a second run over the same
state creates nothing. A new deadline (an approved extension, a transfer) starts a new ladder.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.calendar import WorkCalendar, end_of_day, local_date
from core.services import audit_record, save_with_version
from service_requests.choices import Kind, NoticeLevel, NoticeState, Stage, State
from service_requests.models import ServiceRequest, SupervisionNotice
from service_requests.services.notify import notify

_NEED_STAGES: dict[str, str] = {
    State.SUBMITTED: Stage.ACCEPT,
    State.DISPATCHED: Stage.SIGN,
    State.ACCEPTED: Stage.RESOLVE,
    State.SIGNED: Stage.RESOLVE,
    State.IN_PROGRESS: Stage.RESOLVE,
    State.ESCALATED: Stage.RESOLVE,
}
_MATTER_STAGES: dict[str, str] = {
    State.ORDERED: Stage.MATTER,
    State.ACCEPTED: Stage.MATTER,
    State.HANDLED: Stage.MATTER,
}
_DEADLINE_FIELD: dict[str, str] = {
    Stage.ACCEPT: "accept_due_at",
    Stage.SIGN: "sign_due_at",
    Stage.RESOLVE: "due_at",
    Stage.MATTER: "due_at",
}


def red_after_workdays() -> int:
    """Working days overdue after which a yellow notice turns red (setting, default 3)."""
    return int(getattr(settings, "SERVICE_REQUESTS_RED_AFTER_WORKDAYS", 3))


def stage_for(kind: str, state: str) -> str | None:
    mapping: dict[str, str] = dict(_NEED_STAGES if kind == Kind.NEED else _MATTER_STAGES)
    return mapping.get(state)


def stage_of(obj: ServiceRequest) -> str | None:
    return stage_for(obj.kind, obj.state)


def deadline_of(obj: ServiceRequest) -> datetime | None:
    stage = stage_of(obj)
    return getattr(obj, _DEADLINE_FIELD[stage]) if stage else None


def level_for(deadline: datetime, now: datetime, calendar: WorkCalendar) -> str | None:
    """reminder on the last working day before the deadline passes; yellow when overdue; red when long overdue."""
    if now <= deadline:
        next_workday_end = end_of_day(calendar.add_workdays(local_date(now), 1))
        return NoticeLevel.REMINDER if deadline <= next_workday_end else None
    return NoticeLevel.RED if calendar.workdays_overdue(deadline, now) >= red_after_workdays() else NoticeLevel.YELLOW


def _key(obj: ServiceRequest, stage: str, level: str, deadline: datetime) -> str:
    return f"{obj.pk}:{stage}:{level}:{deadline.strftime('%Y%m%d%H%M')}"


def _leaders_by_enterprise(enterprise_ids: set[int], today: Any) -> dict[int, User]:
    from enterprises.selectors import active_pairing_q
    from organizations.choices import PairingKind
    from organizations.models import Pairing

    result: dict[int, User] = {}
    pairings = (
        Pairing.objects.filter(active_pairing_q(today=today), kind=PairingKind.LEADER_ENTERPRISE)
        .filter(enterprise_id__in=enterprise_ids)
        .select_related("staff")
        .order_by("enterprise_id", "starts_on", "id")
    )
    for pairing in pairings:
        result[pairing.enterprise_id] = pairing.staff  # type: ignore[index]
    return result


@transaction.atomic
def run_ladder(*, now: datetime | None = None, calendar: WorkCalendar | None = None) -> dict[str, int]:
    """Issue the notices that are due now and close those whose clock stopped. Returns counts by level."""
    now = now or timezone.now()
    cal = calendar or WorkCalendar()
    horizon = end_of_day(cal.add_workdays(local_date(now), 1))
    counts = {NoticeLevel.REMINDER.value: 0, NoticeLevel.YELLOW.value: 0, NoticeLevel.RED.value: 0, "closed": 0}

    # Close notices whose stage is over (the workflow closes them too; this sweep makes the ladder self-healing).
    open_notices = SupervisionNotice.objects.filter(
        state__in=[NoticeState.ISSUED, NoticeState.ANSWERED]
    ).select_related("request")
    stale = [n.pk for n in open_notices if stage_of(n.request) != n.stage or deadline_of(n.request) != n.deadline]
    if stale:
        counts["closed"] = SupervisionNotice.objects.filter(pk__in=stale).update(
            state=NoticeState.CLOSED, closed_at=now
        )

    candidates: list[ServiceRequest] = []
    base = ServiceRequest.objects.select_related("enterprise", "lead_unit", "instructor", "supervisor", "service")
    for kind, mapping in ((Kind.NEED, _NEED_STAGES), (Kind.MATTER, _MATTER_STAGES)):
        condition = Q()
        for state_value, stage_value in mapping.items():
            condition |= Q(state=state_value, **{f"{_DEADLINE_FIELD[stage_value]}__lte": horizon})
        candidates.extend(base.filter(condition, kind=kind))
    planned: list[tuple[ServiceRequest, str, str, datetime]] = []
    for obj in candidates:
        stage = stage_of(obj)
        deadline = deadline_of(obj)
        if stage is None or deadline is None:
            continue
        level = level_for(deadline, now, cal)
        if level is not None:
            planned.append((obj, stage, level, deadline))
    keys = {_key(o, s, lv, d) for o, s, lv, d in planned}
    existing = set(SupervisionNotice.objects.filter(key__in=keys).values_list("key", flat=True))
    todo = [p for p in planned if _key(*p) not in existing]
    if not todo:
        return counts
    leaders = _leaders_by_enterprise(
        {o.enterprise_id for o, _s, lv, _d in todo if lv == NoticeLevel.RED}, local_date(now)
    )
    supervisors = list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True))
    handler_ids = {o.lead_unit_id for o, *_ in todo if o.lead_unit_id}
    handlers: dict[int, list[User]] = {}
    for user in User.objects.filter(role=Role.HANDLER, unit_id__in=handler_ids, is_active=True):
        handlers.setdefault(user.unit_id, []).append(user)  # type: ignore[arg-type]
    for obj, stage, level, deadline in todo:
        leader = leaders.get(obj.enterprise_id) if level == NoticeLevel.RED else None
        overdue = cal.workdays_overdue(deadline, now)
        message = f"{obj.code}「{obj.title}」{Stage(stage).label}期限 {timezone.localtime(deadline):%Y-%m-%d}" + (
            f"，已超期 {overdue} 个工作日" if overdue else "，即将到期"
        )
        notice = SupervisionNotice.objects.create(
            request=obj,
            level=level,
            stage=stage,
            deadline=deadline,
            key=_key(obj, stage, level, deadline),
            unit=obj.lead_unit,
            escalated_to=leader,
            message=message[:300],
        )
        owners: list[Any] = list(handlers.get(obj.lead_unit_id or 0, []))
        if stage == Stage.ACCEPT or not owners:
            owners.append(obj.instructor)
        recipients = owners
        if level != NoticeLevel.REMINDER:
            recipients = owners + ([obj.supervisor] if obj.supervisor else supervisors)
        if level == NoticeLevel.RED:
            recipients = recipients + ([leader] if leader else admins)
        notify(
            recipients,
            title=f"【{NoticeLevel(level).label}】{obj.code} {obj.title}"[:150],
            body=message,
            url=f"/services/requests/{obj.pk}/",
            request=obj,
            notice=notice,
            email=level != NoticeLevel.REMINDER,
            sms=level == NoticeLevel.RED,
        )
        counts[level] += 1
    audit_record(actor=None, action="supervision.run", summary=f"督办：{counts}", counts=counts)
    return counts


def _can_answer(actor: Any, notice: SupervisionNotice) -> bool:
    from service_requests.services.workflow import parties_of

    return bool(parties_of(actor, notice.request) & {"handler", "dispatcher", "team"})


@transaction.atomic
def notice_answer(
    *, actor: Any, notice: SupervisionNotice, answer: str, expected_version: int | None = None
) -> SupervisionNotice:
    """The owner explains what is being done (答复督办)."""
    if notice.state != NoticeState.ISSUED:
        raise ValidationError({"state": "只有已发出的督办可以答复。"})
    if not _can_answer(actor, notice):
        raise PermissionDenied("您不能答复该督办。")
    if not answer.strip():
        raise ValidationError({"answer": "请填写答复。"})
    notice.state = NoticeState.ANSWERED
    notice.answer = answer
    notice.answered_by = actor
    notice.answered_at = timezone.now()
    save_with_version(
        notice, expected_version=expected_version, fields=["state", "answer", "answered_by", "answered_at"]
    )
    audit_record(actor=actor, action="supervision.answer", target=notice, summary=f"答复督办 {notice.pk}")
    return notice


@transaction.atomic
def notice_close(*, actor: Any, notice: SupervisionNotice, expected_version: int | None = None) -> SupervisionNotice:
    if notice.state == NoticeState.CLOSED:
        raise ValidationError({"state": "该督办已关闭。"})
    if not (actor.is_superuser or actor.role in (Role.SUPERVISOR, Role.ADMIN)):
        raise PermissionDenied("只有督导或管理员可以关闭督办。")
    notice.state = NoticeState.CLOSED
    notice.closed_at = timezone.now()
    save_with_version(notice, expected_version=expected_version, fields=["state", "closed_at"])
    audit_record(actor=actor, action="supervision.close", target=notice, summary=f"关闭督办 {notice.pk}")
    return notice
