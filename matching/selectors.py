"""Reads on postings, suggestions, roundtables and agreements, scoped by the user's role; figures for the cockpit.

Who sees what (one rule, used by pages, API and exports):

| role | postings | suggestions | roundtables, agreements |
|---|---|---|---|
| admin, leader, supervisor, investment, non-office handlers | all | all | all |
| instructor | all open postings (public side) + every posting of their paired enterprises | those whose source posting belongs to a paired enterprise (to broker) | all |
| office handler | all open postings (public side) + their office's enterprises' postings | none | all |
| enterprise | their own postings + others' open postings (public side only) | those for their own postings | those they are invited to / party of |
| talent | none | none | none |

The private side of a posting (contact, internal note) is shown to the owner enterprise's users and to the staff who
see that enterprise (`can_see_private`). Research institutions' postings are public to every staff role.
"""

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.choices import Role
from core.access import get_visible_or_404
from core.calendar import start_of_day
from enterprises.selectors import enterprises_visible_to, sees_all_enterprises
from matching.choices import AgreementStatus, PostingKind, PostingStatus, RoundtableStatus, SuggestionStatus
from matching.models import Agreement, AgreementUpdate, Invitation, Posting, Roundtable, Suggestion

#: Staff roles that plan roundtables and record agreements.
ORGANIZER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR})


def _anonymous(user: Any) -> bool:
    return user is None or not user.is_authenticated


def _role(user: Any) -> str:
    return "admin" if getattr(user, "is_superuser", False) else str(getattr(user, "role", ""))


def _own_enterprise_ids(user: Any) -> QuerySet[Any]:
    """The enterprises whose private data this user may see (their own, or those their role covers)."""
    return enterprises_visible_to(user).order_by().values("pk")


# ---- postings ------------------------------------------------------------------------------------------------

#: The engine's stored inputs (tokens and two vectors, ≈ 3.5 kB a posting): never needed by a page or the API.
ENGINE_FIELDS = ("embedding", "query_embedding", "tokens")
DEFERRED_RELATED = tuple(f"{side}__{name}" for side in ("source", "target") for name in ENGINE_FIELDS)


def postings_visible_to(user: Any) -> QuerySet[Posting]:
    qs = Posting.objects.select_related("chain", "link", "enterprise", "institution").defer(*ENGINE_FIELDS)
    if _anonymous(user) or _role(user) == Role.TALENT:
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    return qs.filter(Q(status=PostingStatus.OPEN) | Q(enterprise__in=_own_enterprise_ids(user)))


def posting_for(user: Any, pk: Any) -> Posting:
    return get_visible_or_404(postings_visible_to(user), pk=pk)


def private_enterprise_ids(user: Any) -> set[int]:
    """Ids of the enterprises whose postings' private side this user sees (empty set + `sees_all` for area roles)."""
    if _anonymous(user) or sees_all_enterprises(user):
        return set()
    return set(enterprises_visible_to(user).values_list("pk", flat=True))


def can_see_private(user: Any, posting: Posting, enterprise_ids: set[int] | None = None) -> bool:
    """Contact and internal note: the owner's users and the staff who see the owner; institutions' for all staff."""
    if _anonymous(user):
        return False
    if sees_all_enterprises(user):
        return True
    if posting.institution_id:
        return bool(user.is_staff_role)
    ids = private_enterprise_ids(user) if enterprise_ids is None else enterprise_ids
    return posting.enterprise_id in ids


def can_edit_posting(user: Any, posting: Posting) -> bool:
    if _anonymous(user):
        return False
    if _role(user) == Role.ADMIN:
        return True
    if posting.institution_id:
        return _role(user) in ORGANIZER_ROLES
    if _role(user) == Role.ENTERPRISE:
        return posting.enterprise_id == user.enterprise_id
    if _role(user) == Role.INSTRUCTOR:
        return posting.enterprise_id in private_enterprise_ids(user)
    return False


def can_publish(user: Any) -> bool:
    return not _anonymous(user) and _role(user) in (Role.ADMIN, Role.INSTRUCTOR, Role.ENTERPRISE)


# ---- suggestions ---------------------------------------------------------------------------------------------


def suggestions_visible_to(user: Any) -> QuerySet[Suggestion]:
    """Suggestions for the postings this user works for (own postings, or paired enterprises' to broker)."""
    qs = Suggestion.objects.select_related(
        "source",
        "source__enterprise",
        "source__institution",
        "target",
        "target__enterprise",
        "target__institution",
        "target__link",
        "target__chain",
    ).defer(*DEFERRED_RELATED)
    if _anonymous(user):
        return qs.none()
    role = _role(user)
    if role in (Role.ADMIN, Role.LEADER, Role.SUPERVISOR):
        return qs
    if role == Role.INSTRUCTOR:
        return qs.filter(
            Q(source__enterprise__in=_own_enterprise_ids(user))
            | Q(source__institution__isnull=False, target__enterprise__in=_own_enterprise_ids(user))
        )
    if role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(source__enterprise_id=user.enterprise_id)
    return qs.none()


