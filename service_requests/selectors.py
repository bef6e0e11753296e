"""Reads of the service chain, scoped by the user's role. Pages, API, exports and the cockpit all go through here.

Who sees which requests (needs and matters):

| role | requests |
|---|---|
| admin, leader, supervisor (and superusers) | all of the area |
| instructor | those of the enterprises they are paired with, those they are the instructor of, and those naming them in one of the four roles |
| handler | those led or co-handled by their unit, matters of their unit's services; a window (惠企专窗) handler sees all (the window is the intake desk); a management-office handler also sees those of the office's enterprises |
| enterprise | their own enterprise's only (internal notes hidden) |
| investment, talent, anonymous | none |
"""

from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.choices import AREA_WIDE_ROLES, Role, UnitKind
from core.access import get_visible_or_404
from core.calendar import WorkCalendar, end_of_day, local_date, start_of_day
from service_requests import rollup
from service_requests.choices import SATISFIED_FROM, Kind, NoticeState, State
from service_requests.models import (
    ListSnapshot,
    Notification,
    Service,
    ServiceCategory,
    ServiceDelivery,
    ServiceRequest,
    SupervisionNotice,
    TimelineEvent,
)
from service_requests.workflow import (
    DONE_MATTER_STATES,
    MATTER_TRANSITIONS,
    NEED_TRANSITIONS,
    OPEN_MATTER_STATES,
    OPEN_STATES,
    RESOLVED_NEED_STATES,
    UNRESOLVED_NEED_STATES,
)

LIST_RELATED = ("enterprise", "lead_unit", "instructor", "service", "chain", "enterprise__management_office")


def _anonymous(user: Any) -> bool:
    return user is None or not user.is_authenticated


def sees_all_requests(user: Any) -> bool:
    if _anonymous(user):
        return False
    if user.is_superuser or user.role in AREA_WIDE_ROLES:
        return True
    return user.role == Role.HANDLER and user.unit_id is not None and user.unit.kind == UnitKind.WINDOW


def is_staff_viewer(user: Any) -> bool:
    return not _anonymous(user) and (
        user.is_superuser or user.role in (*AREA_WIDE_ROLES, Role.INSTRUCTOR, Role.HANDLER)
    )


def requests_scope_q(user: Any) -> Q | None:
    """The condition for this user's requests; None means all, Q(pk__in=[]) nothing."""
    if _anonymous(user):
        return Q(pk__in=[])
    if sees_all_requests(user):
        return None
    team = Q(interpreter=user) | Q(runner=user) | Q(reporter=user) | Q(supervisor=user)
    if user.role == Role.ENTERPRISE:
        return Q(enterprise_id=user.enterprise_id) if user.enterprise_id else Q(pk__in=[])
    if user.role == Role.INSTRUCTOR:
        from organizations.selectors import paired_enterprise_ids

        return Q(instructor=user) | Q(enterprise_id__in=paired_enterprise_ids(user)) | team
    if user.role == Role.HANDLER and user.unit_id:
        unit_part, other_parts = _handler_scope(user)
        condition = unit_part
        for part in other_parts:
            condition |= part
        return condition
    return Q(pk__in=[])


def _handler_scope(user: Any) -> tuple[Q, list[Q]]:
    """A handler's requests (not a window's, who sees all) in two parts: the unit's — led by the unit, and for a
    management office also those of the enterprises it manages — which the unit state counts hold (`rollup`), and the
    others — co-handled by the unit, of the unit's catalog services, naming the user — counted from their rows."""
    unit_part = Q(lead_unit_id=user.unit_id)
    if user.unit.kind == UnitKind.MANAGEMENT_OFFICE:
        unit_part |= Q(office_id=user.unit_id)
    # Uncorrelated (computed once, not per row), so PostgreSQL can combine the per-column indexes of this OR.
    co_unit_request_ids = ServiceRequest.co_units.through.objects.filter(unit_id=user.unit_id).values(
        "servicerequest_id"
    )
    team = Q(interpreter=user) | Q(runner=user) | Q(reporter=user) | Q(supervisor=user)
    return unit_part, [
        Q(pk__in=co_unit_request_ids),
        Q(service__unit_id=user.unit_id),
        team | Q(proxy_agent=user) | Q(window_clerk=user),
    ]


def requests_visible_to(user: Any) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.select_related(*LIST_RELATED)
    condition = requests_scope_q(user)
    return qs if condition is None else qs.filter(condition)


