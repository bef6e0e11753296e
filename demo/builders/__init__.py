"""Demo builders: one module per domain, each with ORDER (int) and build(ctx). Discovered and run in ORDER.

Every builder creates its records through the apps' services (the same code that real data goes through), is
deterministic (ctx.rng is seeded), and must not run twice: load_demo runs the builders only into an area that has no
demo yet, so running `load_demo` twice changes nothing.

The context contract (the foundation builder, ORDER = 10, fills it; later builders read it):
- ctx.users: "admin", "leader", "instructor", "handler", "supervisor", "investment", "enterprise", "talent" (usernames
  demo_<key>, one per role), plus lists ctx.users["leaders"] and ctx.users["instructors"] (the 62 instructors).
- ctx.shared["chains"]: dict code -> Chain for "life_health" (生命健康), "digital_economy" (数字经济), "micro_drama" (微短剧).
- ctx.shared["enterprises"]: list of all ~1000 register enterprises.
- ctx.shared["offices"]: list of management-office Units; ctx.shared["units"]: dict name -> handling-department Unit
  (人社局, 市场监管局, 税务局, 自然资源局, 商务局, 科技局, 海关, 住建局, 发改局, 金融办); ctx.shared["desks"]: dict name -> sector desk
  Unit (药管家, 剧管家); ctx.shared["window"]: the 惠企专窗 Unit.

Note for whoever works here in parallel with others (several engineers share this checkout): edit only your own files,
commit only your own paths (`git add <paths> && git commit -m ... -- <paths>`; never `git add -A`, stash, reset or
checkout), have everything committed by 23:20 UTC and then stop and report.
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
