"""Atomic increments of maintained counter rows (one helper for every maintained aggregate of the project)."""

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
) -> None:
    """Add `counts` to the row of `model` with `key` (inserting it when missing), atomically:
    `INSERT … ON CONFLICT (key) DO UPDATE SET c = c + EXCLUDED.c` for the `changed` columns (all by default).

    The key's columns must carry a unique constraint. Concurrent writers of the same row serialise on its lock and
    none loses a count, on PostgreSQL and on SQLite; writers touching several rows should take them in one order.
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    values = {**key, **(insert_only or {}), **counts}
    columns = ", ".join(qn(name) for name in values)
    placeholders = ", ".join(["%s"] * len(values))
    updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + EXCLUDED.{qn(c)}" for c in (changed or counts))
    cursor.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - names are ours, values parameters
        f"ON CONFLICT ({', '.join(qn(name) for name in key)}) DO UPDATE SET {updates}",
        list(values.values()),
    )
