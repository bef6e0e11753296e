"""Benchmark of the innovation chain: gap analysis, chain map payload, candidate ranking and the signed summary.

Run against a database with the demo loaded (`make demo`), e.g. `.venv/bin/python bench/investment.py`.
Ranking is measured on the demo's targets and again with 2,000 synthetic targets added inside a rolled-back
transaction, so the database is left as it was.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from chains.gaps import analyse_chain, gap_counts_by_chain, map_payload  # noqa: E402
from chains.models import Chain, Link  # noqa: E402
from investment.models import TargetCompany  # noqa: E402
from investment.ranking import rank_candidates  # noqa: E402
from investment.selectors import summary_for_year  # noqa: E402


def timed(label: str, func, repeat: int = 5):
    func()  # warm up (jieba's dictionary, caches)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        for _ in range(repeat):
            result = func()
        elapsed = (time.perf_counter() - start) / repeat
    print(f"{label:<58} {elapsed * 1000:8.1f} ms  {len(queries) // repeat:3d} queries")
    return result


def main() -> None:
    chains = list(Chain.objects.all())
    if not chains:
        print("No chains: load the demo first (make demo).")
        return
    leader = User.objects.filter(role="leader").first()
    for chain in chains:
        timed(
            f"analyse_chain + map_payload ({chain.name}, {chain.links.count()} links)",
            lambda c=chain: map_payload(analyse_chain(c)),
        )
    timed(f"gap_counts_by_chain ({len(chains)} chains)", gap_counts_by_chain)
    timed("summary_for_year (signed projects by field, chain, team)", lambda: summary_for_year(leader, 2026))
    gap_links = list(Link.objects.exclude(industry_codes=""))
    n_targets = TargetCompany.objects.count()
    timed(
        f"rank_candidates ({len(gap_links)} links × {n_targets} targets)", lambda: rank_candidates(gap_links), repeat=2
    )
    one = gap_links[:1]
    timed(f"rank_candidates (1 link × {n_targets} targets)", lambda: rank_candidates(one), repeat=3)
    with transaction.atomic():
        words = ["医学影像", "CT", "芯片封装", "工业软件", "短剧拍摄", "培养基", "CDMO", "数据库", "晶圆", "超声"]
        TargetCompany.objects.bulk_create(
            TargetCompany(
                name=f"基准目标企业{n}",
                industry_code=["3581", "3973", "6511", "8730", "2761"][n % 5],
                products=f"{words[n % 10]}、{words[(n * 7) % 10]}产品与服务",
                is_specialized=n % 3 == 0,
            )
            for n in range(2000)
        )
        total = TargetCompany.objects.count()
        start = time.perf_counter()
        rank_candidates(one)
        print(
            f"{'cold index build + rank (1 link × ' + str(total) + ' targets)':<58} {(time.perf_counter() - start) * 1000:8.1f} ms"
        )
        timed(f"rank_candidates (1 link × {total} targets)", lambda: rank_candidates(one), repeat=3)
        timed(
            f"rank_candidates ({len(gap_links)} links × {total} targets)", lambda: rank_candidates(gap_links), repeat=1
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
