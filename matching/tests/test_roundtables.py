"""Roundtables: invitees proposed from reciprocal pairs, invitations, minutes, agreements tracked to results."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEvent
from matching import planning, selectors, services
from matching.choices import AgreementStatus, InvitationStatus, RoundtableStatus
from matching.models import Agreement, Invitation, Posting

pytestmark = pytest.mark.django_db


def _refresh_all():
    for posting in Posting.objects.select_related("link", "enterprise", "institution"):
        services.suggestions_refresh(posting=posting)


@pytest.fixture
def roundtable(area, instructor):
    _refresh_all()
    return services.roundtable_create(
        actor=instructor,
        theme="活性成分分离纯化供需对接",
        chain=area.chain,
        held_on=date(2026, 12, 8),
        venue="新区党群服务中心",
    )


def test_proposals_put_the_reciprocal_purification_pair_first(area, roundtable):
    proposals = planning.roundtable_proposals(roundtable)
    top = proposals[0]
    assert {top.a.pk, top.b.pk} == {area.need.pk, area.capability.pk}
    assert top.reciprocal
    assert "互为推荐" in top.invitation_reason()
    assert all(not p.reciprocal for p in proposals[1:]) or proposals[1].score <= top.score


def test_planner_invites_both_sides_of_the_chosen_pair(area, roundtable, client_for, instructor):
    client = client_for(instructor)
    page = client.get(reverse("matching:roundtable_detail", args=[roundtable.pk]))
    key = page.context["proposals"][0].key
    response = client.post(reverse("matching:roundtable_invite", args=[roundtable.pk]), {"pairs": [key]})
    assert response.status_code == 302
    invited = set(Invitation.objects.filter(roundtable=roundtable).values_list("enterprise_id", flat=True))
    assert invited == {area.need.enterprise_id, area.capability.enterprise_id}
    assert all(i.suggestion_id for i in Invitation.objects.filter(roundtable=roundtable))
    assert AuditEvent.objects.filter(action="roundtable.invite", target_id=str(roundtable.pk)).exists()
    # Inviting the same pair again adds nobody.
    client.post(reverse("matching:roundtable_invite", args=[roundtable.pk]), {"pairs": [key]})
    assert Invitation.objects.filter(roundtable=roundtable).count() == 2


def test_invited_enterprise_sees_the_roundtable_and_others_get_404(
    area, roundtable, instructor, client_for, third_user, enterprise_user
):
    services.roundtable_invite(actor=instructor, roundtable=roundtable, enterprises=[area.need.enterprise])
    assert (
        client_for(enterprise_user).get(reverse("matching:roundtable_detail", args=[roundtable.pk])).status_code == 200
    )
    assert client_for(third_user).get(reverse("matching:roundtable_detail", args=[roundtable.pk])).status_code == 404


def test_enterprise_cannot_plan_a_roundtable(area, enterprise_user, client_for):
    with pytest.raises(PermissionDenied):
        services.roundtable_create(
            actor=enterprise_user, theme="x", chain=area.chain, held_on=date(2026, 12, 1), venue="y"
        )
    assert client_for(enterprise_user).get(reverse("matching:roundtable_create")).status_code == 404


def test_minutes_mark_the_roundtable_held_and_close_invitations(area, roundtable, instructor):
    services.roundtable_invite(actor=instructor, roundtable=roundtable, enterprises=[area.need.enterprise])
    invitation = roundtable.invitations.get()
    services.invitation_set_status(actor=instructor, invitation=invitation, status=InvitationStatus.ATTENDED)
    services.roundtable_record_minutes(actor=instructor, roundtable=roundtable, minutes="双方达成纯化合作意向。")
    roundtable.refresh_from_db()
    assert roundtable.status == RoundtableStatus.HELD
    with pytest.raises(ValidationError):
        services.roundtable_invite(actor=instructor, roundtable=roundtable, enterprises=[area.third])
    with pytest.raises(ValidationError):
        services.roundtable_record_minutes(actor=instructor, roundtable=roundtable, minutes="  ")


@pytest.fixture
def agreement(area, roundtable, instructor):
    return services.agreement_create(
        actor=instructor,
        roundtable=roundtable,
        title="黄酮活性成分纯化合作",
        content="乙方为甲方提供分离纯化工艺开发，三个月内完成中试。",
        enterprises=[area.need.enterprise, area.capability.enterprise],
    )


def test_agreement_needs_two_parties(area, roundtable, instructor):
    with pytest.raises(ValidationError):
        services.agreement_create(actor=instructor, title="x", content="y", enterprises=[area.need.enterprise])


def test_progress_updates_build_a_timeline(agreement, instructor, client_for):
    services.agreement_report_progress(
        actor=instructor, agreement=agreement, status=AgreementStatus.IN_PROGRESS, progress=30, note="完成小试"
    )
    services.agreement_report_progress(
        actor=instructor, agreement=agreement, status=AgreementStatus.COMPLETED, progress=80, note="中试成功，项目落地"
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED and agreement.progress == 100
    page = client_for(instructor).get(reverse("matching:agreement_detail", args=[agreement.pk]))
    assert [u.note for u in page.context["timeline"]] == ["中试成功，项目落地", "完成小试"]


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        (AgreementStatus.NOT_STARTED, AgreementStatus.IN_PROGRESS, True),
        (AgreementStatus.NOT_STARTED, AgreementStatus.COMPLETED, False),
        (AgreementStatus.IN_PROGRESS, AgreementStatus.STALLED, True),
        (AgreementStatus.IN_PROGRESS, AgreementStatus.COMPLETED, True),
        (AgreementStatus.STALLED, AgreementStatus.IN_PROGRESS, True),
        (AgreementStatus.STALLED, AgreementStatus.COMPLETED, False),
        (AgreementStatus.COMPLETED, AgreementStatus.IN_PROGRESS, False),
        (AgreementStatus.CANCELLED, AgreementStatus.IN_PROGRESS, False),
    ],
)
def test_agreement_transition_table(agreement, instructor, start, target, allowed):
    Agreement.objects.filter(pk=agreement.pk).update(status=start)
    agreement.refresh_from_db()
    if allowed:
        services.agreement_report_progress(
            actor=instructor, agreement=agreement, status=target, progress=50, note="更新"
        )
        assert Agreement.objects.get(pk=agreement.pk).status == target
    else:
        with pytest.raises(ValidationError):
            services.agreement_report_progress(
                actor=instructor, agreement=agreement, status=target, progress=50, note="更新"
            )


def test_progress_cannot_go_backwards(agreement, instructor):
    services.agreement_report_progress(
        actor=instructor, agreement=agreement, status="in_progress", progress=60, note="a"
    )
    with pytest.raises(ValidationError):
        services.agreement_report_progress(
            actor=instructor, agreement=agreement, status="in_progress", progress=40, note="b"
        )


def test_agreement_opens_a_need_in_the_service_chain(agreement, instructor, client_for):
    from service_requests.models import ServiceRequest

    response = client_for(instructor).post(reverse("matching:agreement_service_need", args=[agreement.pk]))
    assert response.status_code == 302
    agreement.refresh_from_db()
    need = ServiceRequest.objects.get(source_ref=f"agreement:{agreement.pk}")
    assert (
        need.enterprise == agreement.enterprises.order_by("pk").first()
        or need.enterprise in agreement.enterprises.all()
    )
    assert agreement.service_request_ref
    with pytest.raises(ValidationError):
        services.agreement_open_service_need(actor=instructor, agreement=agreement)


def test_party_enterprise_sees_the_agreement_others_do_not(agreement, client_for, enterprise_user, third_user):
    assert client_for(enterprise_user).get(reverse("matching:agreement_detail", args=[agreement.pk])).status_code == 200
    assert client_for(third_user).get(reverse("matching:agreement_detail", args=[agreement.pk])).status_code == 404


def test_innovation_figures_count_the_period(
    area, agreement, roundtable, instructor, enterprise_user, admin_user, django_assert_max_num_queries
):
    services.roundtable_record_minutes(actor=instructor, roundtable=roundtable, minutes="纪要")
    services.roundtable_create(actor=instructor, theme="下年", chain=area.chain, held_on=date(2027, 3, 1), venue="v")
    from matching.models import Suggestion

    suggestion = Suggestion.objects.filter(source=area.need).first()
    services.suggestion_decide(actor=enterprise_user, suggestion=suggestion, accept=True)
    with django_assert_max_num_queries(4):
        figures = selectors.innovation_figures(admin_user, date(2026, 1, 1), date(2026, 12, 31))
    assert figures["roundtables_held"] == 1 and figures["roundtables_planned"] == 0
    assert figures["agreements"][AgreementStatus.NOT_STARTED] == Agreement.objects.count()
    assert figures["suggestions_accepted"] == 1
    from django.utils import timezone

    if timezone.localdate().year == 2026:
        assert figures["postings_total"] == Posting.objects.count()
    other_chain = selectors.innovation_figures(
        admin_user, date(2026, 1, 1), date(2026, 12, 31), chain=area.chain.pk + 999
    )
    assert other_chain["roundtables_held"] == 0 and other_chain["agreements_total"] == 0


def test_figures_api_refuses_a_reversed_period(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get("/api/v1/matching/figures?start=2026-12-31&end=2026-01-01").status_code == 400
    assert client.get("/api/v1/matching/figures?start=2026-01-01&end=2026-12-31").json()["roundtables_held"] == 0
