"""Frozen monthly problem and results lists (问题清单 / 实效清单), kept unchanged for audit."""

import calendar as std_calendar
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.choices import Role
from core.calendar import WorkCalendar, end_of_day
from core.services import audit_record
from service_requests.choices import SnapshotKind
from service_requests.models import ListSnapshot


def month_bounds(period: date) -> tuple[date, date]:
    first = period.replace(day=1)
    return first, first.replace(day=std_calendar.monthrange(first.year, first.month)[1])


@transaction.atomic
def snapshot_freeze(*, actor: Any, kind: str, period: date) -> ListSnapshot:
    """Freeze one month's list over the whole area. A month can be frozen once, and only after it has ended."""
    from service_requests.selectors import problem_list, problem_row, result_row, results_list

    if not (actor.is_superuser or actor.role in (Role.ADMIN, Role.SUPERVISOR)):
        raise PermissionDenied("只有管理员或督导可以冻结清单。")
    if kind not in SnapshotKind.values:
        raise ValidationError({"kind": "清单类型无效。"})
    start, end = month_bounds(period)
    if end >= timezone.localdate():
        raise ValidationError({"period": "只能冻结已结束的月份。"})
    cal = WorkCalendar()
    if kind == SnapshotKind.PROBLEMS:
        rows = [problem_row(n, calendar=cal, as_of=end_of_day(end)) for n in problem_list(actor, start, end)]
    else:
        rows = [result_row(n) for n in results_list(actor, start, end)]
    totals = {"count": len(rows)}
    try:
        with transaction.atomic():
            snapshot = ListSnapshot.objects.create(kind=kind, period=start, rows=rows, totals=totals, frozen_by=actor)
    except IntegrityError:
        raise ValidationError({"period": "该月清单已冻结，不能重复冻结。"}) from None
    audit_record(
        actor=actor,
        action="snapshot.freeze",
        target=snapshot,
        summary=f"冻结{snapshot.get_kind_display()} {start:%Y-%m}（{len(rows)} 条）",
    )
    return snapshot
