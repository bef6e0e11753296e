"""One FilterSet per list: the page, the API and the Excel export filter the same way."""

from typing import Any

import django_filters
from django.apps import apps
from django.db.models import Q, QuerySet

from accounts.choices import UnitKind
from accounts.models import Unit
from enterprises.choices import InstitutionKind, SizeClass
from enterprises.models import Enterprise, ResearchInstitution


def _chains(request: Any) -> QuerySet:
    # chains sits to the right of enterprises in the dependency order: reach its model through the registry.
    return apps.get_model("chains", "Chain")._default_manager.all()


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/信用代码", method="search")
    size_class = django_filters.ChoiceFilter(label="规模", choices=SizeClass.choices)
    is_key = django_filters.BooleanFilter(label="重点企业")
    is_leading = django_filters.BooleanFilter(label="龙头/链主")
    management_office = django_filters.ModelChoiceFilter(
        label="管理处", queryset=Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE)
    )
    chain = django_filters.ModelChoiceFilter(label="产业链", queryset=_chains, method="on_chain")
    industry_code = django_filters.CharFilter(label="行业代码", lookup_expr="startswith")

    class Meta:
        model = Enterprise
        fields = ["q", "size_class", "is_key", "is_leading", "management_office", "chain", "industry_code"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(uscc__icontains=value.upper())
        )

    def on_chain(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(pk__in=Enterprise.objects.filter(placements__link__chain=value).values("pk"))


class InstitutionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/领域", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=InstitutionKind.choices)

    class Meta:
        model = ResearchInstitution
        fields = ["q", "kind"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(fields__icontains=value)) if value else queryset
