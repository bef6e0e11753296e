"""Suggestions: stored with their score components, scoped to whoever works for the posting, decided with feedback."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from matching import services
from matching.choices import PostingStatus, SuggestionStatus
from matching.models import Suggestion
from matching.tests.conftest import make_posting

pytestmark = pytest.mark.django_db


def _refresh(posting):
    from matching.models import Posting

    return services.suggestions_refresh(
        posting=Posting.objects.select_related("link", "enterprise", "institution").get(pk=posting.pk)
    )


def test_refresh_ranks_the_purification_capability_first_with_reasons(area):
    suggestions = _refresh(area.need)
    assert suggestions[0].target == area.capability
    components = suggestions[0].components
    assert components["bm25_rank"] == 1
    assert components["rrf_k"] == 60
    assert [b["code"] for b in components["boosts"]] == ["adjacent_link"]
    assert "药物研发" in components["boosts"][0]["label"]
    assert area.offer.pk not in [s.target_id for s in suggestions]  # a need meets capabilities, not offers


def test_technology_demand_meets_the_university_offer_with_the_platform_boost(area, admin_user):
    demand = make_posting(
        admin_user,
        kind="tech_demand",
        enterprise=area.need.enterprise,
        title="天然产物纯化技术需求",
        text="希望与高校合作开发活性成分分离纯化新工艺",
    )
    suggestions = _refresh(demand)
    top = suggestions[0]
    assert top.target == area.offer
    assert "owner_platform" in [b["code"] for b in top.components["boosts"]]


def test_own_enterprise_postings_and_closed_ones_are_never_suggested(area, admin_user, enterprise):
    own = make_posting(
        admin_user, kind="capability", enterprise=enterprise, title="我们也会分离纯化", text="分离纯化活性成分"
    )
    services.posting_set_status(actor=admin_user, posting=area.capability, status=PostingStatus.CLOSED)
    targets = [s.target_id for s in _refresh(area.need)]
    assert own.pk not in targets and area.capability.pk not in targets


def test_decided_suggestions_survive_a_refresh(area, enterprise_user):
    suggestion = _refresh(area.need)[0]
    services.suggestion_decide(actor=enterprise_user, suggestion=suggestion, accept=True, feedback="已联系")
    services.posting_update(actor=enterprise_user, posting=area.need, expected_version=None, text="冷链配送需求")
    _refresh(area.need)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.feedback == "已联系"


def test_background_refresh_embeds_and_suggests_both_ways(
    area, django_capture_on_commit_callbacks, settings, admin_user
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        posting = make_posting(
            admin_user, kind="capability", enterprise=area.third, title="活性成分纯化代工", text="分离纯化活性成分代工"
        )
    assert Suggestion.objects.filter(source=posting).exists()
    assert Suggestion.objects.filter(source=area.need, target=posting).exists()


# ---- scoping -------------------------------------------------------------------------------------------------


def test_enterprise_sees_suggestions_for_its_own_postings_only(
    area, client_for, enterprise_user, other_enterprise_user
):
    _refresh(area.need)
    _refresh(area.capability)
    mine = client_for(enterprise_user).get(reverse("matching:suggestion_list"))
    assert mine.status_code == 200
    assert {s.source_id for s in mine.context["page"]} == {area.need.pk}
    theirs = client_for(other_enterprise_user).get(reverse("matching:suggestion_list"))
    assert {s.source_id for s in theirs.context["page"]} == {area.capability.pk}


def test_other_enterprise_cannot_decide_a_suggestion_it_does_not_own(area, client_for, other_enterprise_user):
    suggestion = _refresh(area.need)[0]
    response = client_for(other_enterprise_user).post(
        reverse("matching:suggestion_decide", args=[suggestion.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PROPOSED


def test_enterprise_sees_only_the_public_side_of_another_posting(area, client_for, enterprise_user):
    client = client_for(enterprise_user)
    page = client.get(reverse("matching:posting_detail", args=[area.capability.pk]))
    assert page.status_code == 200
    assert "分离纯化技术服务" in page.text
    assert "13900000002" not in page.text and "产能还有余量" not in page.text
    own = client.get(reverse("matching:posting_detail", args=[area.need.pk]))
    assert "13800000001" in own.text and "急需，年内要投产" in own.text


def test_api_suggestions_hide_the_counterpart_contact(area, client_for, enterprise_user):
    _refresh(area.need)
    response = client_for(enterprise_user).get(f"/api/v1/matching/postings/{area.need.pk}/suggestions")
    assert response.status_code == 200
    rows = response.json()
    assert rows[0]["target"]["id"] == area.capability.pk
    assert rows[0]["target"]["contact_phone"] is None
    assert rows[0]["components"]["boosts"][0]["code"] == "adjacent_link"
    assert "bm25_rank" in rows[0]["components"] and "dense_rank" in rows[0]["components"]


def test_api_suggestions_of_another_enterprise_posting_are_empty_and_closed_ones_404(
    area, client_for, enterprise_user, admin_user
):
    _refresh(area.capability)
    client = client_for(enterprise_user)
    assert client.get(f"/api/v1/matching/postings/{area.capability.pk}/suggestions").json() == []
    services.posting_set_status(actor=admin_user, posting=area.capability, status=PostingStatus.CLOSED)
    assert client.get(f"/api/v1/matching/postings/{area.capability.pk}/suggestions").status_code == 404
    assert client.get(reverse("matching:posting_detail", args=[area.capability.pk])).status_code == 404


def test_instructor_brokers_suggestions_of_paired_enterprises(area, client_for, instructor):
    _refresh(area.need)
    _refresh(area.capability)
    client = client_for(instructor)
    response = client.get(reverse("matching:suggestion_list"))
    assert response.context["title"] == "待撮合的推荐"
    assert {s.source_id for s in response.context["page"]} == {area.need.pk}
    suggestion = Suggestion.objects.filter(source=area.need).first()
    assert (
        client.post(
            reverse("matching:suggestion_decide", args=[suggestion.pk]),
            {"decision": "decline", "feedback": "企业已有合作方"},
        ).status_code
        == 302
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DECLINED and suggestion.decided_by == instructor
    other = Suggestion.objects.filter(source=area.capability).first()
    assert (
        client.post(reverse("matching:suggestion_decide", args=[other.pk]), {"decision": "accept"}).status_code == 404
    )


def test_decision_via_htmx_returns_the_row_and_is_audited(area, client_for, enterprise_user):
    suggestion = _refresh(area.need)[0]
    response = client_for(enterprise_user).post(
        reverse("matching:suggestion_decide", args=[suggestion.pk]),
        {"decision": "accept", "feedback": "很合适"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'id="suggestion-{suggestion.pk}"' in response.text and "已接受" in response.text
    assert AuditEvent.objects.filter(action="suggestion.decide", target_id=str(suggestion.pk)).exists()


def test_api_decision_refuses_bad_input_and_records_feedback(area, client_for, enterprise_user):
    suggestion = _refresh(area.need)[0]
    client = client_for(enterprise_user)
    url = f"/api/v1/matching/suggestions/{suggestion.pk}/decision"
    bad = client.post(url, {"decision": "maybe"}, content_type="application/json")
    assert bad.status_code == 422
    ok = client.post(url, {"decision": "accept", "feedback": "请安排对接"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"


def test_leader_reads_all_suggestions_but_cannot_decide(area, client_for, leader):
    suggestion = _refresh(area.need)[0]
    client = client_for(leader)
    assert client.get(reverse("matching:suggestion_list")).status_code == 200
    assert (
        client.post(reverse("matching:suggestion_decide", args=[suggestion.pk]), {"decision": "accept"}).status_code
        == 404
    )
