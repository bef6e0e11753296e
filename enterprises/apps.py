from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.choices import STAFF_ROLES, Role

_READERS = frozenset(STAFF_ROLES | {Role.ENTERPRISE})


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("企业库")
    home_figures = "enterprises.selectors.home_figures"
    nav_items = [
        (_("企业库"), "enterprises:list", _READERS),
        (_("科研机构"), "enterprises:institutions", _READERS),
    ]
