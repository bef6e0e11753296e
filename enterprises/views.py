"""Pages of the enterprise register and research institutions. Thin: parse, authorise, call a selector or service."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from enterprises.filters import EnterpriseFilter, InstitutionFilter
from enterprises.forms import EnterpriseForm, InstitutionForm
from enterprises.listing import Column, ListSpec, form_page, list_response, yes_no
from enterprises.models import Enterprise, ResearchInstitution
from enterprises.permissions import EDITORS, STAFF, editors_only, has_role, readers_only
from enterprises.selectors import (
    active_pairing_q,
    enterprise_for,
    enterprises_visible_to,
    industry_names,
    institution_for,
    institutions_visible_to,
)
from enterprises.services import (
    enterprise_create,
    enterprise_update,
    industry_code_warning,
    research_institution_create,
    research_institution_update,
)


def _detail_url(obj: Enterprise) -> str:
    return reverse("enterprises:detail", args=[obj.pk])


def attach_instructors(enterprises: list[Enterprise], user: Any = None) -> None:
    """enterprise.instructor_name for a page of enterprises, in one query over the pairings relation."""
    rows = (
        Enterprise.objects.filter(
            active_pairing_q("pairings__"), pk__in=[e.pk for e in enterprises], pairings__kind="instructor_enterprise"
        )
        .order_by("pk", "pairings__starts_on")
        .values_list("pk", "pairings__staff__display_name", "pairings__staff__username")
    )
    names = {pk: display or username for pk, display, username in rows}
    for enterprise in enterprises:
        enterprise.instructor_name = names.get(enterprise.pk, "")  # type: ignore[attr-defined]


ENTERPRISE_LIST = ListSpec(
    name="enterprises",
    title="企业库",
    filterset=EnterpriseFilter,
    columns=[
        Column("企业名称", lambda e, u: e.name, _detail_url),
        Column("统一社会信用代码", lambda e, u: e.uscc),
        Column("规模", lambda e, u: e.get_size_class_display()),
        Column("行业代码", lambda e, u: e.industry_code),
        Column("重点企业", lambda e, u: yes_no(e.is_key)),
        Column("龙头/链主", lambda e, u: yes_no(e.is_leading)),
        Column("管理处", lambda e, u: e.management_office.name if e.management_office else ""),
        Column("党建指导员", lambda e, u: e.instructor_name),
    ],
    prepare=attach_instructors,
    edit_link=lambda e: reverse("enterprises:edit", args=[e.pk]),
)

INSTITUTION_LIST = ListSpec(
    name="institutions",
    title="科研机构",
    filterset=InstitutionFilter,
    columns=[
        Column("名称", lambda i, u: i.name),
        Column("类型", lambda i, u: i.get_kind_display()),
        Column("所在地区", lambda i, u: i.region),
        Column("研究领域", lambda i, u: i.fields),
        Column("联系人", lambda i, u: i.contact_name),
    ],
    edit_link=lambda i: reverse("enterprises:institution_edit", args=[i.pk]),
)


@readers_only
def enterprise_list(request: HttpRequest) -> HttpResponse:
    actions = [("新增企业", reverse("enterprises:create"))] if has_role(request.user, EDITORS) else []
    editable = has_role(request.user, EDITORS)
    return list_response(
        request, ENTERPRISE_LIST, enterprises_visible_to(request.user), actions=actions, editable=editable
    )


@readers_only
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_for(request.user, pk)
    today = timezone.localdate()
    context = {
        "enterprise": enterprise,
        "industry_name": industry_names({enterprise.industry_code}).get(enterprise.industry_code, ""),
        "placements": enterprise.placements.select_related("link", "link__chain").order_by(
            "link__chain__sort_order", "link__sort_order"
        ),
        "organizations": enterprise.party_organizations.select_related("chain").order_by("name"),
        "pairings": enterprise.pairings.filter(active_pairing_q(today=today))
        .select_related("staff")
        .order_by("kind", "starts_on"),
        "member_count": enterprise.party_members.count(),
        "visits": enterprise.visits.select_related("instructor").order_by("-visited_on", "-id")[:10],
        "mentors": enterprise.mentors.select_related("mentor"),
        "mentees": enterprise.mentees.select_related("mentee"),
        "can_edit": has_role(request.user, EDITORS),
        "staff_view": has_role(request.user, STAFF),
    }
    return render(request, "enterprises/enterprise_detail.html", context)


def _warn_industry_code(request: HttpRequest, enterprise: Enterprise) -> None:
    warning = industry_code_warning(enterprise.industry_code)
    if warning:
        messages.warning(request, warning)


@editors_only
def enterprise_create_view(request: HttpRequest) -> HttpResponse:
    form = EnterpriseForm(request.POST or None)

    def save(form: EnterpriseForm) -> Enterprise:
        enterprise = enterprise_create(actor=request.user, **form.service_fields())
        _warn_industry_code(request, enterprise)
        return enterprise

    return form_page(
        request,
        form,
        title="新增企业",
        cancel_url=reverse("enterprises:list"),
        save=save,
        success_url=_detail_url,
        message="企业已新增。",
    )


@editors_only
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_for(request.user, pk)
    form = EnterpriseForm(request.POST or None, instance=enterprise)

    def save(form: EnterpriseForm) -> Enterprise:
        # The form has written its values onto its instance while validating; the service compares against a fresh copy.
        fresh = Enterprise.objects.get(pk=enterprise.pk)
        updated = enterprise_update(
            actor=request.user,
            enterprise=fresh,
            expected_version=form.cleaned_data.get("version"),
            **form.service_fields(),
        )
        _warn_industry_code(request, updated)
        return updated

    return form_page(
        request,
        form,
        title=f"编辑企业：{enterprise.name}",
        cancel_url=_detail_url(enterprise),
        save=save,
        success_url=_detail_url,
        message="企业信息已保存。",
    )


@readers_only
def institution_list(request: HttpRequest) -> HttpResponse:
    actions = [("新增科研机构", reverse("enterprises:institution_create"))] if has_role(request.user, EDITORS) else []
    editable = has_role(request.user, EDITORS)
    return list_response(
        request, INSTITUTION_LIST, institutions_visible_to(request.user), actions=actions, editable=editable
    )


@editors_only
def institution_create(request: HttpRequest) -> HttpResponse:
    form = InstitutionForm(request.POST or None)
    return form_page(
        request,
        form,
        title="新增科研机构",
        cancel_url=reverse("enterprises:institutions"),
        save=lambda f: research_institution_create(actor=request.user, **f.service_fields()),
        success_url=lambda obj: reverse("enterprises:institutions"),
        message="科研机构已新增。",
    )


@editors_only
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    institution = institution_for(request.user, pk)
    form = InstitutionForm(request.POST or None, instance=institution)
    return form_page(
        request,
        form,
        title=f"编辑科研机构：{institution.name}",
        cancel_url=reverse("enterprises:institutions"),
        save=lambda f: research_institution_update(
            actor=request.user,
            institution=ResearchInstitution.objects.get(pk=institution.pk),
            expected_version=f.cleaned_data.get("version"),
            **f.service_fields(),
        ),
        success_url=lambda obj: reverse("enterprises:institutions"),
        message="科研机构已保存。",
    )
