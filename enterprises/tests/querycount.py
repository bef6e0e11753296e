"""Query-count assertion for list pages and list endpoints: the count must not grow with the rows shown."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def assert_constant_queries(client: Any, url: str, grow: Callable[[], None], *, at_most: int) -> int:
    """Add rows with `grow()` and count the queries of `url`; add more rows and count again: equal, and no more than
    `at_most`. (Rows first: an empty page skips its row query.)"""
    grow()
    before = count_queries(client, url)
    grow()
    after = count_queries(client, url)
    assert before == after, f"{url}: {before} queries, then {after} after adding rows (N+1?)"
    assert after <= at_most, f"{url}: {after} queries, expected at most {at_most}"
    return after
