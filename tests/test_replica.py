"""The primary/replica router (config/db_router.py).

The routing rules are tested on any engine with the replica's health stubbed; the postgres-marked test starts a real
primary and a streaming replica (pg_basebackup -R) on loopback ports and proves replay, routing and the fallback.
"""

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.db import ProgrammingError, connections
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from cockpit.models import MonthlySnapshot
from config import db_router
from config.db_router import (
    PIN_COOKIE,
    PrimaryReplicaRouter,
    ReplicaReadMiddleware,
    pinning_scope,
    replica_reads,
)
from core.models import WorkdayOverride
from service_requests.models import ServiceRequest

FAKE_REPLICA = "fake_replica"


def _add_alias(alias: str, config: dict) -> None:
    connections.settings[alias] = connections.configure_settings({"default": dict(config)})["default"]


def _drop_alias(alias: str) -> None:
    if alias in connections.settings:
        with contextlib.suppress(Exception):
            connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


@pytest.fixture
def fake_replica(monkeypatch) -> Iterator[PrimaryReplicaRouter]:
    """A replica alias that is never connected to: its health is stubbed, only the routing decisions are tested."""
    _add_alias(FAKE_REPLICA, {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"})
    healthy = {"up": True}
    monkeypatch.setattr(db_router, "replica_usable", lambda alias=FAKE_REPLICA: healthy["up"])
    router = PrimaryReplicaRouter(replica=FAKE_REPLICA)
    router.healthy = healthy
    try:
        with pinning_scope():
            yield router
    finally:
        _drop_alias(FAKE_REPLICA)


def test_without_a_replica_the_router_routes_nothing():
    router = PrimaryReplicaRouter(replica="no_such_alias")
    with replica_reads():
        assert router.db_for_read(MonthlySnapshot) is None
        assert router.db_for_write(ServiceRequest) is None


def test_cockpit_models_read_from_the_replica_and_others_from_the_primary(fake_replica):
    assert fake_replica.db_for_read(MonthlySnapshot) == FAKE_REPLICA
    assert fake_replica.db_for_read(ServiceRequest) == "default"


def test_replica_reads_context_sends_every_read_to_the_replica(fake_replica):
    with replica_reads():
        assert fake_replica.db_for_read(ServiceRequest) == FAKE_REPLICA
    assert fake_replica.db_for_read(ServiceRequest) == "default"


def test_a_write_pins_the_rest_of_the_context_to_the_primary(fake_replica):
    with replica_reads():
        assert fake_replica.db_for_write(ServiceRequest) == "default"
        assert fake_replica.db_for_read(ServiceRequest) == "default"
        assert fake_replica.db_for_read(MonthlySnapshot) == "default"
    with pinning_scope():  # a new unit of work starts unpinned
        assert fake_replica.db_for_read(MonthlySnapshot) == FAKE_REPLICA


def test_a_replica_that_is_down_falls_back_to_the_primary(fake_replica):
    fake_replica.healthy["up"] = False
    with replica_reads():
        assert fake_replica.db_for_read(ServiceRequest) == "default"
    assert fake_replica.db_for_read(MonthlySnapshot) == "default"


def test_the_replica_is_never_migrated(fake_replica):
    assert fake_replica.allow_migrate(FAKE_REPLICA, "service_requests") is False
    assert fake_replica.allow_migrate("default", "service_requests") is None


def test_an_unreachable_replica_is_reported_down_and_not_retried_at_once(caplog, django_db_blocker):
    port = _free_port()  # nothing listens there
    _add_alias(
        "dead_replica",
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "x",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "USER": "x",
            "OPTIONS": {"connect_timeout": 2},
        },
    )
    db_router.reset_health()
    try:
        with django_db_blocker.unblock(), override_settings(REPLICA_CHECK_SECONDS=0, REPLICA_RETRY_SECONDS=60):
            with caplog.at_level(logging.WARNING, logger="config.db_router"):
                assert db_router.replica_usable("dead_replica") is False
            assert "unavailable, reading from the primary" in caplog.text
            caplog.clear()
            assert db_router.replica_usable("dead_replica") is False
            assert caplog.text == "", "within the retry interval the replica is not tried again"
            router = PrimaryReplicaRouter(replica="dead_replica")
            with pinning_scope(), replica_reads():
                assert router.db_for_read(ServiceRequest) == "default"
    finally:
        db_router.reset_health()
        _drop_alias("dead_replica")


def _through_middleware(router, request, *, write: bool = False):
    seen = {}

    def view(request):
        seen["before"] = router.db_for_read(ServiceRequest)
        if write:
            router.db_for_write(ServiceRequest)
            seen["after"] = router.db_for_read(ServiceRequest)
        return HttpResponse("ok")

    with override_settings(REPLICA_READ_PATHS=("/cockpit/", "/api/v1/cockpit/")):
        response = ReplicaReadMiddleware(view)(request)
    return seen, response


def test_middleware_reads_cockpit_pages_from_the_replica_and_pins_after_a_write(fake_replica):
    factory = RequestFactory()
    seen, response = _through_middleware(fake_replica, factory.get("/api/v1/cockpit/summary"))
    assert seen["before"] == FAKE_REPLICA
    assert PIN_COOKIE not in response.cookies

    seen, _ = _through_middleware(fake_replica, factory.get("/service-requests/requests/"))
    assert seen["before"] == "default"
    seen, _ = _through_middleware(fake_replica, factory.post("/cockpit/report/close/"))
    assert seen["before"] == "default"

    seen, response = _through_middleware(fake_replica, factory.get("/cockpit/"), write=True)
    assert (seen["before"], seen["after"]) == (FAKE_REPLICA, "default")
    assert PIN_COOKIE in response.cookies

    # The next request (the redirect after a write) carries the cookie: it reads its own writes from the primary.
    pinned = factory.get("/cockpit/")
    pinned.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value
    seen, _ = _through_middleware(fake_replica, pinned)
    assert seen["before"] == "default"
    stale = factory.get("/cockpit/")
    stale.COOKIES[PIN_COOKIE] = str(int(time.time()) - 3600)
    seen, _ = _through_middleware(fake_replica, stale)
    assert seen["before"] == FAKE_REPLICA


# ---- a real primary and streaming replica -----------------------------------------------------------------------

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=60)


