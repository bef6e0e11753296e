"""Periodic tasks enqueued once per period, whatever the number of workers or schedulers that try.

Every scheduler (a cron line on each machine, a timer in each worker) may call `enqueue_once(task, period_key=…)`
for the same period; exactly one call enqueues. The guard is the task-result table's own primary key: the row's id is
a UUID derived from (task path, period key), so a second insert of the same period violates the primary key and is
dropped inside a savepoint — PostgreSQL (or SQLite) decides, under any concurrency, with no lock held by us and no
extra table. django-tasks-db's pruning (`prune_db_task_results`) only removes results of past periods, which are
never enqueued again.
"""

import uuid
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.tasks import Task, TaskResult
from django.utils import timezone

NAMESPACE = uuid.UUID("5f0c2a51-6f53-4c8e-9a57-2a4bf5d6c3e1")


def period_key(every: str, moment: datetime | None = None) -> str:
    """The key of the period containing `moment` (local time): every = "minute" | "hour" | "day" | "month"."""
    local = timezone.localtime(moment or timezone.now())
    formats = {"minute": "%Y-%m-%dT%H:%M", "hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d", "month": "%Y-%m"}
    try:
        return local.strftime(formats[every])
    except KeyError:
        raise ValueError(f"unknown period {every!r}; use one of {sorted(formats)}") from None


def result_id(task: Task, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{task.module_path}|{key}")


def enqueue_once(
    task: Task, *, period: str, args: tuple = (), kwargs: dict[str, Any] | None = None
) -> TaskResult | None:
    """Enqueue `task` for the period `period` (see period_key) unless it was already enqueued for it.

    Returns the new result, or None when another caller enqueued this period first. On a backend other than the
    database one (tests' immediate backend, a dummy one) there is a single process: it enqueues every time.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import normalize_json, task_enqueued
    from django_tasks_db.models import DBTaskResult

    kwargs = kwargs or {}
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return task.enqueue(*args, **kwargs)
    backend.validate_task(task)
    try:
        with transaction.atomic():
            row = DBTaskResult.objects.create(
                id=result_id(task, period),
                args_kwargs=normalize_json({"args": list(args), "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,  # type: ignore[misc]
                backend_name=backend.alias,
            )
    except IntegrityError:
        return None
    task_enqueued.send(type(backend), task_result=row.task_result)
    return row.task_result
