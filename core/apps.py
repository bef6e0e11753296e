from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础"
    # core sits left of accounts (ARCHITECTURE.md), so the role is spelled as its value: Role.ADMIN == "admin".
    nav_items = [("数据导入", "core:imports", frozenset({"admin"}))]
