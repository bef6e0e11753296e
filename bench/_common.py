"""Shared helpers of the benchmark scripts: Django setup, timing with query counts, EXPLAIN, machine facts, and the
one final JSON line every script prints for bench/run_all.py.

The JSON line: {"script": "...", "scale": {...}, "results": [{"operation", "value", "unit", "queries", "target",
"comparison", "note"}], "explain": {"label": "plan text"}}. Lines before it are free-form figures for humans.
"""

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def timed(func: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> dict[str, Any]:
    """Median and worst wall time (ms) of `func`, its median Python CPU time and time in database queries (as seen
    by the client), the queries of one run and the slowest of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        func()
    times: list[float] = []
    cpu: list[float] = []
    db: list[float] = []
    queries: list[dict[str, str]] = []
    for i in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            func()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        db.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        if i == 0:
            queries = list(captured.captured_queries)
    slowest = max(queries, key=lambda q: float(q["time"]), default=None)
    return {
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        # On a shared machine wall time includes waiting for a core; these two parts do not.
        "python_cpu_ms": round(statistics.median(cpu), 1),
        "db_ms": round(statistics.median(db), 1),
        "queries": len(queries),
        "slowest_sql": slowest["sql"] if slowest else "",
        "slowest_ms": round(float(slowest["time"]) * 1000, 1) if slowest else 0.0,
    }


def explain_analyze(sql: str, *, without_indexes: bool = False) -> tuple[str, float]:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured query (PostgreSQL), and its execution time in ms. With
    `without_indexes`, index scans are disabled for the comparison "what the index saves"."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if without_indexes:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    execution = next((line for line in lines if line.startswith("Execution Time")), "Execution Time: 0 ms")
    return "\n".join(lines), float(execution.split(":")[1].split()[0])


def machine() -> dict[str, Any]:
    facts: dict[str, Any] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        facts["ram_gib"] = round(int(meminfo[0].split()[1]) / 1024 / 1024, 1)
        cpu = [line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
        facts["cpu"] = cpu[0].split(":", 1)[1].strip() if cpu else platform.processor()
    except OSError:
        pass
    try:
        import django
        from django.db import connection

        facts["django"] = django.get_version()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                facts["postgresql"] = cursor.fetchone()[0]
        else:
            facts["database"] = connection.vendor
    except Exception as error:
        facts["database_error"] = str(error)
    return facts


def emit(script: str, results: list[dict[str, Any]], **extra: Any) -> None:
    """Print the final JSON line run_all.py reads."""
    print(json.dumps({"script": script, "results": results, **extra}, ensure_ascii=False, default=str))
