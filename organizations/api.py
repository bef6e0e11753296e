"""/api/v1/organizations/: organizations, members (masked unless admin), posts, teams, pairings, visits — scoped by
role through organizations.selectors; objects the user may not see are 404."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from core.access import get_visible_or_404
from core.api import Pages
from organizations.filters import MemberFilter, OrganizationFilter, PairingFilter, PioneerPostFilter, VisitFilter
from organizations.selectors import (
    member_for,
    member_personal_fields,
    members_visible_to,
    organizations_visible_to,
    organizations_with_counts,
    pairings_visible_to,
    pioneer_posts_visible_to,
    visits_visible_to,
)

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: int
    name: str
    org_type: str
    formation: str
    parent_id: int | None
    chain_id: int | None
    chain: str | None
    management_office_id: int | None
    secretary_name: str
    founded_on: date | None
    enterprise_count: int
    member_count: int
    version: int

    @staticmethod
    def resolve_chain(obj: Any) -> str | None:
        return obj.chain.name if obj.chain_id else None


class OrganizationDetailOut(OrganizationOut):
    enterprise_ids: list[int]


class MemberOut(Schema):
    id: int
    name: str
    organization_id: int
    organization: str
    enterprise_id: int | None
    post: str
    joined_on: date | None
    id_number: str
    phone: str

    @staticmethod
    def resolve_organization(obj: Any) -> str:
        return str(obj.organization.name)

    @staticmethod
    def resolve_id_number(obj: Any, context: Any) -> str:
        return member_personal_fields(obj, context["request"].user)["id_number"]

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> str:
        return member_personal_fields(obj, context["request"].user)["phone"]


class PostOut(Schema):
    id: int
    kind: str
    name: str
    organization_id: int
    holder_id: int | None
    enterprise_id: int | None
    description: str


class PairingOut(Schema):
    id: int
    kind: str
    staff_id: int
    staff: str
    enterprise_id: int | None
    project_id: int | None
    starts_on: date
    ends_on: date | None

    @staticmethod
    def resolve_staff(obj: Any) -> str:
        return str(obj.staff)


class VisitOut(Schema):
    id: int
    instructor_id: int
    enterprise_id: int
    visited_on: date
    summary: str
    findings: str


def _filter(filterset: Any, request: HttpRequest, queryset: Any, params: dict[str, Any]) -> Any:
    data = {k: v for k, v in params.items() if v is not None}
    return filterset(data or None, queryset=queryset, request=request).qs


@router.get("/", response=list[OrganizationOut], summary="党组织")
@paginate(Pages)
def organization_list(
    request: HttpRequest,
    q: str | None = None,
    chain: int | None = None,
    org_type: str | None = None,
    formation: str | None = None,
    management_office: int | None = None,
) -> Any:
    qs = organizations_with_counts(organizations_visible_to(request.user))
    params = {
        "q": q,
        "chain": chain,
        "org_type": org_type,
        "formation": formation,
        "management_office": management_office,
    }
    return _filter(OrganizationFilter, request, qs, params).order_by("name", "pk")


@router.get("/members", response=list[MemberOut], summary="党员（身份证号、手机号按角色脱敏）")
@paginate(Pages)
def member_list(
    request: HttpRequest, q: str | None = None, organization: int | None = None, chain: int | None = None
) -> Any:
    qs = _filter(
        MemberFilter, request, members_visible_to(request.user), {"q": q, "organization": organization, "chain": chain}
    )
    return qs.order_by("organization__name", "name", "pk")


@router.get("/members/{int:member_id}", response=MemberOut, summary="党员详情")
def member_detail(request: HttpRequest, member_id: int) -> Any:
    return member_for(request.user, member_id)


@router.get("/posts", response=list[PostOut], summary="党员先锋岗与责任区")
@paginate(Pages)
def post_list(request: HttpRequest, kind: str | None = None, chain: int | None = None) -> Any:
    qs = _filter(PioneerPostFilter, request, pioneer_posts_visible_to(request.user), {"kind": kind, "chain": chain})
    return qs.order_by("organization__name", "name", "pk")


@router.get("/pairings", response=list[PairingOut], summary="挂点联系")
@paginate(Pages)
def pairing_list(request: HttpRequest, kind: str | None = None, active: bool | None = None) -> Any:
    qs = _filter(PairingFilter, request, pairings_visible_to(request.user), {"kind": kind, "active": active})
    return qs.order_by("kind", "staff_id", "pk")


@router.get("/visits", response=list[VisitOut], summary="走访记录")
@paginate(Pages)
def visit_list(request: HttpRequest, q: str | None = None) -> Any:
    return _filter(VisitFilter, request, visits_visible_to(request.user), {"q": q}).order_by("-visited_on", "-pk")


@router.get("/{int:organization_id}", response=OrganizationDetailOut, summary="党组织详情（看不到的返回 404）")
def organization_detail(request: HttpRequest, organization_id: int) -> Any:
    organization: Any = get_visible_or_404(
        organizations_with_counts(organizations_visible_to(request.user)), pk=organization_id
    )
    organization.enterprise_ids = list(organization.enterprises.order_by("pk").values_list("pk", flat=True))
    return organization
