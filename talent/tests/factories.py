import random
from datetime import date

import factory

from core.validators import make_resident_id
from enterprises.tests.factories import EnterpriseFactory
from talent.choices import Education, HousingStatus, Title
from talent.models import Talent

_rng = random.Random(6)


def resident_id(birth: date) -> str:
    return make_resident_id(_rng, birth=birth.strftime("%Y%m%d"), region="360122")


class TalentFactory(factory.django.DjangoModelFactory):
    """Builds a valid talent; birth_date is derived from the ID number as the services do."""

    class Meta:
        model = Talent

    class Params:
        born = date(1995, 6, 15)

    name = factory.Sequence(lambda n: f"人才{n}")
    id_number = factory.LazyAttribute(lambda o: resident_id(o.born))
    birth_date = factory.LazyAttribute(lambda o: o.born)
    education = Education.MASTER
    title = Title.NONE
    employer = factory.SubFactory(EnterpriseFactory)
    start_date = date(2025, 3, 1)
    social_insurance_months = 24
    housing_status = HousingStatus.RENTING
