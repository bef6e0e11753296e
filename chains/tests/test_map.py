"""The chain map pages and API: status colours from the rules, the link panel, the gap export, the thresholds page."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chains.choices import Function
from chains.models import GapRuleSetting
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from core.models import AuditEvent
from enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def crafted():
    """A chain with a missing key link, a weak link and a strong branch."""
    chain = ChainFactory(name="生命健康")
    root = LinkFactory(chain=chain, name="药品制造", function=Function.MANUFACTURING)
    missing = LinkFactory(chain=chain, parent=root, name="高端医学影像设备", is_key=True)
    weak = LinkFactory(chain=chain, parent=root, name="生物试剂", industry_codes="2761")
    strong = LinkFactory(chain=chain, parent=root, name="化学药制剂")
    PlacementFactory(link=weak, enterprise=EnterpriseFactory(revenue_wan=Decimal("100")))
    for n in range(4):
        PlacementFactory(link=strong, enterprise=EnterpriseFactory(is_leading=n == 0, revenue_wan=Decimal("10")))
    return {"chain": chain, "root": root, "missing": missing, "weak": weak, "strong": strong}


def grow(crafted, n=6):
    for _ in range(n):
        link = LinkFactory(chain=crafted["chain"], parent=crafted["root"])
        for _ in range(2):
            PlacementFactory(link=link)


def test_map_api_returns_links_with_metrics_status_and_findings(crafted, client_for, investment_user):
    body = client_for(investment_user).get(f"/api/v1/chain-map/{crafted['chain'].pk}").json()
    links = {link["name"]: link for link in body["links"]}
    assert links["高端医学影像设备"]["status"] == "missing"
    assert links["生物试剂"]["status"] == "weak"
    assert links["生物试剂"]["findings"][0]["figures"] == {"firms": 1, "weak_min_firms": 3}
    assert links["化学药制剂"]["status"] == "strong" and links["化学药制剂"]["leading"] == 1
    assert Decimal(links["药品制造"]["revenue_wan"]) == Decimal("140.00")
    assert links["药品制造"]["firms"] == 5
    assert body["counts"]["missing"] == 1 and body["counts"]["weak"] == 1


def test_map_api_and_pages_take_constant_queries(crafted, client_for, leader, django_assert_max_num_queries):
    client = client_for(leader)
    chain = crafted["chain"]
    urls = [
        f"/api/v1/chain-map/{chain.pk}",
        "/api/v1/chain-map/",
        reverse("chain_map:index"),
        reverse("chain_map:detail", args=[chain.pk]),
        reverse("chain_map:link_panel", args=[chain.pk, crafted["root"].pk]),
        reverse("chain_map:gaps_export", args=[chain.pk]),
    ]
    for url in urls:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url
    grow(crafted)
    ChainFactory()
    for url in urls:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url


def test_map_page_draws_the_tree_from_data_and_lists_findings(crafted, client_for, leader):
    html = client_for(leader).get(reverse("chain_map:detail", args=[crafted["chain"].pk])).content.decode()
    assert 'id="chain-map-data"' in html and "echarts.min.js" in html and "chains/map.js" in html
    assert "关键环节“高端医学影像设备”在本区没有企业" in html
    assert 'style="' not in html.split("<main", 1)[1]  # strict CSP: no inline styles in our content


def test_link_panel_is_a_partial_for_htmx_with_enterprises_and_findings(crafted, client_for, investment_user):
    url = reverse("chain_map:link_panel", args=[crafted["chain"].pk, crafted["weak"].pk])
    response = client_for(investment_user).get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "仅有 1 家企业" in html and reverse("investment:link_candidates", args=[crafted["weak"].pk]) in html
    full = client_for(investment_user).get(url).content.decode()
    assert "<html" in full


def test_link_panel_refuses_a_link_of_another_chain(crafted, client_for, leader):
    other = LinkFactory()
    url = reverse("chain_map:link_panel", args=[crafted["chain"].pk, other.pk])
    assert client_for(leader).get(url).status_code == 404


def test_gap_export_has_one_row_per_finding_and_per_healthy_link(crafted, client_for, admin_user):
    response = client_for(admin_user).get(reverse("chain_map:gaps_export", args=[crafted["chain"].pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    header, body = rows[0], rows[1:]
    assert header[0] == "环节" and header[-1] == "判定依据"
    by_link: dict[str, list] = {}
    for row in body:
        by_link.setdefault(row[0], []).append(row)
    assert by_link["高端医学影像设备"][0][10] == "缺链"
    assert by_link["化学药制剂"][0][10] in ("", None)
    assert AuditEvent.objects.filter(action="chain_map.export").exists()


@pytest.mark.parametrize("persona", ["instructor", "handler", "enterprise_user", "talent_user"])
def test_other_roles_cannot_open_the_map(crafted, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in [
        reverse("chain_map:index"),
        reverse("chain_map:detail", args=[crafted["chain"].pk]),
        reverse("chain_map:gaps_export", args=[crafted["chain"].pk]),
        f"/api/v1/chain-map/{crafted['chain'].pk}",
        reverse("chain_map:settings"),
    ]:
        assert client.get(url).status_code == 404, url


def test_admin_changes_a_threshold_and_the_map_follows(crafted, client_for, admin_user):
    client = client_for(admin_user)
    chain = crafted["chain"]
    response = client.post(
        reverse("chain_map:settings"),
        {
            "chain": chain.pk,
            "weak_min_firms": 5,
            "low_end_share": "1.00",
            "local_supply_target": "0.30",
            "local_supply_min_suppliers": 3,
        },
    )
    assert response.status_code == 302
    assert GapRuleSetting.objects.get(chain=chain).weak_min_firms == 5
    assert AuditEvent.objects.filter(action="chains.gap_setting.save", actor=admin_user).exists()
    body = client.get(f"/api/v1/chain-map/{chain.pk}").json()
    assert {link["name"]: link["status"] for link in body["links"]}["化学药制剂"] == "weak"


def test_threshold_outside_0_1_is_refused(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("chain_map:settings"),
        {"weak_min_firms": 3, "low_end_share": "1.50", "local_supply_target": "0.3", "local_supply_min_suppliers": 3},
    )
    assert response.status_code == 200 and not GapRuleSetting.objects.exists()


def test_leader_cannot_open_the_threshold_page(client_for, leader):
    assert client_for(leader).get(reverse("chain_map:settings")).status_code == 404


def test_chains_map_alias_serves_the_same_map(crafted, client_for, leader):
    client = client_for(leader)
    chain = crafted["chain"]
    assert client.get(f"/api/v1/chains/{chain.pk}/map").json() == client.get(f"/api/v1/chain-map/{chain.pk}").json()
