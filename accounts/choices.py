from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("党群工作部（管理员）")
    LEADER = "leader", _("领导")
    INSTRUCTOR = "instructor", _("党建工作指导员")
    HANDLER = "handler", _("承办单位人员")
    SUPERVISOR = "supervisor", _("督导")
    INVESTMENT = "investment", _("招商工作组成员")
    ENTERPRISE = "enterprise", _("企业用户")
    TALENT = "talent", _("人才")


#: Roles that work for the area (staff), as opposed to enterprises and talents.
STAFF_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.HANDLER, Role.SUPERVISOR, Role.INVESTMENT})
#: Roles that may see every enterprise and organization of the area.
AREA_WIDE_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR})


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("职能部门")
    MANAGEMENT_OFFICE = "office", _("管理处")
    SECTOR_DESK = "desk", _("行业管家")
    WINDOW = "window", _("惠企专窗")
