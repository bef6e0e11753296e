"""One FilterSet per list: the workbench (pages and export share it)."""

import django_filters
from django.db.models import Q, QuerySet

from accounts.models import Unit
from service_requests.choices import Channel, Kind, State, Topic
from service_requests.models import ServiceRequest


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=Kind.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=State.choices)
    channel = django_filters.ChoiceFilter(label="渠道", choices=Channel.choices)
    topic = django_filters.ChoiceFilter(label="类别", choices=Topic.choices)
    lead_unit = django_filters.ModelChoiceFilter(label="主办单位", queryset=Unit.objects.all())

    class Meta:
        model = ServiceRequest
        fields = ["q", "kind", "state", "channel", "topic", "lead_unit"]

    def search(self, queryset: QuerySet[ServiceRequest], name: str, value: str) -> QuerySet[ServiceRequest]:
        return queryset.filter(Q(title__icontains=value) | Q(enterprise__name__icontains=value))
