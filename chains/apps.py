from typing import Any

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

    def ready(self) -> None:
        from enterprises.signals import office_changed

        office_changed.connect(_move_coverage, dispatch_uid="chains.coverage.office")


def _move_coverage(sender: object, *, enterprise: Any, old_office: int | None, **_: object) -> None:
    """An enterprise moved to another management office: its coverage figures per office follow it, in the update's
    transaction (the signal is sent after the save, inside it)."""
    from chains import coverage

    coverage.enterprise_office_changed(enterprise.pk, old_office)
