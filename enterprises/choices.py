from django.db import models
from django.utils.translation import gettext_lazy as _


class SizeClass(models.TextChoices):
    ABOVE = "above", _("规上")
    BELOW = "below", _("规下")


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("高校")
    NATIONAL_PLATFORM = "national_platform", _("国字号平台")
    INSTITUTE = "institute", _("科研院所")
