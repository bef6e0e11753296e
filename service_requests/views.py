"""Pages of the service chain: the enterprise portal, the staff workbench, lists, metrics, notices and the inbox.

Role rules (every view): see `_staff_only`, `_enterprise_only` and the selectors; objects are fetched through
`selectors.request_for` and friends, so what a user may not see is a 404.
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.calendar import WorkCalendar, end_of_day
from core.exporting import workbook_response
from core.services import StaleEditError, audit_record
from enterprises.selectors import enterprise_for, enterprises_visible_to
from service_requests import selectors
from service_requests.choices import Channel, Kind, SnapshotKind
from service_requests.filters import DeliveryFilter, RequestFilter
from service_requests.forms import (
    ActionForm,
    AnswerForm,
    BulkDispatchForm,
    DeliveryForm,
    NeedForm,
    PeriodForm,
    StaffIntakeForm,
    VisitNeedForm,
    form_values,
    service_form_class,
)
from service_requests.services.deliveries import RECORDING_ROLES, delivery_record
from service_requests.services.intake import INTAKE_ROLES, matter_order, need_create, need_create_from_visit
from service_requests.services.notify import notification_mark_read
from service_requests.services.snapshots import month_bounds, snapshot_freeze
from service_requests.services.supervision import notice_answer, notice_close
from service_requests.services.workflow import WorkflowError, allowed_actions, request_act

PAGE_SIZE = 50
View = Callable[..., HttpResponse]


def _staff_only(view: View) -> View:
    """Staff viewers only (admin, leader, supervisor, instructor, handler); others get a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_staff_viewer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _enterprise_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "role", None) != Role.ENTERPRISE:
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _portal_or_staff(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if not (user.role == Role.ENTERPRISE or selectors.is_staff_viewer(user)):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _error_text(error: Exception) -> str:
    if isinstance(error, StaleEditError):
        return "该记录已被他人修改，请刷新后重试。"
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "；".join("，".join(str(m) for m in v) for v in error.message_dict.values())
        return "；".join(str(m) for m in error.messages)
    return str(error) or "操作失败。"


def _page(request: HttpRequest, qs: Any, *, count: int | None = None) -> Any:
    """One page of `qs`; `count`, when the caller already knows it (the workbench's badges), saves the COUNT query."""
    paginator = Paginator(qs, PAGE_SIZE)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached_property: this is its cached value
    return paginator.get_page(request.GET.get("page"))


# ---- the enterprise portal ---------------------------------------------------------------------------------------


@login_required
def catalog(request: HttpRequest) -> HttpResponse:
    """帮办超市: every active service by category, with its unit, materials, time limit."""
    user: Any = request.user
    if user.role in (Role.TALENT, Role.INVESTMENT):
        raise Http404
    return render(request, "service_requests/catalog.html", {"categories": selectors.catalog(user)})


@_enterprise_only
def order(request: HttpRequest, service_id: int) -> HttpResponse:
    """Order a service online with its own fields."""
    user: Any = request.user
    service = selectors.service_for(user, service_id)
    form_class = service_form_class(service)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            matter = matter_order(actor=user, enterprise=user.enterprise, service=service, form_data=form_values(form))
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, f"已下单：{matter.code}，办理期限 {timezone.localtime(matter.due_at):%Y-%m-%d}。")
            return redirect("service_requests:detail", pk=matter.pk)
    return render(request, "service_requests/order.html", {"service": service, "form": form})


@_enterprise_only
def need_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        need = need_create(actor=user, enterprise=user.enterprise, channel=Channel.ONLINE, **form.cleaned_data)
        messages.success(request, f"诉求已提交：{need.code}。")
        return redirect("service_requests:detail", pk=need.pk)
    return render(request, "service_requests/need_form.html", {"form": form})


@_portal_or_staff
def similar(request: HttpRequest) -> HttpResponse:
    """htmx: open needs of the same enterprise that look like the text being typed (possible duplicates)."""
    user: Any = request.user
    enterprise_id = user.enterprise_id if user.role == Role.ENTERPRISE else request.GET.get("enterprise")
    text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}".strip()
    matches: list[Any] = []
    if enterprise_id and len(text) >= 4:
        try:
            enterprise = enterprise_for(user, enterprise_id)
        except Http404:
            enterprise = None
        if enterprise is not None:
            matches = selectors.similar_open_needs(enterprise.pk, text)
    return render(request, "service_requests/need_form.html#similar", {"matches": matches})


