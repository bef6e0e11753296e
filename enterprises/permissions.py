"""Permission rules of the foundation pages. Every view names one: anonymous users go to the login page, a role
without the feature gets 403, and an object the user may not see is a 404 (through the selectors' *_for functions)."""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.choices import STAFF_ROLES, Role

#: Roles that work with the register, chains and the organization chain (reading, scoped by the selectors).
READERS = frozenset(STAFF_ROLES | {Role.ENTERPRISE})
#: Staff roles only: the chain pages and the organization-chain lists (enterprise users reach their own
#: organizations from their enterprise page; the detail pages are scoped by the selectors).
STAFF = frozenset(STAFF_ROLES)
#: Only the party-work department edits the register and the organization chain.
EDITORS = frozenset({Role.ADMIN})


def has_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in roles))


def roles_required(roles: Iterable[str]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    allowed = frozenset(roles)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, allowed):
                raise PermissionDenied("您的角色无权使用此功能。")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator


readers_only = roles_required(READERS)
staff_only = roles_required(STAFF)
editors_only = roles_required(EDITORS)
