"""The cockpit's entry on the home page: the menu shows it to area-wide roles, so an office's handler finds their
office's cockpit here (accounts.selectors.home_figures_for calls it by name)."""

from typing import Any

from django.urls import reverse

from cockpit.scope import may_open_cockpit, sees_whole_area
from enterprises.selectors import office_of


def home_figures(user: Any) -> list[dict[str, Any]]:
    if not may_open_cockpit(user) or sees_whole_area(user):
        return []
    return [{"label": f"{office_of(user)}驾驶舱", "value": "进入", "url": reverse("cockpit:index")}]
