from typing import Any

from django.core.management.base import BaseCommand

from demo.builders import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo-only password shared by every demo account."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(DEMO_PASSWORD)
