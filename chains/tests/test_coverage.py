"""Coverage of the organization chain per chain: figures, query count, scoping, pages and the API."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from chains.selectors import chain_coverage, uncovered_enterprises
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from core.models import AuditEvent
from enterprises.tests.factories import EnterpriseFactory
from enterprises.tests.querycount import assert_constant_queries
from organizations.tests.factories import PartyMemberFactory, PartyOrganizationFactory, cover, small_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    return small_area()


def _row(rows, code="life_health"):
    return next(r for r in rows if r["code"] == code)


def test_coverage_counts_organizations_enterprises_members_and_rate(area):
    row = _row(chain_coverage())
    assert row["chain"] == "生命健康"
    assert (row["organizations"], row["enterprises_covered"], row["members"]) == (2, 2, 5)
    assert (row["placed"], row["placed_covered"], row["uncovered"]) == (4, 3, 1)
    assert row["coverage_rate"] == Decimal("0.7500")


def test_coverage_splits_by_formation(area):
    split = {s["formation"]: s for s in _row(chain_coverage())["by_formation"]}
    assert (split["single"]["organizations"], split["single"]["enterprises_covered"], split["single"]["members"]) == (
        1,
        1,
        3,
    )
    assert (split["chain_joint"]["organizations"], split["chain_joint"]["enterprises_covered"]) == (1, 2)
    assert split["regional_joint"]["organizations"] == 0


def test_a_chain_with_nothing_placed_has_rate_zero(area):
    ChainFactory.create(name="微短剧", code="micro_drama")
    row = _row(chain_coverage(), "micro_drama")
    assert row["placed"] == 0 and row["coverage_rate"] == Decimal("0")


def test_coverage_runs_a_constant_number_of_queries(area):
    with CaptureQueriesContext(connection) as few:
        chain_coverage()
    for n in range(3):
        chain = ChainFactory.create(code=f"extra{n}")
        link = LinkFactory.create(chain=chain)
        enterprise = EnterpriseFactory.create()
        PlacementFactory.create(link=link, enterprise=enterprise)
        organization = PartyOrganizationFactory.create(chain=chain)
        cover(organization, [enterprise])
        PartyMemberFactory.create(organization=organization)
    with CaptureQueriesContext(connection) as many:
        rows = chain_coverage()
    with CaptureQueriesContext(connection) as counted:
        assert chain_coverage(from_rows=True) == rows
    with CaptureQueriesContext(connection) as scoped:
        chain_coverage(area.instructor)
    assert len(rows) == 4
    assert len(few) == len(many) == 2  # chains, then the maintained figures
    assert len(counted) == len(scoped) == 7


def test_uncovered_lists_placed_enterprises_without_any_organization(area):
    assert list(uncovered_enterprises(area.chain, area.instructor)) == []
    admin = UserFactory.create(role=Role.ADMIN, username="cov_admin")
    assert [e.name for e in uncovered_enterprises(area.chain, admin)] == ["丁医疗有限公司"]


def test_instructor_coverage_counts_only_their_enterprises(area):
    row = _row(chain_coverage(area.instructor))
    # The instructor sees e1 and e2: both placed, both covered by the chain's organizations.
    assert (row["placed"], row["placed_covered"], row["enterprises_covered"]) == (2, 2, 2)
    assert row["members"] == 5
    assert row["coverage_rate"] == Decimal("1.0000")


def test_coverage_api_returns_figures_as_json(area, client):
    client.force_login(UserFactory.create(role=Role.LEADER, username="cov_leader"))
    response = client.get("/api/v1/chains/coverage")
    assert response.status_code == 200
    row = _row(response.json())
    assert row["chain"] == "生命健康"
    assert (row["organizations"], row["enterprises_covered"], row["members"], row["placed"]) == (2, 2, 5, 4)
    assert row["coverage_rate"] == 0.75


def test_coverage_api_refuses_enterprise_users_and_anonymous(area, client, enterprise_user):
    assert client.get("/api/v1/chains/coverage").status_code == 401
    client.force_login(enterprise_user)
    assert client.get("/api/v1/chains/coverage").status_code == 403


def test_coverage_page_shows_figures_and_links_the_detail(area, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("chains:coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td data-field="members">5</td>' in html
    assert "75.00%" in html
    assert reverse("chains:coverage_detail", args=[area.chain.pk]) in html


def test_coverage_detail_lists_uncovered_enterprises_with_links(area, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("chains:coverage_detail", args=[area.chain.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "丁医疗有限公司" in html and "甲制药有限公司" not in html
    assert reverse("enterprises:detail", args=[area.e4.pk]) in html


def test_coverage_export_is_an_audited_xlsx(area, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("chains:coverage") + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export.coverage", actor=admin_user).exists()


def test_coverage_pages_are_for_staff(area, client, enterprise_user):
    client.force_login(enterprise_user)
    assert client.get(reverse("chains:coverage")).status_code == 403
    assert client.get(reverse("chains:coverage_detail", args=[area.chain.pk])).status_code == 403


def test_coverage_pages_and_api_run_constant_queries(area, client, admin_user):
    def grow():
        for _ in range(3):
            PlacementFactory.create(link=area.l2)  # more uncovered enterprises on the chain

    client.force_login(admin_user)
    assert_constant_queries(client, reverse("chains:coverage_detail", args=[area.chain.pk]), grow, at_most=14)
    assert_constant_queries(client, reverse("chains:coverage"), grow, at_most=10)
    assert_constant_queries(client, "/api/v1/chains/coverage", grow, at_most=10)
