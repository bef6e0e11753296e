"""The matching engine: a library with no database access (see index.HybridIndex); `matching.indexing` feeds it."""

from matching.engine.fusion import RRF_K, rrf
from matching.engine.index import Document, Hit, HybridIndex
from matching.engine.rescore import Component, Facts
from matching.engine.text import Tokenizer, synonym_map

__all__ = ["RRF_K", "Component", "Document", "Facts", "Hit", "HybridIndex", "Tokenizer", "rrf", "synonym_map"]
