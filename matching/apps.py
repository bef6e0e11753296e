from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

_STAFF = frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.SUPERVISOR, Role.HANDLER, Role.INVESTMENT})


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("创新链·供需对接")
    nav_items = [
        ("供需对接", "matching:posting_list", _STAFF | {Role.ENTERPRISE}),
        (
            "匹配推荐",
            "matching:suggestion_list",
            frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.ENTERPRISE}),
        ),
        ("圆桌会", "matching:roundtable_list", _STAFF | {Role.ENTERPRISE}),
    ]
