"""Writes of the innovation chain: postings, the engine's suggestions, roundtables, invitations and agreements.

Each write is one transaction that checks permission and guards, validates, writes an audit row, and schedules its
side effects (embedding, suggestions) after commit.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from core.services import audit_record, save_with_version
from enterprises.models import Enterprise, ResearchInstitution
from enterprises.selectors import enterprises_visible_to
from matching import indexing
from matching.choices import (
    COMPLEMENTS,
    AgreementStatus,
    InvitationStatus,
    PostingSource,
    PostingStatus,
    RoundtableStatus,
    SuggestionStatus,
)
from matching.engine.dense import embed_passages, embed_queries, to_bytes
from matching.models import Agreement, AgreementUpdate, Invitation, Posting, Roundtable, Suggestion
from matching.selectors import can_decide, can_edit_posting, can_organize, private_enterprise_ids

#: How many suggestions are kept per posting.
SUGGESTIONS_PER_POSTING = 10

#: Declared workflows: state → states it may move to.
POSTING_TRANSITIONS: dict[str, frozenset[str]] = {
    PostingStatus.OPEN: frozenset({PostingStatus.MATCHED, PostingStatus.CLOSED}),
    PostingStatus.MATCHED: frozenset({PostingStatus.OPEN, PostingStatus.CLOSED}),
    PostingStatus.CLOSED: frozenset({PostingStatus.OPEN}),
}
ROUNDTABLE_TRANSITIONS: dict[str, frozenset[str]] = {
    RoundtableStatus.PLANNED: frozenset({RoundtableStatus.HELD, RoundtableStatus.CANCELLED}),
    RoundtableStatus.HELD: frozenset(),
    RoundtableStatus.CANCELLED: frozenset({RoundtableStatus.PLANNED}),
}
AGREEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AgreementStatus.NOT_STARTED: frozenset(
        {AgreementStatus.NOT_STARTED, AgreementStatus.IN_PROGRESS, AgreementStatus.CANCELLED}
    ),
    AgreementStatus.IN_PROGRESS: frozenset(
        {AgreementStatus.IN_PROGRESS, AgreementStatus.STALLED, AgreementStatus.COMPLETED, AgreementStatus.CANCELLED}
    ),
    AgreementStatus.STALLED: frozenset(
        {AgreementStatus.STALLED, AgreementStatus.IN_PROGRESS, AgreementStatus.CANCELLED}
    ),
    AgreementStatus.COMPLETED: frozenset(),
    AgreementStatus.CANCELLED: frozenset(),
}


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _schedule_refresh(posting: Posting) -> None:
    from matching.tasks import refresh_posting

    transaction.on_commit(lambda: refresh_posting.enqueue(posting.pk))


def _stamp(posting: Posting) -> None:
    """Tokens for the current vocabulary and a new index version, saved with the posting (same transaction)."""
    posting.tokens = indexing.tokenizer().tokens(posting.index_text())
    posting.index_version = indexing.bump()
    Posting.objects.filter(pk=posting.pk).update(tokens=posting.tokens, index_version=posting.index_version)


# ---- postings ------------------------------------------------------------------------------------------------


@transaction.atomic
def posting_create(*, actor: Any, **fields: Any) -> Posting:
    """Publish a posting. An enterprise user publishes for their own enterprise; an instructor for a paired one;
    research institutions' offers are entered by admins, leaders or instructors."""
    role = "admin" if actor is None or actor.is_superuser else actor.role
    enterprise: Enterprise | None = fields.get("enterprise")
    if role == Role.ENTERPRISE:
        fields["enterprise"] = enterprise = actor.enterprise
        fields.setdefault("source", PostingSource.OWNER)
    elif role == Role.INSTRUCTOR:
        _require(enterprise is None or enterprise.pk in private_enterprise_ids(actor))
        fields.setdefault("source", PostingSource.INSTRUCTOR)
    else:
        _require(role in (Role.ADMIN, Role.LEADER))
        fields.setdefault("source", PostingSource.STAFF)
    if fields.get("link") is not None and fields.get("chain") is None:
        fields["chain"] = fields["link"].chain
    fields.setdefault("valid_from", timezone.localdate())
    posting = Posting(created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields)
    posting.full_clean()
    posting.save()
    _stamp(posting)
    audit_record(
        actor=actor, action="posting.create", target=posting, summary=f"发布{posting.get_kind_display()} {posting}"
    )
    _schedule_refresh(posting)
    return posting


