"""Industrial chains, their links (a tree), and the placement of enterprises on links."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from chains.choices import Function, Stage
from core.models import TimeStampedModel


class Chain(TimeStampedModel):
    """产业链 — an industrial chain of the area (生命健康, 数字经济, 微短剧)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    description = models.TextField(_("简介"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Link(TimeStampedModel):
    """环节 — a segment of a chain; links form a tree under the chain."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="links", verbose_name=_("产业链"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("上级环节")
    )
    name = models.CharField(_("名称"), max_length=80)
    stage = models.CharField(_("位置"), max_length=12, choices=Stage.choices)
    function = models.CharField(_("功能"), max_length=15, choices=Function.choices)
    is_key = models.BooleanField(_("关键环节"), default=False)
    description = models.TextField(_("说明"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以逗号或空格分隔"))
    industry_codes = models.CharField(
        _("行业代码"), max_length=100, blank=True, help_text=_("GB/T 4754 代码，逗号分隔")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("环节")
        verbose_name_plural = _("环节")
        ordering = ["chain", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["chain", "name"], name="unique_link_name_per_chain")]

    def __str__(self) -> str:
        return f"{self.chain.name}·{self.name}"

    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.replace("，", ",").replace(" ", ",").split(",") if k]


class Placement(TimeStampedModel):
    """An enterprise placed on a link with its main product."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="placements", verbose_name=_("企业")
    )
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="placements", verbose_name=_("环节"))
    main_product = models.CharField(_("主营产品"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("企业落链")
        verbose_name_plural = _("企业落链")
        constraints = [models.UniqueConstraint(fields=["enterprise", "link"], name="unique_placement")]

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.link}"


# ---- innovation chain: supply relations and gap-rule thresholds (chain map, 产业链图谱) --------------------------


class SupplyRelation(TimeStampedModel):
    """供应关系 — firm A supplies firm B (or link A feeds link B), with the product and its share.

    Either both ends are links (the chain's up/downstream structure), or the customer is an enterprise of the area and
    the supplier is an enterprise of the area (a local supplier) or a firm outside named by `supplier_name` (an outside
    supplier, optionally with its USCC). Local supply shares in the gap rules come from these rows.
    """

    supplier = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supplies",
        verbose_name=_("供应方（本区企业）"),
    )
    supplier_name = models.CharField(_("供应方（区外企业名称）"), max_length=200, blank=True)
    supplier_uscc = models.CharField(_("供应方统一社会信用代码"), max_length=18, blank=True)
    supplier_region = models.CharField(_("供应方所在地区"), max_length=50, blank=True)
    customer = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="purchases",
        verbose_name=_("采购方（本区企业）"),
    )
    supplier_link = models.ForeignKey(
        Link, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds", verbose_name=_("上游环节")
    )
    customer_link = models.ForeignKey(
        Link, null=True, blank=True, on_delete=models.CASCADE, related_name="fed_by", verbose_name=_("下游环节")
    )
    product = models.CharField(_("产品"), max_length=200, blank=True)
    share = models.DecimalField(
        _("占采购比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("该供应占采购方同类采购的百分比，0–100"),
    )

    class Meta:
        verbose_name = _("供应关系")
        verbose_name_plural = _("供应关系")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(customer__isnull=False, customer_link__isnull=True, supplier_link__isnull=True)
                    & (models.Q(supplier__isnull=False) | ~models.Q(supplier_name=""))
                )
                | models.Q(
                    customer__isnull=True,
                    supplier__isnull=True,
                    supplier_name="",
                    customer_link__isnull=False,
                    supplier_link__isnull=False,
                ),
                name="supply_relation_firms_or_links",
                violation_error_message=_("供应关系须为“企业→本区企业”或“环节→环节”之一。"),
            ),
            models.CheckConstraint(
                condition=models.Q(share__isnull=True) | models.Q(share__gte=0, share__lte=100),
                name="supply_relation_share_percent",
                violation_error_message=_("比例应在 0–100 之间。"),
            ),
        ]

    def __str__(self) -> str:
        if self.customer_link_id:
            return f"{self.supplier_link} → {self.customer_link}"
        return f"{self.supplier or self.supplier_name} → {self.customer}"

    @property
    def is_local(self) -> bool:
        """A supplier in the area's register is local; a supplier named only by text is outside the area."""
        return self.supplier_id is not None


