"""Candidate target companies for a chain link (补链/强链候选), ranked with reasons.

Text relevance comes from the matching engine (`matching.engine.HybridIndex`) in its BM25-only mode: the target
companies' name, products, description and tags are indexed, and queried with the link's name, keywords and
description. Each candidate's score is the sum of the points below, and every point comes with the reason that
earned it:

| signal | points |
|---|---|
| GB/T 4754 code: same class (4 digits) as one of the link's codes / same group (3) / same division (2) | 3 / 2 / 1 |
| product and keyword relevance: BM25 score relative to the best target for this link (0–1; below 0.2 it counts 0) | × 4 |
| tags: 专精特新 / listed 上市 / high-tech 高新技术 | 1 / 0.5 / 0.5 |
| already supplies a local leading firm of the chain from outside (a recorded supply relation by USCC or name) | 2 |
| makes what a local leading firm of the chain buys from outside (a product term in common) | 1 |

Only targets with a code match or some text relevance are candidates; tags and supply alone do not qualify one.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chains.models import Link, SupplyRelation
from investment.models import TargetCompany
from matching.engine import Document, HybridIndex, Tokenizer

CODE_POINTS = {4: Decimal("3"), 3: Decimal("2"), 2: Decimal("1")}
CODE_LABELS = {4: "行业小类相同", 3: "行业中类相同", 2: "行业大类相同"}
TEXT_WEIGHT = Decimal("4")
#: Below this relative BM25 score a shared generic word ("设备", "服务") is noise, not relevance.
MIN_RELEVANCE = 0.2
TAG_POINTS = {"is_specialized": Decimal("1"), "is_listed": Decimal("0.5"), "is_high_tech": Decimal("0.5")}
TAG_LABELS = {"is_specialized": "专精特新", "is_listed": "上市企业", "is_high_tech": "高新技术企业"}
SUPPLIES_LEADER_POINTS = Decimal("2")
MAKES_WHAT_LEADER_BUYS_POINTS = Decimal("1")
PLACES = Decimal("0.01")
#: Generic company words, on top of the engine's stop list; left out of the indexed tokens, so queries ignore them.
_STOP = frozenset({"有限公司", "有限", "公司", "股份", "集团", "企业", "科技", "产品", "以及", "相关", "服务", "及其"})


@dataclass
class Reason:
    signal: str
    points: Decimal
    detail: str


@dataclass
class Candidate:
    target: TargetCompany
    score: Decimal = Decimal("0")
    reasons: list[Reason] = field(default_factory=list)

    def add(self, signal: str, points: Decimal, detail: str) -> None:
        points = points.quantize(PLACES, rounding=ROUND_HALF_UP)
        if points > 0:
            self.reasons.append(Reason(signal, points, detail))
            self.score += points


_tokenizer: Tokenizer | None = None


def tokenize(text: str) -> list[str]:
    """The engine's Chinese-aware tokens (jieba search mode, lower-cased) without generic company words and
    one-character Chinese noise."""
    global _tokenizer
    if _tokenizer is None:
        _tokenizer = Tokenizer()
    return [t for t in _tokenizer.tokens(text) if t not in _STOP and (len(t) > 1 or t.isascii())]


def _codes(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[,，\s]+", text or "") if c.strip()]


def code_match(target_code: str, link_codes: Sequence[str]) -> tuple[int, str]:
    """The longest shared prefix level (4, 3, 2 digits, or 0) between the target's code and any of the link's."""
    best, best_code = 0, ""
    for code in link_codes:
        for level in (4, 3, 2):
            if len(code) >= level and len(target_code) >= level and code[:level] == target_code[:level]:
                if level > best:
                    best, best_code = level, code
                break
    return best, best_code


def _document(target: TargetCompany) -> str:
    return " ".join([target.name, target.products, target.products, target.description, target.other_tags])


def _query(link: Link) -> str:
    keywords = " ".join(link.keyword_list())
    return " ".join([link.name, keywords, keywords, link.description])


@dataclass
class _Index:
    """The targets' engine index (BM25 only), kept per process until a target is added, changed or removed."""

    key: tuple[Any, ...]
    engine: HybridIndex
    doc_terms: list[set[str]]
    by_division: dict[str, list[int]]


_index_cache: dict[str, _Index] = {}


def _index_for(targets: list[TargetCompany]) -> _Index:
    key = tuple((t.pk, t.version, t.updated_at) for t in targets)
    cached = _index_cache.get("targets")
    if cached is not None and cached.key == key:
        return cached
    # BM25 only, whatever settings.MATCHING_DENSE_ENABLED says: the dense layer would embed every target on each
    # change and one query per link per request (the chain map ranks all its gaps at once), and its cosines are not a
    # relevance with a floor, which the candidate rule below needs.
    engine = HybridIndex(dense=False)
    corpus = [tokenize(_document(t)) for t in targets]
    # Documents carry their own (filtered) tokens; query tokens outside that vocabulary count for nothing.
    engine.upsert(Document(id=i, text="", tokens=tokens) for i, tokens in enumerate(corpus))
    engine.prepare()
    by_division: dict[str, list[int]] = {}
    for index, target in enumerate(targets):
        if len(target.industry_code) >= 2:
            by_division.setdefault(target.industry_code[:2], []).append(index)
    built = _Index(key=key, engine=engine, doc_terms=[set(tokens) for tokens in corpus], by_division=by_division)
    _index_cache["targets"] = built
    return built


