from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.choices import STAFF_ROLES

_STAFF = frozenset(STAFF_ROLES)


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("组织链")
    # Members, posts, teams and mentoring are reached from the organization pages' sub-menu. Enterprise users reach
    # their own organizations from their enterprise page.
    home_figures = "organizations.selectors.home_figures"
    nav_items = [
        (_("党组织"), "organizations:list", _STAFF),
        (_("挂点联系"), "organizations:pairings", frozenset(STAFF_ROLES)),
        (_("走访记录"), "organizations:visits", _STAFF),
    ]
