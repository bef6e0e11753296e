"""A real browser opens a chain map, clicks a weak link and sees its ranked candidates (htmx panel in the page)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from investment.tests.factories import TargetCompanyFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_opens_map_clicks_weak_link_and_sees_candidates(live_server, browser_page_factory, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    chain = ChainFactory(name="生命健康")
    root = LinkFactory(chain=chain, name="药品与器械制造")
    weak = LinkFactory(chain=chain, parent=root, name="医学影像设备", keywords="CT,MRI,影像", industry_codes="3581")
    strong = LinkFactory(chain=chain, parent=root, name="化学药制剂")
    PlacementFactory(link=weak)
    for _ in range(3):
        PlacementFactory(link=strong)
    TargetCompanyFactory(name="上海示例影像设备有限公司", industry_code="3581", products="CT、MRI 医学影像设备")
    user = UserFactory(role=Role.INVESTMENT, username="browser_investment")

    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    page = browser_page_factory()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page.goto(f"{live_server.url}/chains/map/{chain.pk}/")
    page.wait_for_selector("#chain-map canvas", timeout=15000)  # ECharts drew the tree under the strict CSP

    page.get_by_role("link", name="医学影像设备").click()
    page.wait_for_selector("#link-panel #link-panel-title", timeout=15000)
    assert "弱链" in page.inner_text("#link-findings")
    page.wait_for_selector("#link-candidates .candidate", timeout=20000)
    candidates = page.inner_text("#link-candidates")
    assert "上海示例影像设备有限公司" in candidates
    assert "行业小类相同" in candidates
    assert page.url.endswith(f"/chains/map/{chain.pk}/")  # the panel opened inside the map page
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
