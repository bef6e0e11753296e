"""Demo builders: one module per domain, each with ORDER (int) and build(ctx). Discovered and run in ORDER.

Every builder creates its records through the apps' services (the same code that real data goes through), is
deterministic (ctx.rng is seeded), and must not run twice: load_demo runs the builders only into an area that has no
demo yet, so running `load_demo` twice changes nothing.
"""

import importlib
import pkgutil
import random
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType
from typing import Any

from django.utils import timezone

DEMO_PASSWORD = "lianshang-demo-2026"  # demo-only; printed by `manage.py demo_password`, never used in production


@dataclass
class DemoContext:
    rng: random.Random = field(default_factory=lambda: random.Random(20261127))
    today: date = field(default_factory=lambda: timezone.localdate())
    #: Demo users by a stable key ("admin", "leader", "instructor", …), filled by the foundation builder.
    users: dict[str, Any] = field(default_factory=dict)
    #: Anything a builder wants to hand to a later one (chains by code, enterprises by chain, …).
    shared: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    @property
    def year_start(self) -> date:
        return date(self.today.year, 1, 1)


def discover() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    ]
    return sorted(modules, key=lambda m: (m.ORDER, m.__name__))
