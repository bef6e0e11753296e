"""The dense half's nearest-neighbour search: exact scan by kind, the clustered (IVF) search, and the hybrid index's
use of it (kinds, exclusions, clusters kept across rebuilds). Vectors are synthetic: no model needed."""

import numpy as np
import pytest

from matching.engine import Document, HybridIndex, Tokenizer
from matching.engine import dense as dense_layer
from matching.engine.vectors import VectorIndex, assign, ivf_lists, train_centroids

DIM = dense_layer.DIM


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def clustered(n: int, centres: int, seed: int = 0, spread: float = 0.05) -> np.ndarray:
    """n unit vectors around `centres` random directions."""
    rng = np.random.default_rng(seed)
    centre = unit(rng.standard_normal((centres, DIM)))
    return unit(centre[np.arange(n) % centres] + rng.normal(0, spread, (n, DIM)))


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[int]:
    sims = vectors @ query
    candidates = np.arange(len(vectors)) if rows is None else rows
    order = sorted(candidates.tolist(), key=lambda r: (-sims[r], r))
    return order[:k]


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer()


def test_exact_search_scans_only_the_kinds_asked_for_and_sorts_by_cosine():
    vectors = clustered(300, 7)
    kinds = ["need" if i % 3 else "capability" for i in range(300)]
    index = VectorIndex.build(list(vectors), list(range(300)), kinds)
    query = vectors[10]
    found = index.search(query, 5, kinds={"capability"})
    capability_rows = np.array([i for i in range(300) if kinds[i] == "capability"])
    assert [row for row, _ in found] == exact_top(vectors, query, 5, capability_rows)
    assert all(kinds[row] == "capability" for row, _ in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert found[0][1] == pytest.approx(float(vectors[found[0][0]] @ query), rel=1e-5)


def test_search_keeps_only_allowed_rows():
    vectors = clustered(50, 5)
    index = VectorIndex.build(list(vectors), list(range(50)), ["need"] * 50)
    allowed = np.ones(50, dtype=bool)
    allowed[7] = False
    found = [row for row, _ in index.search(vectors[7], 3, allowed=allowed)]
    assert 7 not in found and len(found) == 3


def test_kmeans_gives_deterministic_unit_centroids_with_no_empty_cluster():
    vectors = clustered(2000, 16, spread=0.02)
    first = train_centroids(vectors, 16, seed=3)
    assert first.shape == (16, DIM)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first, train_centroids(vectors, 16, seed=3))
    assert len(set(assign(vectors, first).tolist())) == 16


def test_clustered_search_scans_a_share_and_matches_exact_on_clustered_data():
    vectors = clustered(4000, 40, spread=0.03)
    centroids = train_centroids(vectors, ivf_lists(4000))
    index = VectorIndex.build(
        list(vectors), list(range(4000)), ["need"] * 4000, clusters=assign(vectors, centroids), centroids=centroids
    )
    assert index.approximate and 1 <= index.nprobe < len(centroids)
    rng = np.random.default_rng(5)
    for row in rng.choice(4000, 20, replace=False):
        query = unit(vectors[row] + rng.normal(0, 0.01, DIM))
        found = [r for r, _ in index.search(query, 10)]
        assert found == exact_top(vectors, query, 10)
        assert [r for r, _ in index.search(query, 10, exact=True)] == found


def test_clustered_search_with_one_probe_scans_only_the_nearest_cluster():
    """The IVF is approximate: with a single probed cluster, the neighbours in other clusters are not scanned."""
    vectors = clustered(2000, 20, spread=0.03)
    centroids = train_centroids(vectors, 20)
    labels = assign(vectors, centroids)
    index = VectorIndex.build(
        list(vectors), list(range(2000)), ["need"] * 2000, clusters=labels, centroids=centroids, nprobe=1
    )
    query = centroids[labels[0]]
    own = np.flatnonzero(labels == labels[0])
    assert sorted(r for r, _ in index.search(query, 2000)) == own.tolist()
    assert len(index.search(query, 2000, exact=True)) == 2000


