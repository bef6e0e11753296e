"""Maintained aggregates of the service chain, so the cockpit reads a year in a few hundred rows, not millions.

Five tables (models `DailyTotal`, `ServedMonths`, `ServedCount`, `StateCount`, `UnitStateCount`) hold what the
requests and deliveries contribute:

- `DailyTotal`: per local day × chain × management office, the additive counts of `service_chain_figures`
  (needs collected and resolved, on time, reopened, signed, rated, satisfied, matters handled);
- `ServedMonths`: per enterprise and year, the number of service events in each month, for the distinct count of
  enterprises served in a month-aligned period;
- `ServedCount`: per year, span of whole months (first to last month) and management office, the number of
  enterprises served in it (one of their months there non-zero). Written from the flips of `ServedMonths`: its upsert
  returns the enterprise's months, so the writer knows which spans the enterprise enters or leaves;
- `StateCount`: per kind and state, the number of requests now (the workbench's badges for whole-area users);
- `UnitStateCount`: the same per lead unit and management office (a handler's badges for their unit's work).

They are not a cache. Every write of the services that changes a counted field applies the difference between the
request's contribution before and after, in the same transaction, as one `INSERT … ON CONFLICT DO UPDATE SET n = n + d`
per touched cell (atomic under concurrency on both databases). Bulk writes that bypass the services (the scale
generator, a restore) end with `rebuild()` (`manage.py rebuild_service_totals`), which recomputes both tables from the
rows in a few set-based statements. `tests` compare the maintained tables with a rebuild after every workflow.

The definitions here are the ones of `selectors.service_chain_figures` (docs/service_requests.md): one place per rule —
`contribution()` for one row and `_total_branches()` for the set must say the same thing, and a test holds them to it.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, TruncDate
from django.utils import timezone

from core.calendar import local_date
from core.counters import increment, increment_cells
from service_requests.choices import SATISFIED_FROM, Kind, State
from service_requests.models import (
    DailyTotal,
    ServedCount,
    ServedMonths,
    ServiceDelivery,
    ServiceRequest,
    StateCount,
    UnitStateCount,
)
from service_requests.workflow import DONE_MATTER_STATES, RESOLVED_NEED_STATES, UNRESOLVED_NEED_STATES

COUNTERS = (
    "collected",
    "resolved",
    "resolved_on_time",
    "reopened",
    "signed",
    "signed_on_time",
    "rated",
    "satisfied",
    "matters_handled",
    "open_needs",
)
MONTHS = tuple(f"m{month}" for month in range(1, 13))

#: (day, chain_key, office_key, counter) -> count
Totals = Counter[tuple[date, int, int, str]]
#: (year, month) -> count
Served = Counter[tuple[int, int]]
#: (kind, state) -> count
States = Counter[tuple[str, str]]
#: (lead unit key, office key, kind, state) -> count
UnitStates = Counter[tuple[int, int, str, str]]
#: (year, first month, last month, office key) -> enterprises
Spans = Counter[tuple[int, int, int, int]]
#: What one request contributes: to the daily totals, the served months, the state counts and the unit state counts.
Contribution = tuple[Totals, Served, States, UnitStates]

#: Every span of whole months of a year (first, last), both inclusive, with its bit mask (January = bit 0).
SPANS: tuple[tuple[int, int, int], ...] = tuple(
    (first, last, sum(1 << (month - 1) for month in range(first, last + 1)))
    for first in range(1, 13)
    for last in range(first, 13)
)


def served_mask(months: Sequence[int]) -> int:
    """The months (January first) in which an enterprise was served — a count above zero — as a bit mask."""
    return sum(1 << index for index, n in enumerate(months) if n > 0)


def served_spans(mask: int) -> list[tuple[int, int]]:
    """The spans of whole months in which an enterprise with these served months (`served_mask`) was served: those
    holding one of its months. The one rule of `ServedCount`, for the writers and the rebuild alike."""
    return [(first, last) for first, last, bits in SPANS if mask & bits]


def contribution(request: ServiceRequest, office_key: int) -> Contribution:
    """What one request adds to the tables, from its current field values."""
    totals: Totals = Counter()
    served: Served = Counter()
    states: States = Counter({(str(request.kind), str(request.state)): 1})
    units: UnitStates = Counter({(request.lead_unit_id or 0, office_key, str(request.kind), str(request.state)): 1})
    chain_key = request.chain_id or 0

    def add(moment: datetime, counter: str) -> None:
        totals[(local_date(moment), chain_key, office_key, counter)] += 1

    if request.kind == Kind.NEED:
        if request.submitted_at and request.state in UNRESOLVED_NEED_STATES:
            add(request.submitted_at, "open_needs")
        if request.submitted_at and request.state != State.MERGED:
            add(request.submitted_at, "collected")
            day = local_date(request.submitted_at)
            served[(day.year, day.month)] += 1
        if request.resolved_at and request.state in RESOLVED_NEED_STATES:
            add(request.resolved_at, "resolved")
            if request.resolved_on_time:
                add(request.resolved_at, "resolved_on_time")
            if request.reopen_count > 0:
                add(request.resolved_at, "reopened")
        if request.signed_at and request.signed_on_time is not None:
            add(request.signed_at, "signed")
            if request.signed_on_time:
                add(request.signed_at, "signed_on_time")
        if request.rated_at and request.rating is not None:
            add(request.rated_at, "rated")
            if request.rating >= SATISFIED_FROM:
                add(request.rated_at, "satisfied")
    elif request.kind == Kind.MATTER and request.resolved_at and request.state in DONE_MATTER_STATES:
        add(request.resolved_at, "matters_handled")
        day = local_date(request.resolved_at)
        served[(day.year, day.month)] += 1
    return totals, served, states, units


def office_key_of(request: ServiceRequest) -> int:
    """The request's management office (kept equal to its enterprise's; 0 for none)."""
    return request.office_id or 0


def snapshot(request: ServiceRequest) -> Contribution:
    """The contribution before a change (call on the row just locked, before the handler runs)."""
    return contribution(request, office_key_of(request))


def record_change(request: ServiceRequest, before: Contribution | None) -> None:
    """Apply the difference between the request's contribution now and `before` (None for a new request)."""
    office_key = office_key_of(request)
    totals, served, states, units = contribution(request, office_key)
    if before is not None:
        totals.subtract(before[0])
        served.subtract(before[1])
        states.subtract(before[2])
        units.subtract(before[3])
    _apply(totals, {request.enterprise_id: (office_key, served)}, states, units)