EDITABLE_FIELDS = (
    "title",
    "text",
    "category",
    "chain",
    "link",
    "industry_code",
    "region",
    "valid_from",
    "valid_until",
    "contact_name",
    "contact_phone",
    "internal_note",
)


@transaction.atomic
def posting_update(*, actor: Any, posting: Posting, expected_version: int | None, **changes: Any) -> Posting:
    _require(can_edit_posting(actor, posting))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(posting, name, value)
    if posting.link is not None and not posting.chain_id:
        posting.chain_id = posting.link.chain_id
    posting.full_clean()
    fields = [f if f not in ("chain", "link") else f"{f}_id" for f in changes]
    fields = sorted(set(fields) | ({"chain_id"} if "link" in changes else set()))
    save_with_version(
        posting, expected_version=expected_version, fields=[*fields, "updated_at"] if fields else ["updated_at"]
    )
    _stamp(posting)
    audit_record(
        actor=actor, action="posting.update", target=posting, summary=f"修改 {posting}", fields=sorted(changes)
    )
    _schedule_refresh(posting)
    return posting


@transaction.atomic
def posting_set_status(*, actor: Any, posting: Posting, status: str, reason: str = "") -> Posting:
    _require(can_edit_posting(actor, posting))
    if status not in POSTING_TRANSITIONS.get(posting.status, frozenset()):
        raise ValidationError(f"不能从「{posting.get_status_display()}」变为该状态。")
    before = posting.status
    posting.status = status
    Posting.objects.filter(pk=posting.pk).update(status=status, updated_at=timezone.now())
    _stamp(posting)
    audit_record(
        actor=actor,
        action="posting.status",
        target=posting,
        summary=f"{posting} → {posting.get_status_display()}",
        before=before,
        after=status,
        reason=reason,
    )
    return posting


def posting_embed(*, posting_id: int) -> bool:
    """Store the posting's passage and query vectors once per text (idempotent). True when a vector was stored.

    Both are computed from the text whose hash is stored beside them, so a later edit makes them stale at once
    (`indexing.stored_query_vector` then refuses the query vector) until this runs again for the new text. A
    posting embedded before query vectors were stored gets only its query vector (the index is not touched)."""
    if not indexing.dense_enabled():
        return False
    posting = Posting.objects.filter(pk=posting_id).first()
    if posting is None:
        return False
    digest = indexing.text_hash(posting)
    current = posting.embedded_text_hash == digest
    if current and posting.embedding and posting.query_embedding:
        return False
    text = posting.index_text()
    query = to_bytes(embed_queries([text])[0])
    if current and posting.embedding:
        Posting.objects.filter(pk=posting.pk, embedded_text_hash=digest).update(query_embedding=query)
        return True
    passage = to_bytes(embed_passages([text])[0])
    with transaction.atomic():
        version = indexing.bump()
        Posting.objects.filter(pk=posting.pk).update(
            embedding=passage, query_embedding=query, embedded_text_hash=digest, index_version=version
        )
    return True


# ---- suggestions ---------------------------------------------------------------------------------------------


