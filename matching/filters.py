from datetime import date, timedelta

import django_filters
from django.db.models import Q, QuerySet

from chains.models import Chain
from core.calendar import start_of_day
from core.filters import PeriodFilterForm, date_filter
from matching.choices import (
    AgreementStatus,
    PostingCategory,
    PostingKind,
    PostingStatus,
    RoundtableStatus,
    SuggestionStatus,
)
from matching.models import Agreement, Posting, Roundtable, Suggestion


class PostingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="关键词")
    kind = django_filters.ChoiceFilter(choices=PostingKind.choices, label="类型")
    status = django_filters.ChoiceFilter(choices=PostingStatus.choices, label="状态")
    category = django_filters.ChoiceFilter(choices=PostingCategory.choices, label="类别")
    chain = django_filters.ModelChoiceFilter(queryset=Chain.objects.all(), label="产业链")

    class Meta:
        model = Posting
        fields = ["q", "kind", "status", "category", "chain"]

    def search(self, queryset: QuerySet[Posting], name: str, value: str) -> QuerySet[Posting]:
        return queryset.filter(Q(title__icontains=value) | Q(text__icontains=value))


class SuggestionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SuggestionStatus.choices, label="状态")
    kind = django_filters.ChoiceFilter(field_name="source__kind", choices=PostingKind.choices, label="本方类型")

    class Meta:
        model = Suggestion
        fields = ["status", "kind"]


# ---- dates (the cockpit's periods: both days inclusive, local time) -------------------------------------------------


class RoundtableFilter(django_filters.FilterSet):
    """`start`/`end`: held (`held_on`) between the two dates, both inclusive — the cockpit's roundtables held."""

    status = django_filters.ChoiceFilter(choices=RoundtableStatus.choices, label="状态")
    chain = django_filters.ModelChoiceFilter(queryset=Chain.objects.all(), label="产业链")
    start = date_filter("召开日期起", field_name="held_on", lookup_expr="gte")
    end = date_filter("召开日期止", field_name="held_on", lookup_expr="lte")

    class Meta:
        model = Roundtable
        form = PeriodFilterForm
        fields = ["status", "chain", "start", "end"]


class AgreementFilter(django_filters.FilterSet):
    """`chain`: the chain of the roundtable that produced the agreement; `start`/`end`: reached (created) between the
    two local dates, both inclusive — the cockpit's agreements (`matching.selectors.innovation_figures`)."""

    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, label="状态")
    chain = django_filters.ModelChoiceFilter(
        queryset=Chain.objects.all(), field_name="roundtable__chain", label="产业链"
    )
    start = date_filter("达成日期起", method="filter_start")
    end = date_filter("达成日期止", method="filter_end")

    class Meta:
        model = Agreement
        form = PeriodFilterForm
        fields = ["status", "chain", "start", "end"]

    def filter_start(self, queryset: QuerySet[Agreement], name: str, value: date) -> QuerySet[Agreement]:
        return queryset.filter(created_at__gte=start_of_day(value))

    def filter_end(self, queryset: QuerySet[Agreement], name: str, value: date) -> QuerySet[Agreement]:
        return queryset.filter(created_at__lt=start_of_day(value + timedelta(days=1)))
