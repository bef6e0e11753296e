"""Validation of every row (per cell, per row, across rows) and the all-or-nothing commit."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.importing.base import ERROR, NEW, UNCHANGED, UPDATED, Importer, Issue, Row
from core.importing.columns import first_message

logger = logging.getLogger(__name__)

#: At most this many issues are kept for the preview; the counts stay exact.
MAX_ISSUES = 2000


@dataclass
class Report:
    """The outcome of validating a file: what committing would do, and every problem found."""

    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [issue for row in self.rows for issue in row.errors]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for row in self.rows for issue in row.warnings]

    @property
    def ok(self) -> bool:
        return self.counts.get(ERROR, 0) == 0

    def as_dict(self) -> dict[str, Any]:
        issues = sorted(
            (issue for row in self.rows for issue in (*row.errors, *row.warnings)),
            key=lambda i: (i.row, i.level != "error"),
        )
        return {
            "counts": self.counts,
            "issues": [i.as_dict() for i in issues[:MAX_ISSUES]],
            "issue_total": len(issues),
            "error_total": sum(len(row.errors) for row in self.rows),
        }


class ImportRejected(Exception):
    """The commit found errors; nothing was written."""

    def __init__(self, report: Report) -> None:
        super().__init__("import rejected")
        self.report = report


def validate(importer: Importer, raw_rows: Sequence[tuple[int, dict[str, str]]]) -> Report:
    """Parse every cell, check duplicates across rows, then let the importer check each row."""
    headers = importer.header_map()
    rows = [Row(number=number, cells=dict(cells), headers=headers) for number, cells in raw_rows]
    for row in rows:
        _parse_cells(importer, row)
    _check_duplicates(importer, rows)
    importer.prepare(rows)
    for row in rows:
        importer.validate_row(row)
        if row.errors:
            row.action = ERROR
        elif row.action not in (NEW, UPDATED, UNCHANGED):
            raise RuntimeError(f"{type(importer).__name__}.validate_row left no action for row {row.number}")
    counts = {NEW: 0, UPDATED: 0, UNCHANGED: 0, ERROR: 0}
    for row in rows:
        counts[row.action] += 1
    counts["total"] = len(rows)
    counts["warning"] = sum(len(row.warnings) for row in rows)
    return Report(rows=rows, counts=counts)


def _parse_cells(importer: Importer, row: Row) -> None:
    for column in importer.columns:
        text = row.cells.get(column.field, "")
        if not text:
            if column.required:
                row.error(column.field, "必填项，不能为空。")
            else:
                row.values[column.field] = None
            continue
        try:
            row.values[column.field] = column.parser(text)
        except ValidationError as exc:
            row.error(column.field, first_message(exc))


def _check_duplicates(importer: Importer, rows: Sequence[Row]) -> None:
    if not importer.key_fields:
        return
    first_seen: dict[tuple[Any, ...], int] = {}
    label = importer.key_label or "关键信息相同"
    for row in rows:
        # A key field that failed to parse has its own error; a key that is blank throughout identifies nothing.
        # A blank part of a key otherwise counts (e.g. owner = institution rather than enterprise).
        if any(name not in row.values for name in importer.key_fields):
            continue
        if all(row.values[name] in (None, "", []) for name in importer.key_fields):
            continue
        key = tuple(_hashable(row.values[name]) for name in importer.key_fields)
        earlier = first_seen.setdefault(key, row.number)
        if earlier != row.number:
            row.error(importer.key_fields[0], f"与第 {earlier} 行重复（{label}），同一文件中只能出现一次。")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def commit(importer: Importer, raw_rows: Sequence[tuple[int, dict[str, str]]], *, actor: Any) -> Report:
    """Re-validate and write every row in one transaction. Any error → ImportRejected and nothing is written.

    `importer.committing` is True during this validation, so `prepare` may lock the records it will update
    (`select_for_update`) in the same bulk queries. The first write a service refuses stops the import.
    """
    importer.committing = True
    with transaction.atomic():
        report = validate(importer, raw_rows)
        if not report.ok:
            raise ImportRejected(report)
        for row in importer.commit_order(report.rows):
            if row.action not in (NEW, UPDATED):
                continue
            try:
                importer.commit_row(row, actor=actor)
            except ValidationError as exc:
                _record_commit_error(importer, row, exc)
            except IntegrityError:
                # Someone wrote the same record between our checks and our write; the transaction is rolled back.
                logger.warning("import row %s hit an integrity error", row.number, exc_info=True)
                row.error(_fallback_field(importer), "写入时与他人同时录入的数据冲突，未导入任何数据，请重新上传预览。")
                row.action = ERROR
            if row.errors:
                report.counts[ERROR] = 1
                raise ImportRejected(report)  # leaving the atomic block rolls back every row written so far
    return report


def _fallback_field(importer: Importer) -> str:
    return importer.key_fields[0] if importer.key_fields else importer.columns[0].field


def _record_commit_error(importer: Importer, row: Row, exc: ValidationError) -> None:
    """A service refused a row that passed validation (e.g. someone changed the data meanwhile)."""
    fallback = _fallback_field(importer)
    known = {column.field for column in importer.columns}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            message = "；".join(str(m) for e in errors for m in e.messages)
            row.error(name if name in known else fallback, message)
    else:
        row.error(fallback, "；".join(str(m) for m in exc.messages))
    row.action = ERROR
