from decimal import Decimal

import factory

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from chains.tests.factories import ChainFactory
from investment.choices import EventKind, Stage
from investment.models import InvestmentTeam, Project, PromotionEvent, TargetCompany


class InvestmentTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvestmentTeam
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"第{n}招商工作组")

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.members.set(extracted)


def investment_member(team: InvestmentTeam, username: str) -> object:
    user = UserFactory(role=Role.INVESTMENT, username=username)
    team.members.add(user)
    return user


class TargetCompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetCompany

    name = factory.Sequence(lambda n: f"区外目标企业{n}有限公司")
    region = "上海市"
    industry_code = ""
    products = ""


class PromotionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromotionEvent

    name = factory.Sequence(lambda n: f"招商推介会{n}")
    kind = EventKind.PROMOTION
    held_on = factory.Faker("date_this_year")


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project row for reads. Stage changes in tests go through `project_change_stage`."""

    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"招商项目{n}")
    team = factory.SubFactory(InvestmentTeamFactory)
    chain = factory.SubFactory(ChainFactory)
    amount_wan = Decimal("1000.00")
    stage = Stage.LEAD
