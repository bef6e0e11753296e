from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

_READERS = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.INVESTMENT})


class InvestmentConfig(AppConfig):
    name = "investment"
    verbose_name = _("招商")
    nav_items = [
        ("产业链图谱", "chain_map:index", _READERS),
        ("招商项目", "investment:dashboard", _READERS),
    ]
