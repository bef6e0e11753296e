"""FilterSets for the talent lists (pages, exports and the API use the same ones)."""

import django_filters
from django.db.models import Q, QuerySet

from talent.choices import Education, EntitlementStatus, TalentCategory
from talent.models import Disbursement, Entitlement, Policy, Talent


class TalentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名/单位", method="search")
    education = django_filters.ChoiceFilter(label="学历", choices=Education.choices)
    category = django_filters.ChoiceFilter(label="人才类别", choices=TalentCategory.choices)

    class Meta:
        model = Talent
        fields = ["q", "education", "category"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(employer__name__icontains=value))


class EntitlementFilter(django_filters.FilterSet):
    period = django_filters.DateFilter(label="期间（该月1日）")
    policy = django_filters.ModelChoiceFilter(label="政策", queryset=Policy.objects.all())
    status = django_filters.ChoiceFilter(label="状态", choices=EntitlementStatus.choices)
    q = django_filters.CharFilter(label="姓名", field_name="talent__name", lookup_expr="icontains")

    class Meta:
        model = Entitlement
        fields = ["period", "policy", "status", "q"]


class DisbursementFilter(django_filters.FilterSet):
    period = django_filters.DateFilter(label="期间（该月1日）")
    policy = django_filters.ModelChoiceFilter(label="政策", queryset=Policy.objects.all())

    class Meta:
        model = Disbursement
        fields = ["period", "policy"]
