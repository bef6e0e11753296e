import factory

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
