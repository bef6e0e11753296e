"""The talent lists' period filters: events `start`/`end`, entitlements and the ledger `period_from`/`period_to` (and
entitlements `planned`) list exactly what the cockpit's talent figures count (`talent.selectors.talent_figures`)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from talent import selectors
from talent.models import Disbursement, Entitlement, Policy, PolicyVersion, TalentEvent
from talent.tests.factories import TalentFactory

#: A custom period starting and ending mid-month: the months March to May overlap it.
PERIOD = (date(2026, 3, 15), date(2026, 5, 10))


@pytest.fixture
def records(db):
    for day in (date(2026, 3, 15), date(2026, 5, 10), date(2026, 3, 14), date(2026, 5, 11)):
        TalentEvent.objects.create(title=f"校企活动{day}", held_on=day)
    policy = Policy.objects.create(code="living", name="生活补贴")
    version = PolicyVersion.objects.create(
        policy=policy, number=1, legal_reference="文号", effective_from=date(2025, 1, 1), rule={}, amount={}
    )
    for month, amount, status, paid in [
        (2, "100.00", "approved", True),  # the month before: not counted
        (3, "1000.00", "approved", True),
        (4, "2000.00", "pending", False),
        (5, "4000.00", "approved", True),
        (5, "8000.00", "held", False),  # held: not planned
        (6, "16000.00", "approved", True),  # the month after: not counted
    ]:
        entitlement = Entitlement.objects.create(
            policy=policy,
            policy_version=version,
            talent=TalentFactory(),
            period=date(2026, month, 1),
            amount=Decimal(amount),
            status=status,
        )
        if paid:
            Disbursement.objects.create(
                entitlement=entitlement,
                policy=policy,
                talent=entitlement.talent,
                period=entitlement.period,
                amount=entitlement.amount,
            )


def _page(client, name, params):
    response = client.get(reverse(f"talent:{name}"), params)
    assert response.status_code == 200
    return response.context["page"]


def test_lists_hold_exactly_what_the_figures_count(records, client_for, leader):
    client = client_for(leader)
    start, end = PERIOD
    figures = selectors.talent_figures(leader, start, end)
    dates = {"start": start.isoformat(), "end": end.isoformat()}
    periods = {"period_from": start.isoformat(), "period_to": end.isoformat()}

    events = _page(client, "event_list", dates)
    assert events.paginator.count == figures["talent_events"] == 2

    planned = _page(client, "entitlement_list", {**periods, "planned": "true"})
    assert sum(e.amount for e in planned.object_list) / 10000 == figures["talent_subsidy_planned_wan"]
    assert planned.paginator.count == 3

    paid = _page(client, "ledger", periods)
    assert sum(d.amount for d in paid.object_list) / 10000 == figures["paid_wan"]
    assert paid.paginator.count == 2


def test_planned_false_lists_the_held_ones(records, client_for, leader):
    assert _page(client_for(leader), "entitlement_list", {"planned": "false"}).paginator.count == 1


def test_the_event_export_applies_the_dates(records, client_for, leader):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for(leader).get(
        reverse("talent:event_list"), {"start": "2026-03-15", "end": "2026-05-10", "export": "xlsx"}
    )
    assert load_workbook(BytesIO(response.content)).active.max_row - 1 == 2


@pytest.mark.parametrize(
    ("name", "params", "field", "message"),
    [
        ("event_list", {"start": "2026-13-01"}, "start", "有效的日期"),
        ("event_list", {"start": "2026-05-01", "end": "2026-04-01"}, "end", "不能早于"),
        ("entitlement_list", {"period_from": "x"}, "period_from", "有效的日期"),
        ("entitlement_list", {"period_to": "0001-01-01"}, "period_to", "大于或等于"),
        ("ledger", {"period_from": "2026-06-01", "period_to": "2026-03-01"}, "period_to", "不能早于"),
        ("ledger", {"period_to": "9999-12-31"}, "period_to", "小于或等于"),
    ],
)
def test_bad_dates_are_refused_in_chinese(records, client_for, leader, name, params, field, message):
    response = client_for(leader).get(reverse(f"talent:{name}"), params)
    assert response.status_code == 200
    assert message in str(response.context["filter"].errors[field])
    assert message in response.content.decode()
