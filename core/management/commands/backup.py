from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a consistent, versioned backup (database rows, checksums, uploaded files) to PATH (dir or .tar.gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a new or empty directory, or a file name ending in .tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = create_backup(options["path"])
        except BackupError as exc:
            raise CommandError(str(exc))
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {options['path']}: {len(manifest['tables'])} tables, {rows} rows, "
                f"{len(manifest['media'])} files (format {manifest['format_version']})."
            )
        )
