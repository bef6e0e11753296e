from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import import_string


def home_sections_for(user: Any) -> list[dict[str, str]]:
    """The menu entries this user's role may open, with their descriptions, for the home page."""
    sections = []
    role = getattr(user, "role", None)
    for config in apps.get_app_configs():
        for label, url_name, roles in getattr(config, "nav_items", ()):
            if roles and role not in roles and not user.is_superuser:
                continue
            sections.append({"label": str(label), "url": reverse(url_name), "app": str(config.verbose_name)})
    return sections


def home_figures_for(user: Any) -> list[dict[str, Any]]:
    """A few figures for the user's home page. Apps to the right of accounts contribute them by naming a function in
    their AppConfig (`home_figures = "app.selectors.func"`, func(user) -> [{label, value, url}]), so accounts
    imports none of them."""
    figures: list[dict[str, Any]] = []
    for config in apps.get_app_configs():
        path = getattr(config, "home_figures", None)
        if path:
            figures.extend(import_string(path)(user))
    return figures
