"""Industrial chains, their links (a tree), and the placement of enterprises on links."""

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
