"""Saved period snapshots of the cockpit: a closed month's report, frozen."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class MonthlySnapshot(TimeStampedModel):
    """月报快照 — the monthly report of the whole area as it stood when the month was closed.

    `data` holds everything the report shows (headline figures, problem list, results list, investment pipeline,
    talent payouts) as JSON, amounts as decimal strings. Once written it is never changed: a closed month's report is
    read from here, so later edits to records cannot alter what was reported upward.
    """

    year = models.PositiveSmallIntegerField(_("年"))
    month = models.PositiveSmallIntegerField(_("月"))
    data = models.JSONField(_("报告数据"), default=dict)
    closed_at = models.DateTimeField(_("关账时间"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("关账人")
    )

    class Meta:
        verbose_name = _("月报快照")
        verbose_name_plural = _("月报快照")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="unique_monthly_snapshot"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="snapshot_month_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月 月报"