def record_new(requests: list[ServiceRequest]) -> None:
    """Add the contribution of requests just inserted (bulk imports)."""
    totals: Totals = Counter()
    served: dict[int, tuple[int, Served]] = {}
    states: States = Counter()
    units: UnitStates = Counter()
    for request in requests:
        office_key = office_key_of(request)
        request_totals, request_served, request_states, request_units = contribution(request, office_key)
        totals.update(request_totals)
        states.update(request_states)
        units.update(request_units)
        served.setdefault(request.enterprise_id, (office_key, Counter()))[1].update(request_served)
    _apply(totals, served, states, units)


def record_delivery(delivery: ServiceDelivery, sign: int = 1) -> None:
    """A service delivery serves its enterprise in its month (sign -1 when one is removed)."""
    office_key = delivery.enterprise.management_office_id or 0
    day = delivery.delivered_on
    _apply(Counter(), {delivery.enterprise_id: (office_key, Counter({(day.year, day.month): sign}))})


def enterprise_office_changed(enterprise_id: int, old_office: int | None, new_office: int | None) -> None:
    """Move the enterprise's contributions from its old management office to the new one: its requests' daily totals
    and unit state counts, summed in SQL by the rebuild's own queries (an enterprise may have 100,000s of requests),
    and its served months."""
    old_key, new_key = old_office or 0, new_office or 0
    if old_key == new_key:
        return
    requests = ServiceRequest.objects.filter(enterprise_id=enterprise_id).order_by()
    totals: Totals = Counter()
    for day, chain_key, *sums in _daily_sums(requests):
        for counter, n in zip(COUNTERS, sums, strict=True):
            if n:
                totals[(day, chain_key, old_key, counter)] -= n
                totals[(day, chain_key, new_key, counter)] += n
    units: UnitStates = Counter()
    for unit_key, kind, state, n in (
        requests.values("kind", "state", unit_key=Coalesce("lead_unit_id", _zero()))
        .annotate(n=Count("pk"))
        .values_list("unit_key", "kind", "state", "n")
    ):
        units[(unit_key, old_key, kind, state)] -= n
        units[(unit_key, new_key, kind, state)] += n
    _apply(totals, {}, None, units)
    # The served months' rows are locked after the tables above and before the served counts (the writers' order).
    spans: Spans = Counter()
    rows = ServedMonths.objects.select_for_update().filter(enterprise_id=enterprise_id).order_by("year")
    for year, office_key, *months in rows.values_list("year", "office_key", *MONTHS):
        for first, last in served_spans(served_mask(months)):
            spans[(year, first, last, office_key)] -= 1
            spans[(year, first, last, new_key)] += 1
    ServedMonths.objects.filter(enterprise_id=enterprise_id).update(office_key=new_key)
    # The requests follow their enterprise (an office's workbench, badges and cockpit figures read `office`).
    requests.update(office_id=new_office)
    _apply(Counter(), {}, spans=spans)


