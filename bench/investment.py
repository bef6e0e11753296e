"""Benchmark of the innovation chain: gap analysis, the chain map payload, candidate ranking and the signed summary.

    .venv/bin/python bench/investment.py [--targets 2000]

Uses the demo area when the database has one; otherwise it builds the foundation and investment demo builders inside
a transaction. Ranking is then measured again with `--targets` synthetic outside companies added. Everything the
script writes is rolled back.
"""

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, machine, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=2000)
    args = parser.parse_args()
    setup_django()
    from django.db import transaction

    with transaction.atomic():
        results = measure(args.targets)
        transaction.set_rollback(True)
    emit("investment", results, machine=machine())


def measure(n_targets: int) -> list[dict[str, Any]]:
    from accounts.models import User
    from chains.gaps import analyse_chain, gap_counts_by_chain, map_payload
    from chains.models import Chain, Link
    from investment import ranking
    from investment.models import TargetCompany
    from investment.selectors import summary_for_year

    if not Chain.objects.exists():
        from demo.builders import DemoContext, foundation
        from demo.builders import investment as investment_builder

        ctx = DemoContext()
        foundation.build(ctx)
        investment_builder.build(ctx)
    results: list[dict[str, Any]] = []

    def record(operation: str, timing: dict[str, Any], target: str = "", note: str = "") -> None:
        print(f"{operation:<60} {timing['median_ms']:9.1f} ms  {timing['queries']:3d} queries")
        results.append(
            {"operation": operation, "value": timing["median_ms"], "unit": "ms", "queries": timing["queries"],
             "target": target, "note": note}
        )  # fmt: skip

    for chain in Chain.objects.all():
        n_links = chain.links.count()
        record(
            f"chain map: analyse + payload ({chain.name}, {n_links} links)",
            timed(lambda c=chain: map_payload(analyse_chain(c))),
            target="< 200 ms, 5 queries",
        )
    record("gap_counts_by_chain (all chains)", timed(gap_counts_by_chain), target="6 queries")
    leader = User.objects.filter(role="leader").first()
    record("investment summary for a year", timed(lambda: summary_for_year(leader, 2026)), target="4 queries")

    links = list(Link.objects.exclude(industry_codes=""))
    one = links[:1]
    count = TargetCompany.objects.count()
    record(f"candidates for 1 link × {count} targets (warm index)", timed(lambda: ranking.rank_candidates(one)))
    record(
        f"candidates for {len(links)} links × {count} targets", timed(lambda: ranking.rank_candidates(links), repeat=2)
    )

    words = ["医学影像", "CT", "芯片封装", "工业软件", "短剧拍摄", "培养基", "CDMO", "数据库", "晶圆", "超声"]
    codes = ["3581", "3973", "6511", "8730", "2761"]
    TargetCompany.objects.bulk_create(
        TargetCompany(
            name=f"基准目标企业{n}",
            industry_code=codes[n % 5],
            products=f"{words[n % 10]}、{words[(n * 7) % 10]}产品与服务",
            is_specialized=n % 3 == 0,
        )
        for n in range(n_targets)
    )
    count = TargetCompany.objects.count()
    start = time.perf_counter()
    ranking.rank_candidates(one)
    cold = {"median_ms": round((time.perf_counter() - start) * 1000, 1), "queries": 2}
    record(f"candidates, cold index build (1 link × {count} targets)", cold, note="once per change of the targets")
    record(f"candidates for 1 link × {count} targets (warm index)", timed(lambda: ranking.rank_candidates(one)))
    record(
        f"candidates for {len(links)} links × {count} targets",
        timed(lambda: ranking.rank_candidates(links), repeat=1),
    )
    return results


if __name__ == "__main__":
    main()
