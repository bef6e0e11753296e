from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    UPSTREAM = "upstream", _("上游")
    MIDSTREAM = "midstream", _("中游")
    DOWNSTREAM = "downstream", _("下游")


class Function(models.TextChoices):
    RND = "rnd", _("研发")
    MANUFACTURING = "manufacturing", _("制造")
    APPLICATION = "application", _("应用")
    SERVICE = "service", _("服务")