def request_for(user: Any, pk: Any) -> ServiceRequest:
    """The one way to fetch a request for a user: 404 for what they may not see."""
    qs = requests_visible_to(user).select_related(
        "interpreter", "runner", "reporter", "supervisor", "proxy_member", "proxy_agent", "window_clerk", "merged_into"
    )
    return get_visible_or_404(qs.prefetch_related("co_units"), pk=pk)


def timeline_for(user: Any, request: ServiceRequest) -> list[TimelineEvent]:
    """The request's events and those of requests merged into it; internal notes only for staff."""
    merged_ids = list(request.merged_requests.values_list("pk", flat=True))
    qs = TimelineEvent.objects.filter(request_id__in=[request.pk, *merged_ids]).select_related("actor", "request")
    if not is_staff_viewer(user):
        qs = qs.filter(internal=False)
    events = list(qs.order_by("created_at", "id"))
    for event in events:
        event.action_label = ACTION_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
        event.to_label = State(event.to_state).label if event.to_state in State.values else ""  # type: ignore[attr-defined]
    return events


ACTION_LABELS = {
    **{t.action: t.label for t in MATTER_TRANSITIONS},
    **{t.action: t.label for t in NEED_TRANSITIONS},
    "submit": "提交",
    "order": "下单",
    "merged_in": "并入",
}


# ---- duplicates -------------------------------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    compact = "".join(ch for ch in text if not ch.isspace())
    return {compact[i : i + 2] for i in range(len(compact) - 1)} or ({compact} if compact else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams: simple and good enough for short Chinese texts."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def similar_open_needs(
    enterprise_id: int, text: str, *, exclude_pk: int | None = None, threshold: float = 0.25, limit: int = 5
) -> list[tuple[ServiceRequest, float]]:
    """Open needs of the same enterprise that look like `text` (suggested at intake as possible duplicates)."""
    qs = ServiceRequest.objects.filter(
        kind=Kind.NEED, enterprise_id=enterprise_id, state__in=UNRESOLVED_NEED_STATES | {State.RESOLVED}
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    scored = [(need, similarity(text, f"{need.title} {need.description}")) for need in qs.order_by("-id")[:200]]
    return sorted([s for s in scored if s[1] >= threshold], key=lambda s: -s[1])[:limit]


# ---- the workbench -----------------------------------------------------------------------------------------------

WORKBENCH_VIEWS = {
    "mine": "我的待办",
    "intake": "待受理",
    "awaiting_sign": "待签收",
    "in_progress": "办理中",
    "awaiting_verify": "待核验",
    "overdue": "已超期",
    "all": "全部",
}


#: Needs whose running clock is the resolution deadline (due_at).
TIMED_NEED_STATES = (State.ACCEPTED, State.SIGNED, State.IN_PROGRESS, State.ESCALATED)


#: The clocks of open work: which records run one, and the deadline field it runs to. overdue_q, CLOCKED and
#: running_clock_count all read this table.
CLOCKS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (Kind.NEED, (State.SUBMITTED,), "accept_due_at"),
    (Kind.NEED, (State.DISPATCHED,), "sign_due_at"),
    (Kind.NEED, TIMED_NEED_STATES, "due_at"),
    (Kind.MATTER, tuple(sorted(OPEN_MATTER_STATES)), "due_at"),
)

#: The (kind, state) pairs that run a clock.
CLOCKED = frozenset((kind, state) for kind, states, _ in CLOCKS for state in states)


def _clock_q(kind: str, states: tuple[str, ...]) -> Q:
    return states_q((kind, state) for state in states)


def overdue_q(now: datetime | None = None) -> Q:
    """Requests whose running clock has passed its deadline."""
    now = now or timezone.now()
    condition = Q()
    for kind, states, field in CLOCKS:
        condition |= _clock_q(kind, states) & Q(**{f"{field}__lt": now})
    return condition


def _clock_branches(now: datetime, *, needs_only: bool = False) -> list[Q]:
    """overdue_q's complement among the clocked records, as disjoint branches: deadline ahead, or none — so "ahead"
    stays a range condition of the clock's index."""
    return [
        _clock_q(kind, states) & Q(**{lookup: value})
        for kind, states, field in CLOCKS
        if not (needs_only and kind != Kind.NEED)
        for lookup, value in ((f"{field}__gte", now), (f"{field}__isnull", True))
    ]


