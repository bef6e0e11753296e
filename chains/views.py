"""Pages of the chains: the chains, each chain's link tree and placements, and the organization-chain coverage."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from chains.filters import ChainFilter, PlacementFilter, UncoveredFilter
from chains.forms import LinkForm, PlacementForm
from chains.models import Chain, Link, Placement
from chains.selectors import (
    FORMATIONS,
    can_view_coverage,
    chain_coverage,
    chain_coverage_for,
    chain_for,
    chains_visible_to,
    link_tree,
    placements_visible_to,
    uncovered_enterprises,
)
from chains.services import link_create, placement_upsert
from core.exporting import workbook_response
from core.services import audit_record
from enterprises.listing import Column, ListSpec, form_page, list_response, yes_no
from enterprises.permissions import EDITORS, editors_only, has_role, staff_only
from enterprises.selectors import enterprises_visible_to


def _chain_url(chain: Chain) -> str:
    return reverse("chains:detail", args=[chain.pk])


def _count(
    model: Any, field: str, counted: str = "pk", *, distinct: bool = False, filters: dict[str, Any] | None = None
) -> Coalesce:
    """A correlated COUNT subquery per chain (so several counts in one query do not multiply each other)."""
    sub = (
        model.objects.filter(**{field: OuterRef("pk")}, **(filters or {}))
        .order_by()
        .values(field)
        .annotate(n=Count(counted, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


CHAIN_LIST = ListSpec(
    name="chains",
    title="产业链",
    filterset=ChainFilter,
    columns=[
        Column("产业链", lambda c, u: c.name, _chain_url),
        Column("代码", lambda c, u: c.code),
        Column("环节数", lambda c, u: c.link_count),
        Column("关键环节数", lambda c, u: c.key_link_count),
        Column("落链企业数", lambda c, u: c.placed_count),
        Column("简介", lambda c, u: c.description),
    ],
)

PLACEMENT_LIST = ListSpec(
    name="placements",
    title="企业落链",
    filterset=PlacementFilter,
    columns=[
        Column("企业", lambda p, u: p.enterprise.name, lambda p: reverse("enterprises:detail", args=[p.enterprise_id])),
        Column("统一社会信用代码", lambda p, u: p.enterprise.uscc),
        Column("产业链", lambda p, u: p.link.chain.name),
        Column("环节", lambda p, u: p.link.name),
        Column("位置", lambda p, u: p.link.get_stage_display()),
        Column("功能", lambda p, u: p.link.get_function_display()),
        Column("关键环节", lambda p, u: yes_no(p.link.is_key)),
        Column("主营产品", lambda p, u: p.main_product),
    ],
    template="chains/chain_detail.html",
)

UNCOVERED_LIST = ListSpec(
    name="coverage_uncovered",
    title="未覆盖党组织的落链企业",
    filterset=UncoveredFilter,
    columns=[
        Column("企业名称", lambda e, u: e.name, lambda e: reverse("enterprises:detail", args=[e.pk])),
        Column("统一社会信用代码", lambda e, u: e.uscc),
        Column("规模", lambda e, u: e.get_size_class_display()),
        Column("重点企业", lambda e, u: yes_no(e.is_key)),
        Column("管理处", lambda e, u: e.management_office.name if e.management_office else ""),
    ],
    template="chains/coverage_detail.html",
)


@staff_only
def chain_list(request: HttpRequest) -> HttpResponse:
    chains = chains_visible_to(request.user).annotate(
        link_count=_count(Link, "chain"),
        key_link_count=_count(Link, "chain", filters={"is_key": True}),
        placed_count=_count(Placement, "link__chain", "enterprise", distinct=True),
    )
    return list_response(request, CHAIN_LIST, chains)


@staff_only
def chain_detail(request: HttpRequest, pk: int) -> HttpResponse:
    chain = chain_for(request.user, pk)
    placements = (
        placements_visible_to(request.user)
        .filter(link__chain=chain)
        .order_by("link__sort_order", "link_id", "enterprise__name")
    )
    actions = []
    if has_role(request.user, EDITORS):
        actions = [
            ("新增环节", reverse("chains:link_create", args=[chain.pk])),
            ("企业落链", reverse("chains:placement_create", args=[chain.pk])),
        ]
    return list_response(
        request,
        PLACEMENT_LIST,
        placements,
        context={"chain": chain, "tree": link_tree(chain, request.user), "title": f"{chain.name}产业链"},
        actions=actions,
    )


@editors_only
def link_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    chain = chain_for(request.user, pk)
    form = LinkForm(request.POST or None, chain=chain)

    def save(form: LinkForm) -> Link:
        return link_create(actor=request.user, chain=chain, **form.cleaned_data)

    return form_page(
        request,
        form,
        title=f"{chain.name}：新增环节",
        cancel_url=_chain_url(chain),
        save=save,
        success_url=lambda link: _chain_url(chain),
        message="环节已新增。",
    )


@editors_only
def placement_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    chain = chain_for(request.user, pk)
    form = PlacementForm(request.POST or None, chain=chain, enterprises=enterprises_visible_to(request.user))

    def save(form: PlacementForm) -> Placement:
        placement, _created = placement_upsert(
            actor=request.user,
            enterprise=form.cleaned_data["uscc"],
            link=form.cleaned_data["link"],
            main_product=form.cleaned_data["main_product"],
        )
        return placement

    return form_page(
        request,
        form,
        title=f"{chain.name}：企业落链",
        cancel_url=_chain_url(chain),
        save=save,
        success_url=lambda placement: _chain_url(chain),
        message="企业已落链。",
    )


def _coverage_required(request: HttpRequest) -> None:
    if not can_view_coverage(request.user):
        raise PermissionDenied("您的角色无权查看组织链覆盖情况。")


COVERAGE_HEADERS = [
    "产业链",
    "党组织数",
    "覆盖企业数",
    "党员数",
    "落链企业数",
    "已覆盖落链企业数",
    "未覆盖企业数",
    "覆盖率",
]


def _coverage_cells(row: dict[str, Any]) -> list[Any]:
    return [
        row["chain"],
        row["organizations"],
        row["enterprises_covered"],
        row["members"],
        row["placed"],
        row["placed_covered"],
        row["uncovered"],
        f"{row['coverage_rate'] * 100:.2f}%",
    ]


@staff_only
def coverage(request: HttpRequest) -> HttpResponse:
    _coverage_required(request)
    rows = chain_coverage(request.user)
    if request.GET.get("export") == "xlsx":
        audit_record(actor=request.user, action="export.coverage", summary="导出组织链覆盖", rows=len(rows))
        return workbook_response(
            "组织链覆盖.xlsx", COVERAGE_HEADERS, [_coverage_cells(r) for r in rows], title="组织链覆盖"
        )
    for row in rows:
        row["percent"] = f"{row['coverage_rate'] * 100:.2f}%"
    return render(request, "chains/coverage.html", {"rows": rows, "formations": FORMATIONS, "title": "组织链覆盖"})


@staff_only
def coverage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _coverage_required(request)
    chain = chain_for(request.user, pk)
    row = chain_coverage_for(chain, request.user)
    row["percent"] = f"{row['coverage_rate'] * 100:.2f}%"
    return list_response(
        request,
        UNCOVERED_LIST,
        uncovered_enterprises(chain, request.user),
        context={"chain": chain, "row": row, "title": f"{chain.name}：组织链覆盖"},
    )
