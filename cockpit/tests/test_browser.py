"""A real browser: a leader opens the cockpit, switches the chain filter and follows a figure to its list."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_switches_chain_and_follows_a_figure_to_its_list(area, live_server, browser_page_factory, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    leader = UserFactory(role=Role.LEADER, username="browser_leader")
    client = Client()
    client.force_login(leader)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    page = browser_page_factory()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page.goto(f"{live_server.url}/cockpit/?period=year&year={timezone.localdate().year}")

    # The widgets load themselves with htmx; the trends chart is drawn by ECharts under the strict CSP.
    page.wait_for_selector("#fig-organization-organizations a", timeout=15000)
    assert page.inner_text("#fig-organization-organizations").strip().startswith("4")
    page.wait_for_selector("#widget-trends .cockpit-chart canvas", timeout=15000)

    # Switching the chain reloads the cockpit narrowed to that chain (the select submits the filter).
    with page.expect_navigation():
        page.select_option("#filter-chain", label="生命健康")
    assert "chain=lh" in page.url
    page.wait_for_selector("#fig-organization-organizations a", timeout=15000)
    assert page.inner_text("#fig-organization-organizations").strip().startswith("2")
    assert page.locator('#widget-organization tr[data-row="de"]').count() == 0

    # The figure links to the organization list filtered the same way: exactly the two organizations counted.
    with page.expect_navigation():
        page.click("#fig-organization-organizations a")
    assert "/organizations/" in page.url
    body = page.inner_text("main")
    assert "生命健康一支部" in body and "生命健康二支部" in body
    assert "数字经济联合支部" not in body and "区域联建支部" not in body
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
