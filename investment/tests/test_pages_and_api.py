"""Pages and API of the investment side: who sees what, query counts that do not grow with rows, exports, summary."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from chains.tests.factories import ChainFactory, LinkFactory
from core.models import AuditEvent
from investment.choices import Stage
from investment.models import Project
from investment.services import project_change_stage
from investment.tests.factories import (
    InvestmentTeamFactory,
    ProjectFactory,
    PromotionEventFactory,
    TargetCompanyFactory,
    investment_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Two teams on two chains, with several projects signed this year and a few leads."""
    today = timezone.localdate()
    health, digital = ChainFactory(code="life_health", name="生命健康"), ChainFactory(code="micro_drama", name="微短剧")
    team_a, team_b = InvestmentTeamFactory(name="第一组"), InvestmentTeamFactory(name="第二组")
    member = investment_member(team_a, "inv_member")
    event = PromotionEventFactory(held_on=today, team=team_a)
    link = LinkFactory(chain=health, name="创新药研发", keywords="新药", industry_codes="7340")
    for n in range(6):
        ProjectFactory(
            team=team_a if n % 2 else team_b,
            chain=health if n < 4 else digital,
            stage=Stage.SIGNED,
            signed_on=date(today.year, 1, 1),
            amount_wan=Decimal("1000.50"),
            source_event=event,
        ).links.set([link] if n < 4 else [])
    ProjectFactory(team=team_a, chain=health, stage=Stage.SIGNED, signed_on=date(today.year - 1, 6, 1))
    ProjectFactory(team=team_b, chain=health, stage=Stage.LEAD)
    for n in range(4):
        TargetCompanyFactory(industry_code="7340", products=f"新药研发外包{n}")
    return {"member": member, "team_a": team_a, "team_b": team_b, "health": health, "event": event, "link": link}


LIST_URLS: list[tuple[str, list[int]]] = [
    ("investment:dashboard", []),
    ("investment:project_list", []),
    ("investment:target_list", []),
    ("investment:team_list", []),
    ("investment:event_list", []),
]


@pytest.mark.parametrize(("name", "args"), LIST_URLS)
def test_list_pages_take_constant_queries(world, client_for, leader, django_assert_max_num_queries, name, args):
    client = client_for(leader)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    for n in range(8):
        ProjectFactory(team=world["team_a"], chain=world["health"], source_event=world["event"])
        TargetCompanyFactory(products=f"产品{n}")
        PromotionEventFactory()
    with django_assert_max_num_queries(14):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_team_and_chain_dashboards_take_constant_queries(world, client_for, leader, django_assert_max_num_queries):
    client = client_for(leader)
    urls = [
        reverse("investment:team_detail", args=[world["team_a"].pk]),
        reverse("investment:chain_dashboard", args=[world["health"].pk]),
        reverse("investment:event_detail", args=[world["event"].pk]),
    ]
    for url in urls:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200
    for _ in range(8):
        ProjectFactory(team=world["team_a"], chain=world["health"], source_event=world["event"])
    for url in urls:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", ["instructor", "handler", "enterprise_user", "talent_user"])
