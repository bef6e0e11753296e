from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import User
from demo.builders import DemoContext, discover


class Command(BaseCommand):
    help = "Build the fictional demo area (idempotent: an area that already has the demo is left unchanged)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing unless the database has no users.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("Database is not empty; demo not loaded.")
            return
        if User.objects.filter(username="demo_admin").exists():
            self.stdout.write("Demo area already loaded; nothing changed.")
            return
        ctx = DemoContext()
        with transaction.atomic():
            for module in discover():
                self.stdout.write(f"  building {module.__name__.rsplit('.', 1)[-1]} …")
                module.build(ctx)
        for line in ctx.log:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo area loaded."))
