from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.choices import STAFF_ROLES


class ChainsConfig(AppConfig):
    name = "chains"
    verbose_name = _("产业链")
    nav_items = [
        (_("产业链"), "chains:list", frozenset(STAFF_ROLES)),
        (_("组织链覆盖"), "chains:coverage", frozenset(STAFF_ROLES)),
    ]
