"""A posting matched against the others reuses the query vector stored with it by the background task, and never a
vector computed from a text the posting no longer has."""

import numpy as np
import pytest

from matching import indexing, services
from matching.engine import dense
from matching.models import Posting

pytestmark = pytest.mark.django_db


def _fresh(posting):
    return Posting.objects.select_related("link", "enterprise", "institution").get(pk=posting.pk)


def _embed_all(area):
    for posting in (area.need, area.capability, area.unrelated, area.offer):
        assert services.posting_embed(posting_id=posting.pk)


def _refresh(posting):
    """Refresh the posting's suggestions; returns them by target id and how many texts the model embedded as
    queries meanwhile (the query-vector cache is emptied first, so every embedding is a miss)."""
    dense._query_vector.cache_clear()
    suggestions = services.suggestions_refresh(posting=_fresh(posting))
    return {s.target_id: s.components for s in suggestions}, dense._query_vector.cache_info().misses


def _plant(posting, vector_of):
    """Store another posting's passage vector as `posting`'s query vector (hash untouched): a vector whose use shows
    in the ranking, its owner's cosine with it being 1."""
    passage = Posting.objects.values_list("embedding", flat=True).get(pk=vector_of.pk)
    Posting.objects.filter(pk=posting.pk).update(query_embedding=passage)


def test_the_background_embedding_stores_the_query_vector_of_the_current_text(area, dense_on):
    assert services.posting_embed(posting_id=area.need.pk)
    stored = Posting.objects.get(pk=area.need.pk)
    assert stored.embedded_text_hash == indexing.text_hash(stored)
    assert np.allclose(dense.from_bytes(stored.query_embedding), dense.embed_query(stored.index_text()), atol=1e-6)
    assert not np.allclose(dense.from_bytes(stored.query_embedding), dense.from_bytes(stored.embedding))
    assert not services.posting_embed(posting_id=area.need.pk)  # once per text


def test_an_unchanged_posting_is_matched_with_its_stored_query_vector_without_running_the_model(area, dense_on):
    _embed_all(area)
    reused, runs = _refresh(area.need)
    assert runs == 0
    Posting.objects.filter(pk=area.need.pk).update(query_embedding=None)
    embedded, runs = _refresh(area.need)
    assert runs == 1
    assert reused == embedded  # the same vector: the same ranking and components

    _plant(area.need, vector_of=area.unrelated)
    planted, runs = _refresh(area.need)
    assert runs == 0
    assert planted[area.unrelated.pk]["dense_rank"] == 1 and planted[area.unrelated.pk]["dense_score"] > 0.999


def test_an_edited_posting_is_never_matched_with_its_stale_vector(area, dense_on, enterprise_user):
    _embed_all(area)
    _plant(area.need, vector_of=area.unrelated)
    services.posting_update(
        actor=enterprise_user, posting=area.need, expected_version=None, text="黄酮类活性成分需分离纯化到药用标准。"
    )
    assert indexing.stored_query_vector(_fresh(area.need)) is None
    edited, runs = _refresh(area.need)
    assert runs == 1  # the new text was embedded on the spot
    assert edited[area.capability.pk]["dense_rank"] == 1
    assert edited.get(area.unrelated.pk, {}).get("dense_score", 0) < 0.99

    # The background task of the edit embeds the new text; from then on its vector is reused.
    assert services.posting_embed(posting_id=area.need.pk)
    stored = indexing.stored_query_vector(_fresh(area.need))
    assert stored is not None
    assert np.allclose(stored, dense.embed_query(_fresh(area.need).index_text()), atol=1e-6)
    again, runs = _refresh(area.need)
    assert runs == 0 and again == edited


def test_a_posting_embedded_before_query_vectors_gets_only_its_query_vector(area, dense_on):
    _embed_all(area)
    Posting.objects.filter(pk=area.need.pk).update(query_embedding=None)
    passage = Posting.objects.values_list("embedding", flat=True).get(pk=area.need.pk)
    version = indexing.state().version
    assert services.posting_embed(posting_id=area.need.pk)
    stored = Posting.objects.get(pk=area.need.pk)
    assert bytes(stored.embedding) == bytes(passage) and stored.query_embedding
    assert indexing.state().version == version  # the index holds passage vectors: nothing for it to reload


def test_without_dense_matching_no_stored_vector_is_read(area):
    assert indexing.stored_query_vector(area.need) is None
