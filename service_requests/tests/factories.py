from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from accounts.tests.factories import UnitFactory
from enterprises.tests.factories import EnterpriseFactory
from service_requests import rollup
from service_requests.choices import Channel, DeliveryKind, Kind, State, Topic
from service_requests.models import Service, ServiceCategory, ServiceDelivery, ServiceRequest


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory

    name = factory.Sequence(lambda n: f"服务类别{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    category = factory.SubFactory(ServiceCategoryFactory)
    name = factory.Sequence(lambda n: f"帮办服务{n}")
    code = factory.Sequence(lambda n: f"svc-{n}")
    unit = factory.SubFactory(UnitFactory)
    time_limit_workdays = 5
    required_materials = factory.LazyFunction(lambda: ["营业执照"])
    extra_fields = factory.LazyFunction(
        lambda: [
            {"name": "staff_count", "label": "用工人数", "type": "number", "required": True},
            {"name": "note", "label": "备注", "type": "text", "required": False, "max_length": 50},
        ]
    )


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRequest
        skip_postgeneration_save = True

    kind = Kind.NEED
    enterprise = factory.SubFactory(EnterpriseFactory)
    office = factory.SelfAttribute("enterprise.management_office")  # as intake sets it
    channel = Channel.ONLINE
    topic = Topic.LABOUR
    title = factory.Sequence(lambda n: f"诉求{n}：招工难")
    description = "需要协助招聘技术工人"
    state = State.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    accept_due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> ServiceRequest:
        """A factory row stands for a request the services wrote, so it is counted in the maintained totals as
        intake counts a new request."""
        request = super()._create(model_class, *args, **kwargs)
        rollup.record_change(request, None)
        return request


class MatterFactory(NeedFactory):
    kind = Kind.MATTER
    state = State.ORDERED
    service = factory.SubFactory(ServiceFactory)
    lead_unit = factory.SelfAttribute("service.unit")
    title = factory.Sequence(lambda n: f"办事{n}")
    form_data = factory.LazyFunction(lambda: {"staff_count": 3})


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceDelivery

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = DeliveryKind.POLICY_CONSULTATION
    delivered_on = factory.LazyFunction(timezone.localdate)
    title = factory.Sequence(lambda n: f"政策咨询{n}")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> ServiceDelivery:
        delivery = super()._create(model_class, *args, **kwargs)
        rollup.record_delivery(delivery)
        return delivery
