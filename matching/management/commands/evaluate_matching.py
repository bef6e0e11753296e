import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching import indexing
from matching.evaluation import CUTOFFS, METHODS, evaluate


class Command(BaseCommand):
    help = (
        "Evaluate the matching engine on a labelled JSON file in a throwaway index: recall@1/5/10 and MRR for BM25, "
        "dense and the hybrid. The last line is one JSON object with the figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help='{"corpus": [{"id","text","kind"}], "queries": [{"text","kind","relevant"}]}')
        parser.add_argument(
            "--no-dense", action="store_true", help="BM25 only (also when MATCHING_DENSE_ENABLED is off)"
        )
        parser.add_argument(
            "--with-db-vocabulary", action="store_true", help="also use the database's chain links and synonym table"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取 {path}: {exc}") from exc
        words: list[str] = []
        synonyms: dict[str, str] = {}
        if options["with_db_vocabulary"]:
            words, synonyms = indexing.domain_words(), indexing.synonyms()
        dense = indexing.dense_enabled() and not options["no_dense"]
        try:
            figures = evaluate(data, dense=dense, extra_words=words, extra_synonyms=synonyms)
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"文件格式有误: {exc}") from exc
        self.stdout.write(f"corpus {figures['corpus']} documents, {figures['queries']} queries")
        header = "method   " + "  ".join(f"{f'recall@{k}':>9}" for k in CUTOFFS) + f"  {'MRR':>7}"
        self.stdout.write(header)
        for method in METHODS:
            row = figures[method]
            if row is None:
                self.stdout.write(f"{method:<8} (switched off)")
                continue
            cells = "  ".join(f"{row[f'recall@{k}']:>9.4f}" for k in CUTOFFS)
            self.stdout.write(f"{method:<8} {cells}  {row['mrr']:>7.4f}")
        self.stdout.write(json.dumps(figures, ensure_ascii=False, sort_keys=True))
