"""A real browser: an instructor plans a roundtable and invites the pair the engine proposes."""

import pytest

from accounts.tests.factories import TEST_PASSWORD
from matching import services
from matching.models import Invitation, Posting, Roundtable


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_instructor_plans_a_roundtable_from_suggestions(live_server, browser_page_factory, area, instructor):
    for posting in Posting.objects.select_related("link", "enterprise", "institution"):
        services.suggestions_refresh(posting=posting)

    page = browser_page_factory()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/matching/roundtables/new/")
    page.fill("#id_username", instructor.username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/matching/roundtables/new/")

    page.fill("#id_theme", "活性成分分离纯化供需对接")
    page.select_option("#id_chain", str(area.chain.pk))
    page.fill("#id_held_on", "2026-12-08")
    page.fill("#id_venue", "新区党群服务中心")
    with page.expect_navigation():
        page.click("#roundtable-form button[type=submit]")
    roundtable = Roundtable.objects.get(theme="活性成分分离纯化供需对接")
    assert page.url.endswith(f"/matching/roundtables/{roundtable.pk}/")

    first = page.locator("#invite-form tbody tr").first
    assert "互为推荐" in first.inner_text()
    assert {"中药活性成分无法提纯", "分离纯化技术服务"} <= set(first.inner_text().replace("\t", "\n").split("\n"))
    first.locator("input[type=checkbox]").check()
    with page.expect_navigation():
        page.click("#invite-form button[type=submit]")

    invited = page.inner_text("#invitations")
    assert str(area.need.enterprise) in invited and str(area.capability.enterprise) in invited
    assert set(Invitation.objects.filter(roundtable=roundtable).values_list("enterprise_id", flat=True)) == {
        area.need.enterprise_id,
        area.capability.enterprise_id,
    }
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
