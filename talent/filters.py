"""FilterSets for the talent lists (pages, exports and the API use the same ones)."""

from datetime import date

import django_filters
from django.db.models import Q, QuerySet

from core.filters import date_filter, range_form
from talent.choices import Education, EntitlementStatus, TalentCategory
from talent.models import Disbursement, Entitlement, Policy, Talent, TalentEvent


def _period_from(queryset: QuerySet, name: str, value: date) -> QuerySet:
    """Periods (the first day of a month) from the month of `value` on — the cockpit counts every month that
    overlaps its period, so a period starting mid-month still takes that month."""
    return queryset.filter(period__gte=value.replace(day=1))


class TalentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名/单位", method="search")
    education = django_filters.ChoiceFilter(label="学历", choices=Education.choices)
    category = django_filters.ChoiceFilter(label="人才类别", choices=TalentCategory.choices)

    class Meta:
        model = Talent
        fields = ["q", "education", "category"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(employer__name__icontains=value))


PERIOD_RANGE_FORM = range_form("period_from", "period_to", "所属期止不能早于所属期起。")


class EntitlementFilter(django_filters.FilterSet):
    """`period_from`/`period_to` with `planned=true` are the cockpit's planned talent subsidies
    (`talent.selectors.talent_figures`): entitlements of the months from `period_from`'s month to `period_to`, not held."""

    period = django_filters.DateFilter(label="期间（该月1日）")
    period_from = date_filter("所属期起", method=_period_from)
    period_to = date_filter("所属期止", field_name="period", lookup_expr="lte")
    policy = django_filters.ModelChoiceFilter(label="政策", queryset=Policy.objects.all())
    status = django_filters.ChoiceFilter(label="状态", choices=EntitlementStatus.choices)
    planned = django_filters.BooleanFilter(label="计划发放（不含暂缓）", method="filter_planned")
    q = django_filters.CharFilter(label="姓名", field_name="talent__name", lookup_expr="icontains")

    class Meta:
        model = Entitlement
        form = PERIOD_RANGE_FORM
        fields = ["period", "period_from", "period_to", "policy", "status", "planned", "q"]

    def filter_planned(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        held = Q(status=EntitlementStatus.HELD)
        return queryset.exclude(held) if value else queryset.filter(held)


class DisbursementFilter(django_filters.FilterSet):
    """`period_from`/`period_to`: the cockpit's talent subsidies paid (ledger rows of those months)."""

    period = django_filters.DateFilter(label="期间（该月1日）")
    period_from = date_filter("所属期起", method=_period_from)
    period_to = date_filter("所属期止", field_name="period", lookup_expr="lte")
    policy = django_filters.ModelChoiceFilter(label="政策", queryset=Policy.objects.all())

    class Meta:
        model = Disbursement
        form = PERIOD_RANGE_FORM
        fields = ["period", "period_from", "period_to", "policy"]


class TalentEventFilter(django_filters.FilterSet):
    """`start`/`end`: events held between the two dates, both inclusive (the cockpit's talent events)."""

    start = date_filter("举办日期起", field_name="held_on", lookup_expr="gte")
    end = date_filter("举办日期止", field_name="held_on", lookup_expr="lte")

    class Meta:
        model = TalentEvent
        form = range_form("start", "end", "举办日期止不能早于举办日期起。")
        fields = ["start", "end"]
