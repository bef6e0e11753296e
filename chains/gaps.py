"""Gap analysis of a chain (缺链、弱链分析) as rules over data, with thresholds that admins edit (GapRuleSetting).

Every link is measured over its whole subtree (the link and all links below it), so a parent link with its firms on
child links is not reported empty. Per link:

| rule | fires when | figures in the finding |
|---|---|---|
| missing 缺链 | a key link has no firm | firms = 0 |
| weak 弱链 | 0 < firms < weak_min_firms, or a non-key link has no firm | firms, threshold |
| no_leader 缺龙头 | a key link has firms but none is a leading firm (龙头/链主) | firms, leading = 0 |
| low_end 低端 | the link or a link below it is an R&D or application link, and the share of its firms with a known GB/T 4754 code whose code is manufacturing (section C, divisions 13–43) is ≥ low_end_share | firms with a code, manufacturing firms, share, threshold, expected functions |
| thin_local_supply 本地配套薄弱 | a leading firm placed directly on the link has ≥ local_supply_min_suppliers recorded suppliers and the share of them that are local (in the area's register) is < local_supply_target | firm, suppliers, local suppliers, share, target |

A link's status is its most serious finding in that order (missing first), or "strong" (健全) without findings.
The analysis of any number of chains takes five queries (settings, links, placements, leading firms' supply
relations, link-to-link relations); see `analyse_chains`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.choices import Role
from chains.choices import Function
from chains.models import Chain, GapRuleSetting, Link, Placement, SupplyRelation
from core.services import audit_record
from enterprises.choices import SizeClass

SHARE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    color: str
    description: str


#: The rules in order of seriousness; a link's status is the first that fired.
RULES: tuple[Rule, ...] = (
    Rule("missing", "缺链", "#c62828", "关键环节在本区没有企业"),
    Rule("weak", "弱链", "#ef6c00", "环节企业数少于弱链阈值（非关键环节无企业也计为弱链）"),
    Rule("no_leader", "缺龙头", "#f9a825", "关键环节有企业但没有龙头/链主企业"),
    Rule("low_end", "低端", "#6a1b9a", "应有研发或应用的环节，企业几乎全是制造业"),
    Rule("thin_local_supply", "本地配套薄弱", "#1565c0", "龙头企业的供应商中本区企业占比低于目标"),
)
RULE_BY_CODE = {rule.code: rule for rule in RULES}
STRONG = Rule("strong", "健全", "#2e7d32", "没有发现缺口")
STATUS_BY_CODE = {**RULE_BY_CODE, STRONG.code: STRONG}
EXPECTED_FUNCTIONS = frozenset({Function.RND, Function.APPLICATION})


@dataclass(frozen=True)
class Thresholds:
    weak_min_firms: int = 3
    low_end_share: Decimal = Decimal("1.00")
    local_supply_target: Decimal = Decimal("0.30")
    local_supply_min_suppliers: int = 3
    source: str = "内置默认值"

    @classmethod
    def from_setting(cls, setting: GapRuleSetting, source: str) -> "Thresholds":
        return cls(
            weak_min_firms=setting.weak_min_firms,
            low_end_share=setting.low_end_share,
            local_supply_target=setting.local_supply_target,
            local_supply_min_suppliers=setting.local_supply_min_suppliers,
            source=source,
        )


@dataclass
class Finding:
    """One rule that fired on one link, with the figures it fired on and a sentence a user can read."""

    rule: str
    link_id: int
    link_name: str
    message: str
    figures: dict[str, Any]

    @property
    def label(self) -> str:
        return RULE_BY_CODE[self.rule].label


@dataclass
class LinkMetrics:
    link: Link
    depth: int
    firms: int = 0
    direct_firms: int = 0
    above_scale: int = 0
    leading: int = 0
    revenue_wan: Decimal | None = None
    coded_firms: int = 0
    manufacturing_firms: int = 0
    enterprise_ids: set[int] = field(default_factory=set)
    leading_direct: list[tuple[int, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    children: list["LinkMetrics"] = field(default_factory=list)

    @property
    def status(self) -> Rule:
        fired = {f.rule for f in self.findings}
        return next((rule for rule in RULES if rule.code in fired), STRONG)


@dataclass
class ChainAnalysis:
    chain: Chain
    thresholds: Thresholds
    links: list[LinkMetrics]  # depth-first order
    roots: list[LinkMetrics]
    link_edges: list[dict[str, Any]]

    @property
    def findings(self) -> list[Finding]:
        return [f for m in self.links for f in m.findings]

    def metrics_for(self, link_id: int) -> LinkMetrics | None:
        return next((m for m in self.links if m.link.pk == link_id), None)

    def counts(self) -> dict[str, int]:
        counts = {rule.code: 0 for rule in RULES}
        for finding in self.findings:
            counts[finding.rule] += 1
        counts["links"] = len(self.links)
        counts["gap_links"] = sum(1 for m in self.links if m.findings)
        return counts


def is_manufacturing_code(code: str) -> bool:
    """GB/T 4754-2017 section C (制造业) is divisions 13 to 43."""
    return len(code) >= 2 and code[:2].isdigit() and 13 <= int(code[:2]) <= 43


def _share(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def thresholds_by_chain(chain_ids: Iterable[int]) -> dict[int, Thresholds]:
    """Each chain's thresholds: its own setting, else the area default, else the built-in values. One query."""
    settings = list(GapRuleSetting.objects.select_related("chain"))
    default_row = next((s for s in settings if s.chain_id is None), None)
    default = Thresholds.from_setting(default_row, "全区默认") if default_row else Thresholds()
    own = {s.chain_id: Thresholds.from_setting(s, f"{s.chain}专属") for s in settings if s.chain_id is not None}
    return {pk: own.get(pk, default) for pk in chain_ids}


