"""Every page and endpoint: login and role rules, constant query counts on lists, Excel exports."""

from datetime import date

import pytest
from django.urls import reverse

from chains.tests.factories import PlacementFactory
from enterprises.tests.factories import EnterpriseFactory
from matching import services
from matching.models import Posting
from matching.tests.conftest import make_posting
from matching.urls import urlpatterns

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _url(pattern):
    return reverse(f"matching:{pattern.name}", kwargs=dict.fromkeys(pattern.pattern.converters, 1))


@pytest.mark.parametrize("pattern", urlpatterns, ids=lambda p: p.name)
def test_every_page_needs_login(client, pattern):
    response = client.get(_url(pattern))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert "/accounts/login" in response["Location"]


@pytest.mark.parametrize("pattern", urlpatterns, ids=lambda p: p.name)
def test_talent_gets_404_everywhere(client_for, talent_user, pattern):
    client = client_for(talent_user)
    response = (
        client.post(_url(pattern))
        if pattern.name.endswith(
            ("status", "refresh", "decide", "invite", "minutes", "progress", "need", "accept", "agreement_create")
        )
        else client.get(_url(pattern))
    )
    assert response.status_code == 404


@pytest.fixture
def many(area, admin_user, instructor):
    """Several rows of everything, so that a query count that grows with rows shows."""
    for i in range(6):
        owner = EnterpriseFactory()
        make_posting(
            admin_user,
            kind="capability",
            enterprise=owner,
            link=area.rnd,
            title=f"纯化能力{i}",
            text=f"分离纯化活性成分{i}",
        )
    for posting in Posting.objects.select_related("link", "enterprise", "institution"):
        services.suggestions_refresh(posting=posting)
    for i in range(3):
        rt = services.roundtable_create(
            actor=instructor, theme=f"纯化对接{i}", chain=area.chain, held_on=date(2026, 12, i + 1), venue="会场"
        )
        services.roundtable_invite(
            actor=instructor, roundtable=rt, enterprises=[area.need.enterprise, area.capability.enterprise]
        )
        services.agreement_create(
            actor=instructor,
            roundtable=rt,
            title=f"合作{i}",
            content="内容",
            enterprises=[area.need.enterprise, area.capability.enterprise],
            institutions=[area.university],
        )
    return area


LIST_PAGES = ["posting_list", "suggestion_list", "roundtable_list", "agreement_list"]


PERSONAS = ["admin_user", "instructor", "enterprise_user"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_have_constant_query_counts(many, client_for, request, django_assert_max_num_queries, name):
    for persona in PERSONAS:
        client = client_for(request.getfixturevalue(persona))
        with django_assert_max_num_queries(14):
            response = client.get(reverse(f"matching:{name}"))
        assert response.status_code == 200
        assert len(response.context["page"]) >= 1
        with django_assert_max_num_queries(14):
            export = client.get(reverse(f"matching:{name}") + "?export=xlsx")
        assert export["Content-Type"] == XLSX


API_LISTS = [
    "/api/v1/matching/postings",
    "/api/v1/matching/suggestions",
    "/api/v1/matching/roundtables",
    "/api/v1/matching/agreements",
]


def test_api_lists_have_constant_query_counts(many, client_for, request, django_assert_max_num_queries):
    for persona in PERSONAS:
        client = client_for(request.getfixturevalue(persona))
        for url in API_LISTS:
            with django_assert_max_num_queries(10):
                response = client.get(url)
            assert response.status_code == 200
            assert response.json()["count"] >= 1, (persona, url)


def test_posting_suggestions_endpoint_has_a_constant_query_count(
    many, client_for, admin_user, django_assert_max_num_queries
):
    client = client_for(admin_user)
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/matching/postings/{many.need.pk}/suggestions")
    assert len(response.json()) >= 5


def test_roundtable_planner_and_detail_pages_query_count(many, client_for, instructor, django_assert_max_num_queries):
    from matching.models import Roundtable

    roundtable = Roundtable.objects.first()
    client = client_for(instructor)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("matching:roundtable_detail", args=[roundtable.pk]))
    assert response.status_code == 200 and response.context["proposals"]


def test_enterprise_list_shows_its_own_and_others_open_postings_only(many, client_for, enterprise_user, admin_user):
    services.posting_set_status(actor=admin_user, posting=many.capability, status="closed")
    ids = {p.pk for p in client_for(enterprise_user).get(reverse("matching:posting_list")).context["page"]}
    assert many.need.pk in ids and many.unrelated.pk in ids and many.capability.pk not in ids


def test_posting_list_htmx_returns_the_rows_partial(many, client_for, admin_user):
    response = client_for(admin_user).get(
        reverse("matching:posting_list") + "?kind=need", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="rows"' in response.text and "<html" not in response.text


def test_enterprise_publishes_through_the_form(area, client_for, enterprise_user):
    response = client_for(enterprise_user).post(
        reverse("matching:posting_create"),
        {
            "kind": "need",
            "title": "需要冷链配送",
            "text": "疫苗配送需要全程温控",
            "category": "supply",
            "chain": area.chain.pk,
        },
    )
    assert response.status_code == 302
    posting = Posting.objects.get(title="需要冷链配送")
    assert posting.enterprise == enterprise_user.enterprise


def test_instructor_edits_a_paired_enterprise_posting_through_the_form(area, client_for, instructor):
    client = client_for(instructor)
    posting = Posting.objects.get(pk=area.need.pk)
    data = {
        "title": "纯化需求（更新）",
        "text": posting.text,
        "category": posting.category,
        "chain": area.chain.pk,
        "link": area.making.pk,
        "valid_from": "2026-01-01",
        "version": posting.version,
    }
    assert client.post(reverse("matching:posting_edit", args=[posting.pk]), data).status_code == 302
    assert Posting.objects.get(pk=posting.pk).title == "纯化需求（更新）"
    assert client.get(reverse("matching:posting_edit", args=[area.capability.pk])).status_code == 404


def test_mentoring_suggestions_pair_young_firms_with_leading_firms_on_adjacent_links(
    area, client_for, admin_user, django_assert_max_num_queries
):
    young = EnterpriseFactory(founded_on=date(2024, 5, 1), industry_code="2720")
    old = EnterpriseFactory(founded_on=date(2001, 5, 1))
    lead = EnterpriseFactory(is_leading=True, industry_code="2720")
    far = EnterpriseFactory(is_leading=True)
    PlacementFactory(enterprise=young, link=area.making)
    PlacementFactory(enterprise=old, link=area.making)
    PlacementFactory(enterprise=lead, link=area.rnd)
    from chains.tests.factories import LinkFactory

    PlacementFactory(enterprise=far, link=LinkFactory())  # another chain
    client = client_for(admin_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("matching:mentoring_list"))
    proposals = response.context["proposals"]
    assert [(p.mentee, p.mentor) for p in proposals] == [(young, lead)]
    assert any("相邻" in r for r in proposals[0].reasons) and any("2720" in r for r in proposals[0].reasons)
    assert client.post(reverse("matching:mentoring_accept"), {"mentee": young.pk, "mentor": lead.pk}).status_code == 302
    assert client.get(reverse("matching:mentoring_list")).context["proposals"] == []


def test_handler_reads_postings_but_not_suggestions(area, client_for, handler):
    client = client_for(handler)
    assert client.get(reverse("matching:posting_list")).status_code == 200
    assert client.get(reverse("matching:suggestion_list")).status_code == 404