def test_roles_outside_investment_get_404_everywhere(world, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    project = Project.objects.first()
    urls = [reverse(name, args=args) for name, args in LIST_URLS] + [
        reverse("investment:project_detail", args=[project.pk]),
        reverse("investment:team_detail", args=[world["team_a"].pk]),
        reverse("investment:link_candidates", args=[world["link"].pk]),
        reverse("chain_map:detail", args=[world["health"].pk]),
        "/api/v1/investment/summary",
        f"/api/v1/investment/projects/{project.pk}",
        f"/api/v1/chain-map/{world['health'].pk}",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login_or_refused(world, client):
    assert client.get(reverse("investment:project_list")).status_code == 302
    assert client.get("/api/v1/investment/summary").status_code == 401


def test_leader_reads_all_projects_but_edits_none(world, client_for, leader):
    client = client_for(leader)
    project = Project.objects.filter(stage=Stage.LEAD).first()
    page = client.get(reverse("investment:project_detail", args=[project.pk]))
    assert page.status_code == 200 and "推进阶段" not in page.content.decode()
    assert client.get(reverse("investment:project_edit", args=[project.pk])).status_code == 404
    response = client.post(reverse("investment:project_stage", args=[project.pk]), {"to_stage": "negotiating"})
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.stage == Stage.LEAD


def test_member_advances_own_team_project_through_the_page(world, client_for):
    client = client_for(world["member"])
    project = ProjectFactory(team=world["team_a"], chain=world["health"], stage=Stage.LEAD)
    response = client.post(
        reverse("investment:project_stage", args=[project.pk]), {"to_stage": "negotiating", "version": project.version}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.NEGOTIATING
    assert AuditEvent.objects.filter(action="investment.project.stage", actor=world["member"]).count() == 1


def test_member_cannot_touch_another_team_project(world, client_for):
    client = client_for(world["member"])
    project = ProjectFactory(team=world["team_b"], chain=world["health"], stage=Stage.LEAD)
    assert client.get(reverse("investment:project_detail", args=[project.pk])).status_code == 200
    assert (
        client.post(reverse("investment:project_stage", args=[project.pk]), {"to_stage": "negotiating"}).status_code
        == 404
    )
    api = client.post(
        f"/api/v1/investment/projects/{project.pk}/stage", {"to_stage": "negotiating"}, content_type="application/json"
    )
    assert api.status_code == 403
    project.refresh_from_db()
    assert project.stage == Stage.LEAD


def test_member_creates_a_lead_for_own_team(world, client_for):
    client = client_for(world["member"])
    response = client.post(
        reverse("investment:project_create"),
        {
            "name": "某生物药华中基地",
            "team": world["team_a"].pk,
            "chain": world["health"].pk,
            "links": [world["link"].pk],
            "amount_wan": "50000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="某生物药华中基地")
    assert project.stage == Stage.LEAD and list(project.links.all()) == [world["link"]]
    other = client.post(
        reverse("investment:project_create"), {"name": "越权", "team": world["team_b"].pk, "amount_wan": "1"}
    )
    assert other.status_code == 200 and not Project.objects.filter(name="越权").exists()


def test_summary_counts_this_years_signed_projects_by_chain_field_and_team(world, client_for, leader):
    year = timezone.localdate().year
    body = client_for(leader).get(f"/api/v1/investment/summary?year={year}").json()
    assert body["projects_signed"] == 6
    assert Decimal(body["investment_signed_wan"]) == Decimal("6003.00")
    by_chain = {row["chain"]: row for row in body["by_chain"]}
    assert by_chain["生命健康"]["projects"] == 4 and by_chain["微短剧"]["field"] == "数字经济"
    assert {row["field"]: row["projects"] for row in body["by_field"]} == {"生命健康": 4, "数字经济": 2}
    assert sum(row["projects"] for row in body["by_team"]) == 6


def test_summary_refuses_a_bad_year(world, client_for, leader):
    response = client_for(leader).get("/api/v1/investment/summary?year=1800")
    assert response.status_code == 422 and "年份" in response.json()["detail"]


def test_api_lists_take_constant_queries(world, client_for, leader, django_assert_max_num_queries):
    client = client_for(leader)
    year = timezone.localdate().year
    urls = ["/api/v1/investment/projects", "/api/v1/investment/targets", f"/api/v1/investment/summary?year={year}"]
    for url in urls:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
    for _ in range(8):
        ProjectFactory(team=world["team_b"], chain=world["health"], stage=Stage.SIGNED, signed_on=date(year, 2, 1))
        TargetCompanyFactory()
    for url in urls:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_api_stage_change_reports_guard_failures_in_chinese(world, client_for):
    client = client_for(world["member"])
    project = ProjectFactory(team=world["team_a"], chain=world["health"], stage=Stage.LEAD)
    bad = client.post(
        f"/api/v1/investment/projects/{project.pk}/stage", {"to_stage": "production"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "不能从" in bad.json()["detail"]
    ok = client.post(
        f"/api/v1/investment/projects/{project.pk}/stage", {"to_stage": "negotiating"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["stage"] == "negotiating"


def test_candidates_endpoint_explains_each_score(world, client_for, investment_user):
    body = client_for(investment_user).get(f"/api/v1/investment/links/{world['link'].pk}/candidates").json()
    assert len(body) == 4
    for candidate in body:
        assert Decimal(candidate["score"]) == sum(Decimal(r["points"]) for r in candidate["reasons"])
        assert {"code", "text"} <= {r["signal"] for r in candidate["reasons"]}


def test_link_candidates_partial_shows_reasons(world, client_for, investment_user):
    response = client_for(investment_user).get(
        reverse("investment:link_candidates", args=[world["link"].pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "行业小类相同" in html and "区外目标企业" in html


def test_project_export_is_a_workbook_with_every_filtered_row(world, client_for, admin_user):
    response = client_for(admin_user).get(reverse("investment:project_list") + "?stage=signed&export=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(filename=__import__("io").BytesIO(response.content)).active.values)
    assert len(rows) - 1 == Project.objects.filter(stage=Stage.SIGNED).count()
    assert AuditEvent.objects.filter(action="investment.project.export").exists()


def test_event_lists_its_leads(world, client_for, leader):
    html = client_for(leader).get(reverse("investment:event_detail", args=[world["event"].pk])).content.decode()
    assert "产生线索 <strong>6</strong>" in html


def test_target_with_bad_uscc_is_refused_with_the_reason(world, client_for, investment_user):
    import random

    from core.validators import make_uscc

    valid = make_uscc(random.Random(1))
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    response = client_for(investment_user).post(
        reverse("investment:target_create"), {"name": "错误代码企业", "uscc": wrong}
    )
    assert response.status_code == 200 and "校验位错误" in response.content.decode()
    ok = client_for(investment_user).post(
        reverse("investment:target_create"), {"name": "正确企业", "contact_phone": "13800138000"}
    )
    assert ok.status_code == 302


def test_stage_change_from_the_service_shows_in_history(world, client_for, admin_user):
    project = ProjectFactory(team=world["team_a"], chain=world["health"], stage=Stage.LEAD)
    project_change_stage(actor=admin_user, project=project, to_stage=Stage.DROPPED, reason="对方撤回")
    html = client_for(admin_user).get(reverse("investment:project_detail", args=[project.pk])).content.decode()
    assert "对方撤回" in html and "终止" in html


def test_superuser_and_leader_see_nav_entries(world, client_for, leader):
    html = client_for(leader).get(reverse("accounts:home")).content.decode()
    assert "招商项目" in html and "产业链图谱" in html
    enterprise_role = UserFactory(role=Role.TALENT)
    assert "招商项目" not in client_for(enterprise_role).get(reverse("accounts:home")).content.decode()


@pytest.mark.parametrize(
    "query", ["signed_year=0", "signed_year=99999", "team=0", "chain=-1", "team=99999999999999999999999"]
)
def test_project_api_refuses_out_of_range_filters(world, client_for, leader, query):
    assert client_for(leader).get(f"/api/v1/investment/projects?{query}").status_code == 422


@pytest.mark.parametrize("query", ["signed_year=0", "source_event=99999999999999999999999", "year=0"])
def test_list_pages_ignore_out_of_range_filters(world, client_for, leader, query):
    client = client_for(leader)
    assert client.get(reverse("investment:project_list") + "?" + query).status_code == 200
    assert client.get(reverse("investment:event_list") + "?" + query).status_code == 200


def test_team_export_lists_every_team_with_its_signed_figures(world, client_for, leader):
    year = timezone.localdate().year
    response = client_for(leader).get(reverse("investment:team_list") + f"?year={year}&export=xlsx")
    rows = list(load_workbook(filename=__import__("io").BytesIO(response.content)).active.values)[1:]
    assert {row[0] for row in rows} == {"第一组", "第二组"}
    assert sum(row[4] for row in rows) == 6


@pytest.mark.parametrize("url", ["/api/v1/investment/projects", "/api/v1/investment/targets"])
def test_api_refuses_a_page_number_beyond_any_list(world, client_for, leader, url):
    assert client_for(leader).get(f"{url}?page=683675452464323437922903780229120").status_code == 422


def test_candidates_partial_and_endpoint_take_constant_queries(
    world, client_for, leader, django_assert_max_num_queries
):
    client = client_for(leader)
    urls = [
        reverse("investment:link_candidates", args=[world["link"].pk]),
        f"/api/v1/investment/links/{world['link'].pk}/candidates",
    ]
    for url in urls:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
    for n in range(12):
        TargetCompanyFactory(industry_code="7340", products=f"新药临床前研究{n}")
    for url in urls:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
