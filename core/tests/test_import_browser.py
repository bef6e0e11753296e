"""A real browser: an admin uploads an enterprise file, reads the preview, fixes nothing, confirms and sees the result."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from core.tests.import_helpers import xlsx_bytes
from enterprises.importers import EnterpriseImporter
from enterprises.models import Enterprise
from enterprises.tests.factories import EnterpriseFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_uploads_previews_and_commits_in_a_browser(
    live_server, browser_page_factory, settings, admin_user, tmp_path
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    known = EnterpriseFactory(name="旧名称有限公司")
    headers = [c.header for c in EnterpriseImporter.columns]
    fresh = EnterpriseFactory.build()
    rows = [[known.uscc, "新名称有限公司"], [fresh.uscc, "浏览器导入有限公司", "", "规上", "9999"]]
    path = tmp_path / "企业名录.xlsx"
    path.write_bytes(xlsx_bytes(headers, rows))

    client = Client()
    client.force_login(admin_user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page = browser_page_factory()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])

    page.goto(f"{live_server.url}/accounts/home/")
    page.get_by_role("link", name="数据导入").first.click()
    page.get_by_role("link", name="上传导入").first.click()
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_selector("#commit-button", timeout=15000)
    assert page.inner_text("#count-new") == "1"
    assert page.inner_text("#count-updated") == "1"
    assert page.inner_text("#count-warning") == "1"
    assert "行业代码 9999" in page.inner_text("#issue-table")

    page.click("#commit-button")
    page.wait_for_selector("text=导入完成", timeout=15000)
    assert page.inner_text("#batch-status") == "已导入"
    assert Enterprise.objects.filter(name__in=["新名称有限公司", "浏览器导入有限公司"]).count() == 2
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
