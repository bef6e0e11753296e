import django_filters
from django.db.models import Q, QuerySet

from chains.models import Chain
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


class RoundtableFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RoundtableStatus.choices, label="状态")
    chain = django_filters.ModelChoiceFilter(queryset=Chain.objects.all(), label="产业链")

    class Meta:
        model = Roundtable
        fields = ["status", "chain"]


class AgreementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, label="状态")

    class Meta:
        model = Agreement
        fields = ["status"]