def _apply(
    totals: Totals,
    served: dict[int, tuple[int, Served]],
    states: States | None = None,
    units: UnitStates | None = None,
    *,
    spans: Spans | None = None,
) -> None:
    """Write the differences. `spans` are served-count changes known beforehand (an office move); the flips of the
    served months written here are added to them."""
    cells: dict[tuple[date, int, int], dict[str, int]] = {}
    for (day, chain_key, office_key, counter), n in totals.items():
        if n:
            cells.setdefault((day, chain_key, office_key), {})[counter] = n
    state_changes = {key: n for key, n in (states or {}).items() if n}
    unit_changes = {key: n for key, n in (units or {}).items() if n}
    span_changes: Spans = Counter({key: n for key, n in (spans or {}).items() if n})
    if (
        not cells
        and not state_changes
        and not unit_changes
        and not span_changes
        and not any(n for _, months in served.values() for n in months.values())
    ):
        return
    # Every writer takes the rows' locks in one order (tables, then sorted keys), so concurrent writers never deadlock.
    with connection.cursor() as cursor:
        for (kind, state), n in sorted(state_changes.items()):
            increment(cursor, StateCount, {"kind": kind, "state": state}, {"n": n})
        increment_cells(cursor, UnitStateCount, ("unit_key", "office_key", "kind", "state"), unit_changes)
        for (day, chain_key, office_key), counts in sorted(cells.items()):
            increment(
                cursor,
                DailyTotal,
                {"day": day, "chain_key": chain_key, "office_key": office_key},
                {name: counts.get(name, 0) for name in COUNTERS},
                changed=counts,
            )
        for enterprise_id, (office_key, months) in sorted(served.items()):
            by_year: dict[int, dict[int, int]] = {}
            for (year, month), n in months.items():
                if n:
                    by_year.setdefault(year, {})[month] = n
            for year, month_counts in sorted(by_year.items()):
                row = increment(
                    cursor,
                    ServedMonths,
                    {"enterprise_id": enterprise_id, "year": year},
                    {f"m{m}": month_counts.get(m, 0) for m in range(1, 13)},
                    changed={f"m{m}" for m in month_counts},
                    insert_only={"office_key": office_key},
                    returning=("office_key", *MONTHS),
                )
                # The row as it is now (after any concurrent writer that held it): what it was is now minus our delta.
                row_office, *now = row
                before = served_mask([n - month_counts.get(month, 0) for month, n in enumerate(now, start=1)])
                after = served_mask(now)
                if before != after:
                    for first, last in served_spans(before):
                        span_changes[(year, first, last, row_office)] -= 1
                    for first, last in served_spans(after):
                        span_changes[(year, first, last, row_office)] += 1
        increment_cells(cursor, ServedCount, ("year", "first_month", "last_month", "office_key"), span_changes)


