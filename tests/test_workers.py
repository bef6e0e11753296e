"""Many task workers on one queue never run a task twice; periodic tasks are enqueued once per period.

django-tasks-db claims a task with `SELECT … FOR UPDATE SKIP LOCKED` (DBTaskResultQuerySet.get_locked) and marks it
RUNNING in the same transaction (db_worker.Worker.run → claim), so two workers never take the same row.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from demo.scale.periodic import enqueue_once, period_key, result_id
from demo.tasks import RUNS_TABLE, periodic_tick, record_run

ROOT = Path(__file__).resolve().parent.parent


def test_periodic_task_is_enqueued_once_per_period(db):
    first = enqueue_once(periodic_tick, period="2026-11-27T10", kwargs={"note": "a"})
    assert first is not None
    assert enqueue_once(periodic_tick, period="2026-11-27T10", kwargs={"note": "b"}) is None
    assert enqueue_once(periodic_tick, period="2026-11-27T11") is not None
    assert DBTaskResult.objects.filter(task_path=periodic_tick.module_path).count() == 2
    assert (
        str(DBTaskResult.objects.get(id=result_id(periodic_tick, "2026-11-27T10")).args_kwargs["kwargs"]["note"]) == "a"
    )


def test_period_keys_name_the_period():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 11, 27, 23, 30, tzinfo=ZoneInfo("UTC"))  # 07:30 on the 28th in Asia/Shanghai
    assert period_key("hour", moment) == "2026-11-28T07"
    assert period_key("day", moment) == "2026-11-28"
    with pytest.raises(ValueError, match="unknown period"):
        period_key("fortnight", moment)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_enqueue_a_period_once():
    callers = 8
    barrier = threading.Barrier(callers)
    results: list[object] = []
    errors: list[BaseException] = []

    def call() -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(enqueue_once(periodic_tick, period="2026-11-27T12"))
        except BaseException as error:
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(results) == callers
    assert sum(r is not None for r in results) == 1
    assert DBTaskResult.objects.filter(task_path=periodic_tick.module_path).count() == 1


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait(condition, timeout: float, message) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message()
        time.sleep(0.1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_db_workers_run_every_task_exactly_once(tmp_path):
    tasks, workers = 40, 3
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RUNS_TABLE}")
        cursor.execute(f"CREATE TABLE {RUNS_TABLE} (id bigserial PRIMARY KEY, key text NOT NULL, pid int NOT NULL)")
    env = {**os.environ, "DATABASE_URL": _database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    processes, logs = [], []
    try:
        for n in range(workers):
            log = tmp_path / f"worker{n}.log"
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.05"]
                    + ["--worker-id", f"scale-w{n}", "--no-reload"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log.open("w"),
                )
            )
        _wait(
            lambda: all("Starting worker" in log.read_text() for log in logs),
            60,
            lambda: "the workers did not start: " + " | ".join(log.read_text()[-500:] for log in logs),
        )
        for i in range(tasks):
            record_run.enqueue(key=f"t{i}", sleep_ms=20)

        finished = DBTaskResult.objects.filter(task_path=record_run.module_path, status="SUCCESSFUL")
        _wait(lambda: finished.count() == tasks, 60, lambda: f"only {finished.count()} of {tasks} tasks finished")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT key, pid FROM {RUNS_TABLE}")
            runs = cursor.fetchall()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {RUNS_TABLE}")

    per_key = Counter(key for key, _ in runs)
    assert sorted(per_key) == sorted(f"t{i}" for i in range(tasks))
    assert set(per_key.values()) == {1}, f"tasks run more than once: {[k for k, c in per_key.items() if c > 1]}"
    claimed_by = Counter(tuple(r.worker_ids) for r in DBTaskResult.objects.filter(task_path=record_run.module_path))
    assert all(len(ids) == 1 for ids in claimed_by), "every task was claimed by exactly one worker"
    assert len({pid for _, pid in runs}) >= 2, "the work was shared between worker processes"
