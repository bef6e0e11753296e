"""/api/v1/organizations/: scoped lists, masked members, 404 for what the user may not see."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from enterprises.tests.querycount import assert_constant_queries
from organizations.tests.factories import PartyMemberFactory, PartyOrganizationFactory, small_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    return small_area()


def test_members_are_masked_unless_admin(area, client, admin_user, leader):
    client.force_login(leader)
    items = client.get("/api/v1/organizations/members").json()["items"]
    assert len(items) == 6
    assert all(area.members[0].id_number != m["id_number"] for m in items)
    client.force_login(admin_user)
    items = client.get("/api/v1/organizations/members").json()["items"]
    assert area.members[0].id_number in {m["id_number"] for m in items}


@pytest.mark.parametrize("url", ["/api/v1/organizations/", "/api/v1/organizations/members"])
def test_lists_run_constant_queries(area, client, admin_user, url):
    def grow():
        for _ in range(4):
            organization = PartyOrganizationFactory.create(chain=area.chain)
            PartyMemberFactory.create(organization=organization)

    client.force_login(admin_user)
    assert_constant_queries(client, url, grow, at_most=5)


def test_enterprise_user_gets_404_for_other_organizations(area, client):
    user = UserFactory.create(role=Role.ENTERPRISE, username="api_ent", enterprise=area.e2)
    client.force_login(user)
    assert client.get(f"/api/v1/organizations/{area.org_joint.pk}").json()["enterprise_ids"] == [area.e1.pk, area.e2.pk]
    assert client.get(f"/api/v1/organizations/{area.org_single.pk}").status_code == 404
    assert client.get(f"/api/v1/organizations/members/{area.members[0].pk}").status_code == 404
    assert [o["id"] for o in client.get("/api/v1/organizations/").json()["items"]] == [area.org_joint.pk]


def test_organization_list_filters_and_counts(area, client, admin_user):
    client.force_login(admin_user)
    items = client.get("/api/v1/organizations/", {"formation": "single"}).json()["items"]
    assert [(o["name"], o["enterprise_count"], o["member_count"]) for o in items] == [("甲制药党支部", 1, 3)]


def test_pairings_and_visits_lists(area, client):
    client.force_login(area.instructor)
    # Their own two pairings, and the leader's pairing with e1, one of their enterprises.
    assert client.get("/api/v1/organizations/pairings").json()["count"] == 3
    assert client.get("/api/v1/organizations/visits").json()["count"] == 0


@pytest.mark.parametrize(
    "url", ["/api/v1/organizations/posts", "/api/v1/organizations/pairings", "/api/v1/organizations/visits"]
)
def test_other_lists_run_constant_queries(area, client, admin_user, url):
    from organizations.services import pioneer_post_create
    from organizations.tests.factories import PairingFactory, VisitFactory

    def grow():
        for _ in range(3):
            member = PartyMemberFactory.create(organization=area.org_single, enterprise=area.e1)
            pioneer_post_create(
                actor=admin_user, kind="post", name="先锋岗", organization=area.org_single, holder=member
            )
            PairingFactory.create(staff=area.instructor, enterprise=area.e3)
            VisitFactory.create(instructor=area.instructor, enterprise=area.e1)

    client.force_login(admin_user)
    assert_constant_queries(client, url, grow, at_most=5)
