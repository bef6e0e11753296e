"""The engine as a library: tokenisation, RRF, the structured re-score and the hybrid index."""

import pytest

from matching.engine import Document, Facts, HybridIndex, Tokenizer, rrf, synonym_map
from matching.engine.rescore import WEIGHTS, components, multiplier


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer(["分离纯化", "活性成分", "大孔树脂"], synonym_map([("纯化", ["提纯", "精制"])]))


def test_domain_dictionary_keeps_domain_words_whole(tokenizer):
    tokens = tokenizer.tokens("需要大孔树脂分离纯化活性成分")
    assert "分离纯化" in tokens
    assert "活性成分" in tokens
    assert "大孔树脂" in tokens


def test_without_the_dictionary_the_domain_word_is_split():
    assert "大孔树脂" not in Tokenizer().tokens("需要大孔树脂分离纯化活性成分")


def test_synonyms_fold_to_the_canonical_term(tokenizer):
    tokens = tokenizer.tokens("无法提纯，也不会精制")
    assert tokens.count("纯化") == 2
    assert "提纯" not in tokens and "精制" not in tokens


def test_stop_words_and_punctuation_are_dropped(tokenizer):
    tokens = tokenizer.tokens("我们公司的需求：分离纯化！")
    assert "的" not in tokens and "公司" not in tokens and "：" not in tokens and "！" not in tokens


def test_rrf_sums_reciprocal_ranks_with_k_60():
    scores = rrf([["a", "b", "c"], ["b", "d"]])
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["d"] == pytest.approx(1 / 62)
    assert max(scores, key=scores.__getitem__) == "b"


def test_rrf_with_a_different_k():
    assert rrf([["x"]], k=10)["x"] == pytest.approx(1 / 11)


def test_rescore_names_adjacent_links_code_region_and_platform():
    need = Facts(chain_id=1, link_id=10, link_stage="midstream", industry_code="2710", region="新区")
    offer = Facts(
        chain_id=1,
        link_id=11,
        link_stage="upstream",
        link_name="药物研发",
        industry_code="2720",
        region="新区",
        owner_kind="university",
    )
    found = components(need, offer)
    codes = [c.code for c in found]
    assert codes == ["adjacent_link", "same_code_division", "same_region", "owner_platform"]
    assert "药物研发" in found[0].label
    assert multiplier(found) == pytest.approx(
        1
        + WEIGHTS["adjacent_link"]
        + WEIGHTS["same_code_division"]
        + WEIGHTS["same_region"]
        + WEIGHTS["owner_platform"]
    )


def test_rescore_same_link_and_unrelated_chain():
    a = Facts(chain_id=1, link_id=10, link_name="制造", industry_code="2710")
    assert [c.code for c in components(a, Facts(chain_id=1, link_id=10, link_name="制造", industry_code="2710"))] == [
        "same_link",
        "same_code_class",
    ]
    assert components(a, Facts(chain_id=2, link_id=20, owner_kind="enterprise")) == []


def test_rescore_parent_link_counts_as_adjacent():
    parent = Facts(chain_id=1, link_id=10, link_stage="midstream")
    child = Facts(chain_id=1, link_id=12, link_parent_id=10, link_stage="midstream")
    assert [c.code for c in components(parent, child)] == ["adjacent_link"]


def _bm25_index(tokenizer):
    index = HybridIndex(tokenizer, dense=False)
    index.upsert(
        [
            Document(
                1,
                "分离纯化平台，大孔树脂纯化活性成分",
                "capability",
                Facts(chain_id=1, link_id=2, link_stage="upstream"),
            ),
            Document(2, "医药冷链物流配送", "capability", Facts(chain_id=1, link_id=3, link_stage="downstream")),
            Document(3, "无法提纯活性成分", "need"),
        ]
    )
    return index


def test_bm25_only_index_ranks_and_filters_by_kind(tokenizer):
    index = _bm25_index(tokenizer)
    hits = index.query("我们无法提纯活性成分", kinds={"capability"})
    assert [h.id for h in hits] == [1]
    assert hits[0].bm25_rank == 1 and hits[0].dense_rank is None
    assert hits[0].rrf == pytest.approx(1 / 61)