class Cluster:
    def __init__(self, base: Path, name: str) -> None:
        self.data = base / name
        self.base = base
        self.port = _free_port()

    def start(self, *options: str) -> None:
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.base} -c fsync=off -c synchronous_commit=off " + " ".join(options)
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", f"{self.data}.log", "-w", "-o", opts, "start")

    def stop(self) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
        subprocess.run([*prefix, *pg_ctl], capture_output=True, timeout=60, check=False)

    def config(self) -> dict:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres",
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "OPTIONS": {"connect_timeout": 2},
        }


@pytest.fixture
def primary_and_replica(django_db_blocker) -> Iterator[tuple[str, str, "Cluster"]]:
    if not (PG_BIN / "pg_basebackup").exists():
        pytest.fail(f"PostgreSQL binaries not found in {PG_BIN} (set PG_BIN)")
    base = Path(tempfile.mkdtemp(prefix="lianshang-replica-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, replica = Cluster(base, "primary"), Cluster(base, "replica")
    aliases = ("scale_primary", "scale_replica")
    try:
        _as_postgres(
            str(PG_BIN / "initdb"), "-D", str(primary.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "-N"
        )
        primary.start("-c wal_level=replica -c max_wal_senders=4")
        _as_postgres(
            str(PG_BIN / "pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        replica.start("-c hot_standby=on")
        _add_alias(aliases[0], primary.config())
        _add_alias(aliases[1], replica.config())
        with django_db_blocker.unblock():
            yield aliases[0], aliases[1], replica
            replica.stop()
            primary.stop()
    finally:
        for alias in aliases:
            _drop_alias(alias)
        replica.stop()
        primary.stop()
        shutil.rmtree(base, ignore_errors=True)


def _replayed(rows) -> bool:
    try:
        return rows.exists()
    except ProgrammingError:  # the table itself is not replayed yet
        return False


@pytest.mark.postgres
def test_streaming_replica_serves_reads_and_an_outage_falls_back_to_the_primary(primary_and_replica, caplog):
    primary_alias, replica_alias, replica = primary_and_replica
    router = PrimaryReplicaRouter(primary=primary_alias, replica=replica_alias)
    with connections[replica_alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True, "the second cluster is a standby"
    with connections[primary_alias].schema_editor() as editor:
        editor.create_model(WorkdayOverride)

    db_router.reset_health()
    with override_settings(DATABASE_ROUTERS=[router], REPLICA_CHECK_SECONDS=0, REPLICA_RETRY_SECONDS=0):
        with pinning_scope():
            written = WorkdayOverride.objects.create(day=date(2027, 2, 6), is_workday=True, note="春节调休")
            assert written._state.db == primary_alias

        # Through the router, outside any write: the row is read from the replica once replayed.
        with pinning_scope(), replica_reads():
            rows = WorkdayOverride.objects.filter(note="春节调休")
            assert rows.db == replica_alias
            deadline = time.monotonic() + 10
            while not _replayed(rows):
                assert time.monotonic() < deadline, "the replica did not replay the write within 10 s"
                time.sleep(0.05)
        with pinning_scope():
            assert router.db_for_read(MonthlySnapshot) == replica_alias, "cockpit models read from the replica"

        # Read-your-own-writes: after a write, the same context reads from the primary at once.
        with pinning_scope(), replica_reads():
            WorkdayOverride.objects.create(day=date(2027, 2, 7), is_workday=True, note="补班")
            mine = WorkdayOverride.objects.filter(note="补班")
            assert mine.db == primary_alias and mine.exists()

        # The replica goes down: reads fall back to the primary, with a warning in the log.
        replica.stop()
        with caplog.at_level(logging.WARNING, logger="config.db_router"), pinning_scope(), replica_reads():
            rows = WorkdayOverride.objects.order_by("day")
            assert rows.db == primary_alias
            assert [r.note for r in rows] == ["春节调休", "补班"]
        assert "unavailable, reading from the primary" in caplog.text
    db_router.reset_health()
