"""Every widget, the summary endpoint and the report take a number of queries that does not grow with the records."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cockpit.widgets import all_widgets
from investment.models import InvestmentTeam, Project
from matching.models import Agreement, Roundtable
from service_requests.choices import State
from service_requests.tests.factories import DeliveryFactory, MatterFactory, NeedFactory
from talent.models import TalentEvent

#: Upper bounds per widget (session and user included); the test also proves they do not grow with the data.
BOUNDS = {"organization": 16, "service": 10, "investment": 10, "innovation": 16, "trends": 45}


def _add_records(area, n: int) -> None:
    team, _ = InvestmentTeam.objects.get_or_create(name="第一招商组")
    now = timezone.now()
    today = timezone.localdate()
    for i in range(n):
        firm = area.e[1 + i % 7]
        Project.objects.create(
            name=f"项目{Project.objects.count()}",
            team=team,
            chain=area.lh,
            stage="signed",
            signed_on=today,
            amount_wan=Decimal(1),
        )
        NeedFactory(enterprise=firm, chain=area.lh)
        NeedFactory(enterprise=firm, state=State.CLOSED, resolved_at=now, resolved_on_time=True, rating=5, rated_at=now)
        MatterFactory(enterprise=firm, state=State.DONE, resolved_at=now)
        DeliveryFactory(enterprise=firm)
        TalentEvent.objects.create(title=f"校企活动{TalentEvent.objects.count()}", held_on=today)
        roundtable = Roundtable.objects.create(
            theme=f"圆桌{Roundtable.objects.count()}", chain=area.lh, held_on=today, venue="会议室", status="held"
        )
        Agreement.objects.create(roundtable=roundtable, title="合作", content="合作内容")


@pytest.mark.parametrize("key", sorted(BOUNDS))
def test_widget_queries_do_not_grow_with_records(key, area, leader, client_for, django_assert_max_num_queries):
    assert {w.key for w in all_widgets()} == set(BOUNDS)
    client = client_for(leader)
    url = reverse("cockpit:widget", args=[key])
    _add_records(area, 1)
    client.get(url)
    with django_assert_max_num_queries(BOUNDS[key]) as few:
        assert client.get(url).status_code == 200
    _add_records(area, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_office_view_queries_do_not_grow(area, east_handler, client_for, django_assert_max_num_queries):
    client = client_for(east_handler)
    _add_records(area, 1)
    for key in ("organization", "service", "trends"):
        url = reverse("cockpit:widget", args=[key])
        client.get(url)
        with django_assert_max_num_queries(BOUNDS[key]):
            assert client.get(url).status_code == 200


def test_summary_queries_do_not_grow_with_records(area, leader, client_for, django_assert_max_num_queries):
    client = client_for(leader)
    year = timezone.localdate().year
    _add_records(area, 1)
    client.get("/api/v1/cockpit/summary", {"year": year})
    with django_assert_max_num_queries(32) as few:
        data = client.get("/api/v1/cockpit/summary", {"year": year}).json()
    assert data["projects_signed"] == 1 and data["talent_events"] == 1 and data["roundtables_held"] == 1
    _add_records(area, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get("/api/v1/cockpit/summary", {"year": year}).json()
    assert data["projects_signed"] == 7 and data["needs_resolved"] == 7 and data["matters_handled"] == 7


def test_cockpit_page_queries_are_few(area, leader, client_for, django_assert_max_num_queries):
    client = client_for(leader)
    client.get(reverse("cockpit:index"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("cockpit:index")).status_code == 200
