"""Writes on import batches: upload (parse + validate + keep for preview), commit (all or nothing), discard."""

from datetime import timedelta
from typing import IO, Any

from django.conf import settings
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
    _expire_stale_batches(actor)
    return batch


#: Previewed batches nobody committed are discarded after this many days (their rows may hold personal data).
STALE_AFTER_DAYS = 7


def _expire_stale_batches(actor: Any) -> None:
    """Retention without a scheduler: each upload discards the previews left unconfirmed for a week."""
    cutoff = timezone.now() - timedelta(days=STALE_AFTER_DAYS)
    expired = ImportBatch.objects.filter(status=Status.PREVIEWED, created_at__lt=cutoff).update(
        status=Status.DISCARDED, rows=[], updated_at=timezone.now()
    )
    if expired:
        audit_record(
            actor=actor, action="import.expire", summary=f"清理 {expired} 个超过 {STALE_AFTER_DAYS} 天未确认的导入批次"
        )


def batch_rows(batch: ImportBatch) -> list[tuple[int, dict[str, str]]]:
    return [(int(item["row"]), dict(item["cells"])) for item in batch.rows]


def sync_commit_limit() -> int:
    """Batches with more rows than this are committed by the task worker, not inside the web request."""
    return int(getattr(settings, "IMPORT_SYNC_MAX_ROWS", 2000))


def import_batch_request_commit(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Commit a small batch now; queue a large one for the task worker (status 导入中, the page shows progress).

    Either way the commit itself is `import_batch_commit`: one transaction, all rows or none.
    """
    _require_importer(actor)
    if int(batch.report.get("counts", {}).get("total", 0)) <= sync_commit_limit():
        return import_batch_commit(actor=actor, batch=batch)
    from core.importing.tasks import commit_import_batch

    with transaction.atomic():
        queued = ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEWED).update(
            status=Status.COMMITTING, updated_at=timezone.now()
        )
        if not queued:
            raise ValidationError("该批次已处理（已导入、导入中或已放弃），不能再次导入。", code="state")
        audit_record(actor=actor, action="import.queue", target=batch, summary=f"提交后台导入 {batch.file_name}")
        transaction.on_commit(lambda: commit_import_batch.enqueue(batch.pk, actor.pk))
    batch.refresh_from_db()
    return batch


def import_batch_commit(*, actor: Any, batch: ImportBatch, queued: bool = False) -> ImportBatch:
    """Re-validate and write every row in one transaction; on any error nothing is written (ImportRejected).

    The batch row is locked so that two clicks on "确认导入" cannot import the same file twice (`queued`: the task
    worker commits a batch that `import_batch_request_commit` marked 导入中). A rejected commit puts the batch back to
    preview with the fresh report (the data changed since the preview) and is audited too.
    """
    _require_importer(actor)
    expected = Status.COMMITTING if queued else Status.PREVIEWED
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != expected:
                raise ValidationError("该批次已处理（已导入、导入中或已放弃），不能再次导入。", code="state")
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
        report_dict = {**rejected.report.as_dict(), "rejected_at_commit": True}
        _back_to_preview(batch, report_dict)
        audit_record(
            actor=actor,
            action="import.rejected",
            target=batch,
            summary=f"导入被拒绝：{rejected.report.counts.get('error', 0)} 行有错误，未写入任何数据",
            importer=batch.importer_key,
            file_name=batch.file_name,
        )
        raise


def _back_to_preview(batch: ImportBatch, report: dict[str, Any]) -> None:
    batch.report = {**report, "skipped_example_rows": batch.report.get("skipped_example_rows", [])}
    batch.status = Status.PREVIEWED
    ImportBatch.objects.filter(pk=batch.pk, status__in=[Status.PREVIEWED, Status.COMMITTING]).update(
        status=Status.PREVIEWED, report=batch.report, updated_at=timezone.now()
    )


def import_batch_commit_failed(*, batch: ImportBatch) -> None:
    """The worker crashed while committing (nothing was written: the transaction rolled back); allow a retry."""
    _back_to_preview(batch, {**batch.report, "commit_failed": True})


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
