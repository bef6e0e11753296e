"""Nothing lost under concurrency (PostgreSQL, real threads, one database connection each).

- concurrent transitions on one need: exactly one wins, the others get a conflict (stale version or wrong state),
  exactly one timeline event is written;
- concurrent edits of one enterprise: one wins, the other gets StaleEditError, the winner's value stays (no lost update);
- the same import batch committed twice at once: one commits, the other is refused; two identical batches at once: no
  duplicate rows, each commit all-or-nothing;
- background tasks: a real `db_worker` process is SIGKILLed while it runs the talent sweep; its transaction rolls back,
  the task is enqueued again and a new worker runs it: every entitlement exists exactly once. The supervision ladder
  and the sweep, run twice and at the same time in threads, give the same result as once.
  (django-tasks-db does not re-queue the killed worker's task by itself: its row stays RUNNING; the retry is an
  explicit enqueue here — see docs/security.md.)
"""

import os
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from core.importing.services import import_batch_commit, import_batch_create
from core.models import ImportBatch
from core.services import StaleEditError
from core.tests.import_helpers import xlsx_bytes
from enterprises.importers import EnterpriseImporter
from enterprises.models import Enterprise
from enterprises.services import enterprise_update
from enterprises.tests.factories import EnterpriseFactory
from service_requests.choices import State
from service_requests.models import ServiceRequest, TimelineEvent
from service_requests.services.supervision import run_ladder
from service_requests.services.workflow import WorkflowError, request_act
from service_requests.tests.factories import NeedFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs at the same instant in threads; each returns its result or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_transitions_on_one_need_one_wins():
    admin = UserFactory(role=Role.ADMIN, username="race_admin")
    need = NeedFactory.create()
    version = need.version
    events_before = TimelineEvent.objects.filter(request=need).count()
    actions = [("accept", {}), ("return", {"reason": "重复提交"}), ("accept", {}), ("return", {"reason": "材料不全"})]
    results = race(
        *[
            (lambda a=a, kw=kw: request_act(actor=admin, request=need, action=a, expected_version=version, **kw))
            for a, kw in actions
        ]
    )
    winners = [r for r in results if isinstance(r, ServiceRequest)]
    losers = [r for r in results if isinstance(r, StaleEditError | WorkflowError)]
    assert len(winners) == 1, results
    assert len(losers) == len(actions) - 1, results
    need.refresh_from_db()
    assert need.state == winners[0].state
    assert need.state in (State.ACCEPTED, State.RETURNED)
    assert need.version == version + 1
    assert TimelineEvent.objects.filter(request=need).count() == events_before + 1


def test_concurrent_transitions_without_versions_still_serialise():
    """Without expected_version, the row lock makes the second transition see the new state and refuse it."""
    admin = UserFactory(role=Role.ADMIN, username="race_admin2")
    need = NeedFactory.create()
    results = race(*[(lambda: request_act(actor=admin, request=need, action="accept")) for _ in range(3)])
    assert sum(isinstance(r, ServiceRequest) for r in results) == 1, results
    assert sum(isinstance(r, WorkflowError) for r in results) == 2, results
    assert TimelineEvent.objects.filter(request=need, to_state=State.ACCEPTED).count() == 1


def test_concurrent_edits_of_one_enterprise_no_lost_update():
    admin = UserFactory(role=Role.ADMIN, username="race_admin3")
    enterprise = EnterpriseFactory.create(address="旧地址")
    version = enterprise.version

    def edit(address: str) -> Any:
        mine = Enterprise.objects.get(pk=enterprise.pk)  # each editor loaded the same version
        return enterprise_update(actor=admin, enterprise=mine, expected_version=version, address=address)

    results = race(lambda: edit("甲路1号"), lambda: edit("乙路2号"), lambda: edit("丙路3号"))
    winners = [r for r in results if isinstance(r, Enterprise)]
    assert len(winners) == 1, results
    assert all(isinstance(r, StaleEditError) for r in results if r not in winners), results
    enterprise.refresh_from_db()
    assert enterprise.address == winners[0].address
    assert enterprise.version == version + 1


HEADERS = [c.header for c in EnterpriseImporter.columns]


def _batch(admin: Any, rows: list[list[str]]) -> ImportBatch:
    from io import BytesIO

    return import_batch_create(
        actor=admin, importer_key="enterprises", upload=BytesIO(xlsx_bytes(HEADERS, rows)), file_name="企业.xlsx"
    )