def suggestions_refresh(*, posting: Posting, k: int = SUGGESTIONS_PER_POSTING) -> list[Suggestion]:
    """Rank the complementary open postings for `posting` and store the top k with their score components.

    The posting's stored query vector is used when it belongs to its current text (the model is not run); after
    an edit, until the background task has embedded the new text, the text is embedded here.
    Decided suggestions keep their status and feedback; proposed ones that fell out of the top k are removed.
    """
    if posting.status != PostingStatus.OPEN:
        return []
    index = indexing.current_index()
    today = timezone.localdate()
    hits = index.query(
        posting.index_text(),
        kinds=COMPLEMENTS.get(posting.kind, ()),
        k=k * 2,
        facts=indexing.posting_facts(posting),
        exclude={posting.pk},
        vector=indexing.stored_query_vector(posting),
    )
    targets = {
        p.pk: p
        for p in Posting.objects.filter(pk__in=[h.id for h in hits], status=PostingStatus.OPEN)
        .exclude(valid_until__lt=today)
        .only("pk", "enterprise_id", "institution_id")
    }
    same_owner = posting.enterprise_id
    kept = [h for h in hits if h.id in targets and (same_owner is None or targets[h.id].enterprise_id != same_owner)]
    kept = kept[:k]
    with transaction.atomic():
        existing = {s.target_id: s for s in Suggestion.objects.select_for_update().filter(source=posting)}
        keep_ids = set()
        for rank, hit in enumerate(kept, start=1):
            suggestion = existing.get(hit.id)  # type: ignore[call-overload]
            if suggestion is None:
                suggestion = Suggestion(source=posting, target_id=int(hit.id))  # type: ignore[call-overload]
            suggestion.rank = rank
            suggestion.score = hit.score
            suggestion.components = hit.explanation()
            suggestion.save()
            keep_ids.add(suggestion.pk)
        Suggestion.objects.filter(source=posting, status=SuggestionStatus.PROPOSED).exclude(pk__in=keep_ids).delete()
    return list(Suggestion.objects.filter(source=posting).select_related("target").order_by("rank"))


def refresh_neighbourhood(*, posting_id: int) -> None:
    """After a posting changed: its vector, its suggestions, and those of the postings it was matched with."""
    posting_embed(posting_id=posting_id)
    posting = Posting.objects.select_related("link", "enterprise", "institution").filter(pk=posting_id).first()
    if posting is None:
        return
    suggestions = suggestions_refresh(posting=posting)
    for other in Posting.objects.select_related("link", "enterprise", "institution").filter(
        pk__in=[s.target_id for s in suggestions]
    ):
        suggestions_refresh(posting=other)


