from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import User


class Command(BaseCommand):
    help = "List the demo accounts (username, role) for the start-up banner."

    def handle(self, *args: Any, **options: Any) -> None:
        for user in User.objects.filter(username__startswith="demo_").order_by("id"):
            self.stdout.write(f"    {user.username:<24} {user.get_role_display()}")
