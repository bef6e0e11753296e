"""Benchmark of the service chain on PostgreSQL: the workbench's first page and one unit's monthly metrics, with
N needs and N×K timeline rows (default 1,000,000 needs and 10,000,000 timeline rows), spread over the last year;
needs younger than 20 days are 30 % open, older ones closed (resolved in 6 days, rated).

    DATABASE_URL=postgres://… .venv/bin/python bench/service_requests.py [--needs 1000000] [--events 10] [--keep]

Rows are generated in the database (INSERT … SELECT generate_series) inside one transaction that is rolled back at
the end unless --keep is given, so the database is left as it was. Works on an empty migrated database (it adds a
small register) or on one with the demo loaded.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import random  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.choices import Role, UnitKind  # noqa: E402
from accounts.models import Unit, User  # noqa: E402
from core.validators import make_uscc  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from service_requests import rollup, selectors  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, machine  # noqa: E402

RESULTS: list[dict] = []


def timed(label: str, func, repeat: int = 3):
    func()  # warm up
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        for _ in range(repeat):
            result = func()
        elapsed = (time.perf_counter() - start) / repeat
    print(f"{label:<62} {elapsed * 1000:9.1f} ms  {len(queries) // repeat:3d} queries")
    RESULTS.append(
        {"operation": label, "value": round(elapsed * 1000, 1), "unit": "ms", "queries": len(queries) // repeat}
    )
    return result


def _base() -> tuple[list[int], list[int], User, User]:
    rng = random.Random(7)
    if Enterprise.objects.count() < 100:
        Enterprise.objects.bulk_create(
            Enterprise(uscc=make_uscc(rng), name=f"基准企业{n}", short_name=f"基准{n}") for n in range(1000)
        )
    units = list(Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.SECTOR_DESK]).values_list("pk", flat=True))
    if len(units) < 5:
        Unit.objects.bulk_create(Unit(name=f"基准单位{n}", kind=UnitKind.DEPARTMENT) for n in range(10))
        units = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("pk", flat=True))
    admin = User.objects.filter(role=Role.ADMIN).first() or User.objects.create(username="bench_admin", role=Role.ADMIN)
    handler = User.objects.filter(role=Role.HANDLER, unit_id=units[0]).first() or User.objects.create(
        username="bench_handler", role=Role.HANDLER, unit_id=units[0]
    )
    enterprises = list(Enterprise.objects.values_list("pk", flat=True))
    return enterprises, units, admin, handler


def _generate(n_needs: int, events: int, enterprises: list[int], units: list[int]) -> None:
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO service_requests_servicerequest (
                kind, enterprise_id, lead_unit_id, channel, topic, title, description, form_data, contact_name,
                contact_phone, state, submitted_at, accepted_at, dispatched_at, signed_at, resolved_at, due_at,
                sign_due_at, accept_due_at, time_limit_workdays, paused_workdays, extension_workdays,
                pending_extension_reason, signed_on_time, resolved_on_time, return_reason, resolution, evidence,
                rating, rating_comment, rated_at, reopen_count, source_ref, created_at, updated_at, version
            )
            SELECT 'need',
                   (%(ents)s)[1 + (i %% cardinality(%(ents)s))],
                   (%(units)s)[1 + (i %% cardinality(%(units)s))],
                   'online', 'labour', '基准诉求 ' || i, '', '{}', '', '',
                   CASE WHEN i %% 365 >= 20 OR i %% 10 < 7 THEN 'closed' WHEN i %% 10 = 7 THEN 'in_progress'
                        WHEN i %% 10 = 8 THEN 'dispatched' ELSE 'submitted' END,
                   t, t + interval '2 hours', t + interval '3 hours', t + interval '1 day',
                   CASE WHEN i %% 365 >= 20 OR i %% 10 < 7 THEN t + interval '6 days' END,
                   t + interval '14 days', t + interval '1 day 4 hours', t + interval '1 day', 10, 0, 0, '',
                   true, CASE WHEN i %% 365 >= 20 OR i %% 10 < 7 THEN i %% 13 <> 0 END, '', '', '',
                   CASE WHEN i %% 365 >= 20 OR i %% 10 < 7 THEN 3 + i %% 3 END, '',
                   CASE WHEN i %% 365 >= 20 OR i %% 10 < 7 THEN t + interval '7 days' END,
                   CASE WHEN i %% 29 = 0 THEN 1 ELSE 0 END, 'bench', t, t, 1
            FROM (SELECT i, now() - make_interval(days => i %% 365, mins => i %% 600) AS t
                  FROM generate_series(1, %(n)s) AS i) AS g
            """,
            {"n": n_needs, "ents": enterprises, "units": units},
        )
        print(f"inserted {n_needs:,} needs in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO service_requests_timelineevent
                (request_id, action, from_state, to_state, note, internal, data, created_at)
            SELECT r.id, 'note', '', '', '基准办理记录', k %% 4 = 0, '{}', r.submitted_at + make_interval(hours => k)
            FROM service_requests_servicerequest r CROSS JOIN generate_series(1, %(k)s) AS k
            WHERE r.source_ref = 'bench'
            """,
            {"k": events},
        )
        print(f"inserted {n_needs * events:,} timeline rows in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        rows = rollup.rebuild()  # the rows bypassed the services: recompute the maintained totals once
        print(f"service totals rebuilt ({sum(rows.values()):,} rows) in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        cursor.execute("ANALYZE service_requests_servicerequest")
        cursor.execute("ANALYZE service_requests_timelineevent")
        print(f"analyze in {time.perf_counter() - start:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL (set DATABASE_URL).")
        return
    with transaction.atomic():
        enterprises, units, admin, handler = _base()
        _generate(args.needs, args.events, enterprises, units)
        today = timezone.localdate()
        month_start = today.replace(day=1)
        year_start = date(today.year, 1, 1)
        print(f"{'measure':<62} {'time':>12}  queries")
        timed("workbench first page, admin, all (50 rows + count)", lambda: _page(admin, "all"))
        timed("workbench first page, one unit's handler, my tasks", lambda: _page(handler, "mine"))
        timed("workbench first page, admin, overdue", lambda: _page(admin, "overdue"))
        timed("workbench tab badges, one unit's handler", lambda: selectors.badge_counts(handler))
        timed(
            "workbench tab badges, one unit's handler, counted from the rows (before the unit counts)",
            lambda: selectors.badge_counts(handler, from_rows=True),
            repeat=1,
        )
        unit = Unit.objects.get(pk=units[0])
        timed(
            "monthly metrics for one unit (by instructor, admin)",
            lambda: selectors.metrics_by(admin, "instructor", month_start, today, unit=unit),
        )
        timed(
            "monthly metrics for one unit (its handler's own scope)",
            lambda: selectors.metrics_by(handler, "unit", month_start, today),
        )
        timed(
            "monthly metrics, whole area by unit (admin)",
            lambda: selectors.metrics_by(admin, "unit", month_start, today),
        )
        timed(
            "service_chain_figures, year to date (admin)",
            lambda: selectors.service_chain_figures(admin, year_start, today),
        )
        timed(
            "enterprises served, year to date (maintained span counts)", lambda: rollup.served_count(year_start, today)
        )
        one = selectors.requests_visible_to(admin).filter(source_ref="bench").order_by("-id").first()
        assert one is not None, "the generated needs are visible to the admin"
        timed("one request's timeline", lambda: selectors.timeline_for(admin, one))
        timed(
            "service_chain_figures, year to date, counted from the rows (before the totals)",
            lambda: selectors.service_chain_figures(admin, year_start, today, from_rows=True),
            repeat=1,
        )
        if not args.keep:
            transaction.set_rollback(True)
            print("rolled back (use --keep to keep the rows)")
    emit(
        "service_requests",
        RESULTS,
        scale={"needs": args.needs, "timeline_events": args.needs * args.events},
        machine=machine(),
    )


def _page(user, view):
    qs = selectors.workbench(user, view)
    return list(qs[:50]), qs.count()


if __name__ == "__main__":
    main()
