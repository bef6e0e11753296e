"""Primary/replica routing: the cockpit's and reports' reads go to a streaming replica, everything else to the primary.

Configured by `DATABASE_REPLICA_URL` (settings add a `replica` alias only when it is set; without it this router
routes nothing and every query uses `default`). The rules, in order (docs/scaling.md, "Read replica"):

1. Writes always go to the primary. A write also *pins* the current context to the primary, so every later read of
   the same request (or task, or management command) sees its own writes: read-your-own-writes.
2. Reads go to the replica only inside a *replica-read context*:
   - `replica_reads()` — a context manager for report selectors, exports and any long read-only work;
   - `ReplicaReadMiddleware` opens it for safe (GET/HEAD) requests under `REPLICA_READ_PATHS` (the cockpit's pages and
     API by default), so the cockpit needs no code change;
   - models of the apps in `REPLICA_APPS` (the cockpit's own snapshots) read from the replica everywhere.
3. A pinned context reads from the primary even inside a replica-read context. After a request that wrote, the
   middleware sets a short-lived cookie (`REPLICA_PIN_SECONDS`, default 5 s) so that the redirect after a POST — and
   any request within that window — also reads from the primary (the replica may not have replayed the write yet).
4. If the replica cannot be reached, reads fall back to the primary and a warning is logged; the replica is checked
   again at most every `REPLICA_CHECK_SECONDS` (default 1 s) while healthy and retried after `REPLICA_RETRY_SECONDS`
   (default 10 s) once down.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "db_pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_pinned: ContextVar[bool] = ContextVar("db_pinned_to_primary", default=False)
_wrote: ContextVar[bool] = ContextVar("db_wrote", default=False)
_replica_reads: ContextVar[bool] = ContextVar("db_replica_reads", default=False)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside this block, reads go to the replica (unless the context already wrote, or the replica is down)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


@contextmanager
def pinning_scope(*, pinned: bool = False) -> Iterator[None]:
    """A fresh pin state for one unit of work (a request, a task): a write inside it pins only it."""
    pin_token, wrote_token = _pinned.set(pinned), _wrote.set(False)
    try:
        yield
    finally:
        _pinned.reset(pin_token)
        _wrote.reset(wrote_token)


def pin_to_primary() -> None:
    """Make the rest of the current context read from the primary."""
    _pinned.set(True)


def is_pinned() -> bool:
    return _pinned.get()


def wrote() -> bool:
    """Has the current scope written (through the ORM) since it started?"""
    return _wrote.get()


class _Health(threading.local):
    """Per thread, because Django's connections are per thread."""

    checked_at: float = float("-inf")
    down_until: float = float("-inf")


_health = _Health()


def replica_usable(alias: str = REPLICA) -> bool:
    """Is the replica reachable? A cheap check (a `SELECT 1` at most every REPLICA_CHECK_SECONDS per thread)."""
    if alias not in connections.settings:
        return False
    now = time.monotonic()
    if now < _health.down_until:
        return False
    if now - _health.checked_at < _setting("REPLICA_CHECK_SECONDS", 1.0):
        return True
    connection = connections[alias]
    try:
        connection.ensure_connection()
        if not connection.is_usable():
            raise DatabaseError("the replica connection does not answer")
    except DatabaseError as error:
        logger.warning("replica %r unavailable, reading from the primary: %s", alias, error)
        _health.down_until = now + _setting("REPLICA_RETRY_SECONDS", 10.0)
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None  # a dead socket cannot be closed cleanly; forget it
        return False
    _health.checked_at = now
    return True


def reset_health() -> None:
    _health.checked_at = float("-inf")
    _health.down_until = float("-inf")


class PrimaryReplicaRouter:
    """The DATABASE_ROUTERS entry. `primary` and `replica` are aliases (tests route between other clusters)."""

    def __init__(self, primary: str = DEFAULT_DB_ALIAS, replica: str = REPLICA) -> None:
        self.primary = primary
        self.replica = replica

    def _replica_apps(self) -> frozenset[str]:
        return frozenset(_setting("REPLICA_APPS", ("cockpit",)))

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if self.replica not in connections.settings:
            return None
        if _pinned.get():
            return self.primary
        if _replica_reads.get() or model._meta.app_label in self._replica_apps():
            return self.replica if replica_usable(self.replica) else self.primary
        return self.primary

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        if self.replica not in connections.settings:
            return None
        _pinned.set(True)
        _wrote.set(True)
        return self.primary

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both aliases hold the same data: objects read from either may be related.
        aliases = {self.primary, self.replica}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        # The replica replays the primary's WAL: it is never migrated itself.
        if db == self.replica:
            return False
        return None


class ReplicaReadMiddleware:
    """Opens a replica-read context for safe requests under REPLICA_READ_PATHS and scopes the pin to the request.

    Installed by settings only when DATABASE_REPLICA_URL is set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pin_seconds = _setting("REPLICA_PIN_SECONDS", 5)
        pinned_by_cookie = _cookie_pin_active(request.COOKIES.get(PIN_COOKIE), pin_seconds)
        paths = tuple(_setting("REPLICA_READ_PATHS", ("/cockpit/", "/api/v1/cockpit/")))
        use_replica = request.method in SAFE_METHODS and request.path.startswith(paths)
        with pinning_scope(pinned=pinned_by_cookie):
            if use_replica:
                with replica_reads():
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
            request_wrote = _wrote.get()
        if request_wrote:
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time())),
                max_age=pin_seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def _cookie_pin_active(value: str | None, pin_seconds: float) -> bool:
    if not value:
        return False
    try:
        return time.time() - int(value) < pin_seconds
    except ValueError:
        return False
