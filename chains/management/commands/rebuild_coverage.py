"""Recompute the organization chain's maintained coverage figures (`chains.coverage`) from the rows.

Needed only after rows were written around the services (the scale generator, a bulk load by SQL)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from chains import coverage


class Command(BaseCommand):
    help = "从党组织、党员与企业落链记录重算组织链覆盖计数。"

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        rows = coverage.rebuild()
        self.stdout.write(f"覆盖计数 {rows} 行，用时 {time.perf_counter() - start:.1f} 秒。")
