"""FilterSets for the investment lists: the same filter serves the page, the export and the API."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from chains.models import Chain
from investment.choices import SIGNED_STAGES, EventKind, Stage
from investment.models import InvestmentTeam, Project, PromotionEvent, TargetCompany


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class ProjectFilterForm(forms.Form):
    """Refuses a signing period that ends before it starts (in Chinese, like every other filter error)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("signed_from"), data.get("signed_to")
        if start and end and start > end:
            self.add_error("signed_to", "签约日期止不能早于签约日期起。")
        return data


class ProjectFilter(django_filters.FilterSet):
    """`signed`, `signed_from`, `signed_to` are the cockpit's signed projects (`investment_figures`): a project counts
    when it is now at signed or a later stage (SIGNED_STAGES: one dropped after signing does not) and its `signed_on`
    lies within the dates (both inclusive)."""

    q = django_filters.CharFilter(label="关键词", method="search")
    stage = django_filters.ChoiceFilter(label="阶段", choices=Stage.choices)
    team = django_filters.ModelChoiceFilter(label="工作组", queryset=InvestmentTeam.objects.all())
    chain = django_filters.ModelChoiceFilter(label="产业链", queryset=Chain.objects.all())
    signed_year = django_filters.NumberFilter(
        label="签约年份", field_name="signed_on", lookup_expr="year", min_value=2000, max_value=2100
    )
    signed = django_filters.BooleanFilter(label="已签约（签约及以后阶段）", method="filter_signed")
    signed_from = django_filters.DateFilter(
        label="签约日期起", field_name="signed_on", lookup_expr="gte", widget=_date_input()
    )
    signed_to = django_filters.DateFilter(
        label="签约日期止", field_name="signed_on", lookup_expr="lte", widget=_date_input()
    )
    source_event = django_filters.NumberFilter(
        label="来源活动", field_name="source_event_id", min_value=1, max_value=2**63 - 1
    )

    class Meta:
        model = Project
        form = ProjectFilterForm
        fields = ["q", "stage", "team", "chain", "signed_year", "signed", "signed_from", "signed_to", "source_event"]

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(Q(name__icontains=value) | Q(investor__icontains=value)) if value else queryset

    def filter_signed(self, queryset: QuerySet[Project], name: str, value: bool | None) -> QuerySet[Project]:
        if value is None:
            return queryset
        signed = Q(stage__in=SIGNED_STAGES)
        return queryset.filter(signed) if value else queryset.exclude(signed)


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
