"""Background commit of large import batches (run by `manage.py db_worker`)."""

import logging

from django.contrib.auth import get_user_model
from django.tasks import task

from core.importing.engine import ImportRejected
from core.importing.services import import_batch_commit, import_batch_commit_failed
from core.models import ImportBatch

logger = logging.getLogger(__name__)


@task()
def commit_import_batch(batch_id: int, actor_id: int) -> str:
    """Commit a batch marked 导入中. Idempotent: a batch in any other state is left alone."""
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.COMMITTING).first()
    if batch is None:
        return "skipped"
    actor = get_user_model().objects.get(pk=actor_id)
    try:
        import_batch_commit(actor=actor, batch=batch, queued=True)
    except ImportRejected:
        return "rejected"  # the batch is back in preview with its errors; nothing was written
    except Exception:
        # Unexpected: the transaction rolled back; put the batch back so the admin can retry, and let it be logged.
        logger.exception("import batch %s failed in the worker", batch_id)
        import_batch_commit_failed(batch=batch)
        raise
    return "committed"
