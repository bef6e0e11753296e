"""Feeding the engine from the database: the vocabulary, the version stamp and the per-process index cache.

Every posting change bumps `IndexState.version` in the same transaction and stamps the posting with it. A process
keeps one `HybridIndex` with the version it has seen; on a query it reads the stamp (one query) and, when it moved,
fetches only the postings stamped after its version and upserts or removes them. A vocabulary change (synonyms,
chain links) bumps `vocabulary_version`, which makes every process reload in full after the rebuild task has
re-tokenised the postings. Nothing here assumes a single process: the stamp lives in the database.
"""

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from chains.models import Chain, Link
from matching.choices import PostingStatus
from matching.engine import Document, Facts, HybridIndex, Tokenizer, synonym_map
from matching.engine.dense import from_bytes
from matching.models import IndexState, Posting, Synonym

STATE_NAME = "postings"
_LOCK = threading.RLock()


@dataclass
class _Cached:
    version: int
    vocabulary_version: int
    dense: bool
    index: HybridIndex


_cache: dict[str, Any] = {"tokenizer": None, "tokenizer_version": None, "index": None}


def dense_enabled() -> bool:
    return bool(getattr(settings, "MATCHING_DENSE_ENABLED", True))


def state() -> IndexState:
    obj, _ = IndexState.objects.get_or_create(name=STATE_NAME)
    return obj


def bump(*, vocabulary: bool = False) -> int:
    """Move the stamp on (inside the caller's transaction: the row lock orders concurrent writers)."""
    state()
    changes: dict[str, Any] = {"version": F("version") + 1}
    if vocabulary:
        changes["vocabulary_version"] = F("vocabulary_version") + 1
        changes["rebuilt_at"] = timezone.now()
    IndexState.objects.filter(name=STATE_NAME).update(**changes)
    return int(IndexState.objects.values_list("version", flat=True).get(name=STATE_NAME))


def domain_words() -> list[str]:
    """Chain and link names and link keywords: the domain dictionary jieba must keep whole."""
    words = list(Chain.objects.values_list("name", flat=True))
    for name, keywords in Link.objects.values_list("name", "keywords"):
        words.append(name)
        words.extend(k for k in keywords.replace("，", ",").replace(" ", ",").split(",") if k)
    return words


def synonyms() -> dict[str, str]:
    return synonym_map((s.term, s.variant_list()) for s in Synonym.objects.filter(is_active=True))


def build_tokenizer() -> Tokenizer:
    return Tokenizer(domain_words(), synonyms())


def tokenizer(vocabulary_version: int | None = None) -> Tokenizer:
    """The process's tokenizer for the given vocabulary version (rebuilt when the version moved)."""
    if vocabulary_version is None:
        vocabulary_version = state().vocabulary_version
    with _LOCK:
        if _cache["tokenizer"] is None or _cache["tokenizer_version"] != vocabulary_version:
            _cache["tokenizer"] = build_tokenizer()
            _cache["tokenizer_version"] = vocabulary_version
        return _cache["tokenizer"]


def indexed_postings() -> Any:
    # The index holds passage vectors; a posting's query vector is read only when it is the query.
    return Posting.objects.select_related("link", "enterprise", "institution").defer("query_embedding")


def text_hash(posting: Posting) -> str:
    """The hash of the text the engine reads: stored with the vectors, it says which text they were computed from."""
    return hashlib.sha256(posting.index_text().encode()).hexdigest()


def stored_query_vector(posting: Posting) -> np.ndarray | None:
    """The posting's query vector stored by the background task, if it was computed from the posting's current
    text; None when dense matching is off, the vector is missing, or the text changed since (an edit whose
    background embedding has not run yet): the caller then embeds the text itself.

    One query by primary key; the vector and its hash are read from the database, not from the instance, which
    may have been loaded before the background task stored them."""
    if not dense_enabled() or posting.pk is None:
        return None
    data = (
        Posting.objects.filter(pk=posting.pk, embedded_text_hash=text_hash(posting))
        .values_list("query_embedding", flat=True)
        .first()
    )
    return from_bytes(data)


def posting_facts(posting: Posting) -> Facts:
    link = posting.link
    if posting.institution_id:
        owner_kind = posting.institution.kind if posting.institution else "institute"
    else:
        owner_kind = "leading" if posting.enterprise and posting.enterprise.is_leading else "enterprise"
    return Facts(
        kind=posting.kind,
        chain_id=posting.chain_id,
        link_id=posting.link_id,
        link_parent_id=link.parent_id if link else None,
        link_stage=link.stage if link else "",
        link_name=link.name if link else "",
        industry_code=posting.industry_code,
        region=posting.region,
        owner_kind=owner_kind,
    )


def posting_document(posting: Posting) -> Document:
    return Document(
        id=posting.pk,
        text=posting.index_text(),
        kind=posting.kind,
        facts=posting_facts(posting),
        tokens=list(posting.tokens) if posting.tokens else None,
        vector=from_bytes(posting.embedding) if dense_enabled() else None,
    )


def current_index() -> HybridIndex:
    """The up-to-date index of open postings for this process (see the module docstring)."""
    current = state()
    dense = dense_enabled()
    with _LOCK:
        cached: _Cached | None = _cache["index"]
        if cached is not None and (
            cached.vocabulary_version != current.vocabulary_version
            or cached.dense != dense
            or cached.version > current.version
        ):
            cached = None
        if cached is None:
            index = HybridIndex(tokenizer(current.vocabulary_version), dense=dense, embed_missing=False)
            index.upsert(posting_document(p) for p in indexed_postings().filter(status=PostingStatus.OPEN))
            cached = _Cached(current.version, current.vocabulary_version, dense, index)
        elif cached.version != current.version:
            changed = list(indexed_postings().filter(index_version__gt=cached.version))
            cached.index.remove(p.pk for p in changed if p.status != PostingStatus.OPEN)
            cached.index.upsert(posting_document(p) for p in changed if p.status == PostingStatus.OPEN)
            cached.version = current.version
        cached.index.prepare()  # rebuild the matrices here, under the lock, not inside a concurrent query
        _cache["index"] = cached
        return cached.index


def reset_cache() -> None:
    """Forget this process's index and tokenizer (tests, and after settings change)."""
    with _LOCK:
        _cache.update({"tokenizer": None, "tokenizer_version": None, "index": None})
