"""A real browser: an administrator logs in through the login form and reads the coverage figures off the page."""

import pytest

from accounts.choices import Role
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from organizations.tests.factories import small_area


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_logs_in_and_reads_coverage_figures(live_server, browser_page_factory, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    small_area()
    UserFactory(role=Role.ADMIN, username="browser_admin")

    page = browser_page_factory()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/chains/coverage/")
    assert "/accounts/login/" in page.url  # anonymous: sent to the login form first
    page.fill("#id_username", "browser_admin")
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/chains/coverage/")

    row = page.locator('tr[data-chain="life_health"]')
    figures = {
        field: row.locator(f'td[data-field="{field}"]').inner_text().strip()
        for field in ("organizations", "enterprises_covered", "members", "placed", "coverage_rate")
    }
    assert figures == {
        "organizations": "2",
        "enterprises_covered": "2",
        "members": "5",
        "placed": "4",
        "coverage_rate": "75.00%",
    }

    with page.expect_navigation():
        row.locator("a").first.click()
    assert page.inner_text('[data-field="uncovered"]').strip() == "1"
    assert "丁医疗有限公司" in page.inner_text("main")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
