"""Talents, policies as data (versions with rule trees, dated parameters), entitlements, the disbursement ledger."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from talent.choices import (
    Education,
    EntitlementSource,
    EntitlementStatus,
    EventKind,
    HousingStatus,
    PolicyTarget,
    TalentCategory,
    Title,
    VersionStatus,
)


class Talent(TimeStampedModel):
    """人才 — a person registered for the area's talent policies. Birth date derives from the ID number."""

    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    birth_date = models.DateField(_("出生日期"), editable=False)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, db_index=True)
    title = models.CharField(_("职称"), max_length=20, choices=Title.choices, default=Title.NONE)
    category = models.CharField(_("人才类别"), max_length=2, choices=TalentCategory.choices, blank=True)
    employer = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talents",
        verbose_name=_("用人单位"),
    )
    start_date = models.DateField(_("来新区工作日期"), null=True, blank=True)
    social_insurance_months = models.PositiveIntegerField(_("社保缴纳月数"), null=True, blank=True)
    housing_status = models.CharField(_("住房情况"), max_length=20, choices=HousingStatus.choices, blank=True)
    annual_salary_wan = models.DecimalField(_("年薪（万元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    extra = models.JSONField(_("其他属性"), default=dict, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talent_record",
        verbose_name=_("绑定账号"),
    )

    class Meta:
        verbose_name = _("人才")
        verbose_name_plural = _("人才")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="talent_name_id")]  # the register's default order

    def __str__(self) -> str:
        return self.name