def running_clock_count(qs: QuerySet[ServiceRequest], now: datetime, *, needs_only: bool = False) -> int:
    """How many clocked records of `qs` have a deadline ahead or none (only needs with `needs_only`, then also counting
    the needs awaiting information, whose clock is stopped). One statement of one scalar COUNT per clock, so each is a
    range of its partial index (an OR of the clocks would make PostgreSQL visit the rows)."""
    branches = _clock_branches(now, needs_only=needs_only)
    if needs_only:
        branches.append(Q(kind=Kind.NEED, state=State.AWAITING_INFO))
    parts: list[str] = []
    params: list[Any] = []
    for branch in branches:
        sql, branch_params = qs.filter(branch).order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) clock)")  # noqa: S608 - ORM-compiled
        params.extend(branch_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(parts), params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def states_q(pairs: Any) -> Q:
    """The records in one of these (kind, state) pairs, as one `kind = … AND state IN (…)` per kind."""
    by_kind: dict[str, list[str]] = {}
    for kind, state in pairs:
        by_kind.setdefault(str(kind), []).append(str(state))
    condition = Q()
    for kind, states in by_kind.items():
        condition |= Q(kind=kind, state=states[0]) if len(states) == 1 else Q(kind=kind, state__in=states)
    return condition


#: A handler's tasks among what their unit leads: needs to sign and handle, matters not yet done.
HANDLER_UNIT_TASKS: tuple[tuple[str, str], ...] = (
    *((Kind.NEED, state) for state in (State.DISPATCHED, State.SIGNED, State.IN_PROGRESS)),
    *((Kind.MATTER, state) for state in sorted(OPEN_MATTER_STATES)),
)


def _personal_tasks_q(user: Any) -> Q:
    """Open needs naming the user as interpreter, runner or reporter."""
    team = Q(interpreter=user) | Q(runner=user) | Q(reporter=user)
    return team & Q(kind=Kind.NEED, state__in=UNRESOLVED_NEED_STATES)


def my_tasks_q(user: Any) -> Q:
    """What waits for this user's action, by role."""
    if user.role == Role.ENTERPRISE:
        return Q(state__in=[State.AWAITING_INFO, State.RESOLVED, State.RETURNED]) | Q(
            kind=Kind.MATTER, state=State.DONE
        )
    if user.role == Role.SUPERVISOR:
        return Q(state__in=[State.RATED, State.ESCALATED, State.VERIFIED]) | Q(pending_extension_workdays__isnull=False)
    if user.is_superuser or user.role == Role.ADMIN:
        return Q(kind=Kind.NEED, state__in=[State.SUBMITTED, State.ACCEPTED, State.ESCALATED])
    if user.role == Role.INSTRUCTOR:
        return (
            Q(instructor=user) & Q(kind=Kind.NEED, state__in=[State.SUBMITTED, State.ACCEPTED, State.RESOLVED])
        ) | _personal_tasks_q(user)
    if user.role == Role.HANDLER and user.unit_id:
        mine = Q(lead_unit_id=user.unit_id) & states_q(HANDLER_UNIT_TASKS)
        if user.unit.kind == UnitKind.WINDOW:
            mine |= Q(kind=Kind.NEED, state__in=[State.SUBMITTED, State.ACCEPTED])
        return mine | _personal_tasks_q(user)
    return _personal_tasks_q(user)


def workbench(user: Any, view: str = "mine", *, now: datetime | None = None) -> QuerySet[ServiceRequest]:
    qs = requests_visible_to(user)
    if view == "mine":
        if getattr(user, "role", None) in (Role.HANDLER, Role.INSTRUCTOR) and not user.is_superuser:
            # Their tasks lie inside their scope by construction (lead unit, own instructor role, named roles), so
            # the narrower condition alone lets the database use its indexes instead of the scope's wide OR.
            qs = ServiceRequest.objects.select_related(*LIST_RELATED).filter(my_tasks_q(user))
        else:
            qs = qs.filter(my_tasks_q(user))
    elif view == "intake":
        qs = qs.filter(kind=Kind.NEED, state__in=[State.SUBMITTED, State.ACCEPTED])
    elif view == "awaiting_sign":
        qs = qs.filter(kind=Kind.NEED, state=State.DISPATCHED)
    elif view == "in_progress":
        qs = qs.filter(state__in=[State.SIGNED, State.IN_PROGRESS, State.AWAITING_INFO, State.ACCEPTED, State.HANDLED])
    elif view == "awaiting_verify":
        qs = qs.filter(kind=Kind.NEED, state__in=[State.RATED, State.ESCALATED])
    elif view == "overdue":
        qs = qs.filter(overdue_q(now))
    return qs.order_by("due_at", "-id")


BADGE_STATES: dict[str, tuple[tuple[str, str], ...]] = {
    "intake": ((Kind.NEED, State.SUBMITTED), (Kind.NEED, State.ACCEPTED)),
    "awaiting_sign": ((Kind.NEED, State.DISPATCHED),),
    "awaiting_verify": ((Kind.NEED, State.RATED), (Kind.NEED, State.ESCALATED)),
}
SUPERVISOR_STATES = (State.RATED, State.ESCALATED, State.VERIFIED)


def badge_counts(user: Any, *, from_rows: bool = False) -> dict[str, int]:
    """Counts for the workbench tabs.

    Whole-area users (admin, leader, supervisor) read the maintained state counts (`rollup.StateCount`): one query
    over a few dozen rows, plus "overdue" as the records with a clock minus those whose clock still runs (a small,
    indexed set), and the leader's and supervisor's own items. A handler of a unit reads the unit's maintained counts
    (`rollup.UnitStateCount`) for the unit's part of their scope and counts the rows of the rest (`_unit_badge_counts`).
    Everyone else counts their scope in one query; every tab counts open work (OPEN_STATES), so the rows are
    restricted to it before the aggregate and the partial index sr_open_state_due serves the query. Only the
    enterprise's and the supervisor's "my tasks" reach beyond open states (finished matters, returned needs, pending
    extensions): for them the condition widens. `from_rows=True` counts the rows for everyone (the tests' comparison).
    """
    if not from_rows:
        if requests_scope_q(user) is None:
            return _area_badge_counts(user)
        if getattr(user, "role", None) == Role.HANDLER and user.unit_id:
            return _unit_badge_counts(user)
    mine = my_tasks_q(user)
    rows = Q(state__in=OPEN_STATES)
    if getattr(user, "role", None) in (Role.ENTERPRISE, Role.SUPERVISOR):
        rows |= mine
    qs = requests_visible_to(user).order_by().filter(rows)
    return qs.aggregate(mine=Count("pk", filter=mine), **_tab_counts(overdue_q()))


def _tab_counts(overdue: Q, *, among: Q | None = None) -> dict[str, Count]:
    """The aggregates of the tabs other than "my tasks" (of the rows that are also `among`, when given)."""
    conditions = {key: states_q(pairs) for key, pairs in BADGE_STATES.items()} | {"overdue": overdue}
    return {
        key: Count("pk", filter=condition if among is None else condition & among)
        for key, condition in conditions.items()
    }


def _unit_badge_counts(user: Any) -> dict[str, int]:
    """A unit handler's badges: the unit's part of their scope from its maintained state counts (one query over a few
    hundred rows; "overdue" as there: the clocked records minus those whose clock still runs, a small indexed set),
    plus the rest of the scope — co-handled, of the unit's services, naming the user — counted from its rows, which
    the database reaches through their own indexes (co-units, the services' open requests, the user's roles). The
    handler's "my tasks" is the unit's led tasks (counted) plus the open needs naming them outside those."""
    now = timezone.now()
    unit_part, other_parts = _handler_scope(user)
    cells = rollup.unit_state_counts(user.unit_id, as_office=user.unit.kind == UnitKind.MANAGEMENT_OFFICE)
    counted: Counter[tuple[str, str]] = Counter()
    led: Counter[tuple[str, str]] = Counter()
    for unit_key, _office_key, kind, state, n in cells:
        counted[(kind, state)] += n
        if unit_key == user.unit_id:
            led[(kind, state)] += n

    def total(counts: Counter[tuple[str, str]], pairs: Any) -> int:
        return sum(counts[(str(kind), str(state))] for kind, state in pairs)

    figures = {key: total(counted, pairs) for key, pairs in BADGE_STATES.items()}
    unit_requests = ServiceRequest.objects.order_by().filter(unit_part)
    figures["overdue"] = total(counted, CLOCKED) - running_clock_count(unit_requests, now)
    figures["mine"] = total(led, HANDLER_UNIT_TASKS)
    branches = [
        ServiceRequest.objects.order_by().filter(part, state__in=OPEN_STATES).values("pk") for part in other_parts
    ]
    others = ServiceRequest.objects.order_by().filter(pk__in=branches[0].union(*branches[1:]))
    led_tasks = Q(lead_unit_id=user.unit_id) & states_q(HANDLER_UNIT_TASKS)
    rest = others.aggregate(
        mine=Count("pk", filter=_personal_tasks_q(user) & ~led_tasks), **_tab_counts(overdue_q(now), among=~unit_part)
    )
    return {key: figures[key] + (rest[key] or 0) for key in figures}


def _area_badge_counts(user: Any) -> dict[str, int]:
    counts = rollup.state_counts()

    def total(pairs: Any) -> int:
        return sum(counts.get((str(kind), str(state)), 0) for kind, state in pairs)

    requests = ServiceRequest.objects.order_by()
    figures = {key: total(pairs) for key, pairs in BADGE_STATES.items()}
    figures["overdue"] = total(CLOCKED) - running_clock_count(requests, timezone.now())
    if user.is_superuser or user.role == Role.ADMIN:
        figures["mine"] = total((Kind.NEED, s) for s in (State.SUBMITTED, State.ACCEPTED, State.ESCALATED))
    elif user.role == Role.SUPERVISOR:
        pending = requests.filter(pending_extension_workdays__isnull=False).exclude(state__in=SUPERVISOR_STATES)
        figures["mine"] = total((k, s) for k in Kind.values for s in SUPERVISOR_STATES) + pending.count()
    else:
        figures["mine"] = requests.filter(my_tasks_q(user)).count()
    return figures


#: The tabs whose list is exactly a badge's count (no other filter applied).
COUNTED_VIEWS = frozenset({"mine", "intake", "awaiting_sign", "awaiting_verify", "overdue"})


# ---- catalog, deliveries, notices, inbox ------------------------------------------------------------------------


def catalog(user: Any, *, chain: Any = None) -> list[ServiceCategory]:
    services = Service.objects.filter(is_active=True).select_related("unit", "chain").order_by("sort_order", "id")
    if chain:
        services = services.filter(chain=chain)
    categories = ServiceCategory.objects.prefetch_related(Prefetch("services", queryset=services))
    return [c for c in categories if c.services.all()]


def service_for(user: Any, pk: Any) -> Service:
    if _anonymous(user):
        from django.http import Http404

        raise Http404
    return get_visible_or_404(Service.objects.filter(is_active=True).select_related("unit", "category"), pk=pk)


def deliveries_on_chain_q(chain: Any) -> Q:
    """Deliveries of a chain: a delivery has no chain of its own, so those to enterprises placed on one of the chain's
    links (the rule of the cockpit's figure and of the deliveries list's `chain` filter)."""
    from chains.models import Placement

    return Q(enterprise__in=Placement.objects.filter(link__chain=chain).values("enterprise_id"))


def deliveries_visible_to(user: Any) -> QuerySet[ServiceDelivery]:
    from enterprises.selectors import enterprises_visible_to

    qs = ServiceDelivery.objects.select_related("enterprise", "unit", "staff")
    if _anonymous(user):
        return qs.none()
    if sees_all_requests(user):
        return qs
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise_id=user.enterprise_id)
    if user.role in (Role.INSTRUCTOR, Role.HANDLER):
        return qs.filter(
            Q(enterprise__in=enterprises_visible_to(user).order_by().values("pk"))
            | Q(staff=user)
            | Q(unit=user.unit_id)
        )
    return qs.none()


