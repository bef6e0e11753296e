from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role


class CockpitConfig(AppConfig):
    name = "cockpit"
    verbose_name = _("驾驶舱")
    # Office handlers have a cockpit too (their office's), but the menu can only filter by role and a department
    # handler has none, so the entry is shown to the area-wide roles only; office handlers find theirs on the home
    # page (home_figures). See docs/cockpit.md.
    home_figures = "cockpit.selectors.home.home_figures"
    nav_items = [
        ("驾驶舱", "cockpit:index", frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR})),
    ]
