"""Pages of the innovation chain's investment side: dashboards, the project pipeline, targets, teams, events, and
the ranked candidates of a chain link (loaded into the chain map's link panel).

Permission rule for every view: the roles of `investment.selectors.READ_ROLES` read; everyone else gets 404.
Writes: projects by admins and members of the project's team; targets and events by admins and investment members.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chains.gaps import analyse_chain
from chains.selectors import chain_for, chains_visible_to, link_for
from core.exporting import workbook_response
from core.services import StaleEditError, audit_record
from investment import services
from investment.choices import SIGNED_STAGES, Stage
from investment.filters import EventFilter, ProjectFilter, TargetFilter
from investment.forms import ProjectForm, PromotionEventForm, StageForm, TargetCompanyForm
from investment.ranking import rank_for_link
from investment.selectors import (
    can_edit_project,
    can_edit_targets,
    can_read,
    editable_team_ids,
    event_for,
    events_visible_to,
    project_for,
    projects_visible_to,
    summary_for_year,
    target_for,
    targets_visible_to,
    team_for,
    teams_with_figures,
)

PAGE_SIZE = 50


def _require_read(user: Any) -> None:
    if not can_read(user):
        raise Http404


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _render_list(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template + ("#results" if getattr(request, "htmx", False) else ""), context)


# ---- dashboards --------------------------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """This year's signed projects by field, chain and team, and the pipeline by stage."""
    _require_read(request.user)
    year = _year(request)
    figures = summary_for_year(request.user, year)
    teams = teams_with_figures(request.user, year)
    chains = list(chains_visible_to(request.user))
    return render(
        request, "investment/dashboard.html", {"year": year, "figures": figures, "teams": teams, "chains": chains}
    )


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    _require_read(request.user)
    year = _year(request)
    teams = teams_with_figures(request.user, year)
    if request.GET.get("export") == "xlsx":
        audit_record(actor=request.user, action="investment.team.export", summary="导出招商工作组")
        headers = ["工作组", "主攻方向", "组长", "成员", f"{year}年签约项目", "签约投资额（万元）"]
        rows = [
            [
                row["team"].name,
                row["team"].focus,
                str(row["team"].head or ""),
                "、".join(str(m) for m in row["members"]),
                row["signed"],
                row["amount_wan"],
            ]
            for row in teams
        ]
        return workbook_response(f"招商工作组{year}.xlsx", headers, rows, title="招商工作组")
    return render(request, "investment/team_list.html", {"year": year, "teams": teams})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's dashboard: members, pipeline by stage, this year's signings, its projects."""
    _require_read(request.user)
    team = team_for(request.user, pk)
    year = _year(request)
    projects = projects_visible_to(request.user).filter(team=team)
    stages = dict(projects.order_by().values("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    signed = projects.filter(stage__in=SIGNED_STAGES, signed_on__year=year).aggregate(
        n=Count("pk"), amount=Sum("amount_wan")
    )
    return render(
        request,
        "investment/team_detail.html",
        {
            "team": team,
            "year": year,
            "stages": [(stage, stages.get(stage.value, 0)) for stage in Stage],
            "signed": signed,
            "page": _page(request, projects.order_by("-signed_on", "-updated_at", "-id")),
            "can_edit": team.pk in editable_team_ids(request.user),
        },
    )


@login_required
def chain_dashboard(request: HttpRequest, chain_id: int) -> HttpResponse:
    """A chain's investment: signings this year, the pipeline, and per link the gaps and the projects filling them."""
    _require_read(request.user)
    chain = chain_for(request.user, chain_id)
    year = _year(request)
    figures = summary_for_year(request.user, year, chain=chain)
    analysis = analyse_chain(chain)
    filling = dict(
        projects_visible_to(request.user)
        .filter(links__chain=chain)
        .exclude(stage=Stage.DROPPED)
        .order_by()
        .values("links")
        .annotate(n=Count("pk"))
        .values_list("links", "n")
    )
    rows = [{"metrics": m, "projects": filling.get(m.link.pk, 0)} for m in analysis.links]
    page = _page(request, projects_visible_to(request.user).filter(chain=chain).order_by("-signed_on", "-updated_at"))
    return render(
        request,
        "investment/chain_dashboard.html",
        {"chain": chain, "year": year, "figures": figures, "rows": rows, "page": page},
    )


