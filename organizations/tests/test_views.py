"""Pages of the organization chain: lists (queries, masking, audited exports), forms through services, scoping."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from core.models import AuditEvent
from enterprises.tests.factories import EnterpriseFactory
from enterprises.tests.querycount import assert_constant_queries
from organizations.choices import PostKind
from organizations.models import CommandoTeam, Milestone, Pairing, PartyMember, PartyOrganization, PioneerPost, Visit
from organizations.services import commando_team_create, mentoring_pair_create, pioneer_post_create
from organizations.tests.factories import (
    PairingFactory,
    PartyMemberFactory,
    PartyOrganizationFactory,
    VisitFactory,
    cover,
    small_area,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    return small_area()


def _grow(area, admin):
    counter = {"n": 0}

    def grow():
        for _ in range(3):
            counter["n"] += 1
            n = counter["n"]
            enterprise = EnterpriseFactory.create(is_leading=True)
            organization = PartyOrganizationFactory.create(chain=area.chain, management_office=area.office_a)
            cover(organization, [enterprise])
            member = PartyMemberFactory.create(organization=organization, enterprise=enterprise, phone="13900139000")
            pioneer_post_create(
                actor=admin, kind=PostKind.PIONEER_POST, name=f"岗{n}", organization=organization, holder=member
            )
            commando_team_create(
                actor=admin,
                name=f"突击队{n}",
                organization=organization,
                goal="攻坚",
                members=[member],
                milestones=[("节点", "2026-12-01")],
            )
            PairingFactory.create(staff=area.instructor, enterprise=enterprise)
            VisitFactory.create(instructor=area.instructor, enterprise=enterprise)
            mentoring_pair_create(
                actor=admin, mentee=EnterpriseFactory.create(), mentor=enterprise, starts_on="2026-01-01"
            )

    return grow


@pytest.mark.parametrize(
    ("url_name", "at_most"),
    [
        ("organizations:list", 8),
        ("organizations:members", 8),
        ("organizations:posts", 8),
        ("organizations:teams", 10),
        ("organizations:pairings", 8),
        ("organizations:visits", 8),
        ("organizations:mentoring", 8),
    ],
)
def test_every_list_runs_constant_queries(area, client, admin_user, url_name, at_most):
    client.force_login(admin_user)
    assert_constant_queries(client, reverse(url_name), _grow(area, admin_user), at_most=at_most)


def test_members_are_masked_for_leaders_and_full_for_admins(area, client, admin_user, leader):
    member = area.members[0]
    client.force_login(leader)
    html = client.get(reverse("organizations:members")).content.decode()
    assert member.id_number not in html and "138****8000" in html
    client.force_login(admin_user)
    html = client.get(reverse("organizations:members")).content.decode()
    assert member.id_number in html


def test_member_export_is_masked_and_audited(area, client, leader):
    client.force_login(leader)
    response = client.get(reverse("organizations:members"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    id_column = rows[0].index("身份证号")
    assert all("*" in (row[id_column] or "*") for row in rows[1:])
    assert area.members[0].id_number not in {row[id_column] for row in rows}
    event = AuditEvent.objects.get(action="export.members")
    assert event.actor == leader and event.data["personal"] is True and event.data["rows"] == 6


def test_organization_filter_by_chain_and_formation(area, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("organizations:list"), {"chain": area.chain.pk, "formation": "chain_joint"})
    assert [row[0][0][0] for row in response.context["table"]] == ["生命健康产业链联合党支部"]


def test_admin_creates_and_edits_an_organization(area, client, admin_user):
    client.force_login(admin_user)
    data = {
        "name": "新建联合党支部",
        "org_type": "joint_branch",
        "formation": "regional_joint",
        "chain": area.chain.pk,
        "covered": f"{area.e4.uscc}\n{area.e5.uscc}",
        "secretary_name": "张书记",
    }
    response = client.post(reverse("organizations:create"), data)
    organization = PartyOrganization.objects.get(name="新建联合党支部")
    assert response.status_code == 302
    assert set(organization.enterprises.all()) == {area.e4, area.e5}
    edit = client.post(
        reverse("organizations:edit", args=[organization.pk]),
        {**data, "secretary_name": "李书记", "covered": area.e4.uscc, "version": organization.version},
    )
    assert edit.status_code == 302
    organization.refresh_from_db()
    assert organization.secretary_name == "李书记" and list(organization.enterprises.all()) == [area.e4]
    stale = client.post(
        reverse("organizations:edit", args=[organization.pk]), {**data, "version": organization.version - 1}
    )
    assert "该记录已被他人修改" in stale.content.decode()


def test_unknown_uscc_in_covered_list_is_reported(area, client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("organizations:create"),
        {"name": "某党支部", "org_type": "branch", "formation": "single", "covered": "91360100MA00000000"},
    )
    assert response.status_code == 200
    assert not PartyOrganization.objects.filter(name="某党支部").exists()


def test_admin_creates_a_member_with_validated_id_number(area, client, admin_user):
    client.force_login(admin_user)
    data = {"name": "王五", "organization": area.org_single.pk, "enterprise": area.e1.uscc, "id_number": "123"}
    response = client.post(reverse("organizations:member_create"), data)
    assert "身份证号应为 18 位" in response.content.decode()
    data["id_number"] = "11010519491231002X"
    response = client.post(reverse("organizations:member_create"), data)
    assert response.status_code == 302
    assert PartyMember.objects.get(name="王五").enterprise == area.e1


def test_posts_teams_pairings_and_mentoring_forms(area, client, admin_user):
    client.force_login(admin_user)
    holder = area.members[0]
    response = client.post(
        reverse("organizations:post_create"),
        {"kind": "zone", "name": "洁净车间责任区", "organization": area.org_single.pk, "holder": holder.pk},
    )
    assert response.status_code == 302
    assert PioneerPost.objects.get(name="洁净车间责任区").enterprise == area.e1

    response = client.post(
        reverse("organizations:team_create"),
        {
            "name": "攻关突击队",
            "organization": area.org_single.pk,
            "goal": "完成中试",
            "status": "active",
            "milestone_lines": "2026-12-31 完成中试\n2027-03-31 申报",
        },
    )
    team = CommandoTeam.objects.get(name="攻关突击队")
    assert response.status_code == 302 and team.milestones.count() == 2
    milestone = team.milestones.order_by("due_on").first()
    assert milestone is not None
    client.post(reverse("organizations:milestone_done", args=[milestone.pk]))
    assert Milestone.objects.get(pk=milestone.pk).done_on is not None
    response = client.post(
        reverse("organizations:team_edit", args=[team.pk]),
        {
            "name": team.name,
            "organization": area.org_single.pk,
            "goal": team.goal,
            "status": "achieved",
            "outcome": "中试完成",
            "members": [holder.pk],
            "version": team.version,
        },
    )
    team.refresh_from_db()
    assert response.status_code == 302 and team.outcome == "中试完成" and list(team.members.all()) == [holder]

    response = client.post(
        reverse("organizations:pairing_create"),
        {"kind": "leader_enterprise", "staff": area.leader.pk, "enterprise": area.e2.uscc, "starts_on": "2026-01-01"},
    )
    assert "领导挂点对象须为重点企业" in response.content.decode()
    pairing = Pairing.objects.filter(staff=area.instructor).first()
    assert pairing is not None
    response = client.post(
        reverse("organizations:pairing_edit", args=[pairing.pk]),
        {"starts_on": "2025-01-01", "ends_on": "2026-01-31", "version": pairing.version},
    )
    assert response.status_code == 302

    leading = EnterpriseFactory.create(is_leading=True)
    response = client.post(
        reverse("organizations:mentoring_create"),
        {"mentee": area.e5.uscc, "mentor": leading.pk, "starts_on": "2026-01-01", "goals": "供应链对接"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="mentoring.create").exists()


def test_instructor_logs_a_visit_only_for_paired_enterprises(area, client):
    client.force_login(area.instructor)
    url = reverse("organizations:visit_create")
    data = {"enterprise": area.e1.pk, "visited_on": "2026-11-01", "summary": "了解用工需求", "findings": "缺研发人员"}
    assert client.post(url, data).status_code == 302
    visit = Visit.objects.get()
    assert visit.instructor == area.instructor and visit.findings == "缺研发人员"
    response = client.post(url, {**data, "enterprise": area.e5.pk})
    assert response.status_code == 200 and Visit.objects.count() == 1


def test_leader_cannot_log_visits_or_edit(area, client, leader):
    client.force_login(leader)
    assert client.get(reverse("organizations:visit_create")).status_code == 403
    assert client.get(reverse("organizations:create")).status_code == 403
    assert client.get(reverse("organizations:list")).status_code == 200


def test_enterprise_user_reads_own_organization_and_gets_404_on_others(area, client):
    user = UserFactory.create(role=Role.ENTERPRISE, username="view_ent", enterprise=area.e3)
    client.force_login(user)
    assert client.get(reverse("organizations:detail", args=[area.org_regional.pk])).status_code == 200
    assert client.get(reverse("organizations:detail", args=[area.org_single.pk])).status_code == 404
    assert client.get(reverse("organizations:list")).status_code == 403


def test_team_detail_scoped(area, client, admin_user):
    team = commando_team_create(actor=admin_user, name="队", organization=area.org_single, goal="目标")
    outsider = UserFactory.create(role=Role.ENTERPRISE, username="view_ent5", enterprise=area.e5)
    client.force_login(outsider)
    assert client.get(reverse("organizations:team_detail", args=[team.pk])).status_code == 404
    client.force_login(admin_user)
    assert "目标" in client.get(reverse("organizations:team_detail", args=[team.pk])).content.decode()
