"""The organization chain: party organizations, members, pioneer posts, commando teams, pairings, visits, mentoring."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from organizations.choices import Formation, OrgType, PairingKind, PostKind, TeamStatus


class PartyOrganization(TimeStampedModel):
    """党组织 — a committee, general branch, branch or joint branch, covering one or more enterprises."""

    name = models.CharField(_("名称"), max_length=150, unique=True)
    org_type = models.CharField(_("类型"), max_length=20, choices=OrgType.choices, default=OrgType.BRANCH)
    formation = models.CharField(_("组建方式"), max_length=20, choices=Formation.choices, default=Formation.SINGLE)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级党组织")
    )
    chain = models.ForeignKey(
        "chains.Chain",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("所属产业链"),
    )
    management_office = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organizations",
        verbose_name=_("管理处"),
    )
    secretary_name = models.CharField(_("书记"), max_length=50, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", blank=True, related_name="party_organizations", verbose_name=_("覆盖企业")
    )

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartyMember(TimeStampedModel):
    """党员 — a member of a party organization, usually working at one of its enterprises."""

    name = models.CharField(_("姓名"), max_length=50)
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在党组织")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_members",
        verbose_name=_("工作单位"),
    )
    post = models.CharField(_("岗位"), max_length=80, blank=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["organization", "name"]
        indexes = [models.Index(fields=["organization", "name"], name="member_org_name")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~models.Q(id_number=""), name="unique_member_id_number"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PioneerPost(TimeStampedModel):
    """党员先锋岗 / 党员责任区 — a post or zone held by a member at a key line of work."""

    kind = models.CharField(_("类型"), max_length=10, choices=PostKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.CASCADE, related_name="pioneer_posts", verbose_name=_("党组织")
    )
    holder = models.ForeignKey(
        PartyMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pioneer_posts",
        verbose_name=_("责任党员"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("企业"),
    )
    description = models.TextField(_("职责与目标"), blank=True)

    class Meta:
        verbose_name = _("先锋岗/责任区")
        verbose_name_plural = _("先锋岗/责任区")
        ordering = ["organization", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class CommandoTeam(TimeStampedModel):
    """党员突击队 — members taking on a concrete technical goal."""

    name = models.CharField(_("名称"), max_length=100)
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.CASCADE, related_name="commando_teams", verbose_name=_("党组织")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("企业"),
    )
    goal = models.TextField(_("攻坚目标"))
    members = models.ManyToManyField(PartyMember, blank=True, related_name="commando_teams", verbose_name=_("队员"))
    status = models.CharField(_("状态"), max_length=12, choices=TeamStatus.choices, default=TeamStatus.ACTIVE)
    outcome = models.TextField(_("成果"), blank=True)

    class Meta:
        verbose_name = _("党员突击队")
        verbose_name_plural = _("党员突击队")
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return self.name


class Milestone(TimeStampedModel):
    """A dated step towards a commando team's goal."""

    team = models.ForeignKey(
        CommandoTeam, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("突击队")
    )
    title = models.CharField(_("节点"), max_length=150)
    due_on = models.DateField(_("计划日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("攻坚节点")
        verbose_name_plural = _("攻坚节点")
        ordering = ["team", "due_on"]

    def __str__(self) -> str:
        return self.title


class KeyProject(TimeStampedModel):
    """重点项目 — a key project an instructor may be paired with."""

    name = models.CharField(_("项目名称"), max_length=150, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("项目单位"),
    )
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Pairing(TimeStampedModel):
    """挂点联系 — a leader paired with a key enterprise, or an instructor with an enterprise or key project."""

    kind = models.CharField(_("类型"), max_length=30, choices=PairingKind.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("领导/指导员")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pairings",
        verbose_name=_("企业"),
    )
    project = models.ForeignKey(
        KeyProject, null=True, blank=True, on_delete=models.CASCADE, related_name="pairings", verbose_name=_("重点项目")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("挂点联系")
        verbose_name_plural = _("挂点联系")
        ordering = ["kind", "staff"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(enterprise__isnull=False) & models.Q(project__isnull=True))
                | (models.Q(enterprise__isnull=True) & models.Q(project__isnull=False)),
                name="pairing_has_one_target",
                violation_error_message=_("挂点对象须为一家企业或一个重点项目。"),
            ),
        ]
        indexes = [models.Index(fields=["staff", "kind"])]

    def __str__(self) -> str:
        return f"{self.staff} ↔ {self.enterprise or self.project}"


class Visit(TimeStampedModel):
    """上门走访 — an instructor's visit to an enterprise, logged with findings."""

    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("指导员")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="visits", verbose_name=_("企业")
    )
    visited_on = models.DateField(_("走访日期"))
    summary = models.TextField(_("走访情况"))
    findings = models.TextField(_("发现的问题/诉求"), blank=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on}"


class MentoringPair(TimeStampedModel):
    """A young firm mentored by a leading firm (链主带链)."""

    mentee = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="mentors", verbose_name=_("成长型企业")
    )
    mentor = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="mentees", verbose_name=_("龙头企业")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    goals = models.TextField(_("帮带内容"), blank=True)

    class Meta:
        verbose_name = _("结对帮带")
        verbose_name_plural = _("结对帮带")
        constraints = [models.UniqueConstraint(fields=["mentee", "mentor"], name="unique_mentoring_pair")]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"
