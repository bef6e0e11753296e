"""The enterprise register and research institutions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from enterprises.choices import InstitutionKind, SizeClass


class IndustryCode(models.Model):
    """GB/T 4754-2017 国民经济行业分类: section (A–T), division, group, class. Loaded from reference data."""

    code = models.CharField(_("代码"), max_length=5, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField(_("层级"))  # 0 section, 1 division, 2 group, 3 class

    class Meta:
        verbose_name = _("行业分类代码")
        verbose_name_plural = _("行业分类代码")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Enterprise(TimeStampedModel):
    """An enterprise in the area's register, identified by its USCC (统一社会信用代码)."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    size_class = models.CharField(_("规模"), max_length=10, choices=SizeClass.choices, default=SizeClass.BELOW)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True, db_index=True)
    is_key = models.BooleanField(_("重点企业"), default=False, db_index=True)
    is_leading = models.BooleanField(_("龙头/链主企业"), default=False, db_index=True)
    management_office = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"kind": "office"},
        verbose_name=_("管理处"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    revenue_wan = models.DecimalField(_("营业收入（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        indexes = [models.Index(fields=["management_office", "name"], name="ent_office_name")]

    def __str__(self) -> str:
        return self.short_name or self.name


class ResearchInstitution(TimeStampedModel):
    """A university, national research platform (国字号平台) or institute that offers technology."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=30, choices=InstitutionKind.choices)
    region = models.CharField(_("所在地区"), max_length=50, blank=True)
    fields = models.CharField(_("研究领域"), max_length=300, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("科研机构")
        verbose_name_plural = _("科研机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