def analyse_chains(chains: Iterable[Chain]) -> dict[int, ChainAnalysis]:
    """Measure every link of the given chains and apply the rules. Five queries whatever the number of chains."""
    chains = list(chains)
    ids = [c.pk for c in chains]
    thresholds = thresholds_by_chain(ids)
    links = list(Link.objects.filter(chain__in=ids).order_by("chain", "sort_order", "id"))
    placements = list(
        Placement.objects.filter(link__chain__in=ids)
        .order_by()
        .values_list(
            "link_id",
            "enterprise_id",
            "enterprise__name",
            "enterprise__is_leading",
            "enterprise__size_class",
            "enterprise__revenue_wan",
            "enterprise__industry_code",
        )
    )
    leading_ids = {row[1] for row in placements if row[3]}
    suppliers: dict[int, list[bool]] = defaultdict(list)
    for customer_id, supplier_id in SupplyRelation.objects.filter(customer__in=leading_ids).values_list(
        "customer_id", "supplier_id"
    ):
        suppliers[customer_id].append(supplier_id is not None)
    link_relations: list[dict[str, Any]] = [
        dict(row)
        for row in SupplyRelation.objects.filter(customer_link__chain__in=ids)
        .order_by("id")
        .values("supplier_link_id", "customer_link_id", "product", "share")
    ]

    firms: dict[int, dict[str, Any]] = {}
    direct: dict[int, set[int]] = defaultdict(set)
    for link_id, ent_id, name, is_leading, size_class, revenue, code in placements:
        firms[ent_id] = {
            "name": name,
            "leading": is_leading,
            "above": size_class == SizeClass.ABOVE,
            "revenue": revenue,
            "code": code or "",
        }
        direct[link_id].add(ent_id)

    by_chain: dict[int, list[Link]] = defaultdict(list)
    for link in links:
        by_chain[link.chain_id].append(link)
    result = {}
    for chain in chains:
        analysis = _analyse_one(chain, by_chain[chain.pk], direct, firms, suppliers, thresholds[chain.pk])
        analysis.link_edges = [
            r for r in link_relations if r["customer_link_id"] in {m.link.pk for m in analysis.links}
        ]
        result[chain.pk] = analysis
    return result


def analyse_chain(chain: Chain) -> ChainAnalysis:
    return analyse_chains([chain])[chain.pk]


