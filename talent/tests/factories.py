import random
from datetime import date

import factory
from stdnum.cn import ric

from core.validators import make_resident_id
from enterprises.tests.factories import EnterpriseFactory
from talent.choices import Education, HousingStatus, Title
from talent.models import Talent

_rng = random.Random(6)


def resident_id(birth: date, sequence: int | None = None) -> str:
    """A valid ID number; with `sequence`, its 3-digit order code, so factory-built talents born the same day never
    collide (a random code did, within a test, about once in a few dozen runs)."""
    if sequence is None:
        return make_resident_id(_rng, birth=birth.strftime("%Y%m%d"), region="360122")
    body = "360122" + birth.strftime("%Y%m%d") + f"{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


class TalentFactory(factory.django.DjangoModelFactory):
    """Builds a valid talent; birth_date is derived from the ID number as the services do."""

    class Meta:
        model = Talent

    class Params:
        born = date(1995, 6, 15)

    name = factory.Sequence(lambda n: f"人才{n}")
    id_number = factory.LazyAttributeSequence(lambda o, n: resident_id(o.born, n))
    birth_date = factory.LazyAttribute(lambda o: o.born)
    education = Education.MASTER
    title = Title.NONE
    employer = factory.SubFactory(EnterpriseFactory)
    start_date = date(2025, 3, 1)
    social_insurance_months = 24
    housing_status = HousingStatus.RENTING