@transaction.atomic
def suggestion_decide(*, actor: Any, suggestion: Suggestion, accept: bool, feedback: str = "") -> Suggestion:
    """Accept or decline a suggestion with feedback (the feedback is exported for the engine's evaluation)."""
    _require(can_decide(actor, suggestion))
    suggestion.status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.DECLINED
    suggestion.feedback = feedback.strip()[:300]
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.full_clean()
    suggestion.save(update_fields=["status", "feedback", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="suggestion.decide",
        target=suggestion,
        summary=f"{'接受' if accept else '谢绝'}推荐 {suggestion}",
        feedback=suggestion.feedback,
    )
    return suggestion


def index_rebuild() -> int:
    """Re-tokenise every posting with the current vocabulary, embed the ones missing a vector, move the stamps.

    Idempotent; the background task for synonym or chain-link changes. Returns the number of postings re-indexed.
    """
    tokenizer = indexing.build_tokenizer()
    count = 0
    for posting in Posting.objects.all().iterator(chunk_size=500):
        tokens = tokenizer.tokens(posting.index_text())
        if tokens != posting.tokens:
            Posting.objects.filter(pk=posting.pk).update(tokens=tokens)
        posting_embed(posting_id=posting.pk)
        count += 1
    with transaction.atomic():
        indexing.bump(vocabulary=True)
    return count


# ---- roundtables ---------------------------------------------------------------------------------------------


@transaction.atomic
def roundtable_create(*, actor: Any, **fields: Any) -> Roundtable:
    _require(can_organize(actor))
    roundtable = Roundtable(created_by=actor, **fields)
    roundtable.full_clean()
    roundtable.save()
    audit_record(actor=actor, action="roundtable.create", target=roundtable, summary=f"筹备圆桌会 {roundtable}")
    return roundtable


@transaction.atomic
def roundtable_invite(
    *,
    actor: Any,
    roundtable: Roundtable,
    enterprises: Iterable[Enterprise] = (),
    institutions: Iterable[ResearchInstitution] = (),
    reasons: dict[str, str] | None = None,
    suggestions: dict[str, Suggestion] | None = None,
) -> list[Invitation]:
    """Invite enterprises and institutions (those already invited are skipped). `reasons` / `suggestions` are keyed
    "e<id>" / "i<id>"."""
    _require(can_organize(actor))
    if roundtable.status != RoundtableStatus.PLANNED:
        raise ValidationError("只有筹备中的圆桌会可以发出邀请。")
    reasons = reasons or {}
    suggestions = suggestions or {}
    done = {
        ("e", e)
        for e in roundtable.invitations.filter(enterprise__isnull=False).values_list("enterprise_id", flat=True)
    }
    done |= {
        ("i", i)
        for i in roundtable.invitations.filter(institution__isnull=False).values_list("institution_id", flat=True)
    }
    created = []
    for prefix, owners in (("e", enterprises), ("i", institutions)):
        for owner in owners:
            if (prefix, owner.pk) in done:
                continue
            done.add((prefix, owner.pk))
            key = f"{prefix}{owner.pk}"
            invitation = Invitation(
                roundtable=roundtable,
                enterprise_id=owner.pk if prefix == "e" else None,
                institution_id=owner.pk if prefix == "i" else None,
                reason=reasons.get(key, "")[:300],
                suggestion=suggestions.get(key),
            )
            invitation.full_clean()
            invitation.save()
            created.append(invitation)
    audit_record(
        actor=actor,
        action="roundtable.invite",
        target=roundtable,
        summary=f"邀请 {len(created)} 家单位参加 {roundtable}",
        invitees=[str(i.invitee) for i in created],
    )
    return created


@transaction.atomic
def invitation_set_status(*, actor: Any, invitation: Invitation, status: str) -> Invitation:
    _require(can_organize(actor))
    if status not in InvitationStatus.values:
        raise ValidationError("未知的邀请状态。")
    before = invitation.status
    invitation.status = status
    invitation.save(update_fields=["status"])
    audit_record(
        actor=actor, action="invitation.status", target=invitation, summary=str(invitation), before=before, after=status
    )
    return invitation


@transaction.atomic
def roundtable_record_minutes(
    *, actor: Any, roundtable: Roundtable, minutes: str, expected_version: int | None = None
) -> Roundtable:
    """Record the minutes: the roundtable is held from then on; invitees still 'invited'/'confirmed' count as absent
    only when someone marks them so."""
    _require(can_organize(actor))
    if not minutes.strip():
        raise ValidationError({"minutes": "会议纪要不能为空。"})
    if roundtable.status == RoundtableStatus.CANCELLED:
        raise ValidationError("已取消的圆桌会不能记录纪要。")
    roundtable.minutes = minutes.strip()
    roundtable.status = RoundtableStatus.HELD
    save_with_version(roundtable, expected_version=expected_version, fields=["minutes", "status", "updated_at"])
    audit_record(actor=actor, action="roundtable.minutes", target=roundtable, summary=f"记录纪要 {roundtable}")
    return roundtable


@transaction.atomic
def roundtable_set_status(*, actor: Any, roundtable: Roundtable, status: str) -> Roundtable:
    _require(can_organize(actor))
    if status not in ROUNDTABLE_TRANSITIONS.get(roundtable.status, frozenset()):
        raise ValidationError("圆桌会不能变为该状态。")
    before = roundtable.status
    roundtable.status = status
    save_with_version(roundtable, expected_version=None, fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="roundtable.status", target=roundtable, summary=str(roundtable), before=before, after=status
    )
    return roundtable


# ---- agreements ----------------------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    title: str,
    content: str,
    enterprises: Sequence[Enterprise] = (),
    institutions: Sequence[ResearchInstitution] = (),
    roundtable: Roundtable | None = None,
    owner: Any = None,
    due_on: Any = None,
    source_suggestion: Suggestion | None = None,
) -> Agreement:
    _require(can_organize(actor))
    if len(enterprises) + len(institutions) < 2:
        raise ValidationError({"enterprises": "合作事项至少需要两方。"})
    agreement = Agreement(
        title=title,
        content=content,
        roundtable=roundtable,
        owner=owner or actor,
        due_on=due_on,
        source_suggestion=source_suggestion,
    )
    agreement.full_clean()
    agreement.save()
    agreement.enterprises.set(enterprises)
    agreement.institutions.set(institutions)
    audit_record(actor=actor, action="agreement.create", target=agreement, summary=f"合作事项 {agreement}")
    return agreement


