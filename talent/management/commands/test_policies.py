"""`manage.py test_policies PATH...` — run YAML policy test cases through both evaluators; non-zero exit on failure."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from talent.policy_tests import run_paths


class Command(BaseCommand):
    help = "运行 YAML 政策测试用例（SQL 与 Python 两个评估器），任何不一致都以非零状态退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="YAML 文件或目录")
        parser.add_argument(
            "--library", action="store_true", help="先在回滚事务中装入随系统发布的政策（空数据库也能运行）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if options["library"]:
                from accounts.models import User
                from talent import library

                actor = User.objects.create(username="__policy_tests__", role="admin", is_superuser=True)
                library.install(actor)
            results = run_paths(options["paths"])
            transaction.set_rollback(True)
        failed = [r for r in results if not r.ok]
        for result in results:
            mark = self.style.SUCCESS("✓") if result.ok else self.style.ERROR("✗")
            self.stdout.write(f"{mark} {result.source} {result.name}（{result.records} 条记录）")
            for problem in result.problems:
                self.stdout.write(f"    {problem}")
        summary = f"{len(results)} 个用例，{len(results) - len(failed)} 个通过，{len(failed)} 个失败。"
        self.stdout.write(self.style.ERROR(summary) if failed else self.style.SUCCESS(summary))
        if failed or not results:
            sys.exit(1)