# ---- rebuild from the rows (set-based) ----------------------------------------------------------------------------


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _one() -> Value:
    return Value(1, output_field=IntegerField())


def _zero() -> Value:
    return Value(0, output_field=IntegerField())


def _total_branches(base: QuerySet | None = None) -> list[QuerySet]:
    """One SELECT per date a request is counted on; each row says which counters it adds to (same rules as
    `contribution`). `base` narrows the requests (default: all)."""
    if base is None:
        base = ServiceRequest.objects.order_by()
    keys = {
        "chain_key": Coalesce("chain_id", _zero()),
        "office_key": Coalesce("enterprise__management_office_id", _zero()),
    }
    need = Q(kind=Kind.NEED)

    def branch(qs: QuerySet, moment: str, **flags: Any) -> QuerySet:
        columns = {f"n_{name}": flags.get(name, _zero()) for name in COUNTERS}
        return qs.values(day=TruncDate(moment), **keys, **columns)

    return [
        branch(
            base.filter(need, submitted_at__isnull=False).exclude(state=State.MERGED), "submitted_at", collected=_one()
        ),
        branch(
            base.filter(need, submitted_at__isnull=False, state__in=UNRESOLVED_NEED_STATES),
            "submitted_at",
            open_needs=_one(),
        ),
        branch(
            base.filter(need, resolved_at__isnull=False, state__in=RESOLVED_NEED_STATES),
            "resolved_at",
            resolved=_one(),
            resolved_on_time=_flag(Q(resolved_on_time=True)),
            reopened=_flag(Q(reopen_count__gt=0)),
        ),
        branch(
            base.filter(need, signed_at__isnull=False, signed_on_time__isnull=False),
            "signed_at",
            signed=_one(),
            signed_on_time=_flag(Q(signed_on_time=True)),
        ),
        branch(
            base.filter(need, rated_at__isnull=False, rating__isnull=False),
            "rated_at",
            rated=_one(),
            satisfied=_flag(Q(rating__gte=SATISFIED_FROM)),
        ),
        branch(
            base.filter(kind=Kind.MATTER, resolved_at__isnull=False, state__in=DONE_MATTER_STATES),
            "resolved_at",
            matters_handled=_one(),
        ),
    ]


def _served_branches() -> list[QuerySet]:
    office = {"office_key": Coalesce("enterprise__management_office_id", _zero())}
    requests = ServiceRequest.objects.order_by()
    return [
        requests.filter(kind=Kind.NEED, submitted_at__isnull=False)
        .exclude(state=State.MERGED)
        .values("enterprise_id", year=ExtractYear("submitted_at"), month=ExtractMonth("submitted_at"), **office),
        requests.filter(kind=Kind.MATTER, resolved_at__isnull=False, state__in=DONE_MATTER_STATES).values(
            "enterprise_id", year=ExtractYear("resolved_at"), month=ExtractMonth("resolved_at"), **office
        ),
        ServiceDelivery.objects.order_by().values(
            "enterprise_id", year=ExtractYear("delivered_on"), month=ExtractMonth("delivered_on"), **office
        ),
    ]


def _union(branches: list[QuerySet], columns: list[str]) -> tuple[str, list[Any]]:
    qn = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []
    for qs in branches:
        sql, branch_params = qs.query.sql_with_params()
        parts.append(f"SELECT {', '.join(qn(c) for c in columns)} FROM ({sql}) branch")  # noqa: S608 - ORM-compiled
        params.extend(branch_params)
    return " UNION ALL ".join(parts), params


