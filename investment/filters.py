"""FilterSets for the investment lists: the same filter serves the page, the export and the API."""

import django_filters
from django.db.models import Q, QuerySet

from chains.models import Chain
from investment.choices import EventKind, Stage
from investment.models import InvestmentTeam, Project, PromotionEvent, TargetCompany


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    stage = django_filters.ChoiceFilter(label="阶段", choices=Stage.choices)
    team = django_filters.ModelChoiceFilter(label="工作组", queryset=InvestmentTeam.objects.all())
    chain = django_filters.ModelChoiceFilter(label="产业链", queryset=Chain.objects.all())
    signed_year = django_filters.NumberFilter(
        label="签约年份", field_name="signed_on", lookup_expr="year", min_value=2000, max_value=2100
    )
    source_event = django_filters.NumberFilter(
        label="来源活动", field_name="source_event_id", min_value=1, max_value=2**63 - 1
    )

    class Meta:
        model = Project
        fields = ["q", "stage", "team", "chain", "signed_year", "source_event"]

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(Q(name__icontains=value) | Q(investor__icontains=value)) if value else queryset


class TargetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    region = django_filters.CharFilter(label="地区", lookup_expr="icontains")
    industry_code = django_filters.CharFilter(label="行业代码", lookup_expr="startswith")
    is_listed = django_filters.BooleanFilter(label="上市")
    is_specialized = django_filters.BooleanFilter(label="专精特新")
    is_high_tech = django_filters.BooleanFilter(label="高新技术")

    class Meta:
        model = TargetCompany
        fields = ["q", "region", "industry_code", "is_listed", "is_specialized", "is_high_tech"]

    def search(self, queryset: QuerySet[TargetCompany], name: str, value: str) -> QuerySet[TargetCompany]:
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(products__icontains=value) | Q(other_tags__icontains=value))


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=EventKind.choices)
    chain = django_filters.ModelChoiceFilter(label="产业链", queryset=Chain.objects.all())
    team = django_filters.ModelChoiceFilter(label="工作组", queryset=InvestmentTeam.objects.all())
    year = django_filters.NumberFilter(
        label="年份", field_name="held_on", lookup_expr="year", min_value=2000, max_value=2100
    )

    class Meta:
        model = PromotionEvent
        fields = ["kind", "chain", "team", "year"]
