"""The permission matrix, generated from the URLconf: every page × every role (anonymous included).

A new URL cannot be forgotten: it is walked automatically. For each page we prove that
- anonymous users are refused (redirect to login, 401, 403 or 404) unless the page is public by design;
- enterprise and talent users are refused on staff-only pages (every URL outside the portal prefixes they may use);
- no role gets a server error, whatever the dummy ids in the URL.
API operations are covered the same way by `tests/test_api_operations_matrix` below, from the OpenAPI schema.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from enterprises.tests.factories import EnterpriseFactory

#: Public by design: the login page, the API schema and docs (they describe, they do not reveal data), static files.
PUBLIC = {"accounts:login", "api:openapi-json", "api:openapi-view", "root"}
#: Namespaces whose pages are for staff only: a talent is always refused there; an enterprise user too.
STAFF_ONLY_NAMESPACES = {"organizations", "chain_map", "investment", "cockpit", "core", "chains"}
DUMMY = {"int": "999999", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000", "path": "x"}


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns == "admin":
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, namespace


def _to_path(route: str) -> str | None:
    if route.startswith("^") or "(?P" in route:
        return None  # regex routes (the API's, covered by the schema-driven tests)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY.get(m.group(1) or "str", "x"), route)
    return "/" + path


PAGES = sorted(
    {
        (path, name or "", ns or "")
        for route, name, ns in _walk(get_resolver().url_patterns)
        if (path := _to_path(route)) is not None and not path.startswith("/api/")
    }
)


@pytest.fixture
def personas(db):
    enterprise = EnterpriseFactory()
    users = {
        role.value: UserFactory(role=role, username=f"matrix_{role.value}") for role in Role if role != Role.ENTERPRISE
    }
    users["enterprise"] = UserFactory(role=Role.ENTERPRISE, username="matrix_enterprise", enterprise=enterprise)
    return users


def test_the_matrix_walks_a_real_urlconf():
    assert len(PAGES) > 10


@pytest.mark.parametrize(("path", "name", "namespace"), PAGES, ids=[p[0] for p in PAGES])
def test_page_refuses_anonymous_and_wrong_roles_and_never_fails(client, personas, path, name, namespace):
    response = client.get(path)
    if name not in PUBLIC:
        assert response.status_code in (302, 401, 403, 404, 405), f"anonymous got {response.status_code} on {path}"
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
    for role, user in personas.items():
        client.force_login(user)
        response = client.get(path)
        assert response.status_code < 500, f"{role} got {response.status_code} on {path}"
        if namespace in STAFF_ONLY_NAMESPACES and role in ("enterprise", "talent"):
            assert response.status_code in (302, 403, 404, 405), (
                f"{role} got {response.status_code} on staff page {path}"
            )
        client.logout()
