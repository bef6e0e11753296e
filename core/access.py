"""The one way to fetch an object for a user: through a scoped queryset, 404 for what they may not see."""

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


def get_visible_or_404(queryset: "models.QuerySet[M]", **lookup: Any) -> M:
    """Fetch from a queryset already scoped to the user; absence and denial look the same (404)."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