def notices_visible_to(user: Any) -> QuerySet[SupervisionNotice]:
    qs = SupervisionNotice.objects.select_related(
        "request", "request__enterprise", "request__lead_unit", "unit", "escalated_to"
    )
    if _anonymous(user) or user.role in (Role.ENTERPRISE, Role.TALENT, Role.INVESTMENT):
        return qs.none()
    condition = requests_scope_q(user)
    if condition is None:
        return qs
    return qs.filter(request__in=ServiceRequest.objects.filter(condition).values("pk")) | qs.filter(escalated_to=user)


def notice_for(user: Any, pk: Any) -> SupervisionNotice:
    return get_visible_or_404(notices_visible_to(user), pk=pk)


def notifications_for(user: Any) -> QuerySet[Notification]:
    if _anonymous(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


# ---- problem list and results list ------------------------------------------------------------------------------


def _period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return start_of_day(start), end_of_day(end)


def _scoped_needs(user: Any, *, chain: Any = None, unit: Any = None, office: Any = None) -> QuerySet[ServiceRequest]:
    qs = requests_visible_to(user).filter(kind=Kind.NEED)
    if chain:
        qs = qs.filter(chain=chain)
    if unit:
        qs = qs.filter(lead_unit=unit)
    if office:
        qs = qs.filter(office=office)
    return qs


def problem_list(
    user: Any, start: date, end: date, *, chain: Any = None, unit: Any = None, office: Any = None
) -> QuerySet[ServiceRequest]:
    """问题清单: needs raised up to the period's end and not resolved by then (returned and merged ones excluded)."""
    _, upper = _period_bounds(start, end)
    return (
        _scoped_needs(user, chain=chain, unit=unit, office=office)
        .filter(submitted_at__lte=upper)
        .exclude(state__in=[State.RETURNED, State.MERGED])
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=upper))
        .exclude(state=State.CLOSED, closed_at__lte=upper)
        .order_by("submitted_at", "id")
    )


