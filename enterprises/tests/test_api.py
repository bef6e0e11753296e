"""/api/v1/enterprises/: scoped, paginated, 404 for what the user may not see."""

import pytest

from enterprises.tests.factories import EnterpriseFactory, ResearchInstitutionFactory
from enterprises.tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_list_is_paginated_and_constant_in_queries(client, admin_user):
    client.force_login(admin_user)
    EnterpriseFactory.create()
    assert_constant_queries(
        client, "/api/v1/enterprises/", lambda: [EnterpriseFactory.create() for _ in range(5)], at_most=5
    )
    body = client.get("/api/v1/enterprises/").json()
    assert body["count"] == 11 and len(body["items"]) == 11


def test_list_filters(client, admin_user):
    EnterpriseFactory.create(name="筛选目标有限公司", is_key=True)
    EnterpriseFactory.create(name="其他有限公司")
    client.force_login(admin_user)
    body = client.get("/api/v1/enterprises/", {"q": "筛选目标", "is_key": "true"}).json()
    assert [e["name"] for e in body["items"]] == ["筛选目标有限公司"]


def test_enterprise_user_gets_only_their_own_and_404_for_others(client, enterprise_user, enterprise, other_enterprise):
    client.force_login(enterprise_user)
    body = client.get("/api/v1/enterprises/").json()
    assert [e["id"] for e in body["items"]] == [enterprise.pk]
    assert client.get(f"/api/v1/enterprises/{enterprise.pk}").status_code == 200
    assert client.get(f"/api/v1/enterprises/{other_enterprise.pk}").status_code == 404


def test_anonymous_gets_401(client, enterprise):
    assert client.get("/api/v1/enterprises/").status_code == 401
    assert client.get(f"/api/v1/enterprises/{enterprise.pk}").status_code == 401


def test_institutions(client, instructor, talent_user):
    institution = ResearchInstitutionFactory.create()
    client.force_login(instructor)
    assert client.get("/api/v1/enterprises/institutions").json()["count"] == 1
    assert client.get(f"/api/v1/enterprises/institutions/{institution.pk}").status_code == 200
    client.force_login(talent_user)
    assert client.get(f"/api/v1/enterprises/institutions/{institution.pk}").status_code == 404


def test_institution_list_runs_constant_queries(client, admin_user):
    client.force_login(admin_user)
    grow = lambda: [ResearchInstitutionFactory.create() for _ in range(3)]  # noqa: E731
    assert_constant_queries(client, "/api/v1/enterprises/institutions", grow, at_most=5)
