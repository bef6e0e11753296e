"""Users' decisions as labelled data: accepted suggestions become evaluation queries (`evaluate_matching` format)."""

from typing import Any

from matching.choices import PostingStatus, SuggestionStatus
from matching.models import Posting, Suggestion


def feedback_dataset() -> dict[str, Any]:
    """{"corpus": open postings and every accepted target, "queries": one per source posting with accepted targets}.

    Declined suggestions are not relevant; a source whose suggestions were all declined yields no query. Two queries.
    """
    accepted: dict[int, list[int]] = {}
    for source_id, target_id in (
        Suggestion.objects.filter(status=SuggestionStatus.ACCEPTED)
        .order_by("source_id", "rank")
        .values_list("source_id", "target_id")
    ):
        accepted.setdefault(source_id, []).append(target_id)
    needed = set(accepted) | {t for targets in accepted.values() for t in targets}
    postings = {
        p.pk: p
        for p in Posting.objects.filter(status=PostingStatus.OPEN).only("pk", "kind", "title", "text")
        | Posting.objects.filter(pk__in=needed).only("pk", "kind", "title", "text")
    }
    return {
        "description": "来自用户对匹配推荐的接受（相关）/谢绝（不相关）反馈",
        "corpus": [{"id": str(p.pk), "text": p.index_text(), "kind": p.kind} for p in postings.values()],
        "queries": [
            {"text": postings[s].index_text(), "kind": postings[s].kind, "relevant": [str(t) for t in targets]}
            for s, targets in accepted.items()
            if s in postings
        ],
    }
