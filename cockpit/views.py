"""Cockpit pages. Rule for every view: login required, then `require_cockpit` (admin, leader, supervisor: the area;
a management office's handler: their office; everyone else: 404)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cockpit.exporting import report_sheets
from cockpit.forms import CockpitFilterForm, default_scope
from cockpit.periods import PeriodError, month_period
from cockpit.scope import Scope, require_cockpit, sees_whole_area
from cockpit.selectors.report import closed_months, monthly_report
from cockpit.services import may_close_month, monthly_snapshot_close
from cockpit.widgets import get_widget, widgets_for
from core.exporting import workbook_download
from core.services import audit_record


def _scope_from(request: HttpRequest) -> tuple[CockpitFilterForm, Scope]:
    form = CockpitFilterForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        return form, form.scope()
    return form, default_scope(request.user)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_cockpit(request.user)
    form, scope = _scope_from(request)
    query = urlencode(scope.filter_query())
    context: dict[str, Any] = {
        "form": form,
        "scope": scope,
        "query": query,
        "widgets": widgets_for(request.user),
    }
    return render(request, "cockpit/index.html", context)


@login_required
@require_GET
def widget(request: HttpRequest, key: str) -> HttpResponse:
    """One widget's partial (loaded by htmx; also renders on its own for a plain GET)."""
    require_cockpit(request.user)
    found = get_widget(key)
    if found is None or not found.allows(request.user):
        raise Http404
    _form, scope = _scope_from(request)
    context = {"widget": found, "scope": scope, **found.compute(scope)}
    return render(request, found.template, context)


def _require_area(user: Any) -> None:
    """The monthly report is the whole area's: admin, leader, supervisor (an office's handler has none; 404)."""
    if not sees_whole_area(user):
        raise Http404


def _report_month(request: HttpRequest) -> tuple[int, int]:
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        year_text, month_text = raw.split("-")
        year, month = int(year_text), int(month_text)
        month_period(year, month)
    except (ValueError, PeriodError):
        today = timezone.localdate()
        year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return year, month


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """月报: printable page; `?format=xlsx` downloads the same report as a workbook."""
    _require_area(request.user)
    year, month = _report_month(request)
    data, snapshot = monthly_report(request.user, year, month)
    if request.GET.get("format") == "xlsx":
        audit_record(actor=request.user, action="cockpit.report_exported", summary=f"{data['label']} 月报导出")
        return workbook_download(f"月报-{year}-{month:02d}.xlsx", report_sheets(data))
    context = {
        "report": data,
        "snapshot": snapshot,
        "month_value": f"{year:04d}-{month:02d}",
        "closed": closed_months(),
        "may_close": may_close_month(request.user) and snapshot is None,
        "month_over": month_period(year, month).end < timezone.localdate(),
    }
    return render(request, "cockpit/report.html", context)


@login_required
@require_POST
def report_close(request: HttpRequest) -> HttpResponse:
    _require_area(request.user)
    year, month = _report_month(request)
    try:
        monthly_snapshot_close(actor=request.user, year=year, month=month)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{year}年{month}月已关账，月报已冻结。")
    return redirect(f"{reverse('cockpit:report')}?month={year:04d}-{month:02d}")
