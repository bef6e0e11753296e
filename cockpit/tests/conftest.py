"""A small hand-counted area for the cockpit's tests.

Two chains (life health `lh`, digital economy `de`), two management offices (east, west).

Organizations (chain, office of the covered firms):
- org_lh1 (lh) covers e1 (east), e2 (east); members: m1@e1, m2@e1, m3@e2          → 3 members
- org_lh2 (lh) covers e3 (west);             members: m4@e3                       → 1 member
- org_de1 (de) covers e2 (east), e4 (west);  members: m5@e4, m6 (no enterprise)   → 2 members
- org_free (no chain) covers e5 (east);      members: m7@e5                       → 1 member
Placements: lh links hold e1, e2, e3, e6 (e6 west, uncovered); de links hold e2, e4, e7 (e7 east, uncovered).
Pioneer posts: 2 on org_lh1, 1 on org_de1, 1 on org_free. Commando teams: 1 on org_lh2, 1 on org_free.

Hand counts:
- area: organizations 4, enterprises covered 5 (e1–e5), members 7, posts 4, teams 2
- lh: organizations 2, covered 3, members 4, placed 4, uncovered 1 (e6), rate 0.75
- de: organizations 1, covered 2, members 2, placed 3, uncovered 1 (e7), rate 0.6667
- east office: organizations org_lh1, org_de1, org_free = 3; covered e1, e2, e5 = 3; members m1, m2, m3, m7 = 4;
  posts 2 + 1 + 1 = 4; teams 1
  - east lh: organizations 1, covered 2 (e1, e2), members 3, placed 2 (e1, e2), uncovered 0
  - east de: organizations 1 (org_de1 covers e2), covered 1 (e2), members 0, placed 2 (e2, e7), uncovered 1
- west office: organizations org_lh2, org_de1 = 2; covered e3, e4 = 2; members m4, m5 = 2
"""

from types import SimpleNamespace
from typing import Any

import pytest

from accounts.choices import Role, UnitKind
from accounts.tests.factories import UnitFactory, UserFactory
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from enterprises.tests.factories import EnterpriseFactory
from organizations.models import CommandoTeam, PioneerPost
from organizations.tests.factories import PartyMemberFactory, PartyOrganizationFactory, cover


@pytest.fixture
def area(db):
    east = UnitFactory(name="东片管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    west = UnitFactory(name="西片管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    lh = ChainFactory(name="生命健康", code="lh", sort_order=1)
    de = ChainFactory(name="数字经济", code="de", sort_order=2)
    e = {
        i: EnterpriseFactory(name=f"企业{i}", management_office=east if i in (1, 2, 5, 7) else west)
        for i in range(1, 8)
    }
    org_lh1: Any = PartyOrganizationFactory(name="生命健康一支部", chain=lh)
    cover(org_lh1, [e[1], e[2]])
    org_lh2: Any = PartyOrganizationFactory(name="生命健康二支部", chain=lh)
    cover(org_lh2, [e[3]])
    org_de1: Any = PartyOrganizationFactory(name="数字经济联合支部", chain=de)
    cover(org_de1, [e[2], e[4]])
    org_free: Any = PartyOrganizationFactory(name="区域联建支部", chain=None)
    cover(org_free, [e[5]])
    m = {
        1: PartyMemberFactory(organization=org_lh1, enterprise=e[1]),
        2: PartyMemberFactory(organization=org_lh1, enterprise=e[1]),
        3: PartyMemberFactory(organization=org_lh1, enterprise=e[2]),
        4: PartyMemberFactory(organization=org_lh2, enterprise=e[3]),
        5: PartyMemberFactory(organization=org_de1, enterprise=e[4]),
        6: PartyMemberFactory(organization=org_de1, enterprise=None),
        7: PartyMemberFactory(organization=org_free, enterprise=e[5]),
    }
    lh_link = LinkFactory(chain=lh, name="原料药")
    lh_link2 = LinkFactory(chain=lh, name="医疗器械")
    de_link = LinkFactory(chain=de, name="数据标注")
    for firm, link in [(1, lh_link), (2, lh_link), (2, lh_link2), (3, lh_link2), (6, lh_link), (2, de_link)]:
        PlacementFactory(enterprise=e[firm], link=link)
    for firm in (4, 7):
        PlacementFactory(enterprise=e[firm], link=de_link)
    for org, n in [(org_lh1, 2), (org_de1, 1), (org_free, 1)]:
        for i in range(n):
            PioneerPost.objects.create(kind="post", name=f"{org.name}先锋岗{i}", organization=org)
    for org in (org_lh2, org_free):
        CommandoTeam.objects.create(name=f"{org.name}突击队", organization=org, goal="攻关")
    return SimpleNamespace(
        east=east,
        west=west,
        lh=lh,
        de=de,
        e=e,
        m=m,
        orgs={"lh1": org_lh1, "lh2": org_lh2, "de1": org_de1, "free": org_free},
    )


@pytest.fixture
def east_handler(area):
    return UserFactory(role=Role.HANDLER, username="east_handler", unit=area.east)
