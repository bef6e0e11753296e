"""Who may open the cockpit, the widgets as htmx partials, and the summary endpoint."""

import pytest
from django.urls import reverse

from cockpit.widgets import all_widgets

SUMMARY = "/api/v1/cockpit/summary"


@pytest.mark.parametrize("persona", ["admin_user", "leader", "supervisor"])
def test_area_roles_open_the_cockpit_with_every_widget(persona, request, client_for, area):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("cockpit:index"))
    assert response.status_code == 200
    body = response.content.decode()
    for widget in all_widgets():
        assert f'id="widget-{widget.key}"' in body


@pytest.mark.parametrize("persona", ["instructor", "handler", "investment_user", "enterprise_user", "talent_user"])
def test_roles_without_a_cockpit_get_404_everywhere(persona, request, client_for, area):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("cockpit:index")).status_code == 404
    assert client.get(reverse("cockpit:widget", args=["organization"])).status_code == 404
    assert client.get(reverse("cockpit:report")).status_code == 404
    assert client.get(SUMMARY, {"year": 2026}).status_code == 404


def test_anonymous_users_are_sent_to_login(client, area):
    response = client.get(reverse("cockpit:index"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert client.get(SUMMARY, {"year": 2026}).status_code == 401


def test_office_handler_sees_only_their_office_whatever_they_ask(area, east_handler, client_for):
    client = client_for(east_handler)
    page = client.get(reverse("cockpit:index"), {"office": area.west.pk})
    assert page.status_code == 200
    assert 'id="widget-organization"' in page.content.decode()
    assert area.west.name not in page.content.decode()  # not even offered in the office filter
    data = client.get(SUMMARY, {"year": 2026, "office": area.west.pk}).json()
    assert data["office"] == area.east.pk
    assert (data["organizations"], data["enterprises_covered"], data["members"]) == (3, 3, 4)
    assert data["projects_signed"] is None  # investment has no office dimension


def test_widget_partial_shows_figures_with_drill_down_and_filters(area, leader, client_for):
    response = client_for(leader).get(
        reverse("cockpit:widget", args=["organization"]), {"period": "year", "year": 2026, "chain": "lh"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="fig-organization-organizations"' in body
    assert 'data-row="lh"' in body and 'data-row="de"' not in body


def test_unknown_widget_is_404(area, leader, client_for):
    assert client_for(leader).get(reverse("cockpit:widget", args=["nope"])).status_code == 404


def test_summary_returns_documented_keys(area, leader, client_for):
    data = client_for(leader).get(SUMMARY, {"year": 2026}).json()
    for key in (
        "organizations",
        "enterprises_covered",
        "members",
        "by_chain",
        "needs_collected",
        "needs_resolved",
        "service_deliveries",
        "matters_handled",
        "enterprises_served",
        "projects_signed",
        "investment_signed_wan",
        "talent_events",
        "talent_subsidy_planned_wan",
    ):
        assert key in data, key
    assert (data["organizations"], data["enterprises_covered"], data["members"]) == (4, 5, 7)
    by_chain = {row["code"]: row for row in data["by_chain"]}
    assert (by_chain["lh"]["organizations"], by_chain["lh"]["enterprises_covered"], by_chain["lh"]["members"]) == (
        2,
        3,
        4,
    )
    assert data["period"] == {"start": "2026-01-01", "end": "2026-12-31"}


def test_summary_chain_filter_and_bad_input(area, leader, client_for):
    client = client_for(leader)
    data = client.get(SUMMARY, {"year": 2026, "chain": "de"}).json()
    assert data["chain"] == "de"
    assert (data["organizations"], data["enterprises_covered"], data["members"]) == (1, 2, 2)
    assert client.get(SUMMARY, {"year": 2026, "chain": "nope"}).status_code == 422
    assert client.get(SUMMARY, {"year": 2026, "office": 999999}).status_code == 422
    assert client.get(SUMMARY, {"year": 99999}).status_code == 422
    assert client.get(SUMMARY).status_code == 422


def test_filter_form_errors_fall_back_to_the_default_period(area, leader, client_for):
    response = client_for(leader).get(
        reverse("cockpit:index"), {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"}
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_office_handler_finds_the_cockpit_on_the_home_page(area, east_handler, handler, leader, client_for):
    home = client_for(east_handler).get(reverse("accounts:home")).content.decode()
    assert reverse("cockpit:index") in home and "东片管理处驾驶舱" in home
    assert reverse("cockpit:index") not in client_for(handler).get(reverse("accounts:home")).content.decode()


def test_office_handler_gets_only_the_widgets_with_an_office_dimension(area, east_handler, client_for):
    client = client_for(east_handler)
    page = client.get(reverse("cockpit:index")).content.decode()
    shown = {w.key for w in all_widgets() if f'id="widget-{w.key}"' in page}
    assert shown == {"organization", "service", "trends"}
    for key in ("investment", "innovation"):
        assert client.get(reverse("cockpit:widget", args=[key])).status_code == 404
    assert 'id="report-link"' not in page