def test_query_explanation_carries_the_boosts(tokenizer):
    index = _bm25_index(tokenizer)
    hit = index.query("提纯活性成分", kinds={"capability"}, facts=Facts(chain_id=1, link_id=5, link_stage="midstream"))[
        0
    ]
    explanation = hit.explanation()
    assert explanation["rrf_k"] == 60
    assert [b["code"] for b in explanation["boosts"]] == ["adjacent_link"]
    assert explanation["score"] == pytest.approx(hit.rrf * (1 + WEIGHTS["adjacent_link"]), rel=1e-4)


def test_upsert_and_remove_are_incremental(tokenizer):
    index = _bm25_index(tokenizer)
    assert index.query("冷链", kinds={"capability"})[0].id == 2
    index.upsert([Document(2, "软件开发外包", "capability")])
    assert index.query("冷链", kinds={"capability"}) == []
    index.remove([1])
    assert 1 not in index and index.query("活性成分", kinds={"capability"}) == []


def test_empty_query_and_empty_index_return_nothing(tokenizer):
    assert HybridIndex(tokenizer, dense=False).query("纯化") == []
    assert _bm25_index(tokenizer).query("，。") == []


def test_dense_layer_finds_a_paraphrase_bm25_misses(tokenizer):
    """One real embedding test (the model loads once per process)."""
    index = HybridIndex(tokenizer, dense=True)
    index.upsert(
        [
            Document("a", "神经网络量化剪枝与端侧推理加速框架", "tech_offer"),
            Document("b", "医药冷链物流配送", "tech_offer"),
        ]
    )
    query = "需要把深度学习模型压缩后部署到低功耗边缘设备"
    assert index.search_bm25(query) == []
    dense = index.search_dense(query)
    assert dense[0][0] == "a"
    hit = index.query(query)[0]
    assert hit.id == "a" and hit.dense_rank == 1 and hit.bm25_rank is None


def test_bm25_scores_only_the_kinds_asked_for_and_gives_bm25s_scores():
    """The engine adds up only the kinds' part of each token's column; the scores must be bm25s's own."""
    import random

    import bm25s

    rng = random.Random(4)
    vocabulary = [f"词{i}" for i in range(40)]
    kinds = ["need", "capability", "tech_demand", "tech_offer"]
    docs = [
        Document(i, "", rng.choice(kinds), tokens=[rng.choice(vocabulary) for _ in range(rng.randint(1, 12))])
        for i in range(400)
    ]
    index = HybridIndex(Tokenizer(), dense=False)
    index.upsert(docs)
    reference = bm25s.BM25()
    reference.index([d.tokens for d in docs], show_progress=False)
    for _ in range(10):
        query = [rng.choice(vocabulary) for _ in range(rng.randint(1, 6))]
        wanted = set(rng.sample(kinds, rng.randint(1, 2)))
        excluded = rng.randrange(400)
        all_scores = reference.get_scores_from_ids(reference.get_tokens_ids(query))
        expected = sorted(
            (
                (d.id, float(all_scores[d.id]))
                for d in docs
                if d.kind in wanted and d.id != excluded and all_scores[d.id] > 0
            ),
            key=lambda item: (-item[1], item[0]),
        )
        index.tokenizer.tokens = lambda text, q=query: list(q)  # type: ignore[method-assign]  # the drawn tokens
        found = index.search_bm25("q", kinds=wanted, k=400, exclude={excluded})
        assert dict(found) == dict(expected)
        assert [s for _, s in found] == [s for _, s in expected]
        top = index.search_bm25("q", kinds=wanted, k=5, exclude={excluded})
        assert [s for _, s in top] == [s for _, s in expected[:5]]
    snapshot = index._refresh()
    assert snapshot.ranges(None) == [(0, 400)]
    for kinds_asked in (["need"], ["capability", "tech_demand"], ["tech_offer", "need"]):
        rows = [row for start, end in snapshot.ranges(kinds_asked) for row in range(start, end)]
        assert sorted(snapshot.ids[row] for row in rows) == [d.id for d in docs if d.kind in kinds_asked]  # type: ignore[type-var]
