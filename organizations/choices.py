from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")


class Formation(models.TextChoices):
    SINGLE = "single", _("单独组建")
    REGIONAL_JOINT = "regional_joint", _("区域联建")
    CHAIN_JOINT = "chain_joint", _("产业链联合")


class PostKind(models.TextChoices):
    PIONEER_POST = "post", _("党员先锋岗")
    RESPONSIBILITY_ZONE = "zone", _("党员责任区")


class TeamStatus(models.TextChoices):
    ACTIVE = "active", _("攻坚中")
    ACHIEVED = "achieved", _("已完成")
    SUSPENDED = "suspended", _("已中止")


class PairingKind(models.TextChoices):
    LEADER_ENTERPRISE = "leader_enterprise", _("领导挂点重点企业")
    INSTRUCTOR_ENTERPRISE = "instructor_enterprise", _("指导员联系企业")
    INSTRUCTOR_PROJECT = "instructor_project", _("指导员联系重点项目")
