"""Writing generated rows fast: PostgreSQL COPY (psycopg 3) or, on other engines, executemany of one INSERT.

Rows bypass the ORM (no `save()`, no signals: this is bulk reference data), so the writer fills every concrete column
the generator does not set from the field's own default, which keeps it working when an app adds a column with a
default. Primary keys are reserved up front, so rows can reference each other without reading ids back.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

_BATCH = 20_000


class MissingValue(Exception):
    """A NOT NULL column without a default that the generator did not fill (a model changed under it)."""


def _filler(field: models.Field, now: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField) and field.blank:
        return ""
    raise MissingValue(f"{field.model._meta.label}.{field.name} needs a value")


class Table:
    """The columns of one model that a generator writes: `columns` given per row, the rest constant."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.columns = list(columns)
        now = timezone.now()
        given = set(self.columns)
        self.fields: list[models.Field] = [cast(models.Field, model._meta.get_field(name)) for name in self.columns]
        self.extra_fields: list[models.Field] = [
            f for f in model._meta.concrete_fields if f.attname not in given and f.name not in given
        ]
        self.extra_values = tuple(_filler(f, now) for f in self.extra_fields)
        self.all_fields = self.fields + self.extra_fields
        self.json_positions = [i for i, f in enumerate(self.all_fields) if isinstance(f, models.JSONField)]

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    def column_names(self) -> list[str]:
        return [str(f.column) for f in self.all_fields]


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Reserve `count` consecutive primary keys and return the first. On PostgreSQL the identity sequence is advanced
    past the block, so concurrent ordinary inserts never take one of them."""
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({quote(str(pk.column))}), 0) FROM {quote(table)}")  # noqa: S608
        highest = int(cursor.fetchone()[0])
        if connection.vendor != "postgresql":
            return highest + 1
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = max(cursor.fetchone()[0], highest + 1)
        if count:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return int(first)


def write(table: Table, rows: Iterable[tuple[Any, ...]]) -> int:
    """Write the rows (values in `table.columns` order); returns how many were written."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in table.column_names())
    extra = table.extra_values
    json_positions = table.json_positions

    def complete(row: tuple[Any, ...]) -> list[Any]:
        values = list(row) + list(extra)
        for i in json_positions:
            if values[i] is not None:
                values[i] = json.dumps(values[i], ensure_ascii=False)
        return values

    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {quote(table.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(complete(row))
                    written += 1
            return written
        placeholders = ", ".join(["%s"] * len(table.all_fields))
        sql = f"INSERT INTO {quote(table.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        fields = table.all_fields
        batch: list[list[Any]] = []
        for row in rows:
            values = list(row) + list(extra)
            batch.append([f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)])
            if len(batch) >= _BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written