def rank_candidates(
    links: Iterable[Link], *, targets: Sequence[TargetCompany] | None = None, limit: int = 10
) -> dict[int, list[Candidate]]:
    """Ranked candidates for each link: link id → [Candidate] (best first, at most `limit`).

    Two queries whatever the number of links (targets; outside supply of the chains' leading firms). The targets'
    engine index is reused until a target is added or changed.
    """
    links = list(links)
    target_list = list(TargetCompany.objects.order_by("name", "pk")) if targets is None else list(targets)
    if not links or not target_list:
        return {link.pk: [] for link in links}
    outside = _outside_supply_by_chain({link.chain_id for link in links})
    index = _index_for(target_list)

    result: dict[int, list[Candidate]] = {}
    for link in links:
        text = _query(link)
        query = list(dict.fromkeys(tokenize(text)))
        relevance = [0.0] * len(target_list)
        hits = index.engine.search_bm25(text, k=len(target_list))
        if hits:
            best = hits[0][1]
            for doc_id, score in hits:
                assert isinstance(doc_id, int)
                relevance[doc_id] = score / best
        link_codes = _codes(link.industry_codes)
        pool = {i for i, r in enumerate(relevance) if r >= MIN_RELEVANCE}
        for code in link_codes:
            pool.update(index.by_division.get(code[:2], []))
        candidates = []
        for i in sorted(pool):
            target = target_list[i]
            candidate = Candidate(target=target)
            level, code = code_match(target.industry_code, link_codes)
            if level:
                candidate.add(
                    "code",
                    CODE_POINTS[level],
                    f"{CODE_LABELS[level]}：企业 {target.industry_code}，环节 {code}",
                )
            if relevance[i] >= MIN_RELEVANCE:
                matched = [t for t in query if t in index.doc_terms[i]]
                candidate.add(
                    "text",
                    TEXT_WEIGHT * Decimal(str(round(relevance[i], 4))),
                    f"产品/关键词相关度 {relevance[i]:.2f}（命中：{'、'.join(matched[:6])}）",
                )
            if not candidate.reasons:
                continue
            for flag, points in TAG_POINTS.items():
                if getattr(target, flag):
                    candidate.add("tag", points, TAG_LABELS[flag])
            _supply_reasons(candidate, index.doc_terms[i], outside.get(link.chain_id, []))
            candidates.append(candidate)
        candidates.sort(key=lambda c: (-c.score, c.target.name))
        result[link.pk] = candidates[:limit]
    return result


def rank_for_link(link: Link, *, limit: int = 10) -> list[Candidate]:
    return rank_candidates([link], limit=limit)[link.pk]


def _outside_supply_by_chain(chain_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """Outside suppliers of the leading firms placed on each chain (one query)."""
    rows = (
        SupplyRelation.objects.filter(
            supplier__isnull=True,
            customer__is_leading=True,
            customer__placements__link__chain__in=chain_ids,
        )
        .values(
            "id",
            "customer__placements__link__chain",
            "customer__name",
            "supplier_name",
            "supplier_uscc",
            "product",
        )
        .order_by("id")
    )
    by_chain: dict[int, dict[int, dict[str, Any]]] = {}
    for values in rows:
        row: dict[str, Any] = {**values, "product_terms": set(tokenize(values["product"]))}
        by_chain.setdefault(row["customer__placements__link__chain"], {})[row["id"]] = row
    return {chain_id: list(rows_by_id.values()) for chain_id, rows_by_id in by_chain.items()}


def _supply_reasons(candidate: Candidate, terms: set[str], outside: list[dict[str, Any]]) -> None:
    target = candidate.target
    supplies = [
        r
        for r in outside
        if (target.uscc and r["supplier_uscc"] == target.uscc) or r["supplier_name"].strip() == target.name
    ]
    if supplies:
        customers = "、".join(sorted({r["customer__name"] for r in supplies}))
        candidate.add(
            "supplies_leader",
            SUPPLIES_LEADER_POINTS,
            f"已从区外向本区龙头企业{customers}供货，落地可提高本地配套",
        )
        return
    for row in outside:
        common = row["product_terms"] & terms
        if common:
            candidate.add(
                "makes_what_leader_buys",
                MAKES_WHAT_LEADER_BUYS_POINTS,
                f"本区龙头企业{row['customer__name']}从区外采购“{row['product']}”，与其产品相符（{'、'.join(sorted(common))}）",
            )
            return