def _index_with_vectors(tokenizer, vectors, *, kinds=None, ivf_min_rows=10_000_000, nprobe=None):
    index = HybridIndex(tokenizer, dense=True, embed_missing=False, ivf_min_rows=ivf_min_rows, nprobe=nprobe)
    index.upsert(
        Document(id=i, text=f"文档{i}", kind=(kinds[i] if kinds else "capability"), vector=vector)
        for i, vector in enumerate(vectors)
    )
    return index


def test_hybrid_index_dense_search_excludes_ids_and_filters_kinds(tokenizer, monkeypatch):
    vectors = clustered(200, 10)
    kinds = ["capability" if i % 2 else "need" for i in range(200)]
    index = _index_with_vectors(tokenizer, vectors, kinds=kinds)
    monkeypatch.setattr(dense_layer, "embed_query", lambda text: vectors[11])
    found = index.search_dense("x", kinds={"capability"}, k=5, exclude={11})
    assert 11 not in [i for i, _ in found]
    assert all(kinds[i] == "capability" for i, _ in found)
    assert [i for i, _ in found] == exact_top(
        vectors, vectors[11], 5, np.array([i for i in range(1, 200, 2) if i != 11])
    )
    hits = index.query("x", kinds={"capability"}, k=5, exclude={11})
    assert 11 not in [h.id for h in hits] and hits[0].dense_rank == 1


def test_hybrid_index_goes_clustered_from_the_threshold_and_keeps_clusters_across_rebuilds(tokenizer, monkeypatch):
    vectors = clustered(600, 12, spread=0.03)
    index = _index_with_vectors(tokenizer, vectors[:500], ivf_min_rows=400)
    monkeypatch.setattr(dense_layer, "embed_query", lambda text: vectors[3])
    size = index.footprint()
    assert size["ivf_lists"] == ivf_lists(500) and 0 < size["nprobe"] < size["ivf_lists"]
    assert index.search_dense("x", k=1)[0][0] == 3
    centroids = index._centroids
    index.upsert([Document(id=500 + i, text="新", kind="capability", vector=vectors[500 + i]) for i in range(100)])
    index.remove([3])
    monkeypatch.setattr(dense_layer, "embed_query", lambda text: vectors[515])
    assert index.search_dense("x", k=1)[0][0] == 515  # the new posting is found in its cluster
    assert index._centroids is centroids  # not retrained for 20 % more vectors
    assert 3 not in [i for i, _ in index.search_dense("x", k=600, exact=True)]
    # Doubled: trained again.
    index.upsert([Document(id=1000 + i, text="新", kind="capability", vector=v) for i, v in enumerate(vectors)])
    index.prepare()
    assert index._centroids is not centroids


def test_below_the_threshold_the_dense_search_is_exact(tokenizer):
    index = _index_with_vectors(tokenizer, clustered(100, 4))
    assert index.footprint()["ivf_lists"] == 0


def test_a_query_keeps_reading_the_snapshot_it_started_with(tokenizer):
    index = _index_with_vectors(tokenizer, clustered(20, 2))
    before = index._refresh()
    assert index._refresh() is before  # no change: no rebuild
    index.upsert([Document(id=99, text="新", kind="capability", vector=clustered(1, 1)[0])])
    after = index._refresh()
    assert after is not before and 99 in after.row_of and 99 not in before.row_of


def test_the_query_embedding_pool_is_made_again_in_a_forked_process(monkeypatch):
    from matching.engine import index as index_module

    first = index_module._embedder()
    assert index_module._embedder() is first
    monkeypatch.setattr(index_module.os, "getpid", lambda: -1)  # as seen from a forked child
    child = index_module._embedder()
    assert child is not first and index_module._embedder() is child
    assert child.submit(lambda: 42).result(timeout=5) == 42


def test_hybrid_query_uses_the_pool_for_the_embedding(tokenizer, monkeypatch):
    import threading

    vectors = clustered(30, 3)
    index = _index_with_vectors(tokenizer, vectors)
    seen = []

    def embed(text):
        seen.append(threading.current_thread().name)
        return vectors[4]

    monkeypatch.setattr(dense_layer, "embed_query", embed)
    assert index.query("x", k=1)[0].id == 4
    assert seen and seen[0].startswith("matching-embed")
