"""Who sees which enterprises: one rule for pages, API and exports."""

import pytest

from accounts.choices import Role, UnitKind
from accounts.tests.factories import UnitFactory, UserFactory
from enterprises.selectors import enterprises_visible_to, institutions_visible_to
from enterprises.tests.factories import ResearchInstitutionFactory
from organizations.tests.factories import PairingFactory, small_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    return small_area()


def _names(qs):
    return sorted(e.name for e in qs)


ALL = ["丁医疗有限公司", "丙器械有限公司", "乙生物有限公司", "戊商贸有限公司", "甲制药有限公司"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.INVESTMENT])
def test_area_wide_roles_and_investment_see_every_enterprise(area, role):
    user = UserFactory.create(role=role, username=f"sel_{role}")
    assert _names(enterprises_visible_to(user)) == ALL


def test_instructor_sees_only_actively_paired_enterprises(area):
    assert _names(enterprises_visible_to(area.instructor)) == ["乙生物有限公司", "甲制药有限公司"]


def test_ended_pairing_no_longer_grants_access(area):
    other = UserFactory.create(role=Role.INSTRUCTOR, username="sel_ended")
    PairingFactory.create(staff=other, enterprise=area.e5, ends_on=area.e5.created_at.date().replace(year=2020))
    assert list(enterprises_visible_to(other)) == []


def test_office_handler_sees_their_office_and_department_handler_sees_all(area):
    office_handler = UserFactory.create(role=Role.HANDLER, username="sel_office", unit=area.office_b)
    department = UnitFactory.create(name="人社局", kind=UnitKind.DEPARTMENT)
    department_handler = UserFactory.create(role=Role.HANDLER, username="sel_dept", unit=department)
    assert _names(enterprises_visible_to(office_handler)) == ["丁医疗有限公司", "丙器械有限公司", "戊商贸有限公司"]
    assert _names(enterprises_visible_to(department_handler)) == ALL


def test_enterprise_user_sees_only_their_own(area):
    user = UserFactory.create(role=Role.ENTERPRISE, username="sel_ent", enterprise=area.e3)
    assert _names(enterprises_visible_to(user)) == ["丙器械有限公司"]


def test_talent_and_anonymous_see_nothing(area):
    from django.contrib.auth.models import AnonymousUser

    talent = UserFactory.create(role=Role.TALENT, username="sel_talent")
    assert list(enterprises_visible_to(talent)) == []
    assert list(enterprises_visible_to(AnonymousUser())) == []
    ResearchInstitutionFactory.create()
    assert list(institutions_visible_to(talent)) == []
    assert institutions_visible_to(area.instructor).count() == 1
