"""The workbench's and the deliveries list's `chain`, `office`, `start`, `end` (and the workbench's `date_field`,
`progress`, `merged`) list what `selectors.service_chain_figures` counts, at the period's boundaries."""

from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import UnitKind
from accounts.tests.factories import UnitFactory
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from enterprises.tests.factories import EnterpriseFactory
from service_requests import selectors
from service_requests.choices import State
from service_requests.tests.factories import DeliveryFactory, MatterFactory, NeedFactory

START, END = date(2025, 3, 1), date(2025, 3, 31)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def world(db):
    east = UnitFactory(name="东片管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    west = UnitFactory(name="西片管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    lh, de = ChainFactory(name="生命健康", code="lh"), ChainFactory(name="数字经济", code="de")
    inside = EnterpriseFactory(management_office=east)
    other_office = EnterpriseFactory(management_office=west)
    other_chain = EnterpriseFactory(management_office=east)
    PlacementFactory(enterprise=inside, link=LinkFactory(chain=lh))
    PlacementFactory(enterprise=other_office, link=LinkFactory(chain=lh))
    PlacementFactory(enterprise=other_chain, link=LinkFactory(chain=de))
    first, last = at(START, 0, 0), at(END, 23, 59)
    eve, next_morning = at(START - timedelta(days=1), 23, 59), at(END + timedelta(days=1), 0, 0)
    for submitted, state in [(first, State.SUBMITTED), (last, State.IN_PROGRESS), (eve, State.SUBMITTED)]:
        NeedFactory(enterprise=inside, chain=lh, submitted_at=submitted, state=state)
    NeedFactory(enterprise=inside, chain=lh, submitted_at=next_morning)
    NeedFactory(enterprise=inside, chain=lh, submitted_at=at(date(2025, 3, 9)), state=State.MERGED)
    NeedFactory(enterprise=other_office, chain=lh, submitted_at=at(date(2025, 3, 9)))
    NeedFactory(enterprise=inside, chain=de, submitted_at=at(date(2025, 3, 9)))
    for resolved_need, state in [(first, State.CLOSED), (last, State.RATED), (eve, State.VERIFIED)]:
        NeedFactory(
            enterprise=inside, chain=lh, submitted_at=at(date(2025, 2, 1)), state=state, resolved_at=resolved_need
        )
    for resolved, state in [
        (first, State.DONE),
        (last, State.RATED),
        (next_morning, State.DONE),
        (None, State.HANDLED),
    ]:
        MatterFactory(enterprise=inside, chain=lh, submitted_at=at(date(2025, 2, 1)), state=state, resolved_at=resolved)
    for enterprise, day in [
        (inside, START),
        (inside, END),
        (inside, START - timedelta(days=1)),
        (inside, END + timedelta(days=1)),
        (other_office, date(2025, 3, 9)),
        (other_chain, date(2025, 3, 9)),
    ]:
        DeliveryFactory(enterprise=enterprise, delivered_on=day)
    return {"east": east, "lh": lh}


def _count(client, name, params):
    response = client.get(reverse(f"service_requests:{name}"), params)
    assert response.status_code == 200
    assert not response.context["filter"].errors
    return response.context["page"].paginator.count


def test_workbench_and_deliveries_list_what_the_figures_count(world, client_for, leader):
    client = client_for(leader)
    scope = {"chain": world["lh"].pk, "office": world["east"].pk}
    figures = selectors.service_chain_figures(leader, START, END, chain=world["lh"], office=world["east"])
    need = {"view": "all", "kind": "need", **scope}
    collected = _count(client, "workbench", {**need, "merged": "false", "date_field": "submitted", **PERIOD})
    assert collected == figures["needs_collected"] == 2
    resolved = _count(client, "workbench", {**need, "progress": "finished", "date_field": "resolved", **PERIOD})
    assert resolved == figures["needs_resolved"] == 2
    open_ = _count(client, "workbench", {**need, "progress": "open", "end": END.isoformat()})
    assert open_ == figures["needs_open"] == 3
    matters = {"view": "all", "kind": "matter", "progress": "finished", "date_field": "resolved", **scope, **PERIOD}
    assert _count(client, "workbench", matters) == figures["matters_handled"] == 2
    deliveries = _count(client, "deliveries", {**scope, **PERIOD})
    assert deliveries == figures["service_deliveries"]["total"] == 2


def test_results_list_matches_needs_resolved(world, client_for, leader):
    response = client_for(leader).get(
        reverse("service_requests:results"), {"chain": world["lh"].pk, "office": world["east"].pk, **PERIOD}
    )
    figures = selectors.service_chain_figures(leader, START, END, chain=world["lh"], office=world["east"])
    assert response.context["page"].paginator.count == figures["needs_resolved"]


def test_the_period_defaults_to_the_submission_date(world, client_for, leader):
    client = client_for(leader)
    assert _count(client, "workbench", {"view": "all", "kind": "need", "chain": world["lh"].pk, **PERIOD}) == 4


def test_exports_and_pages_keep_the_filters(world, client_for, leader):
    client = client_for(leader)
    params = {"view": "all", "kind": "need", "merged": "false", "office": world["east"].pk, **PERIOD}
    export = client.get(reverse("service_requests:workbench"), {**params, "format": "xlsx"})
    assert load_workbook(BytesIO(export.content)).active.max_row - 1 == 3  # lh ×2 and de ×1 of the east office
    page = client.get(reverse("service_requests:deliveries"), {"office": world["east"].pk, **PERIOD}).content.decode()
    assert f"office={world['east'].pk}" in page and "format=xlsx" in page
    export = client.get(
        reverse("service_requests:deliveries"), {"office": world["east"].pk, "format": "xlsx", **PERIOD}
    )
    assert load_workbook(BytesIO(export.content)).active.max_row - 1 == 3  # inside ×2 and other_chain


@pytest.mark.parametrize("name", ["workbench", "deliveries"])
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2025-02-30"}, "start", "有效的日期"),
        ({"end": "0001-01-01"}, "end", "大于或等于"),
        ({"end": "9999-12-31"}, "end", "小于或等于"),
        ({"start": "2025-04-01", "end": "2025-03-01"}, "end", "不能早于"),
        ({"office": "abc"}, "office", "选择"),
        ({"chain": "99999999"}, "chain", "选择"),
    ],
)
def test_bad_filters_are_refused_in_chinese(world, client_for, leader, name, params, field, message):
    response = client_for(leader).get(reverse(f"service_requests:{name}"), {"view": "all", **params})
    assert response.status_code == 200
    assert message in str(response.context["filter"].errors[field])
    assert message in response.content.decode()
