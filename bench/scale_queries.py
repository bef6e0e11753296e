"""The pages that must stay fast at province scale, on PostgreSQL, through the Django test client (server time:
middleware, selectors, queries, template rendering):

- the staff workbench's first page of the service chain (dispatcher "my tasks", a handler's tasks, a management
  office's handler (the office with the most requests), the overdue view);
- the enterprise portal's request list, for the enterprise with the most requests (the skew's head);
- the enterprise register's first page (staff);
- the cockpit summary (API, leader, this year: the whole area, and narrowed to the busiest office).

    DATABASE_URL=postgres://… .venv/bin/python bench/scale_queries.py [--enterprises 100000 --needs 300000
        --talents 100000 --postings 50000] [--repeat 5] [--seed 1]

Data comes from `manage.py generate_scale` and stays in the database: only the shortfall against the requested counts
is generated, so a second run at the same scale reuses the data. For each page: median and worst of `--repeat` runs,
the query count, the slowest query with its EXPLAIN (ANALYZE, BUFFERS), and the same query with index scans disabled
(the comparison: what the indexes save). Targets (issue 9, at 1M/5M/2M/500k): pages < 100 ms, cockpit < 300 ms.
"""

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, explain_analyze, machine, setup_django, timed

setup_django()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from demo.scale.generator import Counts, ScaleGenerator  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from matching.models import Posting  # noqa: E402
from service_requests.models import ServiceRequest  # noqa: E402
from talent.models import Talent  # noqa: E402


def ensure_data(args: argparse.Namespace) -> tuple[dict[str, int], dict | None]:
    have = {
        "enterprises": Enterprise.objects.count(),
        "needs": ServiceRequest.objects.count(),
        "talents": Talent.objects.count(),
        "postings": Posting.objects.count(),
    }
    missing = {key: max(0, getattr(args, key) - value) for key, value in have.items()}
    generated = None
    if any(missing.values()):
        print(f"generating the shortfall {missing} (have {have}) …", flush=True)
        start = time.perf_counter()
        result = ScaleGenerator(Counts(**missing), seed=args.seed, log=print).run()
        seconds = time.perf_counter() - start
        rows = sum(result.rows.values())
        print(f"generated {rows:,} rows in {seconds:.0f} s ({rows / seconds:,.0f} rows/s): {result.rows}", flush=True)
        generated = {
            "operation": "generate_scale (COPY): " + ", ".join(f"{v:,} {k}" for k, v in missing.items() if v),
            "value": round(seconds, 1),
            "unit": "s",
            "queries": "",
            "comparison": f"{rows:,} rows in all ({rows / seconds:,.0f} rows/s); issue 9: 1M enterprises in minutes",
        }
    return {key: have[key] + missing[key] for key in have}, generated


def user(username: str, role: str, **fields) -> User:
    found, _ = User.objects.update_or_create(username=username, defaults={"role": role, **fields})
    return found


def busiest(field: str, **among: Any) -> Any:
    """The value of `field` (an enterprise, a lead unit, an office) with the most requests."""
    return (
        ServiceRequest.objects.filter(**among)
        .values(field)
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list(field, "n")
        .first()
    )


def personas() -> dict[str, User]:
    busiest_firm = busiest("enterprise")
    unit = busiest("lead_unit", lead_unit__isnull=False)
    office = busiest("office", office__isnull=False)
    assert busiest_firm is not None and unit is not None, "no service requests: generation failed"
    assert office is not None, "no request has a management office: generation failed"
    print(f"busiest enterprise #{busiest_firm[0]}: {busiest_firm[1]} requests; busiest office #{office[0]}")
    return {
        "admin": user("scale_q_admin", Role.ADMIN),
        "leader": user("scale_q_leader", Role.LEADER),
        "handler": user("scale_q_handler", Role.HANDLER, unit_id=unit[0]),
        "office_handler": user("scale_q_office_handler", Role.HANDLER, unit_id=office[0]),
        "enterprise": user("scale_q_enterprise", Role.ENTERPRISE, enterprise_id=busiest_firm[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=300_000)
    parser.add_argument("--talents", type=int, default=100_000)
    parser.add_argument("--postings", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    logging.getLogger("axes").setLevel(logging.WARNING)  # force_login is logged at INFO per request
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL (set DATABASE_URL and run migrate).")
        emit("scale_queries", [], skipped="needs PostgreSQL")
        return

    scale, generated = ensure_data(args)
    people = personas()
    year = timezone.localdate().year
    pages = [
        ("staff workbench, first page (dispatcher: my tasks)", "admin", "/services/requests/", 100),
        ("staff workbench, first page (handler: my tasks)", "handler", "/services/requests/", 100),
        ("staff workbench, first page (a management office's handler)", "office_handler", "/services/requests/", 100),
        ("staff workbench, overdue view", "admin", "/services/requests/?view=overdue", 100),
        ("enterprise portal, my requests (busiest firm)", "enterprise", "/services/requests/", 100),
        ("enterprise register, first page (staff)", "admin", "/enterprises/", 100),
        ("cockpit summary API (leader, whole area)", "leader", f"/api/v1/cockpit/summary?year={year}", 300),
        (
            "cockpit summary API (leader, the busiest office)",
            "leader",
            f"/api/v1/cockpit/summary?year={year}&office={people['office_handler'].unit_id}",
            300,
        ),
    ]
    results, plans = ([generated] if generated else []), {}
    print(f"scale: {scale}")
    for label, persona, url, target in pages:
        client = Client()
        client.force_login(people[persona])

        def get(client: Client = client, url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, f"{url} answered {response.status_code}"

        figures = timed(get, repeat=args.repeat)
        comparison = (
            f"target < {target} ms (issue 9, at 1M enterprises / 5M needs); of it Python CPU "
            f"{figures['python_cpu_ms']:.0f} ms, queries {figures['db_ms']:.0f} ms"
        )
        if figures["slowest_sql"]:
            plan, with_index = explain_analyze(figures["slowest_sql"])
            _, without = explain_analyze(figures["slowest_sql"], without_indexes=True)
            plans[label] = plan
            comparison += f"; slowest query {with_index:.1f} ms, {without:.1f} ms with index scans disabled"
        print(
            f"{label:<55} {figures['median_ms']:8.1f} ms (max {figures['max_ms']:.1f}; Python CPU "
            f"{figures['python_cpu_ms']:.1f}, queries {figures['db_ms']:.1f})  {figures['queries']:3d} queries"
        )
        results.append(
            {
                "operation": label,
                "value": figures["median_ms"],
                "unit": "ms (median server time)",
                "max": figures["max_ms"],
                "queries": figures["queries"],
                "target": target,
                "met": figures["median_ms"] < target,
                "comparison": comparison,
            }
        )
    emit("scale_queries", results, scale=scale, machine=machine(), explain=plans)


if __name__ == "__main__":
    main()
