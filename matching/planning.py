"""Reads that plan: roundtable invitees from the strongest reciprocal pairs, and mentoring suggestions."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from chains.models import Placement
from enterprises.selectors import enterprises_visible_to
from matching import indexing
from matching.choices import PostingStatus
from matching.engine.rescore import STAGE_ORDER
from matching.models import Posting, Roundtable, Suggestion
from matching.selectors import DEFERRED_RELATED

#: A firm founded this recently counts as young (成长型).
YOUNG_YEARS = 5


@dataclass
class PairProposal:
    a: Posting
    b: Posting
    score: float
    reciprocal: bool
    suggestion: Suggestion
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{min(self.a.pk, self.b.pk)}-{max(self.a.pk, self.b.pk)}"

    def invitation_reason(self) -> str:
        kind = "互为推荐" if self.reciprocal else "引擎推荐"
        return f"{kind}：「{self.a.title}」↔「{self.b.title}」"[:300]


def roundtable_proposals(roundtable: Roundtable, *, limit: int = 12, depth: int = 60) -> list[PairProposal]:
    """The strongest pairs on the roundtable's theme and chain (link, when set): reciprocal pairs (each side in the
    other's suggestions) first, then by combined score. Four queries whatever the number of pairs."""
    index = indexing.current_index()
    hits = index.query(roundtable.theme, k=depth)
    on_chain = Posting.objects.filter(status=PostingStatus.OPEN, chain_id=roundtable.chain_id)
    if roundtable.link_id:
        on_chain = on_chain.filter(Q(link_id=roundtable.link_id) | Q(link__parent_id=roundtable.link_id))
    themed = set(on_chain.filter(pk__in=[h.id for h in hits]).values_list("pk", flat=True))
    if not themed:
        return []
    suggestions = (
        Suggestion.objects.filter(Q(source_id__in=themed) | Q(target_id__in=themed))
        .filter(source__status=PostingStatus.OPEN, target__status=PostingStatus.OPEN)
        .exclude(status="declined")
        .select_related(
            "source", "target", "source__enterprise", "source__institution", "target__enterprise", "target__institution"
        )
        .defer(*DEFERRED_RELATED)
    )
    pairs: dict[tuple[int, int], list[Suggestion]] = {}
    for suggestion in suggestions:
        key = (min(suggestion.source_id, suggestion.target_id), max(suggestion.source_id, suggestion.target_id))
        pairs.setdefault(key, []).append(suggestion)
    proposals = []
    for found in pairs.values():
        best = max(found, key=lambda s: s.score)
        reciprocal = len(found) > 1
        proposals.append(
            PairProposal(
                a=best.source,
                b=best.target,
                score=sum(s.score for s in found),
                reciprocal=reciprocal,
                suggestion=best,
                reasons=[b["label"] for b in best.components.get("boosts", [])],
            )
        )
    proposals.sort(key=lambda p: (not p.reciprocal, -p.score, p.key))
    return proposals[:limit]


# ---- mentoring ---------------------------------------------------------------------------------------------------


@dataclass
class MentoringProposal:
    mentee: Any
    mentor: Any
    score: float
    reasons: list[str]


def _link_relation(a: Any, b: Any) -> tuple[float, str] | None:
    if a.chain_id != b.chain_id:
        return None
    if a.pk == b.pk:
        return 2.0, f"同一环节（{a.name}）"
    if a.parent_id == b.pk or b.parent_id == a.pk:
        return 1.5, f"上下级环节（{b.name}）"
    sa, sb = STAGE_ORDER.get(a.stage), STAGE_ORDER.get(b.stage)
    if sa is not None and sb is not None and abs(sa - sb) == 1:
        return 1.0, f"上下游相邻环节（{b.name}，{b.get_stage_display()}）"
    return None


def mentoring_suggestions(
    user: Any, *, chain: Any = None, per_mentee: int = 2, limit: int = 100
) -> list[MentoringProposal]:
    """Young firms (founded in the last five years, not leading) the user may see, paired with leading firms on the
    same or adjacent links, best first, with reasons; pairs that already exist are left out. Three queries."""
    today = timezone.localdate()
    young_since = today - timedelta(days=365 * YOUNG_YEARS)
    placements = Placement.objects.select_related("enterprise", "link")
    if chain is not None:
        placements = placements.filter(link__chain_id=getattr(chain, "pk", chain))
    visible = enterprises_visible_to(user).order_by().values("pk")
    rows = list(
        placements.filter(
            Q(enterprise__is_leading=True)
            | Q(enterprise__in=visible, enterprise__founded_on__gte=young_since, enterprise__is_leading=False)
        ).order_by("pk")
    )
    mentors = [p for p in rows if p.enterprise.is_leading]
    mentees = [p for p in rows if not p.enterprise.is_leading]
    pair_model = apps.get_model("organizations", "MentoringPair")
    existing = set(pair_model._default_manager.values_list("mentee_id", "mentor_id"))
    best: dict[tuple[int, int], MentoringProposal] = {}
    for young in mentees:
        for lead in mentors:
            key = (young.enterprise_id, lead.enterprise_id)
            if key in existing or key[0] == key[1]:
                continue
            relation = _link_relation(young.link, lead.link)
            if relation is None:
                continue
            score, reason = relation
            reasons = [reason]
            a, b = young.enterprise.industry_code, lead.enterprise.industry_code
            if a and b and a[:4] == b[:4]:
                score += 0.5
                reasons.append(f"同一行业小类（{a[:4]}）")
            if young.enterprise.management_office_id and (
                young.enterprise.management_office_id == lead.enterprise.management_office_id
            ):
                score += 0.25
                reasons.append("同一管理处")
            current = best.get(key)
            if current is None or current.score < score:
                best[key] = MentoringProposal(young.enterprise, lead.enterprise, score, reasons)
            elif reason not in current.reasons:
                current.reasons.append(reason)
    by_mentee: dict[int, list[MentoringProposal]] = {}
    for proposal in sorted(best.values(), key=lambda p: (-p.score, p.mentee.pk, p.mentor.pk)):
        chosen = by_mentee.setdefault(proposal.mentee.pk, [])
        if len(chosen) < per_mentee:
            chosen.append(proposal)
    flat = [p for chosen in by_mentee.values() for p in chosen]
    flat.sort(key=lambda p: (-p.score, p.mentee.pk, p.mentor.pk))
    return flat[:limit]
