"""Chain pages: list, link tree with placements, adding links and placing enterprises, exports, the chains API."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chains.models import Link, Placement
from chains.selectors import link_tree
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from core.models import AuditEvent
from enterprises.tests.factories import EnterpriseFactory
from enterprises.tests.querycount import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    chain = ChainFactory.create(name="生命健康", code="life_health")
    upstream = LinkFactory.create(chain=chain, name="研发", stage="upstream")
    LinkFactory.create(chain=chain, name="创新药研发", parent=upstream, is_key=True)
    return chain


def _grow(chain):
    def grow():
        for _ in range(4):
            link = LinkFactory.create(chain=chain)
            PlacementFactory.create(link=link)

    return grow


def _grow_chains():
    counter = {"n": 0}

    def grow():
        for _ in range(3):
            counter["n"] += 1
            _grow(ChainFactory.create(code=f"grown{counter['n']}"))()

    return grow


def test_link_tree_nests_children_and_counts_placements(chain):
    leaf = Link.objects.get(name="创新药研发")
    PlacementFactory.create(link=leaf)
    tree = link_tree(chain)
    assert [node["link"].name for node in tree] == ["研发"]
    assert tree[0]["children"][0]["link"] == leaf and tree[0]["children"][0]["placed"] == 1


def test_chain_list_and_detail_run_constant_queries(chain, client, admin_user):
    client.force_login(admin_user)
    assert_constant_queries(client, reverse("chains:list"), _grow_chains(), at_most=6)
    assert_constant_queries(client, reverse("chains:detail", args=[chain.pk]), _grow(chain), at_most=9)


def test_placements_on_the_detail_page_filter_and_export(chain, client, admin_user):
    leaf = Link.objects.get(name="创新药研发")
    PlacementFactory.create(link=leaf, enterprise=EnterpriseFactory.create(name="关键环节企业"))
    PlacementFactory.create(link=Link.objects.get(name="研发"))
    client.force_login(admin_user)
    response = client.get(reverse("chains:detail", args=[chain.pk]), {"key_link": "true", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["关键环节企业"]
    assert AuditEvent.objects.filter(action="export.placements").exists()


def test_admin_adds_a_link_and_places_an_enterprise(chain, client, admin_user):
    client.force_login(admin_user)
    parent = Link.objects.get(name="研发")
    response = client.post(
        reverse("chains:link_create", args=[chain.pk]),
        {"parent": parent.pk, "name": "生物试剂", "stage": "upstream", "function": "manufacturing", "sort_order": 3},
    )
    assert response.status_code == 302
    link = Link.objects.get(name="生物试剂")
    enterprise = EnterpriseFactory.create()
    response = client.post(
        reverse("chains:placement_create", args=[chain.pk]),
        {"uscc": enterprise.uscc, "link": link.pk, "main_product": "培养基"},
    )
    assert response.status_code == 302
    assert Placement.objects.get(enterprise=enterprise).main_product == "培养基"
    assert AuditEvent.objects.filter(action="placement.create").exists()


def test_placing_an_unknown_uscc_is_reported(chain, client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("chains:placement_create", args=[chain.pk]),
        {"uscc": "91360100MA35KF3E2X", "link": Link.objects.first().pk},
    )
    assert response.status_code == 200 and not Placement.objects.exists()


def test_chain_pages_are_for_staff(chain, client, enterprise_user, leader):
    client.force_login(enterprise_user)
    assert client.get(reverse("chains:detail", args=[chain.pk])).status_code == 403
    client.force_login(leader)
    assert client.get(reverse("chains:link_create", args=[chain.pk])).status_code == 403


def test_chains_api_lists_chains_with_links_and_scoped_placements(chain, client, enterprise_user, enterprise):
    PlacementFactory.create(link=Link.objects.get(name="研发"), enterprise=enterprise)
    PlacementFactory.create(link=Link.objects.get(name="研发"))
    client.force_login(enterprise_user)
    body = client.get("/api/v1/chains/").json()
    assert body["items"][0]["code"] == "life_health" and len(body["items"][0]["links"]) == 2
    placements = client.get("/api/v1/chains/placements").json()
    assert [p["enterprise_id"] for p in placements["items"]] == [enterprise.pk]
    assert client.get("/api/v1/chains/999999").status_code == 404


def test_chains_api_runs_constant_queries(chain, client, admin_user):
    client.force_login(admin_user)
    assert_constant_queries(client, "/api/v1/chains/", _grow_chains(), at_most=5)
    assert_constant_queries(client, "/api/v1/chains/placements", _grow(chain), at_most=5)