class Parameter(TimeStampedModel):
    """政策参数 — a named figure (an amount, an age limit) whose value changes over time by decree."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("单位"), max_length=20, blank=True, help_text=_("如：元/月、周岁、月"))

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ParameterValue(models.Model):
    """One dated value of a parameter, with the document and article that set it."""

    parameter = models.ForeignKey(Parameter, on_delete=models.CASCADE, related_name="values", verbose_name=_("参数"))
    valid_from = models.DateField(_("生效日期"))
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=4)
    legal_reference = models.CharField(_("文号"), max_length=100)
    article = models.CharField(_("条款"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("参数取值")
        verbose_name_plural = _("参数取值")
        ordering = ["parameter", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["parameter", "valid_from"], name="talent_param_value_unique")]

    def __str__(self) -> str:
        return f"{self.parameter.code}@{self.valid_from}={self.value}"


class Policy(TimeStampedModel):
    """政策 — a talent or enterprise policy. Its content lives in versions; published versions are immutable."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    target = models.CharField(_("对象"), max_length=20, choices=PolicyTarget.choices, default=PolicyTarget.TALENT)
    summary = models.CharField(_("简介"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PolicyVersion(TimeStampedModel):
    """One version of a policy: its legal basis, effective period, rule tree and amount (all data)."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions", verbose_name=_("政策"))
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    legal_reference = models.CharField(_("文号"), max_length=100)
    article = models.CharField(_("条款"), max_length=50, blank=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    rule = models.JSONField(_("条件树"))
    amount = models.JSONField(_("金额规则"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["policy", "-number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="talent_policy_version_unique")]

    def __str__(self) -> str:
        return f"{self.policy.name} v{self.number}"

    def applies_on(self, day: date) -> bool:
        return (
            self.status == VersionStatus.PUBLISHED
            and self.effective_from <= day
            and (self.effective_to is None or day <= self.effective_to)
        )


class SweepRun(models.Model):
    """免申即享 run: one evaluation of all active policies for a period."""

    period = models.DateField(_("期间"), help_text=_("该月第一天"))
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("新增待遇"), default=0)
    eligible_count = models.PositiveIntegerField(_("符合条件"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("免申即享批次")
        verbose_name_plural = _("免申即享批次")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}"


class Entitlement(TimeStampedModel):
    """待遇 — what a record is entitled to under a policy for a period (found by a sweep or a claim).

    The sweep writes millions of rows, so every index and constraint here costs per row; there are three indexes a
    talent row touches (the primary key, the record's uniqueness, and the period index the cockpit and lists read).
    `policy` and `policy_version` are foreign keys without a database constraint: the sweep writes the ids of the
    version it has just read in the same transaction, Django still PROTECTs both on delete, and two per-row
    referential checks were a third of the sweep's writing time. The record (talent / enterprise) keeps its
    database constraint.
    """

    policy = models.ForeignKey(
        Policy,
        on_delete=models.PROTECT,
        related_name="entitlements",
        verbose_name=_("政策"),
        db_index=False,
        db_constraint=False,
    )
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("版本"),
        db_index=False,
        db_constraint=False,
    )
    talent = models.ForeignKey(
        Talent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="entitlements",
        verbose_name=_("人才"),
        db_index=False,
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="talent_entitlements",
        verbose_name=_("企业"),
        db_index=False,
    )
    period = models.DateField(_("期间"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    tier = models.CharField(_("档次"), max_length=40, blank=True)
    reason_codes = models.JSONField(_("依据条件"), default=list)
    source = models.CharField(
        _("来源"), max_length=10, choices=EntitlementSource.choices, default=EntitlementSource.SWEEP
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=EntitlementStatus.choices, default=EntitlementStatus.PENDING
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    hold_reason = models.CharField(_("暂缓原因"), max_length=200, blank=True)
    objection = models.CharField(_("异议"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("待遇")
        verbose_name_plural = _("待遇")
        ordering = ["-period", "id"]
        constraints = [
            # One entitlement per record, policy and period, whatever the version: a re-run, or a run after a new
            # version was published, conflicts here and writes nothing (the sweep's ON CONFLICT DO NOTHING). The
            # (record, policy) prefix also serves the one-off policies' "already granted" probe.
            models.UniqueConstraint(
                fields=["talent", "policy", "period"],
                condition=Q(talent__isnull=False),
                name="talent_entitlement_talent_policy_period",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "policy", "period"],
                condition=Q(enterprise__isnull=False),
                name="talent_entitlement_enterprise_policy_period",
            ),
            models.CheckConstraint(
                condition=Q(talent__isnull=False, enterprise__isnull=True)
                | Q(talent__isnull=True, enterprise__isnull=False),
                name="talent_entitlement_one_record",
            ),
        ]
        indexes = [
            # The cockpit's sum over a period range (talent_figures) reads only this index (an index-only scan on
            # PostgreSQL, a covering index on SQLite); lists filter by period and policy and order by period.
            models.Index(fields=["period", "policy", "status", "amount"], name="talent_ent_period_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.period:%Y-%m}/{self.amount}"


class Disbursement(models.Model):
    """发放台账 — one payment. The unique constraints make paying a record twice for a policy and period impossible."""

    entitlement = models.OneToOneField(
        Entitlement, on_delete=models.PROTECT, related_name="disbursement", verbose_name=_("待遇")
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+", verbose_name=_("政策"))
    talent = models.ForeignKey(Talent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(_("期间"))
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    paid_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("发放台账")
        verbose_name_plural = _("发放台账")
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["talent", "policy", "period"],
                condition=Q(talent__isnull=False),
                name="talent_ledger_no_double_pay",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "policy", "period"],
                condition=Q(enterprise__isnull=False),
                name="talent_ledger_no_double_pay_enterprise",
            ),
        ]
        indexes = [
            # The cockpit's paid sum over a period range reads only this index; the ledger list filters by period.
            models.Index(fields=["period", "amount"], name="talent_ledger_period_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.period:%Y-%m}/{self.amount}"


class Notice(models.Model):
    """A message to a talent or an employer's users about a decision on an entitlement."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talent_notices", verbose_name=_("接收人")
    )
    text = models.CharField(_("内容"), max_length=300)
    entitlement = models.ForeignKey(Entitlement, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:30]


class TalentEvent(TimeStampedModel):
    """人才活动 — a school–enterprise event, job fair or salon held for talents."""

    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=30, choices=EventKind.choices, default=EventKind.SCHOOL_ENTERPRISE)
    held_on = models.DateField(_("举办日期"), db_index=True)
    partner = models.CharField(_("合作院校/机构"), max_length=100, blank=True)
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", blank=True, related_name="talent_events", verbose_name=_("参加企业")
    )
    participants = models.PositiveIntegerField(_("参加人数"), default=0)

    class Meta:
        verbose_name = _("人才活动")
        verbose_name_plural = _("人才活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title