# ---- projects ----------------------------------------------------------------------------------------------------

PROJECT_HEADERS = [
    "项目名称",
    "投资方",
    "工作组",
    "产业链",
    "补链环节",
    "阶段",
    "投资额（万元）",
    "来源活动",
    "线索日期",
    "签约日期",
    "终止原因",
]


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    _require_read(request.user)
    qs = projects_visible_to(request.user).prefetch_related("links").order_by("-updated_at", "-id")
    filterset = ProjectFilter(request.GET or None, queryset=qs)
    results = filterset.qs
    if request.GET.get("export") == "xlsx":
        audit_record(actor=request.user, action="investment.project.export", summary="导出招商项目")
        rows = (
            [
                p.name,
                p.investor,
                p.team.name,
                p.chain.name if p.chain else "",
                "、".join(link.name for link in p.links.all()),
                p.get_stage_display(),
                p.amount_wan,
                p.source_event.name if p.source_event else "",
                p.lead_on,
                p.signed_on,
                p.dropped_reason,
            ]
            for p in results.iterator(chunk_size=500)
        )
        return workbook_response("招商项目.xlsx", PROJECT_HEADERS, rows, title="招商项目")
    return _render_list(
        request,
        "investment/project_list.html",
        {"filter": filterset, "page": _page(request, results), "can_create": bool(editable_team_ids(request.user))},
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    _require_read(request.user)
    if not editable_team_ids(request.user):
        raise Http404
    form = ProjectForm(request.POST or None, user=request.user, initial={"chain": request.GET.get("chain")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        links = data.pop("links")
        try:
            project = services.project_create(actor=request.user, links=links, **data)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, f"已录入招商线索“{project.name}”。")
            return redirect("investment:project_detail", pk=project.pk)
    return render(request, "investment/project_form.html", {"form": form, "title": "录入招商线索"})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    editable = can_edit_project(request.user, project)
    allowed = services.allowed_next_stages(project)
    form = StageForm(allowed=allowed, initial={"version": project.version}) if editable and allowed else None
    return render(
        request, "investment/project_detail.html", {"project": project, "can_edit": editable, "stage_form": form}
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    if not can_edit_project(request.user, project):
        raise Http404
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    version = project.version
    if request.method == "POST":
        version = int(request.POST.get("version") or project.version)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.PROJECT_FIELDS}
            try:
                services.project_update(
                    actor=request.user,
                    project=project_for(request.user, pk),
                    expected_version=version,
                    links=form.cleaned_data["links"],
                    **data,
                )
            except (ValidationError, StaleEditError) as error:
                form.add_error(None, error)
            else:
                messages.success(request, "项目已保存。")
                return redirect("investment:project_detail", pk=pk)
    return render(
        request,
        "investment/project_form.html",
        {"form": form, "title": f"编辑项目：{project.name}", "version": version},
    )


@login_required
@require_POST
def project_stage(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    if not can_edit_project(request.user, project):
        raise Http404
    form = StageForm(request.POST, allowed=services.allowed_next_stages(project))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.project_change_stage(
                actor=request.user,
                project=project,
                to_stage=data["to_stage"],
                on=data["on"],
                reason=data["reason"],
                note=data["note"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"项目已变更为“{project.get_stage_display()}”。")
    else:
        messages.error(request, "请选择有效的阶段。")
    return redirect("investment:project_detail", pk=pk)


# ---- targets -----------------------------------------------------------------------------------------------------

TARGET_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "地区",
    "行业代码",
    "主要产品",
    "标签",
    "联系人",
    "职务",
    "电话",
    "邮箱",
]


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    _require_read(request.user)
    filterset = TargetFilter(request.GET or None, queryset=targets_visible_to(request.user).order_by("name"))
    results = filterset.qs
    if request.GET.get("export") == "xlsx":
        audit_record(actor=request.user, action="investment.target.export", summary="导出目标企业")
        rows = (
            [
                t.name,
                t.uscc,
                t.region,
                t.industry_code,
                t.products,
                "、".join(t.tag_labels()),
                t.contact_name,
                t.contact_title,
                t.contact_phone,
                t.contact_email,
            ]
            for t in results.iterator(chunk_size=500)
        )
        return workbook_response("目标企业.xlsx", TARGET_HEADERS, rows, title="目标企业")
    return _render_list(
        request,
        "investment/target_list.html",
        {"filter": filterset, "page": _page(request, results), "can_create": can_edit_targets(request.user)},
    )


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = target_for(request.user, pk)
    projects = projects_visible_to(request.user).filter(target=target).order_by("-updated_at")[:PAGE_SIZE]
    return render(
        request,
        "investment/target_detail.html",
        {"target": target, "projects": projects, "can_edit": can_edit_targets(request.user)},
    )


@login_required
def target_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_read(request.user)
    if not can_edit_targets(request.user):
        raise Http404
    target = target_for(request.user, pk) if pk else None
    form = TargetCompanyForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in TargetCompanyForm.Meta.fields}
        try:
            if target is None:
                target = services.target_create(actor=request.user, **data)
            else:
                expected = int(request.POST.get("version") or target.version)
                target = services.target_update(
                    actor=request.user, target=target_for(request.user, pk), expected_version=expected, **data
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存目标企业“{target.name}”。")
            return redirect("investment:target_detail", pk=target.pk)
    title = f"编辑目标企业：{target.name}" if target else "新增目标企业"
    return render(request, "investment/target_form.html", {"form": form, "title": title, "target": target})


@login_required
def link_candidates(request: HttpRequest, link_id: int) -> HttpResponse:
    """Ranked candidate targets for one link with their reasons (a partial for the chain map's link panel)."""
    _require_read(request.user)
    link = link_for(request.user, link_id)
    candidates = rank_for_link(link, limit=10)
    template = "investment/link_candidates.html" + ("#candidates" if getattr(request, "htmx", False) else "")
    return render(request, template, {"link": link, "candidates": candidates})


# ---- events ------------------------------------------------------------------------------------------------------

EVENT_HEADERS = ["活动名称", "类型", "日期", "城市", "产业链", "主办工作组", "产生线索"]


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    _require_read(request.user)
    filterset = EventFilter(request.GET or None, queryset=events_visible_to(request.user).order_by("-held_on", "-id"))
    results = filterset.qs
    if request.GET.get("export") == "xlsx":
        audit_record(actor=request.user, action="investment.event.export", summary="导出推介活动")
        rows = (
            [
                e.name,
                e.get_kind_display(),
                e.held_on,
                e.city,
                e.chain.name if e.chain else "",
                e.team.name if e.team else "",
                e.lead_count,
            ]
            for e in results
        )
        return workbook_response("推介活动.xlsx", EVENT_HEADERS, rows, title="推介活动")
    return _render_list(
        request,
        "investment/event_list.html",
        {"filter": filterset, "page": _page(request, results), "can_create": can_edit_targets(request.user)},
    )


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for(request.user, pk)
    leads = projects_visible_to(request.user).filter(source_event=event).order_by("-updated_at", "-id")
    stats = leads.order_by().aggregate(
        n=Count("pk"), signed=Count("pk", filter=_signed_q()), amount=Sum("amount_wan", filter=_signed_q())
    )
    return render(
        request, "investment/event_detail.html", {"event": event, "page": _page(request, leads), "stats": stats}
    )


def _signed_q() -> Any:
    from django.db.models import Q

    return Q(stage__in=SIGNED_STAGES)


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    _require_read(request.user)
    if not can_edit_targets(request.user):
        raise Http404
    form = PromotionEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已录入推介活动“{event.name}”。")
            return redirect("investment:event_detail", pk=event.pk)
    return render(request, "investment/project_form.html", {"form": form, "title": "录入推介活动"})
