"""Investment teams (招商工作组), target companies (目标企业), promotion events (推介会) and the project pipeline."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from investment.choices import EventKind, Stage


class InvestmentTeam(TimeStampedModel):
    """招商工作组 — one of the area's teams attracting projects; members are users of the investment role."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    focus = models.CharField(_("主攻方向"), max_length=200, blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("组长"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="investment_teams",
        limit_choices_to={"role": "investment"},
        verbose_name=_("成员"),
    )
    chains = models.ManyToManyField(
        "chains.Chain", blank=True, related_name="investment_teams", verbose_name=_("联系产业链")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("招商工作组")
        verbose_name_plural = _("招商工作组")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class TargetCompany(TimeStampedModel):
    """目标企业 — a company outside the area that could fill or strengthen a chain's link."""

    name = models.CharField(_("企业名称"), max_length=200, unique=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    region = models.CharField(_("所在地区"), max_length=50, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True, help_text=_("GB/T 4754 代码"))
    products = models.TextField(_("主要产品"), blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_listed = models.BooleanField(_("上市企业"), default=False)
    is_specialized = models.BooleanField(_("专精特新"), default=False)
    is_high_tech = models.BooleanField(_("高新技术企业"), default=False)
    other_tags = models.CharField(_("其他标签"), max_length=200, blank=True, help_text=_("以逗号分隔"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_title = models.CharField(_("职务"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("邮箱"), blank=True)

    class Meta:
        verbose_name = _("目标企业")
        verbose_name_plural = _("目标企业")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~models.Q(uscc=""), name="unique_target_uscc"),
        ]

    def __str__(self) -> str:
        return self.name

    def tag_labels(self) -> list[str]:
        tags = []
        if self.is_listed:
            tags.append("上市")
        if self.is_specialized:
            tags.append("专精特新")
        if self.is_high_tech:
            tags.append("高新技术")
        tags += [t.strip() for t in self.other_tags.replace("，", ",").split(",") if t.strip()]
        return tags


class PromotionEvent(TimeStampedModel):
    """推介会 — a promotion event, forum or trip that produces leads."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices, default=EventKind.PROMOTION)
    held_on = models.DateField(_("举办日期"))
    city = models.CharField(_("城市"), max_length=50, blank=True)
    chain = models.ForeignKey(
        "chains.Chain", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("产业链")
    )
    team = models.ForeignKey(
        InvestmentTeam,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("主办工作组"),
    )
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("推介活动")
        verbose_name_plural = _("推介活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.name}"


class Project(TimeStampedModel):
    """招商项目 — an investment project from lead to production (or dropped). Stage changes only through services."""

    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("投资方"), max_length=200, blank=True)
    target = models.ForeignKey(
        TargetCompany,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("目标企业"),
    )
    team = models.ForeignKey(
        InvestmentTeam, on_delete=models.PROTECT, related_name="projects", verbose_name=_("工作组")
    )
    chain = models.ForeignKey(
        "chains.Chain",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_projects",
        verbose_name=_("产业链"),
    )
    links = models.ManyToManyField(
        "chains.Link", blank=True, related_name="investment_projects", verbose_name=_("补链环节")
    )
    source_event = models.ForeignKey(
        PromotionEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("来源活动"),
    )
    amount_wan = models.DecimalField(
        _("投资额（万元）"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.TextField(_("项目简介"), blank=True)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.LEAD, db_index=True)
    dropped_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    lead_on = models.DateField(_("获得线索日期"), null=True, blank=True)
    negotiating_on = models.DateField(_("开始洽谈日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True, db_index=True)
    registered_on = models.DateField(_("注册日期"), null=True, blank=True)
    construction_started_on = models.DateField(_("开工日期"), null=True, blank=True)
    production_on = models.DateField(_("投产日期"), null=True, blank=True)
    dropped_on = models.DateField(_("终止日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("录入人"),
    )

    class Meta:
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_wan__gte=0), name="project_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStageChange(models.Model):
    """One step of a project's history: from which stage to which, on which day, by whom, why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("项目"))
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    changed_on = models.DateField(_("日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("项目阶段变更")
        verbose_name_plural = _("项目阶段变更")
        ordering = ["project", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage or '—'} → {self.to_stage}"
