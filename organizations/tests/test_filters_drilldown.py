"""The `office` filter of the organization-chain lists: the cockpit's rule for an office, on the page and the export.

small_area(): office A manages e1, e2; office B manages e3, e4, e5. org_single (registered to A) covers e1, org_joint
covers e1 and e2, org_regional (registered to B) covers e3. Added here: org_elsewhere, registered to office A but
covering only e3 (B), with one member working at e3 and one post and one team; a member of org_single working at e3.
"""

import pytest
from django.urls import reverse

from organizations.models import CommandoTeam, PioneerPost
from organizations.tests.factories import PartyMemberFactory, PartyOrganizationFactory, cover, small_area


@pytest.fixture
def area(db):
    area = small_area()
    elsewhere = PartyOrganizationFactory.create(name="登记在甲处的支部", management_office=area.office_a)
    cover(elsewhere, [area.e3])
    area.elsewhere = elsewhere
    area.m_elsewhere = PartyMemberFactory.create(organization=elsewhere, enterprise=area.e3)
    area.m_single_at_b = PartyMemberFactory.create(organization=area.org_single, enterprise=area.e3)
    area.m_no_firm = PartyMemberFactory.create(organization=area.org_joint, enterprise=None)
    for org in (area.org_single, area.org_regional, elsewhere):
        PioneerPost.objects.create(kind="post", name=f"{org.name}先锋岗", organization=org)
        CommandoTeam.objects.create(name=f"{org.name}突击队", organization=org, goal="攻关")
    return area


def _listed(client, name, params):
    response = client.get(reverse(f"organizations:{name}"), params)
    assert response.status_code == 200
    return response.context["page_obj"].paginator.count, response


def test_office_lists_organizations_covering_its_enterprises_not_those_registered_to_it(area, client_for):
    client = client_for(area.leader)
    assert _listed(client, "list", {"office": area.office_a.pk})[0] == 2  # org_single, org_joint
    assert _listed(client, "list", {"office": area.office_b.pk})[0] == 2  # org_regional, org_elsewhere
    assert _listed(client, "list", {"management_office": area.office_a.pk})[0] == 2  # org_single, org_elsewhere
    assert _listed(client, "list", {"office": area.office_a.pk, "chain": area.chain.pk})[0] == 2
    assert _listed(client, "list", {"office": area.office_b.pk, "chain": area.chain.pk})[0] == 0


def test_office_lists_members_working_at_its_enterprises(area, client_for):
    client = client_for(area.leader)
    assert _listed(client, "members", {"office": area.office_a.pk})[0] == 5  # 3 at e1, 2 at e2
    # e3's members: org_regional's, org_elsewhere's and org_single's member working there.
    assert _listed(client, "members", {"office": area.office_b.pk})[0] == 3
    assert _listed(client, "members", {"office": area.office_b.pk, "chain": area.chain.pk})[0] == 1


@pytest.mark.parametrize("name", ["posts", "teams"])
def test_office_lists_posts_and_teams_of_the_organizations_covering_its_enterprises(area, client_for, name):
    client = client_for(area.leader)
    assert _listed(client, name, {"office": area.office_a.pk})[0] == 1  # org_single's
    assert _listed(client, name, {"office": area.office_b.pk})[0] == 2  # org_regional's, org_elsewhere's
    assert _listed(client, name, {"office": area.office_b.pk, "chain": area.chain.pk})[0] == 0


def test_the_export_applies_the_office_filter(area, client_for):
    response = client_for(area.leader).get(
        reverse("organizations:members"), {"office": area.office_a.pk, "export": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.max_row - 1 == 5


@pytest.mark.parametrize("value", ["abc", "0", "99999999", "1 OR 1=1"])
def test_a_bad_office_is_a_form_error_in_chinese_not_a_crash(area, client_for, value):
    count, response = _listed(client_for(area.leader), "list", {"office": value})
    assert "office" in response.context["filter"].errors
    assert "选择" in str(response.context["filter"].errors["office"])
    assert count == 4  # the invalid filter narrows nothing (the page says why)