def results_list(
    user: Any, start: date, end: date, *, chain: Any = None, unit: Any = None, office: Any = None
) -> QuerySet[ServiceRequest]:
    """实效清单: needs resolved in the period, with outcome, evidence and the enterprise's rating."""
    lower, upper = _period_bounds(start, end)
    return (
        _scoped_needs(user, chain=chain, unit=unit, office=office)
        .filter(state__in=RESOLVED_NEED_STATES, resolved_at__gte=lower, resolved_at__lte=upper)
        .order_by("resolved_at", "id")
    )


def problem_row(need: ServiceRequest, *, calendar: WorkCalendar, as_of: datetime) -> dict[str, Any]:
    age = calendar.workdays_between(local_date(need.submitted_at), local_date(min(as_of, timezone.now())))
    return {
        "id": need.pk,
        "code": need.code,
        "enterprise": need.enterprise.name,
        "chain": need.chain.name if need.chain else "",
        "office": need.enterprise.management_office.name if need.enterprise.management_office else "",
        "topic": need.get_topic_display(),
        "title": need.title,
        "state": need.get_state_display(),
        "owner": need.lead_unit.name if need.lead_unit else "（待派单）",
        "submitted": timezone.localtime(need.submitted_at).date().isoformat(),
        "age_workdays": age,
        "due": timezone.localtime(need.due_at).date().isoformat() if need.due_at else "",
        "overdue": bool(need.due_at and need.due_at < as_of),
    }


