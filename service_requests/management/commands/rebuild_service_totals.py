"""Recompute the service chain's maintained totals (daily totals, served months) from the requests and deliveries.

Needed only after rows were written around the services (the scale generator, a restore of an old backup)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from service_requests import rollup


class Command(BaseCommand):
    help = "从诉求与服务记录重算服务链日汇总与企业受服务月份。"

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        rows = rollup.rebuild()
        self.stdout.write(
            f"日汇总 {rows['daily_totals']} 行，企业受服务月份 {rows['served_months']} 行，用时 {time.perf_counter() - start:.1f} 秒。"
        )
