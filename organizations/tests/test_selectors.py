"""Role scoping and masking on the organization chain; who is paired with whom."""

from datetime import date

import pytest

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from organizations.selectors import (
    current_instructor_for,
    current_instructors_for,
    current_leader_for,
    member_personal_fields,
    members_visible_to,
    organizations_visible_to,
    paired_enterprise_ids,
    pairings_visible_to,
    visits_visible_to,
)
from organizations.tests.factories import PairingFactory, VisitFactory, small_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    return small_area()


def _names(qs):
    return sorted(o.name for o in qs)


def test_admin_sees_all_organizations(area, admin_user):
    assert organizations_visible_to(admin_user).count() == 3


def test_enterprise_user_sees_only_their_enterprise_organizations_and_members(area):
    user = UserFactory.create(role=Role.ENTERPRISE, username="org_ent", enterprise=area.e2)
    assert _names(organizations_visible_to(user)) == ["生命健康产业链联合党支部"]
    members = members_visible_to(user)
    assert members.count() == 2 and {m.enterprise_id for m in members} == {area.e2.pk}


def test_instructor_sees_organizations_of_paired_enterprises(area):
    assert _names(organizations_visible_to(area.instructor)) == ["生命健康产业链联合党支部", "甲制药党支部"]
    assert members_visible_to(area.instructor).count() == 5


def test_office_handler_sees_office_organizations(area):
    handler = UserFactory.create(role=Role.HANDLER, username="org_office", unit=area.office_b)
    assert _names(organizations_visible_to(handler)) == ["第二管理处联合党支部"]


def test_talent_sees_nothing(area, talent_user):
    assert not organizations_visible_to(talent_user).exists()
    assert not members_visible_to(talent_user).exists()
    assert not pairings_visible_to(talent_user).exists()


def test_personal_fields_are_masked_unless_admin(area, admin_user, leader):
    member = area.members[0]
    assert member_personal_fields(member, admin_user) == {"id_number": member.id_number, "phone": "13800138000"}
    masked = member_personal_fields(member, leader)
    assert masked["phone"] == "138****8000"
    assert (
        masked["id_number"].startswith("1101")
        and "*" in masked["id_number"]
        and member.id_number not in masked.values()
    )


def test_current_instructor_and_leader(area):
    assert current_instructor_for(area.e1) == area.instructor
    assert current_instructor_for(area.e5.pk) is None
    assert current_leader_for(area.e1) == area.leader
    assert current_instructors_for([area.e1.pk, area.e2.pk, area.e5.pk]) == {
        area.e1.pk: area.instructor,
        area.e2.pk: area.instructor,
    }


def test_ended_pairings_do_not_count(area):
    other = UserFactory.create(role=Role.INSTRUCTOR, username="org_old")
    PairingFactory.create(staff=other, enterprise=area.e5, starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31))
    assert current_instructor_for(area.e5) is None
    assert paired_enterprise_ids(other) == set()


def test_paired_enterprise_ids(area):
    assert paired_enterprise_ids(area.instructor) == {area.e1.pk, area.e2.pk}
    assert paired_enterprise_ids(area.leader) == {area.e1.pk}


def test_instructor_sees_own_visits_and_enterprise_user_those_to_them(area):
    VisitFactory.create(instructor=area.instructor, enterprise=area.e1)
    other = UserFactory.create(role=Role.INSTRUCTOR, username="org_other")
    VisitFactory.create(instructor=other, enterprise=area.e5)
    assert visits_visible_to(area.instructor).count() == 1
    assert visits_visible_to(other).count() == 1  # their own, although no longer paired
    user = UserFactory.create(role=Role.ENTERPRISE, username="org_ent5", enterprise=area.e5)
    assert visits_visible_to(user).count() == 1