# ---- the workbench -------------------------------------------------------------------------------------------------


@_portal_or_staff
def workbench(request: HttpRequest) -> HttpResponse:
    """Staff: my tasks by role, awaiting sign-off, overdue, …; enterprise: my requests. Filters, paging, Excel."""
    user: Any = request.user
    is_enterprise = user.role == Role.ENTERPRISE
    view = request.GET.get("view") or ("all" if is_enterprise else "mine")
    if view not in selectors.WORKBENCH_VIEWS:
        raise Http404
    filterset = RequestFilter(request.GET or None, queryset=selectors.workbench(user, view))
    qs = filterset.qs
    if request.GET.get("format") == "xlsx":
        audit_record(actor=user, action="service_request.export", summary=f"导出工作台 {view}")
        return workbook_response(
            "诉求与事项.xlsx",
            ["编号", "类型", "企业", "标题", "渠道", "状态", "主办单位", "提交时间", "办结期限"],
            (
                [
                    r.code,
                    r.get_kind_display(),
                    r.enterprise.name,
                    r.title,
                    r.get_channel_display(),
                    r.get_state_display(),
                    r.lead_unit.name if r.lead_unit else "",
                    r.submitted_at,
                    r.due_at,
                ]
                for r in qs[:20000]
            ),
        )
    counts = selectors.badge_counts(user) if not is_enterprise else {}
    unfiltered = not any(value for key, value in request.GET.items() if key not in ("view", "page"))
    known_count = counts.get(view) if unfiltered and view in selectors.COUNTED_VIEWS else None
    context = {
        "filter": filterset,
        "page": _page(request, qs, count=known_count),
        "view": view,
        "views": selectors.WORKBENCH_VIEWS,
        "counts": counts,
        "is_enterprise": is_enterprise,
        "can_dispatch": user.is_superuser or user.role in (Role.ADMIN, Role.INSTRUCTOR, Role.HANDLER),
        "bulk_form": BulkDispatchForm(),
        "now": timezone.now(),
    }
    template = "service_requests/workbench.html"
    if getattr(request, "htmx", False):
        template += "#table"
    return render(request, template, context)


