"""A small world around one enterprise: every party of the workflow as a persona."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from accounts.choices import Role, UnitKind
from accounts.tests.factories import UnitFactory, UserFactory
from enterprises.tests.factories import EnterpriseFactory
from organizations.choices import PairingKind
from organizations.models import Pairing
from service_requests.tests.factories import ServiceFactory


@dataclass
class World:
    enterprise: Any
    other_enterprise: Any
    enterprise_user: Any
    other_enterprise_user: Any
    instructor: Any
    other_instructor: Any
    leader: Any
    admin: Any
    supervisor: Any
    unit: Any
    other_unit: Any
    co_unit: Any
    window: Any
    handler: Any
    other_handler: Any
    co_handler: Any
    window_handler: Any
    runner: Any
    talent: Any
    service: Any

    def personas(self) -> dict[str, Any]:
        return {
            "admin": self.admin,
            "supervisor": self.supervisor,
            "instructor": self.instructor,
            "other_instructor": self.other_instructor,
            "leader": self.leader,
            "handler": self.handler,
            "other_handler": self.other_handler,
            "co_handler": self.co_handler,
            "window_handler": self.window_handler,
            "runner": self.runner,
            "enterprise_user": self.enterprise_user,
            "other_enterprise_user": self.other_enterprise_user,
            "talent": self.talent,
        }


@pytest.fixture
def world(db) -> World:
    enterprise = EnterpriseFactory()
    other_enterprise = EnterpriseFactory()
    unit = UnitFactory(name="人社局")
    other_unit = UnitFactory(name="市场监管局")
    co_unit = UnitFactory(name="税务局")
    window = UnitFactory(name="惠企专窗", kind=UnitKind.WINDOW)
    instructor = UserFactory(role=Role.INSTRUCTOR, username="w_instructor", email="instructor@example.org")
    other_instructor = UserFactory(role=Role.INSTRUCTOR, username="w_other_instructor")
    leader = UserFactory(role=Role.LEADER, username="w_leader", email="leader@example.org", phone="13800138000")
    for ent, staff, kind in (
        (enterprise, instructor, PairingKind.INSTRUCTOR_ENTERPRISE),
        (other_enterprise, other_instructor, PairingKind.INSTRUCTOR_ENTERPRISE),
        (enterprise, leader, PairingKind.LEADER_ENTERPRISE),
    ):
        Pairing.objects.create(kind=kind, staff=staff, enterprise=ent, starts_on=date(2025, 1, 1))
    return World(
        enterprise=enterprise,
        other_enterprise=other_enterprise,
        enterprise_user=UserFactory(role=Role.ENTERPRISE, username="w_ent", enterprise=enterprise),
        other_enterprise_user=UserFactory(role=Role.ENTERPRISE, username="w_other_ent", enterprise=other_enterprise),
        instructor=instructor,
        other_instructor=other_instructor,
        leader=leader,
        admin=UserFactory(role=Role.ADMIN, username="w_admin"),
        supervisor=UserFactory(role=Role.SUPERVISOR, username="w_supervisor", email="sup@example.org"),
        unit=unit,
        other_unit=other_unit,
        co_unit=co_unit,
        window=window,
        handler=UserFactory(role=Role.HANDLER, username="w_handler", unit=unit, email="handler@example.org"),
        other_handler=UserFactory(role=Role.HANDLER, username="w_other_handler", unit=other_unit),
        co_handler=UserFactory(role=Role.HANDLER, username="w_co_handler", unit=co_unit),
        window_handler=UserFactory(role=Role.HANDLER, username="w_window", unit=window),
        runner=UserFactory(role=Role.INSTRUCTOR, username="w_runner"),
        talent=UserFactory(role=Role.TALENT, username="w_talent"),
        service=ServiceFactory(unit=unit),
    )
