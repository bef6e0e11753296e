from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.choices import STAFF_ROLES, Role

_READERS = frozenset(STAFF_ROLES | {Role.ENTERPRISE})


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("组织链")
    # Members, posts, teams and mentoring are reached from the organization pages' sub-menu.
    nav_items = [
        (_("党组织"), "organizations:list", _READERS),
        (_("挂点联系"), "organizations:pairings", frozenset(STAFF_ROLES)),
        (_("走访记录"), "organizations:visits", _READERS),
    ]
