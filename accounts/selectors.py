from typing import Any

from django.apps import apps
from django.urls import reverse


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
