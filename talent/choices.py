"""Enumerations of the talent app. Ordered enumerations (education, title) carry their order in ORDERED_ENUMS."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Education(models.TextChoices):
    """学历, ordered from low to high (大专 < 本科 < 硕士 < 博士)."""

    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士")
    DOCTOR = "doctor", _("博士")


class Title(models.TextChoices):
    """职称, ordered from none to senior."""

    NONE = "none", _("无")
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    ASSOCIATE_SENIOR = "associate_senior", _("副高级")
    SENIOR = "senior", _("正高级")


class TalentCategory(models.TextChoices):
    """人才类别 under the area's talent classification (A 顶尖 … E 青年)."""

    A = "A", _("A类（顶尖人才）")
    B = "B", _("B类（领军人才）")
    C = "C", _("C类（高层次人才）")
    D = "D", _("D类（骨干人才）")
    E = "E", _("E类（青年人才）")


class HousingStatus(models.TextChoices):
    """住房情况 in the area."""

    NONE = "none", _("无自有住房")
    RENTING = "renting", _("租房")
    PURCHASED = "purchased", _("首次购房")


class PolicyTarget(models.TextChoices):
    TALENT = "talent", _("人才")
    ENTERPRISE = "enterprise", _("企业")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class EntitlementStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已核准")
    HELD = "held", _("暂缓")


class EntitlementSource(models.TextChoices):
    SWEEP = "sweep", _("免申即享")
    CLAIM = "claim", _("即申即享")


class EventKind(models.TextChoices):
    SCHOOL_ENTERPRISE = "school_enterprise", _("校企对接活动")
    RECRUITMENT = "recruitment", _("招聘会")
    SALON = "salon", _("人才沙龙")


#: Enumerations compared by their order (in both evaluators): value -> rank.
ORDERED_ENUMS: dict[str, dict[str, int]] = {
    "education": {value: rank for rank, value in enumerate(Education.values)},
    "title": {value: rank for rank, value in enumerate(Title.values)},
}