def _analyse_one(
    chain: Chain,
    links: list[Link],
    direct: dict[int, set[int]],
    firms: dict[int, dict[str, Any]],
    suppliers: dict[int, list[bool]],
    thresholds: Thresholds,
) -> ChainAnalysis:
    ids = {link.pk for link in links}
    children: dict[int | None, list[Link]] = defaultdict(list)
    for link in links:
        children[link.parent_id if link.parent_id in ids else None].append(link)
    ordered: list[LinkMetrics] = []

    def visit(link: Link, depth: int) -> tuple[LinkMetrics, set[str]]:
        metrics = LinkMetrics(link=link, depth=depth)
        ordered.append(metrics)
        subtree = set(direct.get(link.pk, set()))
        functions = {link.function}
        for child in children[link.pk]:
            child_metrics, child_functions = visit(child, depth + 1)
            metrics.children.append(child_metrics)
            subtree |= child_metrics.enterprise_ids
            functions |= child_functions
        metrics.enterprise_ids = subtree
        _measure(metrics, direct.get(link.pk, set()), firms)
        _apply_rules(metrics, functions, firms, suppliers, thresholds)
        return metrics, functions

    roots = [visit(link, 0)[0] for link in children[None]]
    return ChainAnalysis(chain=chain, thresholds=thresholds, links=ordered, roots=roots, link_edges=[])


def _measure(metrics: LinkMetrics, direct_ids: set[int], firms: dict[int, dict[str, Any]]) -> None:
    members = [firms[pk] for pk in metrics.enterprise_ids]
    metrics.firms = len(members)
    metrics.direct_firms = len(direct_ids)
    metrics.above_scale = sum(1 for f in members if f["above"])
    metrics.leading = sum(1 for f in members if f["leading"])
    revenues = [f["revenue"] for f in members if f["revenue"] is not None]
    metrics.revenue_wan = sum(revenues, Decimal("0")) if revenues else None
    metrics.coded_firms = sum(1 for f in members if f["code"])
    metrics.manufacturing_firms = sum(1 for f in members if is_manufacturing_code(f["code"]))
    metrics.leading_direct = sorted((pk, firms[pk]["name"]) for pk in direct_ids if firms[pk]["leading"])


def _apply_rules(
    metrics: LinkMetrics,
    functions: set[str],
    firms: dict[int, dict[str, Any]],
    suppliers: dict[int, list[bool]],
    t: Thresholds,
) -> None:
    link = metrics.link
    fire = metrics.findings.append

    def finding(rule: str, message: str, **figures: Any) -> Finding:
        return Finding(rule=rule, link_id=link.pk, link_name=link.name, message=message, figures=figures)

    if link.is_key and metrics.firms == 0:
        fire(finding("missing", f"关键环节“{link.name}”在本区没有企业（0 家）。", firms=0, is_key=True))
    elif metrics.firms < t.weak_min_firms:
        fire(
            finding(
                "weak",
                f"“{link.name}”仅有 {metrics.firms} 家企业，少于弱链阈值 {t.weak_min_firms} 家。",
                firms=metrics.firms,
                weak_min_firms=t.weak_min_firms,
            )
        )
    if link.is_key and metrics.firms > 0 and metrics.leading == 0:
        fire(
            finding(
                "no_leader",
                f"关键环节“{link.name}”有 {metrics.firms} 家企业，但没有龙头/链主企业。",
                firms=metrics.firms,
                leading=0,
            )
        )
    expected = sorted(functions & EXPECTED_FUNCTIONS)
    if expected and metrics.coded_firms:
        share = _share(metrics.manufacturing_firms, metrics.coded_firms)
        if share >= t.low_end_share:
            labels = "、".join(str(Function(f).label) for f in expected)
            fire(
                finding(
                    "low_end",
                    f"“{link.name}”应有{labels}，但有行业代码的 {metrics.coded_firms} 家企业中 "
                    f"{metrics.manufacturing_firms} 家为制造业（{_percent(share)}，阈值 {_percent(t.low_end_share)}）。",
                    coded_firms=metrics.coded_firms,
                    manufacturing_firms=metrics.manufacturing_firms,
                    share=share,
                    low_end_share=t.low_end_share,
                    expected_functions=expected,
                )
            )
    for ent_id, name in metrics.leading_direct:
        recorded = suppliers.get(ent_id, [])
        if len(recorded) < t.local_supply_min_suppliers:
            continue
        local = sum(recorded)
        share = _share(local, len(recorded))
        if share < t.local_supply_target:
            fire(
                finding(
                    "thin_local_supply",
                    f"龙头企业“{name}”记录的 {len(recorded)} 个供应商中本区企业 {local} 个"
                    f"（{_percent(share)}），低于本地配套目标 {_percent(t.local_supply_target)}。",
                    enterprise_id=ent_id,
                    enterprise=name,
                    suppliers=len(recorded),
                    local_suppliers=local,
                    share=share,
                    local_supply_target=t.local_supply_target,
                )
            )


