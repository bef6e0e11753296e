"""The demo area: loaded once for the module (it is expensive), then checked figure by figure.

The cockpit's summary API and pages are checked here too, on the same load: the report's figures for the current year.
"""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from chains.models import Link, Placement
from core.models import AuditEvent
from core.validators import validate_resident_id, validate_uscc
from demo.builders import DEMO_PASSWORD
from enterprises.models import Enterprise
from organizations.choices import Formation, PairingKind
from organizations.models import Pairing, PartyMember, PartyOrganization, PioneerPost
from organizations.selectors import current_instructor_for

pytestmark = [pytest.mark.xdist_group("demo"), pytest.mark.django_db]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Load the demo once into the test database, inside a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "placements": Placement.objects.count(),
        "organizations": PartyOrganization.objects.count(),
        "members": PartyMember.objects.count(),
        "pairings": Pairing.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_coverage_api_reproduces_the_report_figures(demo, client):
    client.force_login(User.objects.get(username="demo_admin"))
    response = client.get("/api/v1/chains/coverage")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    life, digital = rows["life_health"], rows["digital_economy"]
    assert (life["chain"], life["organizations"], life["enterprises_covered"], life["members"]) == (
        "生命健康",
        19,
        34,
        188,
    )
    assert (digital["chain"], digital["organizations"], digital["enterprises_covered"], digital["members"]) == (
        "数字经济",
        13,
        30,
        43,
    )
    assert 60 <= life["placed"] <= 120 and 60 <= digital["placed"] <= 120 and 20 <= rows["micro_drama"]["placed"] <= 40
    for row in rows.values():
        assert row["coverage_rate"] == round(row["placed_covered"] / row["placed"], 4)


def test_each_lead_chain_has_one_chain_joint_branch(demo):
    joint = PartyOrganization.objects.filter(formation=Formation.CHAIN_JOINT).values_list("chain__code", flat=True)
    assert sorted(joint) == ["digital_economy", "life_health"]


def test_running_load_demo_twice_changes_nothing(demo):
    before = _counts()
    call_command("load_demo", verbosity=0)
    assert _counts() == before


def test_every_enterprise_has_exactly_one_active_instructor(demo):
    counts = Enterprise.objects.annotate(
        n=Count("pairings", filter=Q(pairings__kind=PairingKind.INSTRUCTOR_ENTERPRISE, pairings__ends_on__isnull=True))
    )
    assert not counts.exclude(n=1).exists()
    assert 950 <= Enterprise.objects.count() <= 1050
    demo_enterprise = User.objects.get(username="demo_enterprise").enterprise
    assert demo_enterprise is not None
    assert current_instructor_for(demo_enterprise) is not None


def test_instructors_leaders_and_key_enterprises(demo):
    assert User.objects.filter(role=Role.INSTRUCTOR).count() == 62
    assert Enterprise.objects.filter(is_key=True).count() == 14
    leader_pairs = Pairing.objects.filter(kind=PairingKind.LEADER_ENTERPRISE)
    assert leader_pairs.values("enterprise").distinct().count() == 14
    assert set(leader_pairs.values_list("enterprise__is_key", flat=True)) == {True}
    assert 4 <= leader_pairs.values("staff").distinct().count() <= 5
    assert Pairing.objects.filter(kind=PairingKind.INSTRUCTOR_PROJECT).exists()
    assert PioneerPost.objects.count() > 30


def test_demo_enterprise_is_placed_on_life_health_and_covered(demo):
    enterprise = User.objects.get(username="demo_enterprise").enterprise
    assert enterprise is not None
    assert Placement.objects.filter(enterprise=enterprise, link__chain__code="life_health").exists()
    assert enterprise.party_organizations.exists()


def test_one_demo_user_per_role_with_the_demo_password(demo):
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    assert {u.role for u in users.values()} == set(Role.values)
    handler_unit = users["demo_handler"].unit
    assert handler_unit is not None and handler_unit.name == "人社局"
    assert check_password(DEMO_PASSWORD, users["demo_admin"].password)


def test_codes_are_valid_and_some_key_links_are_gaps(demo):
    for uscc in Enterprise.objects.values_list("uscc", flat=True)[:200]:
        assert validate_uscc(uscc) == uscc
    for number in PartyMember.objects.values_list("id_number", flat=True)[:100]:
        assert validate_resident_id(number) == number
    empty_key_links = (
        Link.objects.filter(is_key=True, children__isnull=True).annotate(n=Count("placements")).filter(n=0)
    )
    assert empty_key_links.exists()


# The cockpit on the demo area.


@pytest.fixture
def summary(demo, db, client):
    client.force_login(User.objects.get(username="demo_leader"))
    response = client.get("/api/v1/cockpit/summary", {"year": timezone.localdate().year})
    assert response.status_code == 200
    return response.json()


def test_organization_chain_shows_the_report_figures(summary):
    by_chain = {row["code"]: row for row in summary["by_chain"]}
    life, digital = by_chain["life_health"], by_chain["digital_economy"]
    assert (life["organizations"], life["enterprises_covered"], life["members"]) == (19, 34, 188)
    assert (digital["organizations"], digital["enterprises_covered"], digital["members"]) == (13, 30, 43)


def test_service_chain_shows_the_report_figures(summary):
    assert summary["needs_resolved"] == 137
    assert summary["needs_collected"] >= 137
    assert summary["service_deliveries"] > 200
    assert summary["matters_handled"] == 1873
    assert summary["enterprises_served"] == 772


def test_investment_shows_the_report_figures(summary):
    assert summary["projects_signed"] == 55
    assert Decimal(summary["investment_signed_wan"]) > Decimal("1400000")


def test_talent_shows_the_report_figures(summary):
    assert summary["talent_events"] == 21
    assert Decimal(summary["talent_subsidy_planned_wan"]) > Decimal("2500")


def test_cockpit_page_and_report_agree_with_the_summary(summary, client):
    widget = client.get(reverse("cockpit:widget", args=["organization"]), {"period": "year"})
    rows = {row["code"]: row for row in widget.context["table"]["rows"]}
    assert [cell.value for cell in rows["life_health"]["cells"][:3]] == [19, 34, 188]
    year = timezone.localdate().year
    report = client.get(reverse("cockpit:report"), {"month": f"{year}-01"}).context["report"]
    ytd = {row["key"]: row["ytd"] for row in report["headline"]}
    assert ytd["organizations"] == summary["organizations"]
