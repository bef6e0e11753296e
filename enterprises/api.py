"""/api/v1/enterprises/: the register and research institutions, scoped by role (enterprises.selectors)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from core.api import Pages
from enterprises.filters import EnterpriseFilter, InstitutionFilter
from enterprises.selectors import enterprise_for, enterprises_visible_to, institution_for, institutions_visible_to

router = Router(tags=["enterprises"])


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    short_name: str
    size_class: str
    industry_code: str
    is_key: bool
    is_leading: bool
    management_office_id: int | None
    management_office: str | None
    address: str
    revenue_wan: Decimal | None
    founded_on: date | None
    version: int

    @staticmethod
    def resolve_management_office(obj: Any) -> str | None:
        return obj.management_office.name if obj.management_office_id else None


class InstitutionOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    fields: str


def _filter(filterset: Any, request: HttpRequest, queryset: Any, params: dict[str, Any]) -> Any:
    data = {k: v for k, v in params.items() if v is not None}
    return filterset(data or None, queryset=queryset, request=request).qs


@router.get("/", response=list[EnterpriseOut], summary="企业库（按角色范围）")
@paginate(Pages)
def enterprise_list(
    request: HttpRequest,
    q: str | None = None,
    size_class: str | None = None,
    is_key: bool | None = None,
    is_leading: bool | None = None,
    management_office: int | None = None,
    chain: int | None = None,
    industry_code: str | None = None,
) -> Any:
    params = {
        "q": q,
        "size_class": size_class,
        "is_key": is_key,
        "is_leading": is_leading,
        "management_office": management_office,
        "chain": chain,
        "industry_code": industry_code,
    }
    return _filter(EnterpriseFilter, request, enterprises_visible_to(request.user), params).order_by("name", "pk")


@router.get("/institutions", response=list[InstitutionOut], summary="科研机构")
@paginate(Pages)
def institution_list(request: HttpRequest, q: str | None = None, kind: str | None = None) -> Any:
    qs = institutions_visible_to(request.user)
    return _filter(InstitutionFilter, request, qs, {"q": q, "kind": kind}).order_by("name")


@router.get("/institutions/{int:institution_id}", response=InstitutionOut, summary="科研机构详情")
def institution_detail(request: HttpRequest, institution_id: int) -> Any:
    return institution_for(request.user, institution_id)


@router.get("/{int:enterprise_id}", response=EnterpriseOut, summary="企业详情（看不到的企业返回 404）")
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Any:
    return enterprise_for(request.user, enterprise_id)
