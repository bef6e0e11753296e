import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from matching.feedback import feedback_dataset


class Command(BaseCommand):
    help = "Write users' accepted suggestions as a labelled set for `evaluate_matching` (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="output JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        data = feedback_dataset()
        Path(options["file"]).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"{len(data['queries'])} queries, {len(data['corpus'])} documents → {options['file']}")
