"""Walk the whole URLconf and prove that every URL refuses anonymous users, except those public by design.

Refusal means: a redirect to a login page (the site's or the admin's), or 401/403/404/405. Both GET and POST are
tried, with dummy values for the URL arguments. A URL added later is walked automatically; to make one public it has
to be added to PUBLIC below, with the reason.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

#: Public by design, with the reason:
PUBLIC = {
    "accounts:login",  # the login page itself
    "admin:login",  # the admin's login page
    "admin:logout",  # logging out reveals nothing; it redirects to the admin index, which asks for a login
    "api:openapi-json",  # the API schema describes endpoints and reveals no data; every operation needs auth
    "api:openapi-view",  # the API docs page, same reason
    "root",  # redirects to accounts:home, which itself refuses anonymous users (checked below)
}
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
DUMMY = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000", "path": "x"}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield prefix + str(entry.pattern), name


def _to_path(route: str) -> str:
    if route.startswith("^") or "(?P" in route:
        # A regex route (Django admin's app index): substitute each group with a plausible value.
        route = re.sub(r"\(\?P<app_label>[^)]*\)", "accounts", route.lstrip("^").rstrip("$"))
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY.get(m.group(1) or "str", "x"), route)


URLS = sorted({(_to_path(route), name) for route, name in _walk(get_resolver().url_patterns)})


def test_the_sweep_sees_the_whole_urlconf():
    names = {name for _path, name in URLS}
    assert len(URLS) > 100
    assert {"enterprises:list", "chains:coverage", "organizations:members", "api:coverage", "admin:index"} <= names


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PAGES)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), [u for u in URLS if u[1] not in PUBLIC], ids=lambda v: str(v))
def test_url_refuses_anonymous_users(client, path, name):
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code < 500, f"{method.__name__.upper()} {path} ({name}): {response.status_code}"
        assert _refused(response), (
            f"{method.__name__.upper()} {path} ({name}) answered {response.status_code} {response.get('Location', '')}"
        )


@pytest.mark.django_db
def test_public_urls_are_reachable_and_root_leads_to_login(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
