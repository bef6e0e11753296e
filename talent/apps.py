from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role


class TalentConfig(AppConfig):
    name = "talent"
    verbose_name = _("人才政策")
    nav_items = [
        (
            "人才库",
            "talent:talent_list",
            frozenset(
                {Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.HANDLER, Role.INSTRUCTOR, Role.ENTERPRISE, Role.TALENT}
            ),
        ),
        ("人才政策", "talent:policy_list", frozenset()),
        ("政策计算器", "talent:calculator", frozenset()),
    ]
