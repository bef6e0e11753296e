"""The roundtable and agreement lists' `chain`, `start`, `end`: the cockpit's roundtables held and agreements reached,
at the boundaries of a period (local midnight, first and last day)."""

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from chains.tests.factories import ChainFactory
from matching.models import Agreement, Roundtable

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


@pytest.fixture
def records(db):
    lh = ChainFactory(name="生命健康", code="lh")
    de = ChainFactory(name="数字经济", code="de")
    rt = {}
    for key, chain, day, status in [
        ("first", lh, date(2026, 3, 1), "held"),
        ("last", de, date(2026, 3, 31), "held"),
        ("eve", lh, date(2026, 2, 28), "held"),
        ("after", lh, date(2026, 4, 1), "held"),
        ("planned", lh, date(2026, 3, 15), "planned"),
    ]:
        rt[key] = Roundtable.objects.create(theme=key, chain=chain, held_on=day, venue="会议室", status=status)
    for title, roundtable, created in [
        ("首日零点", rt["first"], _at(date(2026, 3, 1), 0)),
        ("末日深夜", rt["last"], _at(date(2026, 3, 31), 23, 59, 59)),
        ("前日深夜", rt["first"], _at(date(2026, 2, 28), 23, 59, 59)),
        ("次月零点", rt["first"], _at(date(2026, 4, 1), 0)),
    ]:
        agreement = Agreement.objects.create(roundtable=roundtable, title=title, content="内容", status="in_progress")
        Agreement.objects.filter(pk=agreement.pk).update(created_at=created)
    return {"lh": lh, "de": de}


def _count(client, name, params):
    response = client.get(reverse(f"matching:{name}"), params)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_roundtables_held_in_the_period(records, client_for, leader):
    client = client_for(leader)
    assert _count(client, "roundtable_list", {"status": "held", **MARCH}) == 2
    assert _count(client, "roundtable_list", {"status": "held", "chain": records["lh"].pk, **MARCH}) == 1
    assert _count(client, "roundtable_list", MARCH) == 3  # the planned one too, without a status


def test_agreements_reached_in_the_period_local_midnight_to_midnight(records, client_for, leader):
    client = client_for(leader)
    assert _count(client, "agreement_list", MARCH) == 2
    assert _count(client, "agreement_list", {"chain": records["lh"].pk, **MARCH}) == 1
    assert _count(client, "agreement_list", {"chain": records["de"].pk, **MARCH}) == 1
    assert _count(client, "agreement_list", {"start": "2026-04-01"}) == 1


@pytest.mark.parametrize("name", ["roundtable_list", "agreement_list"])
@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-02-30"}, "start", "有效的日期"),
        ({"end": "0001-01-01"}, "end", "大于或等于"),
        ({"end": "9999-12-31"}, "end", "小于或等于"),
        ({"start": "2026-04-01", "end": "2026-03-01"}, "end", "不能早于"),
    ],
)
def test_bad_dates_are_refused_in_chinese(records, client_for, leader, name, params, field, message):
    response = client_for(leader).get(reverse(f"matching:{name}"), params)
    assert response.status_code == 200
    assert message in str(response.context["filter"].errors[field])
    assert message in response.content.decode()
