"""One real-browser run of the whole loop: an enterprise submits online, staff accept, dispatch, sign and resolve, the
enterprise rates, the supervisor verifies, and the results list shows it."""

import re

import pytest

from accounts.tests.factories import TEST_PASSWORD
from service_requests.choices import State
from service_requests.models import ServiceRequest


def _login(new_page, live_server, user):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/home/"))
    return page


def _act(page, live_server, need_id, action, fields=None, expect=""):
    page.goto(f"{live_server.url}/services/requests/{need_id}/")
    form = page.locator(f"form[data-action='{action}']")
    for name, value in (fields or {}).items():
        control = form.locator(f"[name='{name}']")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(str(value))
        else:
            control.fill(str(value))
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#state:has-text('{expect}')")


@pytest.mark.browser
def test_the_whole_loop_in_a_browser(world, live_server, browser_page_factory):
    title = "数据标注基地新员工宿舍和食堂"
    enterprise = _login(browser_page_factory, live_server, world.enterprise_user)
    enterprise.goto(f"{live_server.url}/services/needs/new/")
    enterprise.fill("#id_title", title)
    enterprise.select_option("#id_topic", "living")
    enterprise.fill("#id_description", "新招 400 名员工，需要宿舍和食堂。")
    enterprise.click("#need-form button[type=submit]")
    enterprise.wait_for_selector("#state:has-text('已提交')")
    need = ServiceRequest.objects.get(title=title)
    assert enterprise.locator("#due").is_visible()

    admin = _login(browser_page_factory, live_server, world.admin)
    _act(admin, live_server, need.pk, "accept", expect="已受理")
    _act(admin, live_server, need.pk, "dispatch", {"lead_unit": world.unit.pk}, expect="已派单")
    handler = _login(browser_page_factory, live_server, world.handler)
    _act(handler, live_server, need.pk, "sign", expect="已签收")
    _act(handler, live_server, need.pk, "resolve", {"resolution": "协调人才公寓 200 套，食堂增设档口"}, expect="已办结")
    _act(enterprise, live_server, need.pk, "feedback", {"rating": 5, "comment": "非常及时"}, expect="已评价")
    supervisor = _login(browser_page_factory, live_server, world.supervisor)
    _act(supervisor, live_server, need.pk, "verify", expect="已核验")

    supervisor.goto(f"{live_server.url}/services/results/")
    assert title in supervisor.locator("#list-table").inner_text()
    need.refresh_from_db()
    assert (need.state, need.rating) == (State.VERIFIED, 5)
    assert list(need.events.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "dispatch",
        "sign",
        "resolve",
        "feedback",
        "verify",
    ]
