"""One real-browser test: a talent opens the policy calculator, sees what they are entitled to, and claims it."""

import os

import pytest
from django.conf import settings

from talent import library
from talent.models import Disbursement
from talent.tests.factories import TalentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")), reason="no Chromium"),
]


@pytest.mark.django_db(transaction=True)
def test_talent_uses_the_policy_calculator_and_claims_in_the_browser(
    live_server, browser_page_factory, client, django_user_model
):
    admin = django_user_model.objects.create(username="b_admin", role="admin")
    library.install(admin)
    user = django_user_model.objects.create(username="b_talent", role="talent")
    talent = TalentFactory(education="doctor", housing_status="renting", user=user)
    client.force_login(user)
    page = browser_page_factory()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/talent/calculator/?period=2026-08")
    assert page.locator("#entitled-total").inner_text() == "4200.00"
    cards = page.locator(".entitled")
    assert cards.count() == 2
    living = cards.filter(has_text="高层次人才生活补贴")
    assert "3000.00 元" in living.locator(".amount").inner_text()
    assert "赣江新管发〔2024〕12号" in living.inner_text()
    assert page.locator(".nearly, details").count() >= 1
    page.fill("#id_period", "2026-06")
    page.click("#calculate")
    page.wait_for_url("**period=2026-06**")
    assert page.locator("#entitled-total").inner_text() == "4200.00"
    page.locator(".entitled").filter(has_text="人才租房补贴").locator("button.claim").click()
    page.wait_for_load_state()
    assert "即申即享" in page.locator(".alert").first.inner_text()
    assert Disbursement.objects.filter(talent=talent, policy__code="rent_subsidy").count() == 1
