"""The widget registry: each cockpit widget is a registered object with a key, a title, the roles that may see it, a
function that computes its context from a Scope (through selectors), and a template partial.

The cockpit page lists the widgets the user may see; each one loads itself with htmx from `cockpit:widget`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.choices import Role
from cockpit.scope import Scope, may_open_cockpit, sees_whole_area

#: Roles that see the area-wide cockpit; office handlers are admitted per widget with `office_staff=True`.
AREA_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR})


@dataclass
class Figure:
    """One number on the cockpit, with the list of the records it counts."""

    key: str
    label: str
    value: int | Decimal | None
    unit: str = ""
    url: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Widget:
    key: str
    title: str
    compute: Callable[[Scope], dict[str, Any]]
    template: str = "cockpit/partials/widget_figures.html"
    roles: frozenset[str] = AREA_ROLES
    #: Whether a management office's handler sees it (scoped to their office).
    office_staff: bool = False
    order: int = 100
    description: str = ""
    #: Full width on large screens (charts).
    wide: bool = False

    def allows(self, user: Any) -> bool:
        """Area-wide users by role; a management office's handler only when the widget admits office staff."""
        if not may_open_cockpit(user):
            return False
        if sees_whole_area(user):
            return bool(user.is_superuser or user.role in self.roles)
        return self.office_staff


_REGISTRY: dict[str, Widget] = {}


def register(widget: Widget) -> Widget:
    if widget.key in _REGISTRY and _REGISTRY[widget.key] is not widget:
        raise ValueError(f"widget {widget.key!r} registered twice")
    _REGISTRY[widget.key] = widget
    return widget


def all_widgets() -> list[Widget]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda w: (w.order, w.key))


def widgets_for(user: Any) -> list[Widget]:
    return [widget for widget in all_widgets() if widget.allows(user)]


def get_widget(key: str) -> Widget | None:
    _load()
    return _REGISTRY.get(key)


def _load() -> None:
    # The built-in widgets register themselves on import.
    from cockpit import widget_defs  # noqa: F401
