from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from service_requests.tasks import run_supervision_ladder


class Command(BaseCommand):
    help = "Run the supervision ladder (督办) now, or enqueue it for the task worker with --enqueue. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the task for `manage.py db_worker`.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = run_supervision_ladder.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        counts = run_supervision_ladder.call()
        self.stdout.write(self.style.SUCCESS(f"supervision: {counts}"))
