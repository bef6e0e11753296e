from typing import Any

import factory

from chains import coverage
from chains.choices import Function, Stage
from chains.models import Chain, Link, Placement
from enterprises.tests.factories import EnterpriseFactory


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chain
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试产业链{n}")
    code = factory.Sequence(lambda n: f"chain-{n}")


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Link

    chain = factory.SubFactory(ChainFactory)
    name = factory.Sequence(lambda n: f"环节{n}")
    stage = Stage.MIDSTREAM
    function = Function.MANUFACTURING


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    enterprise = factory.SubFactory(EnterpriseFactory)
    link = factory.SubFactory(LinkFactory)
    main_product = "测试产品"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        """Placed as `placement_upsert` places, keeping the coverage figures (`chains.coverage`)."""
        with coverage.change(enterprises=[kwargs["enterprise"].pk]):
            return super()._create(model_class, *args, **kwargs)