def _daily_sums_sql(keys: list[str], requests: QuerySet | None = None) -> tuple[str, list[Any]]:
    """`SELECT day, *keys, one SUM per counter in COUNTERS … GROUP BY day, *keys` over the requests' contributions
    (`_total_branches`): the rebuild's source (keys chain and office) and an office move's (keys chain)."""
    qn = connection.ops.quote_name
    union, params = _union(_total_branches(requests), ["day", *keys, *(f"n_{c}" for c in COUNTERS)])
    sums = ", ".join(f"SUM({qn(f'n_{c}')})" for c in COUNTERS)
    group = ", ".join([qn("day"), *keys])
    return f"SELECT {group}, {sums} FROM ({union}) totals GROUP BY {group}", params  # noqa: S608 - ORM-compiled


def _daily_sums(requests: QuerySet) -> list[tuple[Any, ...]]:
    """(day, chain key, *one sum per counter in `COUNTERS`) of these requests, one row per day and chain."""
    with connection.cursor() as cursor:
        cursor.execute(*_daily_sums_sql(["chain_key"], requests))
        rows = cursor.fetchall()
    # SQLite returns the day as text.
    return [(date.fromisoformat(day) if isinstance(day, str) else day, *rest) for day, *rest in rows]


@transaction.atomic
def rebuild_state_counts() -> int:
    """Recompute the state counts, area-wide and per lead unit and office, from the requests (one GROUP BY each)."""
    StateCount.objects.all()._raw_delete(StateCount.objects.db)
    UnitStateCount.objects.all()._raw_delete(UnitStateCount.objects.db)
    rows = ServiceRequest.objects.order_by().values("kind", "state").annotate(n=Count("pk"))
    StateCount.objects.bulk_create(StateCount(**row) for row in rows)
    cells = (
        ServiceRequest.objects.order_by()
        .values(
            "kind",
            "state",
            unit_key=Coalesce("lead_unit_id", _zero()),
            office_key=Coalesce("enterprise__management_office_id", _zero()),
        )
        .annotate(n=Count("pk"))
    )
    UnitStateCount.objects.bulk_create((UnitStateCount(**cell) for cell in cells), batch_size=1000)
    return StateCount.objects.count()


def _served_mask_expression() -> Any:
    """`served_mask` of a `ServedMonths` row, in SQL."""
    return sum(
        (_flag(Q(**{f"m{month}__gt": 0})) * Value(1 << (month - 1)) for month in range(2, 13)),
        start=_flag(Q(m1__gt=0)),
    )


