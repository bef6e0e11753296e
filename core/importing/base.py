"""The importer contract: what an app declares to get upload → preview → all-or-nothing commit."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from core.importing.columns import Column

#: What committing a row will do.
NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"
ACTION_LABELS = {NEW: "新增", UPDATED: "更新", UNCHANGED: "无变化", ERROR: "有错误"}


@dataclass(frozen=True)
class Issue:
    """A problem found in one row: the row number as Excel shows it, the column header, a reason in Chinese."""

    row: int
    column: str
    message: str
    level: str = "error"  # "error" blocks the import; "warning" is shown in the preview only

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "level": self.level}


@dataclass
class Row:
    """One data row during validation and commit.

    number: the Excel row number; cells: field → the cell's text; values: field → parsed value (None when blank;
    a field whose cell failed to parse is absent, so `values.get(field)` is None for it too); data: the importer's
    scratch space (objects resolved while validating, used when committing); action: NEW / UPDATED / UNCHANGED.
    """

    number: int
    cells: dict[str, str]
    headers: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    action: str = ""

    def error(self, field_name: str, message: str) -> None:
        self.errors.append(Issue(self.number, self.headers.get(field_name, field_name), message))

    def warn(self, field_name: str, message: str) -> None:
        self.warnings.append(Issue(self.number, self.headers.get(field_name, field_name), message, "warning"))

    @property
    def ok(self) -> bool:
        return not self.errors

    def given(self, *names: str) -> dict[str, Any]:
        """The named values that are present and not blank (what an update should change)."""
        return {name: self.values[name] for name in names if self.values.get(name) not in (None, "", [])}


class Importer:
    """Subclass per kind of record, declare the class attributes, implement `validate_row` and `commit_row`.

    An instance lives for one validation (and, at commit, for that validation plus the writes), so `prepare` may
    keep lookups on `self`.
    """

    key: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str] = ""
    columns: ClassVar[Sequence[Column]]
    #: Fields that identify a record; a row repeating an earlier row's key is an error (keys blank throughout and
    #: keys with a cell that failed to parse are not compared).
    key_fields: ClassVar[tuple[str, ...]] = ()
    #: A human description of the key for the duplicate message ("统一社会信用代码相同").
    key_label: ClassVar[str] = ""
    #: True while validating for a commit (inside its transaction): `prepare` may then lock what it will update.
    committing: bool = False

    def prepare(self, rows: Sequence[Row]) -> None:
        """Load everything the rows refer to in a few bulk queries (the number must not grow with the rows)."""

    def validate_row(self, row: Row) -> None:
        """Check references and rules; record `row.error(field, msg)` / `row.warn(...)`; set `row.action`.

        Called for every row, also rows whose cells failed to parse (those fields are absent from `values`).
        Must not query the database per row: use what `prepare` loaded.
        """
        raise NotImplementedError

    def commit_order(self, rows: Sequence[Row]) -> Iterable[Row]:
        """The order in which rows are written (e.g. parents before children). Default: file order."""
        return rows

    def commit_row(self, row: Row, *, actor: Any) -> None:
        """Write one valid NEW or UPDATED row through the app's services (inside the import's transaction)."""
        raise NotImplementedError

    @classmethod
    def header_map(cls) -> dict[str, str]:
        return {column.field: column.header for column in cls.columns}


def in_chunks(queryset: Any, field_name: str, values: Iterable[Any], *, size: int = 2000) -> list[Any]:
    """`queryset.filter(<field>__in=values)` split into chunks (databases cap the number of query parameters).

    The number of queries grows by one per `size` distinct values, not per row.
    """
    distinct = sorted({v for v in values if v not in (None, "")}, key=str)
    found: list[Any] = []
    for start in range(0, len(distinct), size):
        found.extend(queryset.filter(**{f"{field_name}__in": distinct[start : start + size]}))
    return found
