"""Recompute the service chain's maintained totals (daily totals, served months and counts, state counts) from the
requests and deliveries. Needed after rows were written around the services (the scale generator, a restore of an
old backup) and after a migration that adds a maintained table."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from service_requests import rollup


class Command(BaseCommand):
    help = "从诉求与服务记录重算服务链日汇总、企业受服务月份与计数、状态计数。"

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        rows = rollup.rebuild()
        self.stdout.write(
            f"日汇总 {rows['daily_totals']} 行，企业受服务月份 {rows['served_months']} 行，用时 {time.perf_counter() - start:.1f} 秒。"
        )