@require_POST
@_staff_only
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Dispatch many accepted needs to one lead unit; each goes through the workflow service on its own."""
    user: Any = request.user
    form = BulkDispatchForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if not form.is_valid() or not ids:
        messages.error(request, "请选择诉求和主办单位。")
        return redirect(reverse("service_requests:workbench") + "?view=intake")
    done, failed = 0, []
    for need in selectors.requests_visible_to(user).filter(pk__in=ids, kind=Kind.NEED):
        try:
            with transaction.atomic():
                request_act(actor=user, request=need, action="dispatch", lead_unit=form.cleaned_data["lead_unit"])
            done += 1
        except (ValidationError, PermissionDenied) as error:
            failed.append(f"{need.code}：{_error_text(error)}")
    if done:
        messages.success(request, f"已派单 {done} 件。")
    for line in failed[:10]:
        messages.error(request, line)
    return redirect(reverse("service_requests:workbench") + "?view=intake")


# ---- one request ------------------------------------------------------------------------------------------------------


#: The inputs each action's form shows (the workflow service checks which are required).
ACTION_FIELDS = {
    "accept": ["note"],
    "return": ["reason"],
    "merge": ["target", "note"],
    "resubmit": ["note"],
    "dispatch": ["lead_unit", "co_units", "sign_workdays", "note"],
    "send_back": ["reason"],
    "start": ["note"],
    "note": ["note", "internal"],
    "comment": ["note"],
    "transfer": ["lead_unit", "reason"],
    "request_extension": ["workdays", "reason"],
    "approve_extension": ["note"],
    "reject_extension": ["reason"],
    "ask_info": ["note"],
    "reply": ["note"],
    "resolve": ["resolution", "evidence"],
    "complete": ["resolution", "evidence"],
    "feedback": ["rating", "comment"],
    "rate": ["rating", "comment"],
    "verify": ["note"],
    "close": ["note"],
    "cancel": ["reason"],
    "handle": ["note"],
}


def _detail_context(request: HttpRequest, obj: Any, *, error: str = "") -> dict[str, Any]:
    user: Any = request.user
    form = ActionForm(initial={"expected_version": obj.version})
    for name in ("lead_unit", "co_units", "rating", "internal"):
        widget = form.fields[name].widget
        widget.attrs["class"] = "form-check-input" if name == "internal" else "form-select form-select-sm"
    for name in ("reason", "note", "resolution", "evidence", "comment", "target", "workdays", "sign_workdays"):
        form.fields[name].widget.attrs["class"] = "form-control form-control-sm"
    actions = [(t, [form[f] for f in ACTION_FIELDS.get(t.action, [])]) for t in allowed_actions(user, obj)]
    return {
        "obj": obj,
        "timeline": selectors.timeline_for(user, obj),
        "actions": actions,
        "form": form,
        "notices": list(obj.notices.all()[:10]) if selectors.is_staff_viewer(user) else [],
        "merged": list(obj.merged_requests.all()),
        "is_enterprise": user.role == Role.ENTERPRISE,
        "error": error,
        "now": timezone.now(),
    }


@_portal_or_staff
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.request_for(request.user, pk)
    template = "service_requests/detail.html"
    if getattr(request, "htmx", False):
        template += "#panel"
    return render(request, template, _detail_context(request, obj))


@require_POST
@_portal_or_staff
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Perform one action; a refused one (state, role, input, stale version) is shown, nothing is lost."""
    obj = selectors.request_for(request.user, pk)
    form = ActionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            request_act(
                actor=request.user,
                request=obj,
                action=action,
                expected_version=form.cleaned_data.get("expected_version"),
                **form.inputs(),
            )
        except (ValidationError, PermissionDenied) as exc:
            error = _error_text(exc)
            if isinstance(exc, WorkflowError) and exc.code == "unknown_action":
                raise Http404 from None
    else:
        error = "；".join(f"{k}: {', '.join(str(m) for m in v)}" for k, v in form.errors.items())
    obj = selectors.request_for(request.user, pk)
    if getattr(request, "htmx", False):
        return render(request, "service_requests/detail.html#panel", _detail_context(request, obj, error=error))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "已完成操作。")
    return redirect("service_requests:detail", pk=pk)


# ---- staff intake -----------------------------------------------------------------------------------------------------


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Window walk-ins, hotline transfers, roundtable and visit findings recorded by staff."""
    user: Any = request.user
    if not (user.is_superuser or user.role in INTAKE_ROLES):
        raise Http404
    form = StaffIntakeForm(request.POST or None, enterprises=enterprises_visible_to(user))
    service_form = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == Kind.MATTER:
                service = data["service"]
                service_form = service_form_class(service)(request.POST, prefix="f")
                if not service_form.is_valid():
                    raise ValidationError("请按该服务的要求填写附加信息。")
                obj = matter_order(
                    actor=user,
                    enterprise=data["enterprise"],
                    service=service,
                    form_data=form_values(service_form),
                    channel=Channel.WINDOW,
                    title=data["title"],
                    description=data["description"],
                )
            else:
                obj = need_create(
                    actor=user,
                    enterprise=data["enterprise"],
                    title=data["title"],
                    description=data["description"],
                    topic=data["topic"],
                    channel=data["channel"],
                )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, f"已登记：{obj.code}。")
            return redirect("service_requests:detail", pk=obj.pk)
    return render(request, "service_requests/intake.html", {"form": form, "service_form": service_form})


@_staff_only
def service_fields(request: HttpRequest) -> HttpResponse:
    """htmx: the chosen service's extra fields inside the intake form."""
    service_id = request.GET.get("service")
    form = None
    service = None
    if service_id and service_id.isdigit():
        try:
            service = selectors.service_for(request.user, int(service_id))
        except Http404:
            service = None
        if service is not None:
            form = service_form_class(service)(prefix="f")
    return render(request, "service_requests/intake.html#service_fields", {"service_form": form, "service": service})


