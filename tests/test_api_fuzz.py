"""Fuzz every API operation from its OpenAPI schema (schemathesis, in-process WSGI): no input may cause a 5xx.

Bounded examples per operation keep CI fast; every role that can hold a token is tried through the admin (widest view)
and an enterprise user (narrowest), so scoping code runs too.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from accounts.choices import Role
from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from enterprises.tests.factories import EnterpriseFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app closes the DB connection after each request; inside a test transaction that would drop it (on
    PostgreSQL). Django's own test client disconnects the same handlers for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db):
    enterprise = EnterpriseFactory()
    admin = UserFactory(role=Role.ADMIN, username="fuzz_admin")
    enterprise_user = UserFactory(role=Role.ENTERPRISE, username="fuzz_enterprise", enterprise=enterprise)
    return [api_token_create(actor=None, user=u)[1] for u in (admin, enterprise_user)]


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_with_a_server_error(case, tokens):
    for token in tokens:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
