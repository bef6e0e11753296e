from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from demo.tasks import record_run


@pytest.mark.django_db
def test_a_task_left_running_by_a_killed_worker_is_requeued_and_a_fresh_one_is_not(capsys):
    stale = DBTaskResult.objects.get(id=record_run.enqueue("stale").id)
    fresh = DBTaskResult.objects.get(id=record_run.enqueue("fresh").id)
    stale.claim("dead-worker")
    fresh.claim("live-worker")
    DBTaskResult.objects.filter(id=stale.id).update(started_at=timezone.now() - timedelta(hours=2))

    call_command("requeue_stale_tasks", "--minutes", "30")

    assert "1 stale task(s) requeued." in capsys.readouterr().out
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "READY" and stale.started_at is None
    assert fresh.status == "RUNNING"
    assert DBTaskResult.objects.ready().filter(id=stale.id).exists()