@transaction.atomic
def rebuild_served_counts() -> int:
    """Recompute the served counts from the served months: one GROUP BY of the enterprises by year, office and set of
    served months (a few thousand groups), each group added to the spans `served_spans` gives it."""
    ServedCount.objects.all()._raw_delete(ServedCount.objects.db)
    counts: Spans = Counter()
    groups = (
        ServedMonths.objects.order_by()
        .values("year", "office_key", mask=_served_mask_expression())
        .annotate(n=Count("pk"))
        .values_list("year", "office_key", "mask", "n")
    )
    for year, office_key, mask, n in groups:
        for first, last in served_spans(mask):
            counts[(year, first, last, office_key)] += n
    ServedCount.objects.bulk_create(
        (
            ServedCount(year=year, first_month=first, last_month=last, office_key=office_key, n=n)
            for (year, first, last, office_key), n in sorted(counts.items())
        ),
        batch_size=1000,
    )
    return len(counts)


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute the tables from the requests and deliveries. Returns the number of rows written."""
    qn = connection.ops.quote_name
    states = rebuild_state_counts()
    DailyTotal.objects.all()._raw_delete(DailyTotal.objects.db)
    ServedMonths.objects.all()._raw_delete(ServedMonths.objects.db)
    counters = ", ".join(qn(c) for c in COUNTERS)
    select, params = _daily_sums_sql(["chain_key", "office_key"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(DailyTotal._meta.db_table)} (day, chain_key, office_key, {counters}) {select}",
            params,
        )
        union, params = _union(_served_branches(), ["enterprise_id", "year", "month", "office_key"])
        months = ", ".join(f"SUM(CASE WHEN {qn('month')} = {m} THEN 1 ELSE 0 END)" for m in range(1, 13))
        cursor.execute(
            f"INSERT INTO {qn(ServedMonths._meta.db_table)} (enterprise_id, year, office_key, {', '.join(MONTHS)}) "  # noqa: S608
            f"SELECT enterprise_id, {qn('year')}, MAX(office_key), {months} FROM ({union}) served "
            f"GROUP BY enterprise_id, {qn('year')}",
            params,
        )
    return {
        "daily_totals": DailyTotal.objects.count(),
        "served_months": ServedMonths.objects.count(),
        "served_counts": rebuild_served_counts(),
        "state_counts": states,
        "unit_state_counts": UnitStateCount.objects.count(),
    }


# ---- reads ----------------------------------------------------------------------------------------------------------


def period_totals(start: date, end: date, *, chain: Any = None, office: Any = None) -> dict[str, int]:
    """The additive counts of the period (local days, inclusive), optionally for one chain and one office, in one
    query. Also `open_through_end` (needs submitted by the period's end and unresolved now) and `open_now` (all
    unresolved needs, whenever submitted)."""
    qs = DailyTotal.objects.all()
    if chain:
        qs = qs.filter(chain_key=getattr(chain, "pk", chain))
    if office:
        qs = qs.filter(office_key=getattr(office, "pk", office))
    in_period = Q(day__gte=start, day__lte=end)
    sums = qs.aggregate(
        **{name: Sum(name, filter=in_period) for name in COUNTERS if name != "open_needs"},
        open_through_end=Sum("open_needs", filter=Q(day__lte=end)),
        open_now=Sum("open_needs"),
    )
    return {name: value or 0 for name, value in sums.items()}


def state_counts() -> dict[tuple[str, str], int]:
    """(kind, state) -> number of requests now, area-wide (one query over a table of a few dozen rows)."""
    return {(kind, state): n for kind, state, n in StateCount.objects.values_list("kind", "state", "n")}


def unit_state_counts(unit: int, *, as_office: bool = False) -> list[tuple[int, int, str, str, int]]:
    """The cells (unit_key, office_key, kind, state, n) of the requests led by `unit`, and with `as_office` also those
    of the enterprises it manages as their management office: each request once (one query over a few hundred rows)."""
    condition = Q(unit_key=unit) | Q(office_key=unit) if as_office else Q(unit_key=unit)
    return list(UnitStateCount.objects.filter(condition).values_list("unit_key", "office_key", "kind", "state", "n"))


def _month_span(start: date, end: date, *, today: date | None = None) -> range | None:
    """The months a period covers when it is made of whole months of one year (a month, a quarter, the year, or
    the year to date: no service event lies after today); None otherwise."""
    today = today or timezone.localdate()
    if start.day != 1 or start.year != end.year or end < start:
        return None
    month_end = (date(end.year + (end.month == 12), end.month % 12 + 1, 1) - date.resolution) == end
    if not (month_end or end >= today):
        return None
    return range(start.month, end.month + 1)


def served_count(start: date, end: date, *, office: Any = None, today: date | None = None) -> int | None:
    """Distinct enterprises served in the period, or None when the period is not whole months of one year."""
    months = _month_span(start, end, today=today)
    if months is None:
        return None
    qs = ServedCount.objects.filter(year=start.year, first_month=months.start, last_month=months.stop - 1)
    if office:
        qs = qs.filter(office_key=getattr(office, "pk", office))
    return qs.aggregate(n=Sum("n"))["n"] or 0
