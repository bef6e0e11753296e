"""Nearest neighbours over unit vectors for the dense half: an exact scan, or an inverted file (IVF) when large.

Rows are stored in one contiguous float32 matrix, grouped by kind (a query only ever wants one or two kinds, so it
scans only their blocks) and, inside a kind, by cluster. Below `IVF_MIN_ROWS` vectors every query scans its kinds'
blocks exactly (one matrix-vector product per kind). From `IVF_MIN_ROWS` on, the vectors are clustered by spherical
k-means (`ivf_lists(n)` centroids, about √n); a query compares itself with the centroids and scans only the rows of
the `nprobe` nearest clusters (a quarter of them by default). That is approximate: `bench/matching.py` measures its
recall against the exact scan (0.99 at 500,000 with a quarter; on a set made of a few hundred real vectors each copied
200 times with noise, a worst case for clustering, an eighth of the clusters gave only 0.64 at 60,000, which is why
the exact scan is kept up to 200,000 vectors, where it costs a few milliseconds).

Centroids and each vector's cluster are kept across rebuilds (a changed posting is assigned to its nearest centroid,
as IVF indexes usually do); they are trained again when the number of vectors has doubled or halved since.
"""

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

#: Below this many vectors the exact scan is fast enough: a query scans its one or two kinds, at most half the rows
#: (100,000 × 384 float32, ≈ 150 MB, a few ms) and stays exact.
IVF_MIN_ROWS = 200_000
#: Share of the clusters a query scans (of its kinds' rows, about that share is scanned).
NPROBE_SHARE = 1 / 4
#: k-means: iterations and sample size per centroid.
KMEANS_ITERATIONS = 8
KMEANS_SAMPLE_PER_LIST = 48
_CHUNK = 16_384


