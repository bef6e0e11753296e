"""Shared test fixtures: role personas, the browser, and the database-engine markers."""

import os
from collections.abc import Iterator

import pytest
from django.db import connection

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from enterprises.tests.factories import EnterpriseFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # "No tests ran" must fail CI (pytest exits 5 already; make sure a selection that skips all tests fails too).
    if session.testscollected == 0:
        session.exitstatus = 5


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Argon2 costs ~0.2 s per user; tests that create many personas use a fast hasher (production keeps Argon2)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, username="p_admin")


@pytest.fixture
def leader(db):
    return UserFactory(role=Role.LEADER, username="p_leader")


@pytest.fixture
def instructor(db):
    return UserFactory(role=Role.INSTRUCTOR, username="p_instructor")


@pytest.fixture
def supervisor(db):
    return UserFactory(role=Role.SUPERVISOR, username="p_supervisor")


@pytest.fixture
def handler(db):
    from accounts.tests.factories import UnitFactory

    return UserFactory(role=Role.HANDLER, username="p_handler", unit=UnitFactory())


@pytest.fixture
def investment_user(db):
    return UserFactory(role=Role.INVESTMENT, username="p_investment")


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory()


@pytest.fixture
def other_enterprise(db):
    return EnterpriseFactory()


@pytest.fixture
def enterprise_user(enterprise):
    return UserFactory(role=Role.ENTERPRISE, username="p_enterprise", enterprise=enterprise)


@pytest.fixture
def other_enterprise_user(other_enterprise):
    return UserFactory(role=Role.ENTERPRISE, username="p_other_enterprise", enterprise=other_enterprise)


@pytest.fixture
def talent_user(db):
    return UserFactory(role=Role.TALENT, username="p_talent")


@pytest.fixture
def client_for(client):
    """client_for(user) → a Django test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def browser_page_factory() -> Iterator:
    """Launch Debian's Chromium through Playwright (Playwright's own browser download is not available here)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser.new_page
        finally:
            browser.close()