def gap_counts_by_chain(chains: Iterable[Chain] | None = None) -> dict[int, dict[str, Any]]:
    """For the cockpit: chain id → {chain, code, links, gap_links, missing, weak, no_leader, low_end,
    thin_local_supply}. Six queries whatever the number of chains."""
    chain_list = list(Chain.objects.all() if chains is None else chains)
    analyses = analyse_chains(chain_list)
    return {chain.pk: {"chain": chain.name, "code": chain.code, **analyses[chain.pk].counts()} for chain in chain_list}


def map_payload(analysis: ChainAnalysis) -> dict[str, Any]:
    """The chain map as plain data (page and API): links with metrics, status and findings, and link edges."""

    def node(m: LinkMetrics) -> dict[str, Any]:
        status = m.status
        return {
            "id": m.link.pk,
            "name": m.link.name,
            "parent_id": m.link.parent_id,
            "depth": m.depth,
            "stage": m.link.stage,
            "stage_label": str(m.link.get_stage_display()),
            "function": m.link.function,
            "function_label": str(m.link.get_function_display()),
            "is_key": m.link.is_key,
            "firms": m.firms,
            "direct_firms": m.direct_firms,
            "above_scale": m.above_scale,
            "leading": m.leading,
            "revenue_wan": m.revenue_wan,
            "status": status.code,
            "status_label": status.label,
            "color": status.color,
            "findings": [
                {"rule": f.rule, "label": f.label, "message": f.message, "figures": f.figures} for f in m.findings
            ],
        }

    t = analysis.thresholds
    return {
        "chain": {"id": analysis.chain.pk, "name": analysis.chain.name, "code": analysis.chain.code},
        "thresholds": {
            "weak_min_firms": t.weak_min_firms,
            "low_end_share": t.low_end_share,
            "local_supply_target": t.local_supply_target,
            "local_supply_min_suppliers": t.local_supply_min_suppliers,
            "source": t.source,
        },
        "counts": analysis.counts(),
        "links": [node(m) for m in analysis.links],
        "link_edges": analysis.link_edges,
        "legend": [{"status": r.code, "label": r.label, "color": r.color} for r in (*RULES, STRONG)],
    }


@transaction.atomic
def gap_setting_save(*, actor: Any, chain: Chain | None, **values: Any) -> GapRuleSetting:
    """Create or change the thresholds of a chain (or, chain None, the area default). Admins only; audited."""
    if not (getattr(actor, "is_superuser", False) or getattr(actor, "role", None) == Role.ADMIN):
        raise PermissionDenied("只有管理员可以修改缺链判定阈值。")
    setting = GapRuleSetting.objects.filter(chain=chain).first() or GapRuleSetting(chain=chain)
    before = {name: getattr(setting, name) for name in values} if setting.pk else {}
    for name, value in values.items():
        setattr(setting, name, value)
    setting.full_clean(validate_unique=False)
    setting.save()
    audit_record(
        actor=actor,
        action="chains.gap_setting.save",
        target=setting,
        summary=f"修改{chain.name if chain else '全区默认'}缺链判定阈值",
        before=before,
        after=values,
    )
    return setting