def _matvec(matrix: np.ndarray, vector: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """matrix @ vector in numpy's own loop, on one thread. Not BLAS: OpenBLAS wakes its threads for every product,
    and on the shared 2-core machine that cost ≈ 130 µs a call for the clustered search's hundreds of small products
    (32 ms a query instead of 7) and made the exact scan of 187,000 rows twice as slow in wall time (65 ms instead of
    29) while other processes held the cores. Web and task workers scale by processes, one thread each."""
    return np.einsum("ij,j->i", matrix, vector, out=out, optimize=False)


def ivf_lists(n: int) -> int:
    """How many clusters for n vectors: about √n (between 64 and 4,096). At 500,000, √n / 2 clusters built twice as
    fast and scanned as fast, but found 0.978 of the exact top 20 instead of 0.997."""
    return max(64, min(4096, int(math.sqrt(max(n, 1)))))


def assign(vectors: Sequence[np.ndarray] | np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid (largest dot product) of each vector, in chunks to bound memory."""
    out = np.empty(len(vectors), dtype=np.int32)
    for start in range(0, len(vectors), _CHUNK):
        chunk = np.asarray(vectors[start : start + _CHUNK], dtype=np.float32)
        out[start : start + _CHUNK] = np.argmax(chunk @ centroids.T, axis=1)
    return out


def train_centroids(vectors: Sequence[np.ndarray] | np.ndarray, n_lists: int, *, seed: int = 0) -> np.ndarray:
    """Spherical k-means on a sample of the (unit) vectors: unit centroids, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n_lists = max(1, min(n_lists, len(vectors)))
    sample_size = min(len(vectors), n_lists * KMEANS_SAMPLE_PER_LIST)
    picked = np.sort(rng.choice(len(vectors), sample_size, replace=False)).tolist()
    sample = np.asarray([vectors[i] for i in picked], dtype=np.float32)
    centroids = sample[rng.choice(sample_size, n_lists, replace=False)].copy()
    for _ in range(KMEANS_ITERATIONS):
        assigned = assign(sample, centroids)
        order = np.argsort(assigned, kind="stable")
        counts = np.bincount(assigned, minlength=n_lists)
        filled = np.flatnonzero(counts)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[filled]
        sums = np.zeros_like(centroids)
        sums[filled] = np.add.reduceat(sample[order], starts, axis=0)
        empty = counts == 0
        if empty.any():  # reseed an empty cluster with a random sample vector
            sums[empty] = sample[rng.choice(sample_size, int(empty.sum()), replace=False)]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = (sums / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return centroids


@dataclass(frozen=True)
class VectorIndex:
    """An immutable snapshot: built once per index refresh, read by any number of concurrent queries."""

    matrix: np.ndarray  # (m, dim) float32, C-contiguous, rows grouped by kind, then by cluster
    rows: np.ndarray  # (m,) the caller's row number of each matrix row
    kind_blocks: dict[str, tuple[int, int]]  # kind → [start, end) in `matrix`
    centroids: np.ndarray | None = None  # (c, dim) when the IVF is on
    offsets: dict[str, np.ndarray] | None = None  # kind → (c + 1,) cluster boundaries, absolute in `matrix`
    nprobe: int = 0

    @property
    def approximate(self) -> bool:
        return self.centroids is not None

    @property
    def nbytes(self) -> int:
        extra = 0 if self.centroids is None else self.centroids.nbytes
        return int(self.matrix.nbytes + self.rows.nbytes + extra)

    @classmethod
    def build(
        cls,
        vectors: Sequence[np.ndarray],
        rows: Sequence[int],
        kinds: Sequence[str],
        *,
        clusters: np.ndarray | None = None,
        centroids: np.ndarray | None = None,
        nprobe: int | None = None,
    ) -> "VectorIndex":
        """`vectors[i]` is the caller's row `rows[i]`, of kind `kinds[i]`; with `centroids`, `clusters[i]` is its
        cluster (see `HybridIndex`, which keeps them across rebuilds)."""
        dim = len(vectors[0]) if len(vectors) else 0
        kind_names = sorted(set(kinds))
        kind_code = {kind: code for code, kind in enumerate(kind_names)}
        codes = np.fromiter((kind_code[k] for k in kinds), dtype=np.int32, count=len(kinds))
        if centroids is not None and clusters is not None:
            order = np.lexsort((clusters, codes))
        else:
            order = np.argsort(codes, kind="stable")
        matrix = np.empty((len(vectors), dim), dtype=np.float32)
        for position, source in enumerate(order.tolist()):
            matrix[position] = vectors[source]
        sorted_rows = np.asarray(rows, dtype=np.int64)[order]
        sorted_codes = codes[order]
        bounds = np.searchsorted(sorted_codes, np.arange(len(kind_names) + 1))
        blocks = {kind: (int(bounds[i]), int(bounds[i + 1])) for i, kind in enumerate(kind_names)}
        offsets = None
        if centroids is not None and clusters is not None:
            sorted_clusters = np.asarray(clusters)[order]
            offsets = {}
            for kind, (start, end) in blocks.items():
                inside = np.searchsorted(sorted_clusters[start:end], np.arange(len(centroids) + 1))
                offsets[kind] = (inside + start).astype(np.int64)
            if nprobe is None:
                nprobe = max(1, math.ceil(len(centroids) * NPROBE_SHARE))
        n_lists = 0 if centroids is None else len(centroids)
        return cls(matrix, sorted_rows, blocks, centroids, offsets, min(nprobe or 0, n_lists))

    def _slices(self, query: np.ndarray, kinds: Collection[str] | None, exact: bool) -> list[tuple[int, int]]:
        wanted = [k for k in (kinds or self.kind_blocks) if k in self.kind_blocks]
        if exact or self.centroids is None or self.offsets is None:
            return [self.kind_blocks[k] for k in sorted(wanted)]
        closeness = _matvec(self.centroids, query)
        if self.nprobe < len(closeness):
            probe = np.sort(np.argpartition(-closeness, self.nprobe - 1)[: self.nprobe])
        else:
            probe = np.arange(len(closeness))
        slices: list[tuple[int, int]] = []
        for kind in sorted(wanted):
            offsets = self.offsets[kind]
            starts, ends = offsets[probe], offsets[probe + 1]
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                if end <= start:
                    continue
                if slices and slices[-1][1] == start:  # neighbouring clusters: one product instead of two
                    slices[-1] = (slices[-1][0], end)
                else:
                    slices.append((start, end))
        return slices

    def search(
        self,
        query: np.ndarray,
        k: int,
        *,
        kinds: Collection[str] | None = None,
        allowed: np.ndarray | None = None,
        exact: bool = False,
    ) -> list[tuple[int, float]]:
        """The k nearest (caller's row, cosine) of the given kinds, best first (ties by row), keeping only rows
        where `allowed[row]` is true. `exact=True` scans every row of those kinds (the brute-force reference)."""
        if k <= 0 or not len(self.matrix):
            return []
        query = np.ascontiguousarray(query, dtype=np.float32)
        slices = self._slices(query, kinds, exact)
        total = sum(end - start for start, end in slices)
        if not total:
            return []
        sims = np.empty(total, dtype=np.float32)
        filled = 0
        for start, end in slices:
            _matvec(self.matrix[start:end], query, out=sims[filled : filled + end - start])
            filled += end - start
        starts = np.fromiter((start for start, _ in slices), dtype=np.int64, count=len(slices))
        lengths = np.fromiter((end - start for start, end in slices), dtype=np.int64, count=len(slices))
        # Matrix position of each score: its slice's start, plus its place inside the slice.
        positions = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        rows = self.rows[positions]
        if allowed is not None:
            keep = allowed[rows]
            sims, rows = sims[keep], rows[keep]
        if len(sims) > k:
            top = np.argpartition(-sims, k - 1)[:k]
            sims, rows = sims[top], rows[top]
        order = np.lexsort((rows, -sims))
        return [(int(r), float(s)) for r, s in zip(rows[order].tolist(), sims[order].tolist(), strict=True)]
