"""Navigation built from each app's declared menu entries, filtered by the user's role."""

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = getattr(user, "role", None)
    items = []
    for config in apps.get_app_configs():
        for entry in getattr(config, "nav_items", ()):
            label, url_name, roles = entry
            if roles and role not in roles:
                continue
            url = reverse(url_name)
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
