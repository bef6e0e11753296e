"""Offline evaluation of the engine on a labelled set, in a throwaway index (nothing touches the database's postings).

The file: {"corpus": [{"id", "text", "kind"}], "queries": [{"text", "kind", "relevant": [ids]}]}, optionally
"dictionary": [words] and "synonyms": {term: [variants]} added to the vocabulary. A query's kind is the kind of the
posting it stands for; it is matched against the complementary kinds (need → capability, technology demand → offer
or capability). An unknown kind searches the whole corpus.
"""

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from matching.choices import COMPLEMENTS
from matching.engine import Document, HybridIndex, Tokenizer, synonym_map

CUTOFFS = (1, 5, 10)
METHODS = ("bm25", "dense", "hybrid")


def _metrics(ranked: Sequence[Sequence[Hashable]], relevant: Sequence[set[Hashable]]) -> dict[str, float]:
    n = len(ranked) or 1
    out: dict[str, float] = {}
    for k in CUTOFFS:
        out[f"recall@{k}"] = (
            sum(len(set(r[:k]) & rel) / len(rel) for r, rel in zip(ranked, relevant, strict=True) if rel) / n
        )
    reciprocal = 0.0
    for r, rel in zip(ranked, relevant, strict=True):
        for position, doc_id in enumerate(r, start=1):
            if doc_id in rel:
                reciprocal += 1.0 / position
                break
    out["mrr"] = reciprocal / n
    return {key: round(value, 4) for key, value in out.items()}


def evaluate(
    data: dict[str, Any],
    *,
    dense: bool = True,
    extra_words: Sequence[str] = (),
    extra_synonyms: dict[str, str] | None = None,
    depth: int | None = None,
) -> dict[str, Any]:
    """Figures per method: {"bm25": {...}, "dense": {...} or None, "hybrid": {...}, "queries": n, "corpus": n}."""
    corpus, queries = data.get("corpus"), data.get("queries")
    if not isinstance(corpus, list) or not isinstance(queries, list) or not corpus or not queries:
        raise ValueError("文件须包含非空的 corpus 与 queries 列表。")
    synonyms = synonym_map((term, variants) for term, variants in (data.get("synonyms") or {}).items())
    synonyms.update(extra_synonyms or {})
    tokenizer = Tokenizer([*data.get("dictionary", []), *extra_words], synonyms)
    index = HybridIndex(tokenizer, dense=dense) if depth is None else HybridIndex(tokenizer, dense=dense, depth=depth)
    index.upsert(Document(id=str(d["id"]), text=str(d["text"]), kind=str(d.get("kind", ""))) for d in corpus)
    top = max(CUTOFFS)
    searches: dict[str, Callable[[str, Any], list[Hashable]]] = {
        "bm25": lambda text, kinds: [i for i, _ in index.search_bm25(text, kinds=kinds, k=top)],
        "hybrid": lambda text, kinds: [h.id for h in index.query(text, kinds=kinds, k=top)],
    }
    if dense:
        searches["dense"] = lambda text, kinds: [i for i, _ in index.search_dense(text, kinds=kinds, k=top)]
    relevant: list[set[Hashable]] = [{str(r) for r in q.get("relevant", [])} for q in queries]
    result: dict[str, Any] = {"queries": len(queries), "corpus": len(corpus)}
    for method in METHODS:
        search = searches.get(method)
        if search is None:
            result[method] = None
            continue
        ranked = [search(str(q["text"]), COMPLEMENTS.get(str(q.get("kind", "")))) for q in queries]
        result[method] = _metrics(ranked, relevant)
    return result
