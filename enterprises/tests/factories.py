import random

import factory

from core.validators import make_uscc
from enterprises.choices import InstitutionKind, SizeClass
from enterprises.models import Enterprise, ResearchInstitution

_rng = random.Random(20261127)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(lambda: make_uscc(_rng))
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    short_name = factory.Sequence(lambda n: f"测试{n}")
    size_class = SizeClass.ABOVE
    industry_code = "2710"


class ResearchInstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResearchInstitution

    name = factory.Sequence(lambda n: f"测试研究院{n}")
    kind = InstitutionKind.INSTITUTE
