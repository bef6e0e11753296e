"""Writes on import batches: upload (parse + validate + keep for preview), commit (all or nothing), discard."""

from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.importing.engine import ImportRejected, commit, validate
from core.importing.reader import ImportFileError, read_upload
from core.importing.registry import get_importer
from core.importing.template import example_cells
from core.models import ImportBatch
from core.services import audit_record

Status = ImportBatch.Status


def may_import(user: Any) -> bool:
    """Only the party-work department (admin role) and superusers import data."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_admin_role", False))


def _require_importer(actor: Any) -> None:
    if not may_import(actor):
        raise PermissionDenied("只有管理员可以导入数据。")


@transaction.atomic
def import_batch_create(*, actor: Any, importer_key: str, upload: IO[bytes], file_name: str) -> ImportBatch:
    """Check and parse the file, validate every row, keep the rows and the report for the preview.

    Raises ImportFileError (with a Chinese message) when the file as a whole cannot be imported.
    """
    _require_importer(actor)
    importer_class = get_importer(importer_key)
    parsed = read_upload(upload, importer_class.columns)
    example = example_cells(importer_class)
    rows = [(number, cells) for number, cells in parsed.rows if cells != example]
    skipped_example = [number for number, cells in parsed.rows if cells == example]
    if not rows:
        raise ImportFileError("文件中只有模板示例行，没有要导入的数据。")
    report = validate(importer_class(), rows).as_dict()
    report["skipped_example_rows"] = skipped_example
    batch = ImportBatch(
        importer_key=importer_key,
        file_name=file_name[:200],
        created_by=actor,
        rows=[{"row": number, "cells": cells} for number, cells in rows],
        report=report,
    )
    batch.full_clean()
    batch.save()
    return batch


def batch_rows(batch: ImportBatch) -> list[tuple[int, dict[str, str]]]:
    return [(int(item["row"]), dict(item["cells"])) for item in batch.rows]


def import_batch_commit(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Re-validate and write every row in one transaction; on any error nothing is written (ImportRejected).

    The batch row is locked so that two clicks on "确认导入" cannot import the same file twice. A rejected commit
    keeps the batch previewable with the fresh report (the data changed since the preview) and is audited too.
    """
    _require_importer(actor)
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != Status.PREVIEWED:
                raise ValidationError("该批次已处理（已导入或已放弃），不能再次导入。", code="state")
            importer_class = get_importer(locked.importer_key)
            report = commit(importer_class(), batch_rows(locked), actor=actor)
            locked.status = Status.COMMITTED
            locked.committed_at = timezone.now()
            locked.report = {**report.as_dict(), "skipped_example_rows": locked.report.get("skipped_example_rows", [])}
            locked.rows = []
            locked.save(update_fields=["status", "committed_at", "report", "rows", "updated_at"])
            counts = report.counts
            audit_record(
                actor=actor,
                action="import.commit",
                target=locked,
                summary=f"导入{importer_class.title}：新增 {counts['new']}、更新 {counts['updated']}、"
                f"无变化 {counts['unchanged']}",
                importer=locked.importer_key,
                file_name=locked.file_name,
                counts=counts,
            )
            return locked
    except ImportRejected as rejected:
        with transaction.atomic():
            batch.report = {
                **rejected.report.as_dict(),
                "skipped_example_rows": batch.report.get("skipped_example_rows", []),
                "rejected_at_commit": True,
            }
            ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEWED).update(
                report=batch.report, updated_at=timezone.now()
            )
            audit_record(
                actor=actor,
                action="import.rejected",
                target=batch,
                summary=f"导入被拒绝：{rejected.report.counts.get('error', 0)} 行有错误，未写入任何数据",
                importer=batch.importer_key,
                file_name=batch.file_name,
            )
        raise


@transaction.atomic
def import_batch_discard(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    _require_importer(actor)
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != Status.PREVIEWED:
        raise ValidationError("该批次已处理，不能放弃。", code="state")
    locked.status = Status.DISCARDED
    locked.rows = []
    locked.save(update_fields=["status", "rows", "updated_at"])
    audit_record(actor=actor, action="import.discard", target=locked, summary=f"放弃导入 {locked.file_name}")
    return locked
