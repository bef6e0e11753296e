"""Writes of the cockpit: closing a month freezes its report."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cockpit.models import MonthlySnapshot
from cockpit.periods import PeriodError, month_period
from cockpit.selectors.report import build_monthly_report
from core.services import audit_record


def may_close_month(user: Any) -> bool:
    """Only the party-work department (admin) closes a month; leaders and supervisors read reports."""
    return bool(user is not None and user.is_authenticated and user.is_admin_role)


@transaction.atomic
def monthly_snapshot_close(*, actor: Any, year: int, month: int) -> MonthlySnapshot:
    """Freeze the report of a finished month. A month is closed once; a second close is refused, never overwrites."""
    if not may_close_month(actor):
        raise PermissionDenied
    try:
        period = month_period(year, month)
    except PeriodError as error:
        raise ValidationError(str(error)) from None
    if period.end >= timezone.localdate():
        raise ValidationError("本月尚未结束，不能关账。", code="month_not_over")
    if MonthlySnapshot.objects.filter(year=year, month=month).exists():
        raise ValidationError(f"{period.label}已关账，月报不可再改。", code="already_closed")
    snapshot = MonthlySnapshot(
        year=year,
        month=month,
        data=build_monthly_report(actor, year, month),
        closed_at=timezone.now(),
        closed_by=actor,
    )
    snapshot.full_clean()
    try:
        with transaction.atomic():
            snapshot.save()
    except IntegrityError:  # closed concurrently by someone else
        raise ValidationError(f"{period.label}已关账，月报不可再改。", code="already_closed") from None
    audit_record(actor=actor, action="cockpit.month_closed", target=snapshot, summary=f"{period.label} 月报关账")
    return snapshot
