from collections.abc import Iterable
from datetime import date
from types import SimpleNamespace
from typing import Any

import factory

from accounts.choices import Role, UnitKind
from accounts.tests.factories import UnitFactory, UserFactory
from chains import coverage
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from enterprises.tests.factories import EnterpriseFactory
from organizations.choices import Formation, OrgType, PairingKind
from organizations.models import Pairing, PartyMember, PartyOrganization, Visit


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    """Organizations are counted by `chains.coverage` as the services count them (give enterprises with `cover`)."""

    class Meta:
        model = PartyOrganization

    name = factory.Sequence(lambda n: f"测试党支部{n}")
    org_type = OrgType.BRANCH
    formation = Formation.SINGLE

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        with coverage.change() as tracked:
            organization = super()._create(model_class, *args, **kwargs)
            tracked.created(organization=organization.pk)
        return organization


def cover(organization: PartyOrganization, enterprises: Iterable[Any]) -> None:
    """Set the enterprises an organization covers, keeping the coverage figures (as `organization_update` does)."""
    enterprises = list(enterprises)
    with coverage.change(
        enterprises=[e.pk for e in enterprises], organizations=[organization.pk], their_enterprises=True
    ):
        organization.enterprises.set(enterprises)


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    name = factory.Sequence(lambda n: f"党员{n}")
    organization = factory.SubFactory(PartyOrganizationFactory)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        with coverage.change(organizations=[kwargs["organization"].pk]):
            return super()._create(model_class, *args, **kwargs)


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    kind = PairingKind.INSTRUCTOR_ENTERPRISE
    starts_on = date(2025, 1, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    visited_on = date(2026, 3, 1)
    summary = "上门走访"


def small_area() -> SimpleNamespace:
    """A small area whose coverage is known by heart (see chains/tests/test_coverage.py):

    chain 生命健康 with links L1 (key) and L2; offices A and B; enterprises e1, e2 (office A), e3 (office B), e4 placed
    on the chain, e5 not placed; org_single (chain, covers e1, 3 members), org_joint (chain joint, covers e1 and e2,
    2 members), org_regional (no chain, covers e3, 1 member). So: organizations 2, enterprises covered 2, members 5,
    placed 4, placed and covered 3 (e3 through the regional organization), rate 0.75, uncovered e4.
    An instructor is paired with e1 and e2, a leader with e1 (key).
    """
    office_a = UnitFactory.create(name="第一管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    office_b = UnitFactory.create(name="第二管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    chain = ChainFactory.create(name="生命健康", code="life_health")
    l1 = LinkFactory.create(chain=chain, name="创新药研发", is_key=True)
    l2 = LinkFactory.create(chain=chain, name="医疗器械")
    e1 = EnterpriseFactory.create(name="甲制药有限公司", management_office=office_a, is_key=True)
    e2 = EnterpriseFactory.create(name="乙生物有限公司", management_office=office_a)
    e3 = EnterpriseFactory.create(name="丙器械有限公司", management_office=office_b)
    e4 = EnterpriseFactory.create(name="丁医疗有限公司", management_office=office_b)
    e5 = EnterpriseFactory.create(name="戊商贸有限公司", management_office=office_b)
    for enterprise, link in ((e1, l1), (e2, l1), (e3, l2), (e4, l2)):
        PlacementFactory.create(enterprise=enterprise, link=link)
    org_single = PartyOrganizationFactory.create(name="甲制药党支部", chain=chain, management_office=office_a)
    cover(org_single, [e1])
    org_joint = PartyOrganizationFactory.create(
        name="生命健康产业链联合党支部", chain=chain, formation=Formation.CHAIN_JOINT, org_type=OrgType.JOINT_BRANCH
    )
    cover(org_joint, [e1, e2])
    org_regional = PartyOrganizationFactory.create(
        name="第二管理处联合党支部", formation=Formation.REGIONAL_JOINT, management_office=office_b
    )
    cover(org_regional, [e3])
    members = [
        PartyMemberFactory.create(
            organization=org_single, enterprise=e1, id_number=f"11010519900101{n:03d}X", phone="13800138000"
        )
        for n in range(3)
    ]
    members += [PartyMemberFactory.create(organization=org_joint, enterprise=e2) for _ in range(2)]
    members.append(PartyMemberFactory.create(organization=org_regional, enterprise=e3))
    instructor = UserFactory.create(role=Role.INSTRUCTOR, username="area_instructor")
    leader = UserFactory.create(role=Role.LEADER, username="area_leader")
    for enterprise in (e1, e2):
        PairingFactory.create(staff=instructor, enterprise=enterprise)
    PairingFactory.create(staff=leader, enterprise=e1, kind=PairingKind.LEADER_ENTERPRISE)
    return SimpleNamespace(**locals())
