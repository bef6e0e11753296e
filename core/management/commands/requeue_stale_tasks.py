from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.task_recovery import DEFAULT_STALE_AFTER, requeue_stale_tasks


class Command(BaseCommand):
    help = "Put tasks left RUNNING by a killed worker back in the queue (run it every few minutes, e.g. from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes", type=int, default=int(DEFAULT_STALE_AFTER.total_seconds() // 60), help="stale after N minutes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = requeue_stale_tasks(stale_after=timedelta(minutes=options["minutes"]))
        self.stdout.write(f"{count} stale task(s) requeued.")
