"""FilterSets of the chain lists (page, API and export alike)."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from accounts.choices import UnitKind
from accounts.models import Unit
from chains.choices import Function, Stage
from chains.models import Chain, Link, Placement
from enterprises.models import Enterprise


class ChainFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/代码", method="search")

    class Meta:
        model = Chain
        fields = ["q"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset


def _links(request: Any) -> QuerySet:
    chain_id = getattr(request, "resolver_match", None) and request.resolver_match.kwargs.get("pk")
    links = Link.objects.select_related("chain").order_by("chain__sort_order", "sort_order", "id")
    return links.filter(chain_id=chain_id) if chain_id else links


class PlacementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="企业/产品", method="search")
    link = django_filters.ModelChoiceFilter(label="环节", queryset=_links)
    stage = django_filters.ChoiceFilter(label="位置", field_name="link__stage", choices=Stage.choices)
    function = django_filters.ChoiceFilter(label="功能", field_name="link__function", choices=Function.choices)
    key_link = django_filters.BooleanFilter(label="关键环节", field_name="link__is_key")

    class Meta:
        model = Placement
        fields = ["q", "link", "stage", "function", "key_link"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(enterprise__name__icontains=value)
            | Q(enterprise__uscc__icontains=value)
            | Q(main_product__icontains=value)
        )


class UncoveredFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/信用代码", method="search")
    management_office = django_filters.ModelChoiceFilter(
        label="管理处", queryset=Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE)
    )
    is_key = django_filters.BooleanFilter(label="重点企业")

    class Meta:
        model = Enterprise
        fields = ["q", "management_office", "is_key"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(uscc__icontains=value.upper())) if value else queryset
