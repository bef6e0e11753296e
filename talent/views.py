"""Pages of the talent app. Thin: parse → authorise → call a selector or service → render (htmx gets a partial)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.exporting import workbook_response
from core.permissions import roles_required
from core.services import audit_record
from enterprises.selectors import enterprises_visible_to
from talent import engine, selectors, services
from talent.filters import DisbursementFilter, EntitlementFilter, TalentEventFilter, TalentFilter
from talent.forms import EventForm, ObjectionForm, PeriodForm, PolicyVersionForm, ReviewForm, SandboxForm, TalentForm
from talent.models import Parameter, Talent
from talent.rules.fields import age_on
from talent.tasks import run_sweep

PAGE_SIZE = 50
REGISTER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.HANDLER, Role.INSTRUCTOR, Role.ENTERPRISE})
EDIT_ROLES = frozenset({Role.ADMIN, Role.HANDLER, Role.ENTERPRISE})
REVIEW_ROLES = frozenset({Role.ADMIN, Role.HANDLER})
LEDGER_ROLES = REGISTER_ROLES | {Role.TALENT}
SANDBOX_ROLES = frozenset({Role.ADMIN, Role.HANDLER, Role.LEADER})
EVERYONE: frozenset[str] = frozenset()


def role_required(roles: frozenset[str]) -> Callable:
    """Login plus an explicit role rule (an empty set means every logged-in user)."""
    return roles_required(roles)


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _current_period() -> date:
    return timezone.localdate().replace(day=1)


# ---- talent register ---------------------------------------------------------------------------------------------


@role_required(REGISTER_ROLES | {Role.TALENT})
def talent_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role == Role.TALENT:
        return redirect("talent:my")
    filterset = TalentFilter(request.GET, queryset=selectors.talents_visible_to(user))
    qs = filterset.qs
    if request.GET.get("export") == "xlsx":
        personal = selectors.can_see_personal_data(user)
        audit_record(
            actor=user, action="talent.export", summary="导出人才库", count=qs.count(), full_id_numbers=personal
        )
        export_rows = (
            [
                t.name,
                selectors.shown_id(user, t),
                t.birth_date,
                t.get_education_display(),
                t.get_title_display(),
                t.get_category_display(),
                t.employer.name if t.employer else "",
                t.start_date,
                t.social_insurance_months,
                t.get_housing_status_display(),
                t.annual_salary_wan,
            ]
            for t in qs.iterator(chunk_size=1000)
        )
        headers = [
            "姓名",
            "身份证号",
            "出生日期",
            "学历",
            "职称",
            "人才类别",
            "用人单位",
            "来新区日期",
            "社保月数",
            "住房",
            "年薪（万元）",
        ]
        return workbook_response("人才库.xlsx", headers, export_rows, title="人才库")
    page = _page(request, qs)
    rows = [(t, selectors.shown_id(user, t)) for t in page]
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "can_edit": user.is_superuser or user.role in EDIT_ROLES,
    }
    template = "talent/talent_list.html#results" if request.htmx else "talent/talent_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@role_required(REGISTER_ROLES | {Role.TALENT})
def talent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    talent = selectors.talent_for(user, pk)
    shown = selectors.shown_id(user, talent)
    revealed = False
    if request.method == "POST" and request.POST.get("reveal"):
        shown, revealed = services.talent_reveal_id(actor=user, talent=talent), True
    entitlements = (
        selectors.entitlements_visible_to(user).filter(talent=talent).order_by("-period", "policy__code")[:100]
    )
    return render(
        request,
        "talent/talent_detail.html",
        {
            "talent": talent,
            "shown_id": shown,
            "revealed": revealed,
            "entitlements": entitlements,
            "can_reveal": selectors.can_see_personal_data(user),
            "can_edit": services.can_maintain_talent(user, talent.employer),
            "age": age_on(talent.birth_date, timezone.localdate()),
        },
    )


def _employer_choices(user: Any) -> Any:
    if user.role == Role.ENTERPRISE:
        return enterprises_visible_to(user)
    return enterprises_visible_to(user).order_by("name")


@role_required(EDIT_ROLES)
def talent_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    talent = selectors.talent_for(user, pk) if pk else None
    if talent is not None and not services.can_maintain_talent(user, talent.employer):
        raise PermissionDenied
    form = TalentForm(request.POST or None, instance=talent, employers=_employer_choices(user))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if talent is None:
                talent = services.talent_create(actor=user, **data)
            else:
                services.talent_update(
                    actor=user, talent=talent, expected_version=int(request.POST.get("version") or 0) or None, **data
                )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, "已保存。")
            return redirect("talent:talent_detail", pk=talent.pk)
    return render(request, "talent/talent_form.html", {"form": form, "talent": talent})


# ---- policies ----------------------------------------------------------------------------------------------------


@role_required(EVERYONE)
def policy_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    active = {a.policy.pk: a.version for a in engine.active_policies(_current_period())}
    policies = [(p, active.get(p.pk)) for p in selectors.policies_visible_to(user)]
    return render(
        request,
        "talent/policy_list.html",
        {"policies": policies, "can_edit": selectors.can_edit_policies(user), "can_review": selectors.can_review(user)},
    )


@role_required(EVERYONE)
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    policy = selectors.policy_for(user, pk)
    versions = list(policy.versions.all())
    codes: set[str] = set()
    for version in versions:
        try:
            codes |= engine.parse_version(version, target=policy.target).param_codes()
        except ValidationError:
            continue
    parameters = selectors.parameters_visible_to(user).filter(code__in=codes)
    return render(
        request,
        "talent/policy_detail.html",
        {
            "policy": policy,
            "versions": versions,
            "parameters": parameters,
            "can_edit": selectors.can_edit_policies(user),
        },
    )


@role_required(frozenset({Role.ADMIN}))
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    policy = selectors.policy_for(user, pk)
    base = policy.versions.order_by("-number").first()
    initial = {}
    if base is not None:
        initial = {
            n: getattr(base, n)
            for n in ("legal_reference", "article", "effective_from", "effective_to", "rule", "amount")
        }
    form = PolicyVersionForm(request.POST or None, initial=initial, target=policy.target)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.policy_version_save(actor=user, policy=policy, base=base, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"已保存为第 {version.number} 版（{version.get_status_display()}）。")
            return redirect("talent:policy_detail", pk=policy.pk)
    return render(request, "talent/policy_form.html", {"form": form, "policy": policy, "base": base})


@require_POST
@role_required(frozenset({Role.ADMIN}))
def policy_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user: Any = request.user
    policy = selectors.policy_for(user, pk)
    version = policy.versions.filter(number=number).first()
    if version is None:
        raise PermissionDenied
    try:
        services.policy_version_publish(actor=user, version=version)
        messages.success(request, f"第 {number} 版已发布。")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("talent:policy_detail", pk=policy.pk)


# ---- calculator and claims (即申即享) ----------------------------------------------------------------------------


@role_required(EVERYONE)
def calculator(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    candidates = selectors.talents_visible_to(user)
    talent: Talent | None = None
    if request.GET.get("talent"):
        talent = selectors.talent_for(user, request.GET["talent"])
    elif user.role == Role.TALENT:
        talent = selectors.own_talent(user)
    form = PeriodForm(request.GET or None, initial={"period": _current_period().strftime("%Y-%m")})
    period = form.cleaned_data["period"] if form.is_valid() else _current_period()
    result = selectors.calculator(talent, period) if talent else None
    choices = candidates.order_by("name")[:200] if user.role != Role.TALENT else []
    return render(
        request,
        "talent/calculator.html",
        {"talent": talent, "result": result, "period": period, "choices": choices, "form": form},
    )


@require_POST
@role_required(EVERYONE)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    talent = selectors.talent_for(user, pk)
    policy = selectors.policy_for(user, request.POST.get("policy"))
    form = PeriodForm(request.POST)
    period = form.cleaned_data["period"] if form.is_valid() else _current_period()
    try:
        entitlement = services.entitlement_claim(actor=user, talent=talent, policy=policy, period=period)
        messages.success(request, f"即申即享：{policy.name} {entitlement.amount} 元已核准发放。")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect(f"{_url('talent:calculator')}?talent={talent.pk}&period={period:%Y-%m}")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@role_required(frozenset({Role.TALENT}))
def my(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    talent = selectors.own_talent(user)
    entitlements = selectors.entitlements_visible_to(user).order_by("-period", "policy__code")[:100]
    notices = user.talent_notices.all()[:20]
    return render(
        request,
        "talent/my.html",
        {"talent": talent, "entitlements": entitlements, "notices": notices, "objection_form": ObjectionForm()},
    )


@require_POST
@role_required(frozenset({Role.TALENT}))
def object_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    entitlement = selectors.entitlement_for(user, pk)
    form = ObjectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写异议理由。")
        services.entitlement_object(actor=user, entitlement=entitlement, text=form.cleaned_data["text"])
        messages.success(request, "异议已提交，将重新审核。")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("talent:my")


# ---- 免申即享: entitlements, review, sweep, ledger ------------------------------------------------------------------


@role_required(LEDGER_ROLES)
def entitlement_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    filterset = EntitlementFilter(request.GET, queryset=selectors.entitlements_visible_to(user))
    qs = filterset.qs
    if request.GET.get("export") == "xlsx":
        audit_record(actor=user, action="talent.entitlement_export", summary="导出待遇清单", count=qs.count())
        rows = (
            [
                e.period.strftime("%Y-%m"),
                e.policy.name,
                e.policy_version.number,
                e.talent.name if e.talent else (e.enterprise.name if e.enterprise else ""),
                e.talent.employer.name if e.talent and e.talent.employer else "",
                e.amount,
                e.tier,
                e.get_source_display(),
                e.get_status_display(),
                e.hold_reason,
            ]
            for e in qs.iterator(chunk_size=1000)
        )
        headers = ["期间", "政策", "版本", "对象", "用人单位", "金额（元）", "档次", "来源", "状态", "暂缓原因"]
        return workbook_response("免申即享待遇.xlsx", headers, rows, title="待遇")
    page = _page(request, qs)
    context = {
        "filter": filterset,
        "page": page,
        "can_review": selectors.can_review(user),
        "period_form": PeriodForm(initial={"period": _current_period().strftime("%Y-%m")}),
    }
    template = "talent/entitlement_list.html#results" if request.htmx else "talent/entitlement_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_POST
@role_required(REVIEW_ROLES)
def review(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择待遇和操作。")
        return redirect("talent:entitlement_list")
    visible = (
        selectors.entitlements_visible_to(user).filter(pk__in=form.cleaned_data["ids"]).values_list("pk", flat=True)
    )
    try:
        result = services.entitlements_review(
            actor=user, ids=list(visible), action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"已处理 {len(result.done)} 条。")
        for pk, why in list(result.refused.items())[:10]:
            messages.warning(request, f"待遇 #{pk}：{why}")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect(request.POST.get("next") or _url("talent:entitlement_list"))


@require_POST
@role_required(REVIEW_ROLES)
def sweep_start(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for e in form.errors.get("period", ["期间无效。"])))
        return redirect("talent:entitlement_list")
    period = form.cleaned_data["period"]
    audit_record(actor=user, action="talent.sweep_requested", summary=f"发起 {period:%Y-%m} 免申即享")
    transaction.on_commit(lambda: run_sweep.enqueue(period.strftime("%Y-%m"), user.pk))
    messages.success(request, f"{period:%Y-%m} 免申即享已排入后台任务，完成后待遇将出现在清单中。")
    return redirect("talent:entitlement_list")


@role_required(LEDGER_ROLES)
def ledger(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    filterset = DisbursementFilter(request.GET, queryset=selectors.disbursements_visible_to(user))
    qs = filterset.qs
    if request.GET.get("export") == "xlsx":
        audit_record(actor=user, action="talent.ledger_export", summary="导出发放台账", count=qs.count())
        rows = (
            [
                d.period.strftime("%Y-%m"),
                d.policy.name,
                d.talent.name if d.talent else (d.enterprise.name if d.enterprise else ""),
                d.amount,
                d.paid_at,
            ]
            for d in qs.iterator(chunk_size=1000)
        )
        return workbook_response(
            "发放台账.xlsx", ["期间", "政策", "对象", "金额（元）", "发放时间"], rows, title="台账"
        )
    return render(request, "talent/ledger.html", {"filter": filterset, "page": _page(request, qs)})


# ---- sandbox and events ------------------------------------------------------------------------------------------


@role_required(SANDBOX_ROLES)
def sandbox(request: HttpRequest) -> HttpResponse:
    parameters = list(Parameter.objects.order_by("code"))
    form = SandboxForm(
        request.GET or None,
        parameters=parameters,
        initial={"start": f"{timezone.localdate().year}-01", "months": 12},
    )
    cells: list[Any] = []
    overrides: dict[str, Any] = {}
    if form.is_valid():
        overrides = form.overrides()
        if form.is_valid():
            cells = selectors.sandbox(form.cleaned_data["start"], form.cleaned_data["months"], overrides)
    by_policy: dict[str, dict[str, Any]] = {}
    by_month: dict[date, dict[str, Any]] = {}
    for cell in cells:
        p = by_policy.setdefault(cell.policy.name, {"base": 0, "reform": 0, "gained": 0, "lost": 0})
        m = by_month.setdefault(cell.period, {"base": 0, "reform": 0})
        p["base"] += cell.base_amount
        p["reform"] += cell.reform_amount
        p["gained"] = max(p["gained"], cell.gained)
        p["lost"] = max(p["lost"], cell.lost)
        m["base"] += cell.base_amount
        m["reform"] += cell.reform_amount
    totals = {"base": sum(v["base"] for v in by_month.values()), "reform": sum(v["reform"] for v in by_month.values())}
    return render(
        request,
        "talent/sandbox.html",
        {
            "form": form,
            "cells": cells,
            "by_policy": by_policy,
            "by_month": sorted(by_month.items()),
            "overrides": overrides,
            "totals": totals,
        },
    )


@role_required(EVERYONE)
def event_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    filterset = TalentEventFilter(request.GET, queryset=selectors.events_visible_to(user))
    qs = filterset.qs
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                e.held_on,
                e.title,
                e.get_kind_display(),
                e.partner,
                e.participants,
                "、".join(x.name for x in e.enterprises.all()),
            ]
            for e in qs
        )
        return workbook_response(
            "人才活动.xlsx", ["日期", "活动", "类型", "合作院校/机构", "人数", "参加企业"], rows, title="人才活动"
        )
    form = EventForm(request.POST or None)
    if request.method == "POST":
        if not selectors.can_review(user):
            raise PermissionDenied
        if form.is_valid():
            services.talent_event_create(actor=user, **form.cleaned_data)
            messages.success(request, "活动已登记。")
            return redirect("talent:event_list")
    return render(
        request,
        "talent/event_list.html",
        {"filter": filterset, "page": _page(request, qs), "form": form, "can_add": selectors.can_review(user)},
    )
