"""One FilterSet per list: the workbench and the service deliveries (pages and export share them).

The period filters mean what the cockpit's service-chain figures mean (`selectors.service_chain_figures`), so a
figure's link lists exactly the records it counts:

- workbench `start`/`end`: local days, both inclusive, on the date `date_field` names — `submitted` (提交时间, the
  default: needs collected) or `resolved` (办结时间: needs resolved, matters handled); `progress` narrows to open or
  finished work by the same state sets as the figures; `merged=false` leaves merged needs out (collected needs);
- `chain`: the request's chain; for deliveries, which have no chain of their own, the enterprise's placement on the
  chain (as the figure counts them);
- `office`: the enterprise's management office (管理处).
"""

from datetime import date
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from accounts.choices import UnitKind
from accounts.models import Unit
from chains.models import Chain
from core.calendar import end_of_day, start_of_day
from core.filters import PeriodFilterForm, date_filter
from service_requests.choices import Channel, DeliveryKind, Kind, State, Topic
from service_requests.models import ServiceDelivery, ServiceRequest
from service_requests.selectors import deliveries_on_chain_q
from service_requests.workflow import (
    DONE_MATTER_STATES,
    OPEN_MATTER_STATES,
    RESOLVED_NEED_STATES,
    UNRESOLVED_NEED_STATES,
)

#: The date a workbench period applies to.
DATE_FIELDS = {"submitted": "submitted_at", "resolved": "resolved_at"}
DATE_FIELD_CHOICES = [("submitted", "提交时间"), ("resolved", "办结时间")]

#: Open and finished work, by kind: the state sets the service-chain figures count.
PROGRESS_CHOICES = [("open", "未办结"), ("finished", "已办结")]
PROGRESS = {
    "open": Q(kind=Kind.NEED, state__in=UNRESOLVED_NEED_STATES) | Q(kind=Kind.MATTER, state__in=OPEN_MATTER_STATES),
    "finished": Q(kind=Kind.NEED, state__in=RESOLVED_NEED_STATES) | Q(kind=Kind.MATTER, state__in=DONE_MATTER_STATES),
}


def _offices(request: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE)


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=Kind.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=State.choices)
    progress = django_filters.ChoiceFilter(label="办理进度", choices=PROGRESS_CHOICES, method="filter_progress")
    merged = django_filters.BooleanFilter(label="已并单", method="filter_merged")
    channel = django_filters.ChoiceFilter(label="渠道", choices=Channel.choices)
    topic = django_filters.ChoiceFilter(label="类别", choices=Topic.choices)
    lead_unit = django_filters.ModelChoiceFilter(label="主办单位", queryset=Unit.objects.all())
    chain = django_filters.ModelChoiceFilter(label="产业链", queryset=Chain.objects.all())
    office = django_filters.ModelChoiceFilter(label="管理处", queryset=_offices, field_name="office")
    date_field = django_filters.ChoiceFilter(
        label="期间按", choices=DATE_FIELD_CHOICES, method="filter_date_field", empty_label="提交时间"
    )
    start = date_filter("开始日期", method="filter_start")
    end = date_filter("结束日期", method="filter_end")

    class Meta:
        model = ServiceRequest
        form = PeriodFilterForm
        fields = [
            "q",
            "kind",
            "state",
            "progress",
            "merged",
            "channel",
            "topic",
            "lead_unit",
            "chain",
            "office",
            "date_field",
            "start",
            "end",
        ]

    def search(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        return queryset.filter(Q(title__icontains=value) | Q(enterprise__name__icontains=value))

    def filter_progress(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        return queryset.filter(PROGRESS[value])

    def filter_merged(
        self, queryset: QuerySet[ServiceRequest], name: str, value: bool | None
    ) -> QuerySet[ServiceRequest]:
        if value is None:
            return queryset
        merged = Q(state=State.MERGED)
        return queryset.filter(merged) if value else queryset.exclude(merged)

    def filter_date_field(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        return queryset  # read by filter_start / filter_end

    def _date_field(self) -> str:
        return DATE_FIELDS[self.form.cleaned_data.get("date_field") or "submitted"]

    def filter_start(self, queryset: QuerySet[ServiceRequest], name: str, value: date) -> QuerySet[ServiceRequest]:
        return queryset.filter(**{f"{self._date_field()}__gte": start_of_day(value)})

    def filter_end(self, queryset: QuerySet[ServiceRequest], name: str, value: date) -> QuerySet[ServiceRequest]:
        # The same upper bound as the service-chain figures and the problem and results lists (core.calendar).
        return queryset.filter(**{f"{self._date_field()}__lte": end_of_day(value)})


class DeliveryFilter(django_filters.FilterSet):
    """`start`/`end`: delivered (`delivered_on`) between the two dates, both inclusive."""

    kind = django_filters.ChoiceFilter(label="类型", choices=DeliveryKind.choices)
    chain = django_filters.ModelChoiceFilter(label="产业链", queryset=Chain.objects.all(), method="filter_chain")
    office = django_filters.ModelChoiceFilter(
        label="管理处", queryset=_offices, field_name="enterprise__management_office"
    )
    start = date_filter("开始日期", field_name="delivered_on", lookup_expr="gte")
    end = date_filter("结束日期", field_name="delivered_on", lookup_expr="lte")

    class Meta:
        model = ServiceDelivery
        form = PeriodFilterForm
        fields = ["kind", "chain", "office", "start", "end"]

    def filter_chain(self, queryset: QuerySet[ServiceDelivery], name: str, value: Chain) -> QuerySet[ServiceDelivery]:
        """Deliveries to enterprises placed on one of the chain's links (a delivery has no chain of its own)."""
        return queryset.filter(deliveries_on_chain_q(value))
