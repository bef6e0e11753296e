"""Figures for the cockpit and the metrics pages: formulas computed from the records, constant query counts."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from service_requests.choices import SnapshotKind, State
from service_requests.models import ListSnapshot, ServiceRequest
from service_requests.selectors import metrics_by, problem_list, results_list, service_chain_figures
from service_requests.services.snapshots import snapshot_freeze
from service_requests.services.workflow import request_act
from service_requests.tests.factories import DeliveryFactory, MatterFactory, NeedFactory

YEAR = timezone.localdate().year
START, END = date(YEAR, 1, 1), timezone.localdate()


def _closed_need(world, *, on_time=True, rating=5, reopened=False):
    need: ServiceRequest = NeedFactory(enterprise=world.enterprise, instructor=world.instructor)  # type: ignore[assignment]
    request_act(actor=world.admin, request=need, action="accept")
    request_act(actor=world.admin, request=need, action="dispatch", lead_unit=world.unit)
    request_act(actor=world.handler, request=need, action="sign")
    if reopened:
        request_act(actor=world.handler, request=need, action="resolve", resolution="初步办理")
        request_act(actor=world.enterprise_user, request=need, action="feedback", rating=1)
    if on_time:
        request_act(actor=world.handler, request=need, action="resolve", resolution="已办结")
    else:
        need.due_at = timezone.now() - timedelta(days=1)
        need.save(update_fields=["due_at"])
        request_act(actor=world.handler, request=need, action="resolve", resolution="已办结")
    request_act(actor=world.enterprise_user, request=need, action="feedback", rating=rating)
    return need


def test_figures_follow_the_documented_formulas(world):
    _closed_need(world)
    _closed_need(world, on_time=False, rating=3)
    _closed_need(world, reopened=True, rating=4)
    NeedFactory(enterprise=world.enterprise, state=State.IN_PROGRESS, due_at=timezone.now() - timedelta(days=2))
    NeedFactory(enterprise=world.enterprise, state=State.MERGED)
    MatterFactory(
        enterprise=world.other_enterprise, service=world.service, state=State.DONE, resolved_at=timezone.now()
    )
    MatterFactory(enterprise=world.other_enterprise, service=world.service, state=State.ORDERED)
    DeliveryFactory(enterprise=world.enterprise)
    DeliveryFactory(enterprise=world.other_enterprise, kind="credit_support")
    figures = service_chain_figures(world.admin, START, END)
    assert figures["needs_collected"] == 4  # the merged one is not counted
    assert figures["needs_resolved"] == 3
    assert figures["needs_open"] == 1
    assert figures["needs_overdue"] == 1
    assert figures["resolved_on_time_rate"] == round(2 / 3, 4)
    assert figures["reopen_rate"] == round(1 / 3, 4)
    assert figures["satisfaction_rate"] == 1.0
    assert figures["signed_on_time_rate"] == 1.0
    assert figures["matters_handled"] == 1
    assert figures["enterprises_served"] == 2
    assert figures["service_deliveries"] == {"total": 2, "by_kind": {"policy_consultation": 1, "credit_support": 1}}


def test_figures_are_scoped_to_the_user(world):
    _closed_need(world)
    assert service_chain_figures(world.other_enterprise_user, START, END)["needs_resolved"] == 0
    assert service_chain_figures(world.other_instructor, START, END)["needs_resolved"] == 0
    assert service_chain_figures(world.instructor, START, END)["needs_resolved"] == 1


def test_figures_take_a_constant_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(2):
        _closed_need(world)
    with django_assert_max_num_queries(4):
        service_chain_figures(world.admin, START, END)
    for _ in range(4):
        _closed_need(world)
        DeliveryFactory(enterprise=world.enterprise)
    with django_assert_max_num_queries(4):
        service_chain_figures(world.admin, START, END)


def test_metrics_by_unit_count_each_units_work(world, django_assert_max_num_queries):
    _closed_need(world)
    _closed_need(world, on_time=False)
    with django_assert_max_num_queries(3):
        rows = metrics_by(world.admin, "unit", START, END)
    row = next(r for r in rows if r["key"] == world.unit.pk)
    assert (row["collected"], row["resolved"], row["resolution_rate"], row["resolved_on_time_rate"]) == (2, 2, 1.0, 0.5)
    assert row["avg_workdays_to_resolve"] == 0


@pytest.mark.parametrize("dimension", ["unit", "instructor", "service", "chain", "topic", "channel"])
def test_every_metrics_dimension_runs(world, dimension):
    _closed_need(world)
    assert isinstance(metrics_by(world.admin, dimension, START, END), list)


def test_problem_and_results_lists_by_period_and_unit(world):
    done = _closed_need(world)
    other_unit_need = NeedFactory(enterprise=world.enterprise, lead_unit=world.other_unit, state=State.IN_PROGRESS)
    assert list(results_list(world.admin, START, END, unit=world.unit)) == [done]
    assert list(problem_list(world.admin, START, END, unit=world.other_unit)) == [other_unit_need]
    assert list(results_list(world.admin, date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31))) == []


def test_a_month_freezes_once_and_stays_frozen(world):
    need = NeedFactory(
        enterprise=world.enterprise,
        state=State.IN_PROGRESS,
        submitted_at=timezone.make_aware(datetime(YEAR - 1, 5, 3, 10)),
    )
    snapshot = snapshot_freeze(actor=world.supervisor, kind=SnapshotKind.PROBLEMS, period=date(YEAR - 1, 5, 1))
    assert [row["id"] for row in snapshot.rows] == [need.pk]
    with pytest.raises(ValidationError):
        snapshot_freeze(actor=world.supervisor, kind=SnapshotKind.PROBLEMS, period=date(YEAR - 1, 5, 1))
    with pytest.raises(ValidationError):
        snapshot_freeze(actor=world.supervisor, kind=SnapshotKind.RESULTS, period=timezone.localdate())
    request_act(actor=world.admin, request=need, action="note", note="仍在办理")
    assert ListSnapshot.objects.get(pk=snapshot.pk).rows == snapshot.rows
