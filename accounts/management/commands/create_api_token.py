from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API bearer token for USERNAME and print it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"用户 {options['username']} 不存在。") from None
        _token, plain = api_token_create(actor=None, user=user, name=options["name"])
        self.stdout.write(plain)
