"""FilterSets of the organization-chain lists (page, API and export alike)."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.choices import UnitKind
from accounts.models import Unit
from chains.models import Chain
from enterprises.selectors import active_pairing_q
from organizations.choices import Formation, OrgType, PairingKind, PostKind, TeamStatus
from organizations.models import (
    CommandoTeam,
    MentoringPair,
    Pairing,
    PartyMember,
    PartyOrganization,
    PioneerPost,
    Visit,
)
from organizations.selectors import members_of_office_q, organizations_of_office_q, organizations_visible_to


def _search(*fields: str) -> Any:
    def method(self: Any, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return method


def _offices(request: Any) -> QuerySet:
    return Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE)


def _office_filter(label: str, condition: Any) -> django_filters.ModelChoiceFilter:
    """An `office` filter (the Unit id of a management office) applying `condition(office)`: the same rule the
    cockpit's organization-chain figures use for an office (organizations.selectors)."""

    def method(queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(condition(value)) if value else queryset

    return django_filters.ModelChoiceFilter(label=label, queryset=_offices, method=method)


def _organizations(request: Any) -> QuerySet:
    return organizations_visible_to(getattr(request, "user", None)).order_by("name")


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/书记", method="search")
    chain = django_filters.ModelChoiceFilter(label="产业链", queryset=Chain.objects.all())
    no_chain = django_filters.BooleanFilter(label="未归属产业链", field_name="chain", lookup_expr="isnull")
    org_type = django_filters.ChoiceFilter(label="类型", choices=OrgType.choices)
    formation = django_filters.ChoiceFilter(label="组建方式", choices=Formation.choices)
    management_office = django_filters.ModelChoiceFilter(label="管理处", queryset=_offices)
    office = _office_filter("覆盖管理处企业", organizations_of_office_q)

    class Meta:
        model = PartyOrganization
        fields = ["q", "chain", "no_chain", "org_type", "formation", "management_office", "office"]

    search = _search("name", "secretary_name")


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名/岗位/企业", method="search")
    organization = django_filters.ModelChoiceFilter(label="党组织", queryset=_organizations)
    chain = django_filters.ModelChoiceFilter(
        label="产业链", field_name="organization__chain", queryset=Chain.objects.all()
    )
    office = _office_filter("工作单位所属管理处", members_of_office_q)

    class Meta:
        model = PartyMember
        fields = ["q", "organization", "chain", "office"]

    search = _search("name", "post", "enterprise__name")


class PioneerPostFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=PostKind.choices)
    chain = django_filters.ModelChoiceFilter(
        label="产业链", field_name="organization__chain", queryset=Chain.objects.all()
    )
    office = _office_filter("党组织覆盖管理处企业", lambda office: organizations_of_office_q(office, "organization__"))

    class Meta:
        model = PioneerPost
        fields = ["q", "kind", "chain", "office"]

    search = _search("name", "organization__name", "holder__name")


class CommandoTeamFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/目标", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=TeamStatus.choices)
    chain = django_filters.ModelChoiceFilter(
        label="产业链", field_name="organization__chain", queryset=Chain.objects.all()
    )
    office = _office_filter("党组织覆盖管理处企业", lambda office: organizations_of_office_q(office, "organization__"))

    class Meta:
        model = CommandoTeam
        fields = ["q", "status", "chain", "office"]

    search = _search("name", "goal")


class PairingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="人员/企业/项目", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=PairingKind.choices)
    active = django_filters.BooleanFilter(label="在期", method="filter_active")

    class Meta:
        model = Pairing
        fields = ["q", "kind", "active"]

    search = _search("staff__display_name", "staff__username", "enterprise__name", "project__name")

    def filter_active(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        condition = active_pairing_q(today=timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class VisitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="企业/指导员/内容", method="search")
    visited_after = django_filters.DateFilter(
        label="走访日期起", field_name="visited_on", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    visited_before = django_filters.DateFilter(
        label="走访日期止", field_name="visited_on", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    with_findings = django_filters.BooleanFilter(label="有问题/诉求", method="filter_findings")

    class Meta:
        model = Visit
        fields = ["q", "visited_after", "visited_before", "with_findings"]

    search = _search("enterprise__name", "instructor__display_name", "summary", "findings")

    def filter_findings(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.exclude(findings="") if value else queryset.filter(findings="")


class MentoringFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="企业", method="search")

    class Meta:
        model = MentoringPair
        fields = ["q"]

    search = _search("mentee__name", "mentor__name", "goals")
