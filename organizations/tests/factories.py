import factory

from organizations.choices import Formation, OrgType
from organizations.models import PartyMember, PartyOrganization


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization

    name = factory.Sequence(lambda n: f"测试党支部{n}")
    org_type = OrgType.BRANCH
    formation = Formation.SINGLE


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    name = factory.Sequence(lambda n: f"党员{n}")
    organization = factory.SubFactory(PartyOrganizationFactory)
