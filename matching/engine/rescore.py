"""The structured re-score: facts about the two sides that text similarity cannot see, each a named component.

The fused score is multiplied by (1 + Σ weights); the components are stored with each suggestion and shown.
"""

from dataclasses import dataclass, field
from typing import Any

STAGE_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2}


@dataclass(frozen=True)
class Component:
    code: str
    label: str
    weight: float


@dataclass
class Facts:
    """What the re-score knows about one posting (all optional)."""

    kind: str = ""
    chain_id: int | None = None
    link_id: int | None = None
    link_parent_id: int | None = None
    link_stage: str = ""
    link_name: str = ""
    industry_code: str = ""
    region: str = ""
    owner_kind: str = ""  # "leading", "enterprise", "university", "national_platform", "institute"
    extra: dict[str, Any] = field(default_factory=dict)


WEIGHTS = {
    "same_link": 0.15,
    "adjacent_link": 0.25,
    "same_chain": 0.05,
    "same_code_class": 0.10,
    "same_code_division": 0.05,
    "same_region": 0.05,
    "owner_platform": 0.10,
    "owner_leading": 0.05,
}


def components(query: Facts, candidate: Facts) -> list[Component]:
    """The named boosts that apply to this pair, in display order."""
    found: list[Component] = []
    if query.chain_id and query.chain_id == candidate.chain_id:
        adjacent = _adjacent(query, candidate)
        if query.link_id and query.link_id == candidate.link_id:
            found.append(Component("same_link", f"同一环节（{candidate.link_name}）", WEIGHTS["same_link"]))
        elif adjacent:
            found.append(
                Component("adjacent_link", f"上下游相邻环节（{candidate.link_name}）", WEIGHTS["adjacent_link"])
            )
        else:
            found.append(Component("same_chain", "同一产业链", WEIGHTS["same_chain"]))
    a, b = query.industry_code, candidate.industry_code
    if a and b and len(a) >= 4 and a[:4] == b[:4]:
        found.append(Component("same_code_class", f"同一行业小类（{b[:4]}）", WEIGHTS["same_code_class"]))
    elif a and b and len(a) >= 2 and a[:2] == b[:2]:
        found.append(Component("same_code_division", f"同一行业大类（{b[:2]}）", WEIGHTS["same_code_division"]))
    if query.region and query.region == candidate.region:
        found.append(Component("same_region", f"同一地区（{candidate.region}）", WEIGHTS["same_region"]))
    if candidate.owner_kind in ("national_platform", "university"):
        found.append(Component("owner_platform", "高校或国字号平台", WEIGHTS["owner_platform"]))
    elif candidate.owner_kind == "leading":
        found.append(Component("owner_leading", "龙头/链主企业", WEIGHTS["owner_leading"]))
    return found


def _adjacent(a: Facts, b: Facts) -> bool:
    """Neighbouring links of one chain: parent and child, or one stage apart (upstream ↔ midstream ↔ downstream)."""
    if not a.link_id or not b.link_id or a.link_id == b.link_id:
        return False
    if a.link_parent_id == b.link_id or b.link_parent_id == a.link_id:
        return True
    sa, sb = STAGE_ORDER.get(a.link_stage), STAGE_ORDER.get(b.link_stage)
    return sa is not None and sb is not None and abs(sa - sb) == 1


def multiplier(found: list[Component]) -> float:
    return 1.0 + sum(c.weight for c in found)