def _rows(n: int) -> list[list[str]]:
    return [[e.uscc, e.name] + [""] * (len(HEADERS) - 2) for e in EnterpriseFactory.build_batch(n)]


def test_the_same_import_committed_twice_at_once_imports_once():
    admin = UserFactory(role=Role.ADMIN, username="race_admin4")
    rows = _rows(30)
    batch = _batch(admin, rows)
    assert batch.status == ImportBatch.Status.PREVIEWED
    results = race(*[(lambda: import_batch_commit(actor=admin, batch=batch)) for _ in range(2)])
    assert sum(isinstance(r, ImportBatch) for r in results) == 1, results
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "已处理" in str(refused[0])
    assert Enterprise.objects.filter(uscc__in=[r[0] for r in rows]).count() == 30


def test_identical_imports_at_once_never_duplicate_nor_half_write():
    admin = UserFactory(role=Role.ADMIN, username="race_admin5")
    rows = _rows(30)
    first, second = _batch(admin, rows), _batch(admin, rows)
    results = race(
        lambda: import_batch_commit(actor=admin, batch=first), lambda: import_batch_commit(actor=admin, batch=second)
    )
    assert any(isinstance(r, ImportBatch) for r in results), results
    assert all(isinstance(r, ImportBatch | Exception) for r in results)
    # Whatever the interleaving: each USCC exactly once, every row of the file present.
    usccs = [r[0] for r in rows]
    assert Enterprise.objects.filter(uscc__in=usccs).count() == 30
    for batch, result in zip((first, second), results, strict=True):
        batch.refresh_from_db()
        if isinstance(result, Exception):  # the loser wrote nothing and is back in preview, ready to retry
            assert batch.status == ImportBatch.Status.PREVIEWED
        else:
            assert batch.status == ImportBatch.Status.COMMITTED


def test_ladder_run_twice_is_idempotent():
    now = NeedFactory.create(due_at=None).submitted_at
    for days in (1, 3, 8, 20):
        NeedFactory.create(submitted_at=now - timedelta(days=days + 5), accept_due_at=now - timedelta(days=days))
    at = now + timedelta(hours=1)
    first = run_ladder(now=at)
    assert sum(first.values()) > 0, first
    snapshot = _ladder_state()
    second = run_ladder(now=at)
    assert sum(second.values()) == 0, second
    assert _ladder_state() == snapshot
    # And two workers running it at once (a retried task overlapping a slow one) do not double anything.
    for days in (2, 9):
        NeedFactory.create(submitted_at=now - timedelta(days=days + 5), accept_due_at=now - timedelta(days=days))
    race(lambda: run_ladder(now=at), lambda: run_ladder(now=at))
    third = run_ladder(now=at)
    assert sum(third.values()) == 0, third


def _ladder_state() -> dict[str, int]:
    from service_requests.models import SupervisionNotice

    return {
        "notices": SupervisionNotice.objects.count(),
        "events": TimelineEvent.objects.count(),
        "levels": sum(1 for _ in ServiceRequest.objects.exclude(state=State.CLOSED).values_list("pk")),
    }


def test_talent_sweep_run_twice_and_at_once_is_idempotent():
    from talent import library
    from talent.models import Entitlement
    from talent.services import sweep_period
    from talent.tests.factories import TalentFactory

    admin = UserFactory(role=Role.ADMIN, username="race_admin6")
    library.install(admin)
    TalentFactory.create(education="doctor", housing_status="purchased", social_insurance_months=30)
    TalentFactory.create(education="master", housing_status="renting")
    period = date(2026, 8, 1)
    # Two workers sweeping the same month at once (a retried task overlapping the first one).
    results = race(lambda: sweep_period(actor=admin, period=period), lambda: sweep_period(actor=admin, period=period))
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)], results
    before = sorted(Entitlement.objects.values_list("talent_id", "policy_id", "period", "amount"))
    assert len(before) >= 3
    assert len(set(before)) == len(before)
    sweep_period(actor=admin, period=period)  # the retry after a killed worker
    assert sorted(Entitlement.objects.values_list("talent_id", "policy_id", "period", "amount")) == before


