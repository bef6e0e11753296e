"""Publishing postings: who may publish for whom, the index stamp, edits, the status workflow."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from core.services import StaleEditError
from matching import indexing, services
from matching.choices import PostingKind, PostingSource, PostingStatus
from matching.models import IndexState, Posting
from matching.tests.conftest import make_posting

pytestmark = pytest.mark.django_db


def test_enterprise_user_publishes_for_their_own_enterprise_only(enterprise_user, other_enterprise):
    posting = make_posting(
        enterprise_user, kind=PostingKind.NEED, enterprise=other_enterprise, title="需要纯化", text="无法提纯活性成分"
    )
    assert posting.enterprise == enterprise_user.enterprise
    assert posting.source == PostingSource.OWNER
    assert AuditEvent.objects.filter(action="posting.create", target_id=str(posting.pk)).exists()


def test_instructor_publishes_for_a_paired_enterprise_but_not_another(area, instructor, other_enterprise):
    posting = make_posting(
        instructor, kind=PostingKind.NEED, enterprise=area.need.enterprise, title="代发", text="代发需求"
    )
    assert posting.source == PostingSource.INSTRUCTOR
    with pytest.raises(PermissionDenied):
        make_posting(instructor, kind=PostingKind.NEED, enterprise=other_enterprise, title="越权", text="越权")


def test_talent_and_supervisor_cannot_publish(talent_user, supervisor, enterprise):
    for actor in (talent_user, supervisor):
        with pytest.raises(PermissionDenied):
            make_posting(actor, kind=PostingKind.NEED, enterprise=enterprise, title="x", text="y")


def test_a_technology_offer_needs_an_institution(admin_user, enterprise):
    with pytest.raises(ValidationError):
        make_posting(admin_user, kind=PostingKind.TECH_OFFER, enterprise=enterprise, title="成果", text="成果")


def test_link_of_another_chain_is_refused(area, admin_user, enterprise):
    from chains.tests.factories import ChainFactory

    other = ChainFactory(name="数字经济", code="digital_economy")
    with pytest.raises(ValidationError):
        make_posting(
            admin_user, kind=PostingKind.NEED, enterprise=enterprise, chain=other, link=area.rnd, title="x", text="y"
        )


def test_publishing_stamps_tokens_and_moves_the_index_version(area, admin_user, enterprise):
    before = IndexState.objects.get(name=indexing.STATE_NAME).version
    posting = make_posting(
        admin_user, kind=PostingKind.NEED, enterprise=enterprise, link=area.rnd, title="分离纯化需求", text="活性成分"
    )
    posting.refresh_from_db()
    assert posting.index_version == before + 1
    assert "分离纯化" in posting.tokens
    assert posting.chain == area.chain  # taken from the link


def test_cached_index_is_updated_incrementally(area, admin_user, enterprise):
    index = indexing.current_index()
    assert area.need.pk in index
    posting = make_posting(
        admin_user, kind=PostingKind.CAPABILITY, enterprise=enterprise, title="冷链", text="冷链物流"
    )
    services.posting_set_status(actor=admin_user, posting=area.unrelated, status=PostingStatus.CLOSED)
    again = indexing.current_index()
    assert again is index  # the same object, patched rather than rebuilt
    assert posting.pk in again and area.unrelated.pk not in again


def test_update_checks_the_version_and_reindexes(area, enterprise_user):
    posting = Posting.objects.get(pk=area.need.pk)
    services.posting_update(
        actor=enterprise_user, posting=posting, expected_version=posting.version, title="冷链配送需求"
    )
    posting.refresh_from_db()
    assert posting.title == "冷链配送需求" and "冷链" in posting.tokens
    stale = Posting.objects.get(pk=posting.pk)
    stale.version -= 1
    with pytest.raises(StaleEditError):
        services.posting_update(actor=enterprise_user, posting=stale, expected_version=stale.version, title="旧")


def test_other_enterprise_cannot_edit(area, other_enterprise_user):
    with pytest.raises(PermissionDenied):
        services.posting_update(actor=other_enterprise_user, posting=area.need, expected_version=None, title="改")


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (PostingStatus.OPEN, PostingStatus.MATCHED, True),
        (PostingStatus.OPEN, PostingStatus.CLOSED, True),
        (PostingStatus.MATCHED, PostingStatus.OPEN, True),
        (PostingStatus.MATCHED, PostingStatus.CLOSED, True),
        (PostingStatus.CLOSED, PostingStatus.OPEN, True),
        (PostingStatus.CLOSED, PostingStatus.MATCHED, False),
        (PostingStatus.OPEN, PostingStatus.OPEN, False),
    ],
)
def test_posting_status_transition_table(area, admin_user, start, target, allowed):
    posting = area.need
    Posting.objects.filter(pk=posting.pk).update(status=start)
    posting.status = start
    if allowed:
        services.posting_set_status(actor=admin_user, posting=posting, status=target)
        assert Posting.objects.get(pk=posting.pk).status == target
    else:
        with pytest.raises(ValidationError):
            services.posting_set_status(actor=admin_user, posting=posting, status=target)


def test_validity_end_before_start_is_refused(admin_user, enterprise):
    with pytest.raises(ValidationError):
        make_posting(
            admin_user,
            kind=PostingKind.NEED,
            enterprise=enterprise,
            title="x",
            text="y",
            valid_from=date(2026, 5, 1),
            valid_until=date(2026, 4, 1),
        )


def test_deleting_a_posting_in_the_admin_drops_it_from_every_cached_index(area, client_for, admin_user):
    index = indexing.current_index()
    assert area.unrelated.pk in index
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    response = client_for(admin_user).post(f"/admin/matching/posting/{area.unrelated.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert area.unrelated.pk not in indexing.current_index()
