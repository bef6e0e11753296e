from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup written by `backup` into an EMPTY migrated installation, then verify counts and checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the backup directory or .tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore_backup(options["path"])
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {report.tables} tables, {report.rows} rows, {report.files} files; "
                "every table's row count and checksum match the backup."
            )
        )
