"""Bad input never hurts: malformed or oversize API bodies get a clear 4xx, export cells cannot become formulas,
login guessing is throttled (with an audit trail in django-axes' tables), session cookies are locked down."""

import json
from io import BytesIO

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from service_requests.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db

CREATE_REQUEST = "/api/v1/services/"
CREATE_DELIVERY = "/api/v1/services/deliveries"
ENDPOINTS = [CREATE_REQUEST, CREATE_DELIVERY, "/api/v1/talent/policies/validate", "/api/v1/talent/sandbox"]


@pytest.fixture
def api(client, admin_user):
    client.force_login(admin_user)
    return client


def _post(client, path, body, content_type="application/json"):
    return client.post(path, data=body, content_type=content_type)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_malformed_json_is_a_clear_400(api, path):
    response = _post(api, path, '{"title": "缺右括号"')
    assert response.status_code == 400, (path, response.status_code, response.content[:200])
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_wrong_types_are_a_clear_422(api, path):
    body = json.dumps({"title": ["not", "a", "string"], "kind": 5, "enterprise_id": "abc", "delivered_on": "never"})
    response = _post(api, path, body)
    assert response.status_code in (400, 422), (path, response.status_code, response.content[:200])
    assert "detail" in response.json()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_non_object_bodies_are_refused(api, path):
    for body in ("[]", "null", '"text"', "12"):
        response = _post(api, path, body)
        assert 400 <= response.status_code < 500, (path, body, response.status_code)


@pytest.mark.parametrize("path", [CREATE_REQUEST, CREATE_DELIVERY])
def test_oversize_body_is_refused_before_parsing(api, path, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    body = json.dumps({"title": "x", "description": "长" * 60_000})
    response = _post(api, path, body)
    assert response.status_code in (400, 413), (path, response.status_code)


def test_wrong_content_type_is_refused(api):
    response = _post(api, CREATE_REQUEST, "title=x", content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500


def test_a_valid_need_still_goes_through(client, enterprise_user):
    """The refusals above are not a broken endpoint: a correct body from an enterprise user is accepted."""
    client.force_login(enterprise_user)
    body = json.dumps({"kind": "need", "title": "招工难", "description": "需要三名焊工", "topic": "labour"})
    response = _post(client, CREATE_REQUEST, body)
    assert response.status_code == 201, response.content[:300]


HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]


def test_export_cells_cannot_become_formulas(client, admin_user, enterprise):
    for text in HOSTILE:
        NeedFactory.create(enterprise=enterprise, title=text, description=text)
    client.force_login(admin_user)
    response = client.get("/services/requests/", {"format": "xlsx", "view": "all"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    texts = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]
    found = [t for t in texts if isinstance(t, str) and t.lstrip("'") in HOSTILE]
    assert len(found) >= len(HOSTILE), f"the hostile titles are not in the export: {texts[:20]}"
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.9.8.7")


def test_login_is_locked_after_the_failure_limit_with_an_audit_trail(client):
    user = UserFactory(role=Role.LEADER, username="guessme")
    user.set_password("Correct-horse-9")
    user.save()
    limit = settings.AXES_FAILURE_LIMIT
    assert 3 <= limit <= 10
    for _ in range(limit - 1):
        response = _login(client, "guessme", "wrong-password")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = _login(client, "guessme", "wrong-password")
    assert response.status_code in (403, 429)
    # Locked: even the right password is refused now.
    response = _login(client, "guessme", "Correct-horse-9")
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="guessme")
    assert attempt.failures_since_start >= limit
    assert attempt.ip_address == "10.9.8.7"
    # Another address is not locked out by this one (lock-out is per username + IP).
    response = client.post(
        "/accounts/login/", {"username": "guessme", "password": "Correct-horse-9"}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302


def test_a_successful_login_resets_the_failure_count(client):
    user = UserFactory(role=Role.LEADER, username="forgetful")
    user.set_password("Correct-horse-9")
    user.save()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        _login(client, "forgetful", "wrong-password")
    assert _login(client, "forgetful", "Correct-horse-9").status_code == 302
    assert AccessLog.objects.filter(username="forgetful").exists()  # successful logins are logged too
    client.logout()
    for _ in range(limit - 1):
        assert _login(client, "forgetful", "wrong-password").status_code == 200
    assert _login(client, "forgetful", "Correct-horse-9").status_code == 302  # not locked: the count was reset


def test_session_cookie_flags(client):
    user = UserFactory(role=Role.LEADER, username="cookie")
    user.set_password("Correct-horse-9")
    user.save()
    response = _login(client, "cookie", "Correct-horse-9")
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert bool(cookie["secure"]) == settings.HTTPS
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_COOKIE_SECURE == settings.CSRF_COOKIE_SECURE == settings.HTTPS