def result_row(need: ServiceRequest) -> dict[str, Any]:
    return {
        "id": need.pk,
        "code": need.code,
        "enterprise": need.enterprise.name,
        "chain": need.chain.name if need.chain else "",
        "office": need.enterprise.management_office.name if need.enterprise.management_office else "",
        "topic": need.get_topic_display(),
        "title": need.title,
        "unit": need.lead_unit.name if need.lead_unit else "",
        "resolved": timezone.localtime(need.resolved_at).date().isoformat() if need.resolved_at else "",
        "on_time": "是" if need.resolved_on_time else "否",
        "resolution": need.resolution,
        "evidence": need.evidence,
        "rating": need.get_rating_display() if need.rating else "",
        "state": need.get_state_display(),
    }


PROBLEM_COLUMNS = [
    ("code", "编号"),
    ("enterprise", "企业"),
    ("chain", "产业链"),
    ("office", "管理处"),
    ("topic", "类别"),
    ("title", "诉求"),
    ("state", "状态"),
    ("owner", "责任单位"),
    ("submitted", "提出日期"),
    ("age_workdays", "已用工作日"),
    ("due", "办结期限"),
]
RESULT_COLUMNS = [
    ("code", "编号"),
    ("enterprise", "企业"),
    ("chain", "产业链"),
    ("office", "管理处"),
    ("topic", "类别"),
    ("title", "诉求"),
    ("unit", "主办单位"),
    ("resolved", "办结日期"),
    ("on_time", "按时办结"),
    ("resolution", "办理结果"),
    ("evidence", "佐证"),
    ("rating", "企业评价"),
]


def snapshots(kind: str | None = None) -> QuerySet[ListSnapshot]:
    qs = ListSnapshot.objects.select_related("frozen_by").order_by("-period", "kind")
    return qs.filter(kind=kind) if kind else qs


# ---- metrics -------------------------------------------------------------------------------------------------------

DIMENSIONS = {
    "unit": ("lead_unit_id", "lead_unit__name", "主办单位"),
    "instructor": ("instructor_id", "instructor__display_name", "指导员"),
    "service": ("service_id", "service__name", "帮办服务"),
    "chain": ("chain_id", "chain__name", "产业链"),
    "topic": ("topic", "topic", "诉求类别"),
    "channel": ("channel", "channel", "渠道"),
}


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _touched_in(lower: datetime, upper: datetime) -> Q:
    """Records with something counted in the period, or open now (for "overdue now"): the rows the metrics scan.

    Each branch is an indexed range or state, so the database reads only those rows, not the whole table.
    """
    return (
        Q(submitted_at__gte=lower, submitted_at__lte=upper)
        | Q(resolved_at__gte=lower, resolved_at__lte=upper)
        | Q(signed_at__gte=lower, signed_at__lte=upper)
        | Q(rated_at__gte=lower, rated_at__lte=upper)
        | Q(state__in=[*UNRESOLVED_NEED_STATES, *OPEN_MATTER_STATES])
    )


