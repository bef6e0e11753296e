"""Excel import framework: upload (.xlsx) → preview with per-row errors → all-or-nothing commit → audit row.

Apps never touch files, sheets or transactions: they declare an importer in ``<app>/importers.py`` (discovered
automatically on first use of the registry) and the pages under ``/core/imports/`` do the rest for admins.

Declaring an importer
---------------------
::

    from core.importing import NEW, UNCHANGED, UPDATED, Column, Importer, Row, parsers, register

    @register
    class TalentImporter(Importer):
        key = "talents"                      # URL segment and registry key
        title = "人才"                        # Chinese title: page headings, template sheet name
        description = "按身份证号匹配：已有人才更新，其余新增。"   # shown on the page and in the template notes
        columns = [
            Column("姓名", "name", parsers.text(50), required=True, example="张三"),
            Column("身份证号", "id_number", parsers.resident_id(), required=True, example="360102199001010012"),
            Column("学历", "degree", parsers.choice(Degree), example="博士"),
            Column("到岗日期", "started_on", parsers.date_value(), example="2024-03-01"),
        ]
        key_fields = ("id_number",)          # a row repeating an earlier row's key is an error
        key_label = "身份证号相同"

        def prepare(self, rows: Sequence[Row]) -> None:
            # Bulk-load what the rows refer to: a few queries, never one per row.
            ids = {r.values.get("id_number") for r in rows} - {None}
            self.existing = {t.id_number: t for t in Talent.objects.filter(id_number__in=ids)}

        def validate_row(self, row: Row) -> None:
            # row.values: field → parsed value (None when blank; absent when the cell failed to parse).
            # Record problems with row.error(field, "中文原因") or row.warn(field, "…") (warnings do not block).
            current = self.existing.get(row.values.get("id_number"))
            row.data["talent"] = current
            changes = row.given("name", "degree", "started_on")   # non-blank values only
            if current is None:
                row.action = NEW
            elif any(getattr(current, k) != v for k, v in changes.items()):
                row.action = UPDATED
            else:
                row.action = UNCHANGED   # exactly one of NEW / UPDATED / UNCHANGED unless there are errors

        def commit_row(self, row: Row, *, actor) -> None:
            # Called for NEW and UPDATED rows only, inside the import's transaction; call the app's services.
            # A ValidationError raised here is reported on the row and rolls the whole import back.
            ...

Bulk lookups: ``in_chunks(queryset, field, values)`` filters ``field__in`` in chunks of 2,000 values.
``self.committing`` is True when ``prepare`` runs for a commit (inside its transaction): lock what you will update
there with ``select_for_update()`` instead of per row. Optional: ``commit_order(rows)`` returns the rows in the order they must be written (e.g. parents first).

Parsers (``core.importing.parsers``) turn a non-blank cell text into a value or raise a ValidationError whose
message is shown in the preview: ``text(max_length)``, ``choice(TextChoices, aliases=...)`` (Chinese labels; a
drop-down in the template), ``yes_no()`` (是/否), ``date_value()``, ``integer()``, ``decimal()``, ``uscc()``,
``resident_id()``, ``phone()``, ``text_list(item_parser)`` and ``uscc_list()`` (several values separated by ；or ;).
A ``Parser(func, description, options)`` of your own works the same way. Cells reach parsers as text: numbers
without a trailing ".0", dates as ISO ``YYYY-MM-DD``, booleans as 是/否, whitespace trimmed.

What the framework does for every importer
------------------------------------------
- Accepts only an .xlsx workbook, recognised by content (a zip holding the OOXML workbook part), at most
  ``settings.IMPORT_MAX_BYTES`` bytes and ``settings.IMPORT_MAX_ROWS`` data rows; row 1 holds the headers (a trailing
  "*" is ignored), missing required or unknown headers are named. Every problem with the file is an
  ``ImportFileError`` with a Chinese message, never a server error.
- Required cells, parsing, duplicate keys across the file; then ``prepare`` and ``validate_row``. Issues carry the
  row number as Excel shows it, the column header and the reason.
- Commit re-validates inside one transaction and writes through ``commit_row``; any error (a ValidationError, or an
  IntegrityError from a concurrent write) → nothing is written (``ImportRejected``); an ``import.commit`` (or
  ``import.rejected``) audit row records the outcome. Batches over ``IMPORT_SYNC_MAX_ROWS`` (default 2,000) rows are
  committed by the task worker (``core.importing.tasks.commit_import_batch``); the page polls until done.
- ``build_template(importer)`` → an .xlsx with the headers (required ones red), an example row (skipped if left in
  unchanged), drop-downs for choices, text-formatted cells, and a "填写说明" sheet explaining each column.

Entry points: ``services.import_batch_create / import_batch_commit / import_batch_discard`` (used by the pages),
``engine.validate / engine.commit`` (for tests or a management command), ``registry.get_importer / all_importers``.
Only admins (``User.is_admin_role``) may import: other roles get 403 on the import pages.
"""

from core.importing import columns as parsers
from core.importing.base import ERROR, NEW, UNCHANGED, UPDATED, Importer, Issue, Row, in_chunks
from core.importing.columns import Column, Parser
from core.importing.engine import ImportRejected, Report, commit, validate
from core.importing.reader import ImportFileError
from core.importing.registry import all_importers, get_importer, register
from core.importing.template import build_template

__all__ = [
    "ERROR",
    "NEW",
    "UNCHANGED",
    "UPDATED",
    "Column",
    "ImportFileError",
    "ImportRejected",
    "Importer",
    "Issue",
    "Parser",
    "Report",
    "Row",
    "all_importers",
    "build_template",
    "commit",
    "get_importer",
    "in_chunks",
    "parsers",
    "register",
    "validate",
]