@transaction.atomic
def agreement_report_progress(
    *, actor: Any, agreement: Agreement, status: str, progress: int, note: str
) -> AgreementUpdate:
    """Add a timeline entry and move the agreement's status and progress (completed means 100 %)."""
    _require(can_organize(actor))
    if status not in AGREEMENT_TRANSITIONS.get(agreement.status, frozenset()):
        raise ValidationError({"status": f"合作事项不能从「{agreement.get_status_display()}」变为该状态。"})
    if status == AgreementStatus.COMPLETED:
        progress = 100
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": "进度须在 0–100 之间。"})
    if progress < agreement.progress and status != AgreementStatus.CANCELLED:
        raise ValidationError({"progress": "进度不能倒退。"})
    update = AgreementUpdate(agreement=agreement, author=actor, status=status, progress=progress, note=note.strip())
    update.full_clean()
    update.save()
    before = (agreement.status, agreement.progress)
    agreement.status = status
    agreement.progress = progress
    save_with_version(agreement, expected_version=None, fields=["status", "progress", "updated_at"])
    audit_record(
        actor=actor,
        action="agreement.progress",
        target=agreement,
        summary=f"{agreement} {progress}%",
        before=list(before),
        after=[status, progress],
    )
    return update


def service_chain_available() -> bool:
    """True when the service chain's intake service is installed (it is, from the service_requests app)."""
    try:
        from service_requests.services import need_create  # noqa: F401
    except ImportError:
        return False
    return True


@transaction.atomic
def agreement_open_service_need(*, actor: Any, agreement: Agreement, enterprise: Enterprise | None = None) -> str:
    """Open a need (诉求) in the service chain, through the roundtable channel, for one of the agreement's
    enterprises that the actor may register for; returns the need's code, kept on the agreement."""
    _require(can_organize(actor))
    if agreement.service_request_ref:
        raise ValidationError("该合作事项已转入服务链。")
    if not service_chain_available():
        raise ValidationError("服务链尚未开通，暂不能转办。")
    from service_requests.choices import Channel, Topic
    from service_requests.services import need_create

    parties = agreement.enterprises.order_by("pk")
    if enterprise is None:
        enterprise = parties.filter(pk__in=enterprises_visible_to(actor).values("pk")).first()
    elif not parties.filter(pk=enterprise.pk).exists():
        raise ValidationError("该企业不是合作事项的参与方。")
    if enterprise is None:
        raise ValidationError("合作事项中没有您可代为登记诉求的企业。")
    need = need_create(
        actor=actor,
        enterprise=enterprise,
        title=f"合作事项推进：{agreement.title}"[:120],
        description=agreement.content,
        topic=Topic.TECHNOLOGY,
        channel=Channel.ROUNDTABLE,
        source_ref=f"agreement:{agreement.pk}",
    )
    agreement.service_request_ref = str(getattr(need, "code", "") or need.pk)
    save_with_version(agreement, expected_version=None, fields=["service_request_ref", "updated_at"])
    audit_record(
        actor=actor,
        action="agreement.service_need",
        target=agreement,
        summary=f"转入服务链 {agreement.service_request_ref}",
        service_request_id=need.pk,
    )
    return agreement.service_request_ref