def test_a_sweep_worker_killed_mid_run_is_rerun_and_the_result_is_written_once(tmp_path):
    """A real `db_worker` process takes the sweep task and is SIGKILLed while it runs; the task is enqueued again (the
    retry) and a new worker runs it: every entitlement exists exactly once, as if the first run had never happened."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django_tasks_db.models import DBTaskResult

    from talent import library
    from talent.models import Entitlement, Talent
    from talent.services import sweep_period
    from talent.tasks import run_sweep
    from talent.tests.factories import TalentFactory
    from tests.test_workers import _database_url, _wait

    admin = UserFactory(role=Role.ADMIN, username="kill_admin")
    library.install(admin)
    # Enough talents that the sweep runs for a while: the kill lands while the task is RUNNING.
    employer = EnterpriseFactory.create()
    Talent.objects.bulk_create(
        [
            TalentFactory.build(
                born=date(1980 + n % 20, 1 + n % 12, 1 + n % 28),
                employer=employer,
                education="doctor",
                housing_status="purchased",
                social_insurance_months=30,
            )
            for n in range(400)
        ],
        ignore_conflicts=True,
    )
    env = {**os.environ, "DATABASE_URL": _database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    root = Path(__file__).resolve().parent.parent

    def worker(name: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.05", "--no-reload"]
            + ["--worker-id", name],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        _wait(lambda: "Starting worker" in log.read_text(), 60, lambda: f"worker did not start: {log.read_text()}")
        return process, log

    first, _ = worker("kill-w1")
    try:
        result = run_sweep.enqueue(period="2026-08", actor_id=admin.pk)
        row = DBTaskResult.objects.filter(id=result.id)
        deadline = time.monotonic() + 60
        while row.get().status == "READY":  # tight loop: kill as soon as the worker has claimed the task
            assert time.monotonic() < deadline, "the worker never took the task"
            time.sleep(0.005)
        first.send_signal(signal.SIGKILL)  # mid-run (or just after: either way the retry must not double anything)
        first.wait(10)
        status_after_kill = row.get().status
    finally:
        if first.poll() is None:
            first.kill()
    written_by_killed_worker = Entitlement.objects.count()
    if status_after_kill == "RUNNING":  # killed mid-run (the usual case): its transaction rolled back, nothing written
        assert written_by_killed_worker == 0

    second, _ = worker("kill-w2")
    try:
        retry = run_sweep.enqueue(period="2026-08", actor_id=admin.pk)
        done = DBTaskResult.objects.filter(id=retry.id, status="SUCCESSFUL")
        _wait(done.exists, 90, lambda: f"the retry did not finish: {DBTaskResult.objects.get(id=retry.id).status}")
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(15)
        except subprocess.TimeoutExpired:
            second.kill()

    rows = list(Entitlement.objects.values_list("talent_id", "policy_id", "period"))
    assert len(rows) >= 300, (status_after_kill, written_by_killed_worker, len(rows))
    assert len(set(rows)) == len(rows), "an entitlement was written twice"
    # And once more in-process: nothing left to write — the result is complete and single.
    assert sweep_period(actor=admin, period=date(2026, 8, 1)).run.created_count == 0
    assert len(Entitlement.objects.all()) == len(rows)


def test_concurrent_workflows_keep_the_maintained_totals_exact():
    """Eight needs accepted and eight new needs submitted at the same instant, each in its own transaction: the
    counters they all increment (today's cell, the state counts, the enterprise's served month) lose nothing and the
    maintained tables equal a rebuild from the rows."""
    from service_requests import rollup
    from service_requests.models import DailyTotal, ServedMonths, StateCount
    from service_requests.services.intake import need_create

    admin = UserFactory(role=Role.ADMIN, username="race_admin_totals")
    enterprise = EnterpriseFactory()
    user = UserFactory(role=Role.ENTERPRISE, username="race_ent_totals", enterprise=enterprise)
    needs = [NeedFactory.create(enterprise=enterprise) for _ in range(8)]
    jobs = [(lambda n=n: request_act(actor=admin, request=n, action="accept")) for n in needs]
    jobs += [(lambda i=i: need_create(actor=user, enterprise=enterprise, title=f"并发诉求{i}")) for i in range(8)]
    results = race(*jobs)
    assert all(isinstance(r, ServiceRequest) for r in results), results

    def tables() -> tuple[set, set, set]:
        totals = {
            tuple(row) for row in DailyTotal.objects.values_list("day", "chain_key", "office_key", *rollup.COUNTERS)
        }
        served = {tuple(row) for row in ServedMonths.objects.values_list("enterprise_id", "year", *rollup.MONTHS)}
        states = set(StateCount.objects.filter(n__gt=0).values_list("kind", "state", "n"))
        return totals, served, states

    maintained = tables()
    assert ("need", State.ACCEPTED.value, 8) in maintained[2] and ("need", State.SUBMITTED.value, 8) in maintained[2]
    rollup.rebuild()
    assert tables() == maintained