def suggestion_for(user: Any, pk: Any) -> Suggestion:
    return get_visible_or_404(suggestions_visible_to(user), pk=pk)


def can_decide(user: Any, suggestion: Suggestion) -> bool:
    """Whoever sees a suggestion decides on it, except the read-only roles (leader, supervisor)."""
    return _role(user) in (Role.ADMIN, Role.INSTRUCTOR, Role.ENTERPRISE) and (
        suggestions_visible_to(user).filter(pk=suggestion.pk).exists()
    )


# ---- roundtables and agreements ------------------------------------------------------------------------------


def roundtables_visible_to(user: Any) -> QuerySet[Roundtable]:
    qs = Roundtable.objects.select_related("chain", "link", "host_organization")
    if _anonymous(user) or _role(user) == Role.TALENT:
        return qs.none()
    if _role(user) == Role.ENTERPRISE:
        invited = Invitation.objects.filter(enterprise_id=user.enterprise_id).values("roundtable")
        return qs.filter(pk__in=invited)
    return qs


def roundtable_for(user: Any, pk: Any) -> Roundtable:
    return get_visible_or_404(roundtables_visible_to(user), pk=pk)


def can_organize(user: Any) -> bool:
    return not _anonymous(user) and _role(user) in ORGANIZER_ROLES


def invitations_of(roundtable: Roundtable) -> QuerySet[Invitation]:
    return roundtable.invitations.select_related("enterprise", "institution").order_by("id")


def agreements_visible_to(user: Any) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related("roundtable", "owner").prefetch_related("enterprises", "institutions")
    if _anonymous(user) or _role(user) == Role.TALENT:
        return qs.none()
    if _role(user) == Role.ENTERPRISE:
        return qs.filter(
            pk__in=Agreement.enterprises.through.objects.filter(enterprise_id=user.enterprise_id).values("agreement")
        )
    return qs


def agreement_for(user: Any, pk: Any) -> Agreement:
    return get_visible_or_404(agreements_visible_to(user), pk=pk)


def agreement_timeline(agreement: Agreement) -> QuerySet[AgreementUpdate]:
    return agreement.updates.select_related("author").order_by("-created_at", "-id")


# ---- figures for the cockpit ---------------------------------------------------------------------------------


def innovation_figures(user: Any, start: date, end: date, chain: Any = None) -> dict[str, Any]:
    """The innovation chain's figures for [start, end] (dates inclusive), as the user may see them. Four queries.

    - roundtables_held: roundtables with status held dated in the period;
    - roundtables_planned: roundtables still planned dated in the period;
    - agreements: {status: count} for agreements created in the period, every status present (0 when none);
    - agreements_total, agreements_completed;
    - postings: {kind: count} for postings created in the period; postings_total;
    - suggestions_accepted / suggestions_declined: suggestions decided in the period.
    `chain` (a Chain or its id) narrows every figure to that chain.
    """
    chain_id = getattr(chain, "pk", chain)
    start_dt, end_dt = start_of_day(start), start_of_day(end + timedelta(days=1))

    roundtables = roundtables_visible_to(user).filter(held_on__gte=start, held_on__lte=end)
    agreements = agreements_visible_to(user).filter(created_at__gte=start_dt, created_at__lt=end_dt)
    postings = postings_visible_to(user).filter(created_at__gte=start_dt, created_at__lt=end_dt)
    suggestions = suggestions_visible_to(user).filter(decided_at__gte=start_dt, decided_at__lt=end_dt)
    if chain_id is not None:
        roundtables = roundtables.filter(chain_id=chain_id)
        agreements = agreements.filter(roundtable__chain_id=chain_id)
        postings = postings.filter(chain_id=chain_id)
        suggestions = suggestions.filter(source__chain_id=chain_id)

    by_status_rt = dict(roundtables.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    by_status_ag = dict(agreements.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    by_kind = dict(postings.order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    decided = dict(suggestions.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    agreements_by_status = {status: by_status_ag.get(status, 0) for status in AgreementStatus.values}
    postings_by_kind = {kind: by_kind.get(kind, 0) for kind in PostingKind.values}
    return {
        "start": start,
        "end": end,
        "chain_id": chain_id,
        "roundtables_held": by_status_rt.get(RoundtableStatus.HELD, 0),
        "roundtables_planned": by_status_rt.get(RoundtableStatus.PLANNED, 0),
        "agreements": agreements_by_status,
        "agreements_total": sum(agreements_by_status.values()),
        "agreements_completed": agreements_by_status[AgreementStatus.COMPLETED],
        "postings": postings_by_kind,
        "postings_total": sum(postings_by_kind.values()),
        "suggestions_accepted": decided.get(SuggestionStatus.ACCEPTED, 0),
        "suggestions_declined": decided.get(SuggestionStatus.DECLINED, 0),
    }