@login_required
def need_from_visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """A finding in a visit log becomes a need in one step."""
    from organizations.selectors import visit_for

    user: Any = request.user
    if not (user.is_superuser or user.role in (Role.INSTRUCTOR, Role.ADMIN)):
        raise Http404
    visit = visit_for(user, visit_id)
    initial = {"title": (visit.findings or visit.summary)[:60], "description": visit.findings or visit.summary}
    form = VisitNeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need = need_create_from_visit(actor=user, visit=visit, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, f"已由走访生成诉求 {need.code}。")
            return redirect("service_requests:detail", pk=need.pk)
    return render(request, "service_requests/visit_need.html", {"form": form, "visit": visit})


# ---- problem list, results list, snapshots ---------------------------------------------------------------------


def _list_page(request: HttpRequest, kind: str) -> HttpResponse:
    user: Any = request.user
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    scope = form.scope()
    cal = WorkCalendar()
    if kind == SnapshotKind.PROBLEMS:
        qs = selectors.problem_list(user, start, end, **scope)
        columns = selectors.PROBLEM_COLUMNS
        as_of = min(end_of_day(end), timezone.now())

        def row_of(n: Any) -> dict[str, Any]:
            return selectors.problem_row(n, calendar=cal, as_of=as_of)

        title = "问题清单"
    else:
        qs = selectors.results_list(user, start, end, **scope)
        columns = selectors.RESULT_COLUMNS

        def row_of(n: Any) -> dict[str, Any]:
            return selectors.result_row(n)

        title = "实效清单"
    if request.GET.get("format") == "xlsx":
        audit_record(actor=user, action="service_request.export_list", summary=f"导出{title} {start}–{end}")
        return workbook_response(
            f"{title}_{start}_{end}.xlsx",
            [label for _k, label in columns],
            ([row[k] for k, _l in columns] for row in map(row_of, qs[:20000])),
            title=title,
        )
    page = _page(request, qs)
    rows = [row_of(n) for n in page.object_list]
    context = {
        "title": title,
        "kind": kind,
        "form": form,
        "page": page,
        "rows": rows,
        "columns": columns,
        "start": start,
        "end": end,
        "query": request.GET.urlencode(),
        "can_freeze": user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR),
    }
    template = "service_requests/lists.html"
    if getattr(request, "htmx", False):
        template += "#table"
    return render(request, template, context)


@_staff_only
def problems(request: HttpRequest) -> HttpResponse:
    return _list_page(request, SnapshotKind.PROBLEMS)


@_staff_only
def results(request: HttpRequest) -> HttpResponse:
    return _list_page(request, SnapshotKind.RESULTS)


@_staff_only
def snapshot_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    can_freeze = user.is_superuser or user.role in (Role.ADMIN, Role.SUPERVISOR)
    if request.method == "POST":
        if not can_freeze:
            raise Http404
        try:
            year, month = (int(x) for x in request.POST.get("period", "").split("-"))
            period = date(year, month, 1)
            snapshot = snapshot_freeze(actor=user, kind=request.POST.get("kind", ""), period=period)
        except ValueError:
            messages.error(request, "月份格式应为 YYYY-MM。")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"已冻结 {snapshot}。")
        return redirect("service_requests:snapshots")
    last_month = month_bounds(timezone.localdate().replace(day=1) - timedelta(days=1))[0]
    return render(
        request,
        "service_requests/snapshots.html",
        {
            "page": _page(request, selectors.snapshots().defer("rows")),
            "can_freeze": can_freeze,
            "kinds": SnapshotKind.choices,
            "last_month": last_month,
        },
    )


@_staff_only
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from service_requests.models import ListSnapshot

    snapshot = ListSnapshot.objects.select_related("frozen_by").filter(pk=pk).first()
    if snapshot is None:
        raise Http404
    columns = selectors.PROBLEM_COLUMNS if snapshot.kind == SnapshotKind.PROBLEMS else selectors.RESULT_COLUMNS
    if request.GET.get("format") == "xlsx":
        return workbook_response(
            f"{snapshot.get_kind_display()}_{snapshot.period:%Y-%m}_冻结.xlsx",
            [label for _k, label in columns],
            ([row.get(k, "") for k, _l in columns] for row in snapshot.rows),
        )
    page = Paginator(snapshot.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "service_requests/snapshot_detail.html", {"snapshot": snapshot, "page": page, "columns": columns}
    )


