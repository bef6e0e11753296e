"""Drill-down links: every figure points at the list page of the records it counts, filtered the same way.

The list pages belong to the other apps; a link whose page does not exist (yet) is simply left out, so a figure is shown
without a link rather than with a broken one.
"""

from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse


def drill(url_name: str, *args: Any, **params: Any) -> str | None:
    """`reverse(url_name, args)` plus the non-empty params as a query string; None when the page does not exist."""
    try:
        url = reverse(url_name, args=args or None)
    except NoReverseMatch:
        return None
    query = {key: str(value) for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url
