"""Service-chain, roundtable and talent figures through the cockpit, against hand-counted records at the boundaries of
periods (local midnight, first and last day) and of the chain and office filters."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from cockpit.periods import month_period, quarter_period, year_period
from cockpit.scope import Scope
from cockpit.selectors.summary import cockpit_summary, flow_figures
from matching.models import Agreement, Roundtable
from service_requests.choices import DeliveryKind, State
from service_requests.tests.factories import DeliveryFactory, MatterFactory, NeedFactory
from talent.models import Entitlement, Policy, PolicyVersion, TalentEvent
from talent.tests.factories import TalentFactory

YEAR = 2025


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def flows(area):
    e1, e3 = area.e[1], area.e[3]  # e1: east office; e3: west office
    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    # Needs collected in YEAR: 00:00 on 1 January and 23:59 on 31 December count; 23:59 on the eve does not.
    NeedFactory(enterprise=e1, chain=area.lh, submitted_at=at(first, 0, 0))
    NeedFactory(enterprise=e3, chain=area.de, submitted_at=at(last, 23, 59))
    NeedFactory(enterprise=e1, chain=area.lh, submitted_at=at(date(YEAR - 1, 12, 31), 23, 59))
    NeedFactory(enterprise=e1, chain=area.lh, submitted_at=at(date(YEAR, 3, 1)), state=State.MERGED)  # never counted
    # Needs resolved in YEAR (by resolved_at), submitted the year before: counted as resolved, not collected.
    for day in (first, date(YEAR, 3, 31)):
        NeedFactory(
            enterprise=e1,
            chain=area.lh,
            state=State.CLOSED,
            submitted_at=at(date(YEAR - 1, 12, 1)),
            resolved_at=at(day, 0, 0),
        )
    NeedFactory(
        enterprise=e3,
        chain=area.de,
        state=State.CLOSED,
        submitted_at=at(date(YEAR, 4, 1)),
        resolved_at=at(date(YEAR, 4, 2)),
    )
    # Matters done: one in Q1 (east), one on 1 January of the next year (not counted).
    MatterFactory(
        enterprise=e1, chain=area.lh, state=State.DONE, submitted_at=at(first), resolved_at=at(date(YEAR, 2, 1))
    )
    MatterFactory(enterprise=e3, state=State.DONE, submitted_at=at(last), resolved_at=at(date(YEAR + 1, 1, 1), 0, 0))
    # Deliveries: first and last day count, the eve does not.
    DeliveryFactory(enterprise=e1, delivered_on=first, kind=DeliveryKind.CREDIT_SUPPORT)
    DeliveryFactory(enterprise=area.e[6], delivered_on=last)  # e6: placed on lh, west office
    DeliveryFactory(enterprise=e1, delivered_on=date(YEAR - 1, 12, 31))
    # Roundtables held on the year's first and last day; one planned (not held); agreements reached in Q1.
    rt1 = Roundtable.objects.create(theme="原料药", chain=area.lh, held_on=first, venue="A", status="held")
    Roundtable.objects.create(theme="算力", chain=area.de, held_on=last, venue="B", status="held")
    Roundtable.objects.create(theme="筹备", chain=area.de, held_on=date(YEAR, 6, 1), venue="C", status="planned")
    for status in ("in_progress", "completed"):
        agreement = Agreement.objects.create(roundtable=rt1, title=f"合作{status}", content="内容", status=status)
        Agreement.objects.filter(pk=agreement.pk).update(created_at=at(date(YEAR, 2, 1)))
    # Talent: events on the first and last day and the eve; entitlements of January and December, one held.
    for day in (first, last, date(YEAR - 1, 12, 31)):
        TalentEvent.objects.create(title=f"校企活动{day}", held_on=day)
    policy = Policy.objects.create(code="living", name="生活补贴")
    version = PolicyVersion.objects.create(
        policy=policy, number=1, legal_reference="文号", effective_from=date(YEAR - 1, 1, 1), rule={}, amount={}
    )
    for month, amount, status in [(1, "12345.67", "approved"), (12, "10000.00", "pending"), (6, "50000", "held")]:
        Entitlement.objects.create(
            policy=policy,
            policy_version=version,
            talent=TalentFactory(employer=e1),
            period=date(YEAR, month, 1),
            amount=Decimal(amount),
            status=status,
        )
    return area


def _scope(user, period, **kwargs):
    return Scope(user=user, period=period, **kwargs)


def test_year_figures(flows, leader):
    figures = flow_figures(_scope(leader, year_period(YEAR)))
    assert figures["needs_collected"] == 3  # 2 on the boundaries + the one resolved on 2 April (submitted 1 April)
    assert figures["needs_resolved"] == 3
    assert figures["matters_handled"] == 1
    assert figures["service_deliveries"] == 2
    # Served: e1 (needs, matter, delivery), e3 (needs), e6 (delivery).
    assert figures["enterprises_served"] == 3
    assert figures["roundtables_held"] == 2
    assert figures["agreements"] == 2
    assert figures["talent_events"] == 2
    assert figures["talent_subsidy_planned_wan"] == Decimal("2.23")  # (12,345.67 + 10,000) ÷ 10,000; held left out


def test_quarter_and_month_boundaries(flows, leader):
    q1 = flow_figures(_scope(leader, quarter_period(YEAR, 1)))
    assert (q1["needs_collected"], q1["needs_resolved"], q1["matters_handled"]) == (1, 2, 1)
    assert (q1["roundtables_held"], q1["agreements"], q1["talent_events"]) == (1, 2, 1)
    december = flow_figures(_scope(leader, month_period(YEAR, 12)))
    assert (december["needs_collected"], december["needs_resolved"], december["service_deliveries"]) == (1, 0, 1)
    assert december["talent_subsidy_planned_wan"] == Decimal("1.00")


def test_chain_filter(flows, area, leader):
    lh = flow_figures(_scope(leader, year_period(YEAR), chain=area.lh))
    assert (lh["needs_collected"], lh["needs_resolved"], lh["matters_handled"]) == (1, 2, 1)
    assert lh["service_deliveries"] == 2  # deliveries follow the enterprise's placement: e1 and e6 are on lh
    assert (lh["roundtables_held"], lh["agreements"]) == (1, 2)
    assert lh.get("talent_events") is None  # talent figures have no chain dimension


def test_office_filter(flows, area, leader):
    east = cockpit_summary(_scope(leader, year_period(YEAR), office=area.east))
    assert (east["needs_collected"], east["needs_resolved"], east["matters_handled"]) == (1, 2, 1)
    assert (east["service_deliveries"], east["enterprises_served"]) == (1, 1)
    assert east["projects_signed"] is None and east["roundtables_held"] is None and east["talent_events"] is None
    west = cockpit_summary(_scope(leader, year_period(YEAR), office=area.west))
    assert (west["needs_collected"], west["needs_resolved"], west["service_deliveries"]) == (2, 1, 1)


def test_office_handler_summary_is_their_office(flows, area, east_handler, client_for):
    data = client_for(east_handler).get("/api/v1/cockpit/summary", {"year": YEAR}).json()
    assert (data["needs_collected"], data["needs_resolved"], data["matters_handled"]) == (1, 2, 1)
