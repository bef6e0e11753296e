"""Cockpit pages. Rule for every view: login required, then `require_cockpit` (admin, leader, supervisor: the area;
a management office's handler: their office; everyone else: 404)."""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cockpit.forms import CockpitFilterForm, default_scope
from cockpit.scope import Scope, require_cockpit
from cockpit.widgets import get_widget, widgets_for


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


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    require_cockpit(request.user)
    return render(request, "cockpit/report.html", {})
