"""Recovery of tasks whose worker died mid-run.

django-tasks-db marks a claimed row RUNNING and never looks at it again; if the worker is killed, the task would stay
RUNNING for ever. Our tasks are idempotent (they take ids and call services that are safe to run twice), so a task
RUNNING for longer than the longest task can take is put back to READY and another worker picks it up.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

#: Longer than any of our tasks runs (the talent sweep over the whole register is the longest).
DEFAULT_STALE_AFTER = timedelta(minutes=30)


@transaction.atomic
def requeue_stale_tasks(*, stale_after: timedelta = DEFAULT_STALE_AFTER) -> int:
    """Put RUNNING tasks started before now - stale_after back to READY; returns how many."""
    cutoff = timezone.now() - stale_after
    # The queue's own table, not a workflow of ours: its status is the only way to hand the task to a new worker.
    stale = DBTaskResult.objects.select_for_update(skip_locked=True).running().filter(started_at__lt=cutoff)
    ids = list(stale.values_list("id", flat=True))
    return DBTaskResult.objects.filter(id__in=ids).update(status="READY", started_at=None)
