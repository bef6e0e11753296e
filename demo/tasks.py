"""Tiny tasks for the scale tests: importable by `manage.py db_worker` processes (tests/test_workers.py)."""

import os
import time

from django.db import connection
from django.tasks import task

#: A table the worker test creates (and drops): one row per execution of `record_run`.
RUNS_TABLE = "scale_test_task_runs"


@task()
def record_run(key: str, sleep_ms: int = 0) -> int:
    """Record that this process ran the task for `key`; a task run twice leaves two rows."""
    if sleep_ms:
        time.sleep(sleep_ms / 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RUNS_TABLE} (key, pid) VALUES (%s, %s)", [key, os.getpid()])  # noqa: S608
    return os.getpid()


@task()
def periodic_tick(note: str = "") -> str:
    """A periodic task (enqueued through demo.scale.periodic.enqueue_once)."""
    return note