# ---- metrics ---------------------------------------------------------------------------------------------------------


@_staff_only
def metrics(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    scope = form.scope()
    dimension = request.GET.get("dimension", "unit")
    if dimension not in selectors.DIMENSIONS:
        raise Http404
    rows = selectors.metrics_by(
        user, dimension, start, end, chain=scope["chain"], office=scope["office"], unit=scope["unit"]
    )
    figures = selectors.service_chain_figures(user, start, end, chain=scope["chain"], office=scope["office"])
    headers = [
        ("name", selectors.DIMENSIONS[dimension][2]),
        ("collected", "受理诉求"),
        ("resolved", "办结诉求"),
        ("resolution_rate", "办结率"),
        ("signed_on_time_rate", "按时签收率"),
        ("resolved_on_time_rate", "按时办结率"),
        ("satisfaction_rate", "满意率"),
        ("reopen_rate", "重办率"),
        ("avg_workdays_to_resolve", "平均办结工作日"),
        ("overdue_now", "当前超期"),
        ("matters_handled", "办结事项"),
    ]
    if request.GET.get("format") == "xlsx":
        return workbook_response(
            f"服务指标_{dimension}_{start}_{end}.xlsx",
            [label for _k, label in headers],
            ([row[k] for k, _l in headers] for row in rows),
        )
    return render(
        request,
        "service_requests/metrics.html",
        {
            "form": form,
            "rows": rows,
            "headers": headers,
            "dimension": dimension,
            "dimensions": {k: v[2] for k, v in selectors.DIMENSIONS.items()},
            "figures": figures,
            "start": start,
            "end": end,
            "query": request.GET.urlencode(),
        },
    )


# ---- deliveries ------------------------------------------------------------------------------------------------------


@_staff_only
def deliveries(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    filterset = DeliveryFilter(request.GET or None, queryset=selectors.deliveries_visible_to(user))
    qs = filterset.qs
    kind = filterset.form.cleaned_data.get("kind") if filterset.is_bound else None  # cleaned by .qs
    if request.GET.get("format") == "xlsx":
        return workbook_response(
            "服务记录.xlsx",
            ["日期", "类型", "企业", "主题", "服务单位", "金额（万元）"],
            (
                [d.delivered_on, d.get_kind_display(), d.enterprise.name, d.title, str(d.unit or ""), d.amount_wan]
                for d in qs[:20000]
            ),
        )
    from service_requests.choices import DeliveryKind

    return render(
        request,
        "service_requests/deliveries.html",
        {
            "filter": filterset,
            "page": _page(request, qs),
            "kinds": DeliveryKind.choices,
            "kind": kind,
            "can_record": user.is_superuser or user.role in RECORDING_ROLES,
        },
    )


@_staff_only
def delivery_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (user.is_superuser or user.role in RECORDING_ROLES):
        raise Http404
    form = DeliveryForm(request.POST or None, enterprises=enterprises_visible_to(user))
    if request.method == "POST" and form.is_valid():
        try:
            delivery_record(actor=user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "服务记录已登记。")
            return redirect("service_requests:deliveries")
    return render(request, "service_requests/delivery_form.html", {"form": form})


# ---- supervision notices and inbox -----------------------------------------------------------------------------------


@_staff_only
def notices(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs = selectors.notices_visible_to(user)
    state = request.GET.get("state")
    if state:
        qs = qs.filter(state=state)
    return render(
        request,
        "service_requests/notices.html",
        {"page": _page(request, qs), "state": state, "answer_form": AnswerForm(), "now": timezone.now()},
    )


@require_POST
@_staff_only
def notice_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    notice = selectors.notice_for(request.user, pk)
    try:
        if action == "answer":
            form = AnswerForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请填写答复。")
            notice_answer(
                actor=request.user,
                notice=notice,
                answer=form.cleaned_data["answer"],
                expected_version=form.cleaned_data.get("expected_version"),
            )
        elif action == "close":
            notice_close(actor=request.user, notice=notice)
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "已完成。")
    return redirect("service_requests:notices")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notification_mark_read(actor=request.user)
        return redirect("service_requests:inbox")
    qs = selectors.notifications_for(request.user)
    return render(request, "service_requests/inbox.html", {"page": _page(request, qs)})
