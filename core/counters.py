"""Atomic increments of maintained counter rows: the one helper of every maintained aggregate of the project
(`service_requests.rollup`, `chains.coverage`)."""

from collections.abc import Sequence
from typing import Any

from django.db import connection


def increment(
    cursor: Any,
    model: Any,
    key: dict[str, Any],
    counts: dict[str, int],
    *,
    changed: Any = None,
    insert_only: dict[str, Any] | None = None,
    returning: Sequence[str] = (),
) -> Any:
    """Add `counts` to the row of `model` with `key` (inserting it when missing), atomically:
    `INSERT … ON CONFLICT (key) DO UPDATE SET c = c + EXCLUDED.c` for the `changed` columns (all by default).
    With `returning`, the row's values of those columns after the change.

    The key's columns must carry a unique constraint. Concurrent writers of the same row serialise on its lock and
    none loses a count, on PostgreSQL and on SQLite; writers touching several rows should take them in one order.
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    values = {**key, **(insert_only or {}), **counts}
    columns = ", ".join(qn(name) for name in values)
    placeholders = ", ".join(["%s"] * len(values))
    updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in (changed or counts))
    returned = f" RETURNING {', '.join(qn(c) for c in returning)}" if returning else ""
    cursor.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - names are ours, values parameters
        f"ON CONFLICT ({', '.join(qn(name) for name in key)}) DO UPDATE SET {updates}{returned}",
        list(values.values()),
    )
    return cursor.fetchone() if returning else None


def increment_cells(cursor: Any, model: Any, key: Sequence[str], changes: dict[Any, int]) -> None:
    """Add each change to the `n` of its cell (key values → n), in one statement, cells in sorted order (so
    concurrent writers take the rows' locks in one order)."""
    rows = [(*cell, n) for cell, n in sorted(changes.items()) if n]
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(name) for name in (*key, "n"))
    placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(key) + 1)) + ")"] * len(rows))
    cursor.execute(
        f"INSERT INTO {table} ({columns}) VALUES {placeholders} "  # noqa: S608 - names are ours, values parameters
        f"ON CONFLICT ({', '.join(qn(name) for name in key)}) DO UPDATE SET n = {table}.n + EXCLUDED.n",
        [value for row in rows for value in row],
    )