def metrics_by(
    user: Any,
    dimension: str,
    start: date,
    end: date,
    *,
    chain: Any = None,
    office: Any = None,
    unit: Any = None,
    calendar: WorkCalendar | None = None,
) -> list[dict[str, Any]]:
    """One row per unit / instructor / service / chain / topic / channel over the period (formulas: docs). 2 queries."""
    key, label, _title = DIMENSIONS[dimension]
    lower, upper = _period_bounds(start, end)
    now = timezone.now()
    qs = requests_visible_to(user).order_by()
    if chain:
        qs = qs.filter(chain=chain)
    if office:
        qs = qs.filter(office=office)
    if unit:
        qs = qs.filter(lead_unit=unit)
    qs = qs.filter(_touched_in(lower, upper))
    need = Q(kind=Kind.NEED)
    in_period = Q(submitted_at__gte=lower, submitted_at__lte=upper)
    resolved_in = Q(resolved_at__gte=lower, resolved_at__lte=upper) & (
        Q(kind=Kind.NEED, state__in=RESOLVED_NEED_STATES) | Q(kind=Kind.MATTER, state__in=DONE_MATTER_STATES)
    )
    signed_in = Q(signed_at__gte=lower, signed_at__lte=upper, signed_on_time__isnull=False)
    rated_in = Q(rated_at__gte=lower, rated_at__lte=upper, rating__isnull=False)
    rows = list(
        qs.values(key, label).annotate(
            collected=Count("pk", filter=need & in_period & ~Q(state=State.MERGED)),
            collected_resolved=Count("pk", filter=need & in_period & Q(state__in=RESOLVED_NEED_STATES)),
            resolved=Count("pk", filter=need & resolved_in),
            resolved_on_time=Count("pk", filter=need & resolved_in & Q(resolved_on_time=True)),
            reopened=Count("pk", filter=need & resolved_in & Q(reopen_count__gt=0)),
            signed=Count("pk", filter=need & signed_in),
            signed_on_time=Count("pk", filter=need & signed_in & Q(signed_on_time=True)),
            rated=Count("pk", filter=rated_in),
            satisfied=Count("pk", filter=rated_in & Q(rating__gte=SATISFIED_FROM)),
            matters_handled=Count("pk", filter=Q(kind=Kind.MATTER) & resolved_in),
            overdue_now=Count("pk", filter=overdue_q(now)),
        )
    )
    # Average working days to resolve: one more query over the resolved needs' two dates.
    cal = calendar or WorkCalendar()
    spans: dict[Any, list[int]] = defaultdict(list)
    for group, submitted, resolved in qs.filter(need & resolved_in).values_list(key, "submitted_at", "resolved_at"):
        spans[group].append(cal.workdays_between(local_date(submitted), local_date(resolved)))
    result = []
    for row in rows:
        if not any(row[k] for k in ("collected", "resolved", "signed", "rated", "matters_handled", "overdue_now")):
            continue
        group = row[key]
        name = row[label]
        if dimension == "topic":
            from service_requests.choices import Topic

            name = Topic(group).label if group in Topic.values else group
        elif dimension == "channel":
            from service_requests.choices import Channel

            name = Channel(group).label if group in Channel.values else group
        days = spans.get(group, [])
        result.append(
            {
                "key": group,
                "name": name or "（未指定）",
                "collected": row["collected"],
                "resolved": row["resolved"],
                "resolution_rate": _rate(row["collected_resolved"], row["collected"]),
                "signed_on_time_rate": _rate(row["signed_on_time"], row["signed"]),
                "resolved_on_time_rate": _rate(row["resolved_on_time"], row["resolved"]),
                "satisfaction_rate": _rate(row["satisfied"], row["rated"]),
                "reopen_rate": _rate(row["reopened"], row["resolved"]),
                "avg_workdays_to_resolve": round(sum(days) / len(days), 1) if days else None,
                "overdue_now": row["overdue_now"],
                "matters_handled": row["matters_handled"],
            }
        )
    return sorted(result, key=lambda r: (-r["collected"] - r["matters_handled"], str(r["name"])))


