"""The chain map (产业链图谱): per chain an ECharts tree coloured by gap status, a link panel, the gap list in Excel,
and the admins' page for the gap-rule thresholds.

Who may open it: admins, leaders, supervisors and investment team members (the roles that see every enterprise of the
area, so the figures and the lists agree). Everyone else gets 404.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.choices import Role
from chains.gaps import RULES, STRONG, analyse_chain, gap_counts_by_chain, gap_setting_save, map_payload
from chains.models import Chain, GapRuleSetting, Placement
from chains.selectors import chain_for, chains_visible_to, link_for
from core.exporting import workbook_response
from core.services import audit_record


class GapRuleSettingForm(forms.ModelForm):
    class Meta:
        model = GapRuleSetting
        fields = ["weak_min_firms", "low_end_share", "local_supply_target", "local_supply_min_suppliers"]
        widgets = {name: forms.NumberInput(attrs={"class": "form-control"}) for name in fields}

    def cleaned_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


MAP_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.INVESTMENT})
PAGE_SIZE = 50


def can_open_map(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in MAP_ROLES))


def _require_map(user: Any) -> None:
    if not can_open_map(user):
        raise Http404


def _require_admin(user: Any) -> None:
    if not (user.is_superuser or user.role == Role.ADMIN):
        raise Http404


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every chain with its gap counts."""
    _require_map(request.user)
    chains = list(chains_visible_to(request.user))
    counts = gap_counts_by_chain(chains)
    rows = [{**counts[chain.pk], "chain": chain} for chain in chains]
    return render(request, "chains/map_index.html", {"rows": rows, "rules": RULES})


@login_required
def detail(request: HttpRequest, chain_id: int) -> HttpResponse:
    _require_map(request.user)
    chain = chain_for(request.user, chain_id)
    analysis = analyse_chain(chain)
    payload = map_payload(analysis)
    return render(
        request,
        "chains/map.html",
        {
            "chain": chain,
            "analysis": analysis,
            "payload": _jsonable(payload),
            "rules": RULES,
            "strong": STRONG,
            "panel_url": reverse("chain_map:link_panel", args=[chain.pk, 0]),
        },
    )


@login_required
def link_panel(request: HttpRequest, chain_id: int, link_id: int) -> HttpResponse:
    """A link's figures, gap findings and enterprises (its subtree's, paginated); candidates load from investment."""
    _require_map(request.user)
    chain = chain_for(request.user, chain_id)
    link = link_for(request.user, link_id)
    if link.chain_id != chain.pk:
        raise Http404
    analysis = analyse_chain(chain)
    metrics = analysis.metrics_for(link.pk)
    subtree = _subtree_ids(metrics)
    placements = (
        Placement.objects.filter(link__in=subtree)
        .select_related("enterprise", "link")
        .order_by("-enterprise__is_leading", "enterprise__name", "id")
    )
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"chain": chain, "link": link, "metrics": metrics, "page": page}
    template = "chains/map_link.html"
    if getattr(request, "htmx", False):
        template += "#panel"
    return render(request, template, context)


def _subtree_ids(metrics: Any) -> list[int]:
    ids, stack = [], [metrics]
    while stack:
        node = stack.pop()
        ids.append(node.link.pk)
        stack.extend(node.children)
    return ids


@login_required
def gaps_export(request: HttpRequest, chain_id: int) -> HttpResponse:
    """The gap list of one chain: one row per finding, and one row per link without findings."""
    _require_map(request.user)
    chain = chain_for(request.user, chain_id)
    analysis = analyse_chain(chain)
    headers = [
        "环节",
        "上级环节",
        "位置",
        "功能",
        "关键环节",
        "企业数",
        "规上企业",
        "龙头企业",
        "营业收入（万元）",
        "状态",
        "规则",
        "判定依据",
    ]
    names = {m.link.pk: m.link.name for m in analysis.links}
    rows: list[list[Any]] = []
    for m in analysis.links:
        base = [
            m.link.name,
            names.get(m.link.parent_id or 0, ""),
            m.link.get_stage_display(),
            m.link.get_function_display(),
            "是" if m.link.is_key else "否",
            m.firms,
            m.above_scale,
            m.leading,
            m.revenue_wan,
            m.status.label,
        ]
        rows.extend([*base, f.label, f.message] for f in m.findings)
        if not m.findings:
            rows.append([*base, "", ""])
    audit_record(actor=request.user, action="chain_map.export", target=chain, summary=f"导出{chain.name}缺链清单")
    return workbook_response(f"{chain.name}产业链缺链清单.xlsx", headers, rows, title="缺链清单")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Admins edit the thresholds: the area default and any chain's own values."""
    _require_admin(request.user)
    chain_id = request.GET.get("chain") or request.POST.get("chain") or ""
    chain = Chain.objects.filter(pk=chain_id).first() if chain_id.isdigit() else None
    instance = GapRuleSetting.objects.filter(chain=chain).first() or GapRuleSetting(chain=chain)
    form = GapRuleSettingForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            gap_setting_save(actor=request.user, chain=chain, **form.cleaned_values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存{chain.name if chain else '全区默认'}阈值。")
            return redirect(reverse("chain_map:settings") + (f"?chain={chain.pk}" if chain else ""))
    settings = list(GapRuleSetting.objects.select_related("chain").order_by("chain__sort_order", "id"))
    return render(
        request,
        "chains/map_settings.html",
        {"form": form, "chain": chain, "settings": settings, "chains": Chain.objects.all(), "rules": RULES},
    )


def _jsonable(value: Any) -> Any:
    """Decimals as strings for json_script (DjangoJSONEncoder does this too; kept explicit for the chart code)."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value
