"""Fill the database with province-scale synthetic data (see demo/scale/generator.py)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.scale.generator import Counts, ScaleGenerator


class Command(BaseCommand):
    help = (
        "Add N synthetic enterprises (with placements, party organizations and members), needs (with timelines), "
        "talents and postings: valid codes, skewed like real registers, reproducible with --seed. COPY on PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=0)
        parser.add_argument("--needs", type=int, default=0, help="service requests (85 % needs, 15 % catalog matters)")
        parser.add_argument("--talents", type=int, default=0)
        parser.add_argument("--postings", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = Counts(
            enterprises=options["enterprises"],
            needs=options["needs"],
            talents=options["talents"],
            postings=options["postings"],
        )
        if min(counts.enterprises, counts.needs, counts.talents, counts.postings) < 0:
            raise CommandError("Counts must not be negative.")
        started = time.perf_counter()
        result = ScaleGenerator(counts, seed=options["seed"], log=self.stdout.write).run()
        for part in result.skipped:
            self.stdout.write(self.style.WARNING(f"  skipped {part}: its models are not installed or have no input"))
        total = sum(result.rows.values())
        self.stdout.write(
            self.style.SUCCESS(f"Generated {total} rows in {time.perf_counter() - started:.1f} s: {result.rows}")
        )