class GapRuleSetting(TimeStampedModel):
    """缺链/弱链判定阈值 — the thresholds of the gap rules, for one chain or (chain empty) the area default."""

    chain = models.OneToOneField(
        Chain,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="gap_setting",
        verbose_name=_("产业链"),
        help_text=_("留空表示全区默认值"),
    )
    weak_min_firms = models.PositiveSmallIntegerField(
        _("弱链阈值（企业数）"), default=3, help_text=_("环节（含下级）企业数少于此值即为弱链")
    )
    low_end_share = models.DecimalField(
        _("低端判定比例"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("应有研发或应用的环节中，制造业企业占比达到此值（0–1）即为低端"),
    )
    local_supply_target = models.DecimalField(
        _("本地配套目标比例"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.30"),
        help_text=_("龙头企业供应商中本区企业的占比低于此值（0–1）即为本地配套薄弱"),
    )
    local_supply_min_suppliers = models.PositiveSmallIntegerField(
        _("本地配套最少记录数"), default=3, help_text=_("龙头企业记录的供应商少于此数时不作判定")
    )

    class Meta:
        verbose_name = _("缺链判定阈值")
        verbose_name_plural = _("缺链判定阈值")
        ordering = ["chain__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain"], condition=models.Q(chain__isnull=True), name="one_default_gap_setting"
            ),
            models.CheckConstraint(
                condition=models.Q(low_end_share__gte=0, low_end_share__lte=1)
                & models.Q(local_supply_target__gte=0, local_supply_target__lte=1),
                name="gap_setting_shares_0_1",
                violation_error_message=_("比例应在 0–1 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chain or '全区默认'} 阈值"


# ---- maintained coverage figures (chains.coverage) ------------------------------------------------------------------


class CoverageCount(models.Model):
    """One figure of the organization chain's coverage for the whole area or one management office, kept by
    `chains.coverage` in the same transaction as every write that changes it (party organizations, their enterprises
    and members, placements, an enterprise moving to another office).

    `kind` names the figure (the table of `chains.coverage`), `chain_key` the chain (0: organizations without a chain, or the
    whole area for area-wide kinds), `formation` the organizations' formation ("" when the figure spans all),
    `office_key` the management office's `Unit` id (0: the whole area; a plain number, not a foreign key, so the area's
    cells need no null in the unique key)."""

    kind = models.CharField(_("指标"), max_length=20)
    chain_key = models.BigIntegerField(_("产业链"))
    formation = models.CharField(_("组建方式"), max_length=20, blank=True)
    office_key = models.BigIntegerField(_("管理处"), default=0)
    n = models.BigIntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("覆盖计数")
        verbose_name_plural = _("覆盖计数")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "chain_key", "formation", "office_key"], name="chains_coverage_count_office_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.chain_key}/{self.formation}/{self.office_key}: {self.n}"


class CoverageOffice(models.Model):
    """A party organization's share in a management office: the organization covers at least one of the office's
    enterprises (the office rule of `organizations.selectors.organizations_of_office_q`), kept by `chains.coverage` with
    the counts. The cockpit narrowed to an office counts the pioneer posts and commando teams of these organizations
    from their rows (a join on this small table) instead of finding the organizations through the office's enterprises.

    Plain numbers, not foreign keys: the organizations app sits to the right of chains in the dependency order."""

    office_key = models.BigIntegerField(_("管理处"))
    organization_key = models.BigIntegerField(_("党组织"))

    class Meta:
        verbose_name = _("党组织所在管理处")
        verbose_name_plural = _("党组织所在管理处")
        constraints = [
            models.UniqueConstraint(fields=["office_key", "organization_key"], name="chains_coverage_office_pair")
        ]

    def __str__(self) -> str:
        return f"{self.organization_key}@{self.office_key}"
