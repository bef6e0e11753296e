"""The list pages of the foundation apps (enterprises, chains, organizations) share one mechanism:

a `ListSpec` names the FilterSet, the columns and the export; `list_response` filters, paginates and renders the
page, or answers `?export=xlsx` with the same filtered rows as an Excel file (masked as the page is, and audited as
`export.<name>`). Columns serve both the page and the export, so the two cannot drift apart.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.exporting import workbook_response
from core.services import audit_record

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 20000


@dataclass
class Column:
    """A column of a list: header, the cell value for (object, user), and optionally a link for the page."""

    header: str
    value: Callable[[Any, Any], Any]
    link: Callable[[Any], str] | None = None


@dataclass
class ListSpec:
    name: str  # the audit action is export.<name>
    title: str
    filterset: type
    columns: Sequence[Column]
    personal: bool = False  # the rows carry personal data (masked for roles that may not see it)
    prepare: Callable[[list[Any], Any], None] | None = None  # bulk-attach extras to a page of rows (no N+1)
    template: str = "foundation/list.html"
    per_page: int = PAGE_SIZE
    edit_link: Callable[[Any], str] | None = None  # an "编辑" link per row, shown to editors only


def style_form(form: forms.BaseForm) -> forms.BaseForm:
    """Bootstrap classes on every widget (filters and edit forms alike)."""
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs.setdefault("class", css)
    return form


def filtered(spec: ListSpec, request: HttpRequest, queryset: Any) -> Any:
    """The FilterSet bound to the request's query string (page and export parameters are ignored by it)."""
    filterset = spec.filterset(request.GET or None, queryset=queryset, request=request)
    style_form(filterset.form)
    return filterset


def list_response(
    request: HttpRequest,
    spec: ListSpec,
    queryset: Any,
    *,
    context: dict[str, Any] | None = None,
    actions: Iterable[tuple[str, str]] = (),
    editable: bool = False,
) -> HttpResponse:
    filterset = filtered(spec, request, queryset)
    rows = filterset.qs
    if request.GET.get("export") == "xlsx":
        return export_response(request, spec, rows)
    page = Paginator(rows, spec.per_page).get_page(request.GET.get("page"))
    objects = list(page.object_list)
    if spec.prepare is not None:
        spec.prepare(objects, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    table = [
        [(col.value(obj, request.user), col.link(obj) if col.link else "") for col in spec.columns] for obj in objects
    ]
    edit_links = [spec.edit_link(obj) for obj in objects] if editable and spec.edit_link else []
    return render(
        request,
        spec.template,
        {
            "spec": spec,
            "title": spec.title,
            "filter": filterset,
            "page_obj": page,
            "objects": objects,
            "headers": [col.header for col in spec.columns],
            "table": list(zip(table, edit_links, strict=True)) if edit_links else [(row, "") for row in table],
            "editable": bool(edit_links),
            "querystring": query.urlencode(),
            "actions": list(actions),
            **(context or {}),
        },
    )


def export_response(request: HttpRequest, spec: ListSpec, rows: Any) -> HttpResponse:
    """The filtered list as xlsx, cells exactly as the page shows them for this user; one audit row per export."""
    objects = list(rows[:EXPORT_MAX_ROWS])
    if spec.prepare is not None:
        spec.prepare(objects, request.user)
    data = [[_plain(col.value(obj, request.user)) for col in spec.columns] for obj in objects]
    filters = {k: v for k, v in request.GET.items() if k not in ("export", "page") and v}
    audit_record(
        actor=request.user,
        action=f"export.{spec.name}",
        summary=f"导出{spec.title} {len(data)} 行",
        rows=len(data),
        personal=spec.personal,
        filters=filters,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return workbook_response(f"{spec.title}-{stamp}.xlsx", [col.header for col in spec.columns], data, title=spec.title)


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def yes_no(value: bool) -> str:
    return "是" if value else ""


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    cancel_url: str,
    save: Callable[[Any], Any],
    success_url: Callable[[Any], str],
    message: str = "已保存。",
    template: str = "foundation/form.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render a form; on a valid POST call `save(form)` (a service call) and redirect, or show its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(success_url(obj))
    return render(request, template, {"form": form, "title": title, "cancel_url": cancel_url, **(context or {})})
