"""The one role rule for pages: login required, then the user's role must be in the view's set.

A view names its rule with `roles_required(roles)`; the set is kept on the view (`allowed_roles`) so tests can walk it.
An empty set means every logged-in user. A role without the feature gets 403 (`deny=PermissionDenied`, the default) or,
where the page's very existence should not be revealed, 404 (`deny=Http404`).
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def has_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in roles))


def roles_required(roles: Iterable[str], *, deny: type[Exception] = PermissionDenied) -> Callable[[View], View]:
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if allowed and not has_role(request.user, allowed):
                raise deny("您的角色无权使用此功能。")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator
