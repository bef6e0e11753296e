from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """招商项目阶段 — the pipeline of an investment project."""

    LEAD = "lead", _("线索")
    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    REGISTERED = "registered", _("注册")
    CONSTRUCTION = "construction", _("开工")
    PRODUCTION = "production", _("投产")
    DROPPED = "dropped", _("终止")


#: Stages at or after signing: a project in one of these counts as signed.
SIGNED_STAGES = frozenset({Stage.SIGNED, Stage.REGISTERED, Stage.CONSTRUCTION, Stage.PRODUCTION})

#: The key date recorded when a project enters a stage.
STAGE_DATE_FIELD = {
    Stage.LEAD: "lead_on",
    Stage.NEGOTIATING: "negotiating_on",
    Stage.SIGNED: "signed_on",
    Stage.REGISTERED: "registered_on",
    Stage.CONSTRUCTION: "construction_started_on",
    Stage.PRODUCTION: "production_on",
    Stage.DROPPED: "dropped_on",
}


class EventKind(models.TextChoices):
    PROMOTION = "promotion", _("推介会")
    FORUM = "forum", _("论坛")
    EXPO = "expo", _("展会")
    VISIT = "visit", _("外出招商")
    OTHER = "other", _("其他")
