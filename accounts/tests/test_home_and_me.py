"""The role home page and GET /api/v1/accounts/me."""

import pytest
from django.urls import reverse

from organizations.tests.factories import small_area

pytestmark = pytest.mark.django_db


def test_home_shows_figures_for_an_instructor(client):
    area = small_area()
    client.force_login(area.instructor)
    response = client.get(reverse("accounts:home"))
    figures = {f["label"]: f["value"] for f in response.context["figures"]}
    assert figures["联系企业"] == 2 and figures["党组织"] == 2 and figures["本年走访"] == 0


def test_home_of_an_enterprise_user_names_the_enterprise_and_instructor(client, enterprise_user, instructor):
    from organizations.tests.factories import PairingFactory

    PairingFactory.create(staff=instructor, enterprise=enterprise_user.enterprise)
    client.force_login(enterprise_user)
    html = client.get(reverse("accounts:home")).content.decode()
    assert enterprise_user.enterprise.name in html and str(instructor) in html


def test_home_of_a_talent_has_no_register_figures(client, talent_user):
    client.force_login(talent_user)
    assert client.get(reverse("accounts:home")).context["figures"] == []


def test_home_needs_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_me_describes_the_user(client, enterprise_user):
    client.force_login(enterprise_user)
    body = client.get("/api/v1/accounts/me").json()
    assert body["username"] == "p_enterprise" and body["role"] == "enterprise"
    assert body["enterprise_id"] == enterprise_user.enterprise_id and body["is_area_wide"] is False


def test_me_with_a_bearer_token(client, handler):
    from accounts.services import api_token_create

    _token, plain = api_token_create(actor=None, user=handler)
    body = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {plain}").json()
    assert body["role"] == "handler" and body["unit"] == handler.unit.name


def test_me_refuses_anonymous(client):
    assert client.get("/api/v1/accounts/me").status_code == 401