def service_chain_figures(
    user: Any, start: date, end: date, *, chain: Any = None, office: Any = None, from_rows: bool = False
) -> dict[str, Any]:
    """The service chain's headline figures for the cockpit, scoped to the user.

    Keys: needs_collected, needs_resolved, needs_open, needs_overdue, signed_on_time_rate, resolved_on_time_rate,
    satisfaction_rate, reopen_rate, matters_handled, enterprises_served, service_deliveries {total, by_kind}.
    Rates are fractions (0–1) or None when there is nothing to divide by. Formulas: docs/service_requests.md.

    Whole-area users read the additive counts from the maintained daily totals (`rollup`, kept in the same transaction
    as the requests) and the distinct enterprises served from the per-month table when the period is whole months;
    users with a narrower view count their requests directly (same definitions, held equal by tests).
    `from_rows=True` counts the rows for everyone (the tests' and the benchmark's comparison).
    """
    lower, upper = _period_bounds(start, end)
    now = timezone.now()
    area_wide = requests_scope_q(user) is None and not from_rows
    qs = requests_visible_to(user).order_by()
    deliveries = deliveries_visible_to(user).order_by().filter(delivered_on__gte=start, delivered_on__lte=end)
    if chain:
        qs = qs.filter(chain=chain)
        deliveries = deliveries.filter(deliveries_on_chain_q(chain))
    if office:
        qs = qs.filter(office=office)
        deliveries = deliveries.filter(enterprise__management_office=office)
    need = Q(kind=Kind.NEED)
    collected_in = need & Q(submitted_at__gte=lower, submitted_at__lte=upper) & ~Q(state=State.MERGED)
    resolved_in = Q(resolved_at__gte=lower, resolved_at__lte=upper)
    matter_done_in = Q(kind=Kind.MATTER, state__in=DONE_MATTER_STATES) & resolved_in
    if area_wide:
        figures: dict[str, Any] = rollup.period_totals(start, end, chain=chain, office=office)
        # Overdue = open now − open and not yet overdue: the second set is small (deadlines still ahead) and read
        # from the partial indexes of the three clocks, where the overdue set can be most of the backlog.
        figures["needs_open"] = figures["open_through_end"]
        figures["needs_overdue"] = figures["open_now"] - running_clock_count(qs, now, needs_only=True)
        served_count = None if chain else rollup.served_count(start, end, office=office)
    else:
        qs = qs.filter(_touched_in(lower, upper) | Q(kind=Kind.NEED, state__in=UNRESOLVED_NEED_STATES))
        signed_in = Q(signed_at__gte=lower, signed_at__lte=upper, signed_on_time__isnull=False)
        rated_in = need & Q(rated_at__gte=lower, rated_at__lte=upper, rating__isnull=False)
        need_resolved = need & resolved_in & Q(state__in=RESOLVED_NEED_STATES)
        figures = qs.aggregate(
            collected=Count("pk", filter=collected_in),
            resolved=Count("pk", filter=need_resolved),
            resolved_on_time=Count("pk", filter=need_resolved & Q(resolved_on_time=True)),
            reopened=Count("pk", filter=need_resolved & Q(reopen_count__gt=0)),
            needs_open=Count("pk", filter=need & Q(state__in=UNRESOLVED_NEED_STATES, submitted_at__lte=upper)),
            needs_overdue=Count("pk", filter=need & overdue_q(now)),
            signed=Count("pk", filter=need & signed_in),
            signed_on_time=Count("pk", filter=need & signed_in & Q(signed_on_time=True)),
            rated=Count("pk", filter=rated_in),
            satisfied=Count("pk", filter=rated_in & Q(rating__gte=SATISFIED_FROM)),
            matters_handled=Count("pk", filter=matter_done_in),
        )
        served_count = None
    by_kind = dict(deliveries.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    if served_count is None:
        served = set(qs.filter(matter_done_in | collected_in).values_list("enterprise_id", flat=True).distinct())
        served |= set(deliveries.values_list("enterprise_id", flat=True).distinct())
        served_count = len(served)
    return {
        "needs_collected": figures["collected"],
        "needs_resolved": figures["resolved"],
        "needs_open": figures["needs_open"],
        "needs_overdue": figures["needs_overdue"],
        "signed_on_time_rate": _rate(figures["signed_on_time"], figures["signed"]),
        "resolved_on_time_rate": _rate(figures["resolved_on_time"], figures["resolved"]),
        "satisfaction_rate": _rate(figures["satisfied"], figures["rated"]),
        "reopen_rate": _rate(figures["reopened"], figures["resolved"]),
        "matters_handled": figures["matters_handled"],
        "enterprises_served": served_count,
        "service_deliveries": {"total": sum(by_kind.values()), "by_kind": by_kind},
    }


def open_notice_counts(user: Any) -> dict[str, int]:
    qs = notices_visible_to(user).filter(state__in=[NoticeState.ISSUED, NoticeState.ANSWERED]).order_by()
    return dict(qs.values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
