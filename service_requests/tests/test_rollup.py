"""The maintained totals of the cockpit: written by the services in the request's transaction, equal to a rebuild
from the rows after any workflow, and giving the same figures as counting the rows."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.choices import UnitKind
from accounts.tests.factories import UnitFactory
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from enterprises.services import enterprise_update
from service_requests import rollup
from service_requests.models import (
    DailyTotal,
    ServedCount,
    ServedMonths,
    ServiceRequest,
    StateCount,
    UnitStateCount,
)
from service_requests.selectors import badge_counts, service_chain_figures
from service_requests.services.deliveries import delivery_record
from service_requests.services.intake import matter_order, matters_import_handled, need_create
from service_requests.services.workflow import request_act
from service_requests.tests.factories import DeliveryFactory

TODAY = timezone.localdate()
YEAR = TODAY.year


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _tables() -> tuple[set, set, set, set, set]:
    totals = {
        tuple(getattr(row, f) for f in ("day", "chain_key", "office_key", *rollup.COUNTERS))
        for row in DailyTotal.objects.all()
        if any(getattr(row, c) for c in rollup.COUNTERS)
    }
    served = {
        tuple(getattr(row, f) for f in ("enterprise_id", "year", "office_key", *rollup.MONTHS))
        for row in ServedMonths.objects.all()
        if any(getattr(row, m) for m in rollup.MONTHS)
    }
    states = {(row.kind, row.state, row.n) for row in StateCount.objects.all() if row.n}
    unit_states = {
        (row.unit_key, row.office_key, row.kind, row.state, row.n) for row in UnitStateCount.objects.all() if row.n
    }
    served_counts = {
        (row.year, row.first_month, row.last_month, row.office_key, row.n) for row in ServedCount.objects.all() if row.n
    }
    return totals, served, states, unit_states, served_counts


def _resolve(world, need, *, at: datetime, rating: int | None = 5, reopen: bool = False):
    request_act(actor=world.admin, request=need, action="accept", at=at)
    request_act(actor=world.admin, request=need, action="dispatch", lead_unit=world.unit, at=at)
    request_act(actor=world.handler, request=need, action="sign", at=at)
    if reopen:
        request_act(actor=world.handler, request=need, action="resolve", resolution="初步办理", at=at)
        request_act(actor=world.enterprise_user, request=need, action="feedback", rating=1, at=at)
    request_act(actor=world.handler, request=need, action="resolve", resolution="已办结", at=at)
    if rating:
        request_act(actor=world.enterprise_user, request=need, action="feedback", rating=rating, at=at)
    return need


@pytest.fixture
def busy(world):
    """A year of service work across two chains and two management offices, written through the services."""
    office_a = UnitFactory(name="一管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    office_b = UnitFactory(name="二管理处", kind=UnitKind.MANAGEMENT_OFFICE)
    chain = ChainFactory(name="生命健康", code="life_health_t")
    other_chain = ChainFactory(name="数字经济", code="digital_t")
    enterprise_update(actor=world.admin, enterprise=world.enterprise, management_office=office_a)
    enterprise_update(actor=world.admin, enterprise=world.other_enterprise, management_office=office_b)
    PlacementFactory(enterprise=world.enterprise, link=LinkFactory(chain=chain))
    PlacementFactory(enterprise=world.other_enterprise, link=LinkFactory(chain=other_chain))
    jan, mar = date(YEAR, 1, 31), date(YEAR, 3, 1)
    dec_last_year = date(YEAR - 1, 12, 31)
    needs = [
        need_create(actor=world.enterprise_user, enterprise=world.enterprise, title=f"诉求{i}", at=_at(day))
        for i, day in enumerate([jan, jan, mar, dec_last_year])
    ]
    _resolve(world, needs[0], at=_at(date(YEAR, 2, 1)))
    _resolve(world, needs[1], at=_at(mar), rating=3, reopen=True)
    _resolve(world, needs[3], at=_at(date(YEAR, 1, 1), hour=0))  # collected last year, resolved on 1 January
    merged = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="重复诉求", at=_at(mar))
    request_act(actor=world.admin, request=merged, action="merge", target=needs[2], at=_at(mar))
    other_need = need_create(
        actor=world.other_enterprise_user, enterprise=world.other_enterprise, title="用地", at=_at(mar)
    )
    request_act(actor=world.admin, request=other_need, action="accept", at=_at(mar))  # overdue by now
    fresh = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="新诉求")  # clock still running
    request_act(actor=world.admin, request=fresh, action="accept")
    asked = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="补充材料", at=_at(mar))
    request_act(actor=world.admin, request=asked, action="accept", at=_at(mar))
    request_act(actor=world.admin, request=asked, action="dispatch", lead_unit=world.unit, at=_at(mar))
    request_act(actor=world.handler, request=asked, action="sign", at=_at(mar))
    request_act(actor=world.handler, request=asked, action="ask_info", note="请补充", at=_at(mar))  # clock stopped
    matter = matter_order(
        actor=world.other_enterprise_user,
        enterprise=world.other_enterprise,
        service=world.service,
        form_data={"staff_count": 1},
    )
    request_act(actor=world.handler, request=matter, action="accept")
    request_act(actor=world.handler, request=matter, action="handle")
    request_act(actor=world.handler, request=matter, action="complete", resolution="已办")
    matters_import_handled(
        actor=world.admin,
        rows=[
            {
                "enterprise": world.enterprise,
                "service": world.service,
                "form_data": {"staff_count": 2},
                "ordered_at": _at(jan),
                "done_at": _at(date(YEAR, 2, 3)),
                "rating": 5,
            }
        ],
    )
    delivery_record(
        actor=world.admin, enterprise=world.other_enterprise, kind="visit_service", delivered_on=mar, title="走访"
    )
    DeliveryFactory(enterprise=world.enterprise, delivered_on=date(YEAR - 1, 6, 1))
    return {"office_a": office_a, "office_b": office_b, "chain": chain, "other_chain": other_chain}


def test_maintained_tables_equal_a_rebuild_from_the_rows(world, busy):
    maintained = _tables()
    assert all(maintained), "the services wrote every table"
    rollup.rebuild()
    assert _tables() == maintained


def _served_from_months(year: int, first: int, last: int, office=None) -> int:
    """The rule of `ServedCount`, counted from the served months (the query served_count ran before the counts)."""
    from django.db.models import Q

    condition = Q()
    for month in range(first, last + 1):
        condition |= Q(**{f"m{month}__gt": 0})
    qs = ServedMonths.objects.filter(condition, year=year)
    return (qs.filter(office_key=office.pk) if office else qs).count()


def _assert_served_counts_equal_the_months(offices) -> None:
    for year in (YEAR - 1, YEAR):
        for first, last, _bits in rollup.SPANS:
            for office in (None, *offices):
                start = date(year, first, 1)
                end = date(year + (last == 12), last % 12 + 1, 1) - timedelta(days=1)
                expected = _served_from_months(year, first, last, office)
                assert rollup.served_count(start, end, office=office) == expected, (year, first, last, office)


def test_served_counts_equal_the_served_months_for_every_span(world, busy):
    offices = (busy["office_a"], busy["office_b"])
    _assert_served_counts_equal_the_months(offices)
    # a delivery in a new month, one in a served month, and the removal of one: every span they touch follows
    delivery_record(
        actor=world.admin,
        enterprise=world.enterprise,
        kind="visit_service",
        delivered_on=date(YEAR, 7, 5),
        title="七月",
    )
    delivery_record(
        actor=world.admin,
        enterprise=world.enterprise,
        kind="visit_service",
        delivered_on=date(YEAR, 1, 5),
        title="一月",
    )
    from service_requests.models import ServiceDelivery

    rollup.record_delivery(ServiceDelivery.objects.get(title="走访"), sign=-1)
    ServiceDelivery.objects.filter(title="走访").delete()
    _assert_served_counts_equal_the_months(offices)
    enterprise_update(actor=world.admin, enterprise=world.other_enterprise, management_office=busy["office_a"])
    _assert_served_counts_equal_the_months(offices)
    maintained = _tables()
    rollup.rebuild()
    assert _tables() == maintained


def test_served_count_reads_one_row_per_office(world, busy, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert rollup.served_count(date(YEAR, 1, 1), date(YEAR, 12, 31)) == 2
    with django_assert_num_queries(1):
        assert rollup.served_count(date(YEAR, 1, 1), date(YEAR, 3, 31), office=busy["office_b"]) == 1
    assert rollup.served_count(date(YEAR, 1, 1), date(YEAR, 1, 30)) is None


PERIODS = [
    (date(YEAR, 1, 1), date(YEAR, 12, 31)),  # the year
    (date(YEAR, 1, 1), date(YEAR, 3, 31)),  # Q1
    (date(YEAR, 1, 1), date(YEAR, 1, 31)),  # January
    (date(YEAR, 2, 1), date(YEAR, 2, 28)),  # February
    (date(YEAR, 1, 1), TODAY),  # year to date
    (date(YEAR, 1, 31), date(YEAR, 3, 1)),  # custom, not whole months
    (date(YEAR - 1, 12, 1), date(YEAR, 1, 31)),  # custom across years
]


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_figures_from_totals_equal_figures_from_rows(world, busy, start, end):
    for chain in (None, busy["chain"], busy["other_chain"]):
        for office in (None, busy["office_a"], busy["office_b"]):
            from_totals = service_chain_figures(world.admin, start, end, chain=chain, office=office)
            from_rows = service_chain_figures(world.admin, start, end, chain=chain, office=office, from_rows=True)
            assert from_totals == from_rows, (start, end, chain, office)


def test_hand_counted_year(world, busy):
    figures = service_chain_figures(world.leader, date(YEAR, 1, 1), date(YEAR, 12, 31))
    # five of this year's needs and the other enterprise's; the merged one and last year's are out
    assert figures["needs_collected"] == 6
    assert (figures["needs_open"], figures["needs_overdue"]) == (4, 2)  # the fresh and the asked one are not overdue
    assert figures["needs_resolved"] == 3  # two of this year, one collected last year and resolved on 1 January
    assert figures["reopen_rate"] == round(1 / 3, 4)
    assert figures["matters_handled"] == 2
    assert figures["enterprises_served"] == 2
    january = service_chain_figures(world.leader, date(YEAR, 1, 1), date(YEAR, 1, 31))
    assert (january["needs_collected"], january["needs_resolved"], january["matters_handled"]) == (2, 1, 0)


def test_moving_an_enterprise_to_another_office_moves_its_figures(world, busy):
    year = (date(YEAR, 1, 1), date(YEAR, 12, 31))
    before_a = service_chain_figures(world.admin, *year, office=busy["office_a"])
    assert before_a["needs_collected"] == 5
    enterprise_update(actor=world.admin, enterprise=world.enterprise, management_office=busy["office_b"])
    after_a = service_chain_figures(world.admin, *year, office=busy["office_a"])
    after_b = service_chain_figures(world.admin, *year, office=busy["office_b"])
    assert (after_a["needs_collected"], after_a["enterprises_served"]) == (0, 0)
    assert (after_b["needs_collected"], after_b["enterprises_served"]) == (6, 2)
    assert after_b == service_chain_figures(world.admin, *year, office=busy["office_b"], from_rows=True)
    maintained = _tables()
    rollup.rebuild()
    assert _tables() == maintained


def test_month_span_rules():
    assert rollup._month_span(date(2026, 1, 1), date(2026, 12, 31), today=date(2026, 11, 27)) == range(1, 13)
    assert rollup._month_span(date(2026, 1, 1), date(2026, 11, 27), today=date(2026, 11, 27)) == range(1, 12)
    assert rollup._month_span(date(2026, 2, 1), date(2026, 2, 28), today=date(2026, 11, 27)) == range(2, 3)
    assert rollup._month_span(date(2026, 2, 1), date(2026, 2, 27), today=date(2026, 11, 27)) is None
    assert rollup._month_span(date(2026, 2, 2), date(2026, 2, 28), today=date(2026, 11, 27)) is None
    assert rollup._month_span(date(2025, 12, 1), date(2026, 1, 31), today=date(2026, 11, 27)) is None


def test_area_figures_take_a_constant_number_of_queries(world, busy, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        service_chain_figures(world.admin, date(YEAR, 1, 1), date(YEAR, 12, 31))
    for day in range(1, 6):
        need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="又一", at=_at(date(YEAR, 4, day)))
    with django_assert_max_num_queries(4):
        service_chain_figures(world.admin, date(YEAR, 1, 1), date(YEAR, 12, 31))


def test_rebuild_is_idempotent(world, busy):
    rollup.rebuild()
    first = _tables()
    rollup.rebuild()
    assert _tables() == first
    assert first[1], "served months were rebuilt"


def test_at_dates_are_local_days(world, busy):
    """A request resolved at 00:00 local time on 1 January counts for that day, not the UTC day before."""
    row = DailyTotal.objects.filter(day=date(YEAR, 1, 1)).first()
    assert row is not None and row.resolved == 1
    assert not DailyTotal.objects.filter(day=date(YEAR - 1, 12, 31), resolved__gt=0).exists()
    assert timedelta(0) != timezone.localtime().utcoffset()  # the project runs on Asia/Shanghai


def test_deleting_a_delivery_in_the_admin_takes_it_out_of_the_served_months(world, busy, client):
    from service_requests.models import ServiceDelivery

    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    delivery = ServiceDelivery.objects.get(title="走访")
    response = client.post(f"/admin/service_requests/servicedelivery/{delivery.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ServiceDelivery.objects.filter(pk=delivery.pk).exists()
    maintained = _tables()
    rollup.rebuild()
    assert _tables() == maintained


def test_area_badges_from_state_counts_equal_badges_from_rows(world, busy):
    from accounts.choices import Role
    from accounts.tests.factories import UserFactory

    need = need_create(
        actor=world.enterprise_user, enterprise=world.enterprise, title="待核验", at=_at(date(YEAR, 3, 2))
    )
    _resolve(world, need, at=_at(date(YEAR, 3, 2)), rating=5)
    supervisor = UserFactory(role=Role.SUPERVISOR)
    for user in (world.admin, world.leader, supervisor, world.supervisor):
        assert badge_counts(user) == badge_counts(user, from_rows=True), user.role
    assert badge_counts(world.admin)["overdue"] == 2
    assert badge_counts(world.admin)["awaiting_verify"] >= 1


def test_workbench_page_count_comes_from_the_badges(world, busy, client, django_assert_max_num_queries):
    client.force_login(world.admin)
    response = client.get("/services/requests/?view=overdue")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == badge_counts(world.admin, from_rows=True)["overdue"] == len(page.object_list)
    filtered = client.get(f"/services/requests/?view=overdue&chain={busy['chain'].pk}")
    assert filtered.context["page"].paginator.count == 1  # the office A firm's overdue need; counted, not badged


@pytest.fixture
def handled(world, busy):
    """Work a department's and a management office's handlers see beyond what their unit leads: a need co-handled by
    the department, a need of its catalog service dispatched elsewhere, the handler named as runner on another unit's
    need, and an office's enterprise whose needs other units lead."""
    from accounts.choices import Role
    from accounts.tests.factories import UserFactory

    office_handler = UserFactory(role=Role.HANDLER, username="w_office_handler", unit=busy["office_a"])
    co_handled = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="协办", at=_at(TODAY))
    request_act(actor=world.admin, request=co_handled, action="accept")
    request_act(
        actor=world.admin, request=co_handled, action="dispatch", lead_unit=world.other_unit, co_units=[world.unit]
    )
    of_service = need_create(
        actor=world.other_enterprise_user,
        enterprise=world.other_enterprise,
        title="按服务",
        service=world.service,
        form_data={"staff_count": 1},
    )
    request_act(actor=world.admin, request=of_service, action="accept", at=_at(date(YEAR, 3, 2)))  # overdue
    waiting = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="待派", at=_at(TODAY))
    request_act(actor=world.admin, request=waiting, action="accept")
    named = need_create(actor=world.other_enterprise_user, enterprise=world.other_enterprise, title="跑腿")
    request_act(actor=world.admin, request=named, action="accept", runner=world.handler.pk)
    request_act(actor=world.admin, request=named, action="dispatch", lead_unit=world.other_unit)
    request_act(actor=world.other_handler, request=named, action="sign")
    led_named = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="本单位跑腿")
    request_act(actor=world.admin, request=led_named, action="accept", interpreter=world.handler.pk)
    request_act(actor=world.admin, request=led_named, action="dispatch", lead_unit=world.unit)
    request_act(actor=world.handler, request=led_named, action="sign")
    request_act(actor=world.handler, request=led_named, action="ask_info", note="请补充")  # mine only as named
    return {"office_handler": office_handler}


def _handlers(world, handled) -> list:
    return [world.handler, world.other_handler, world.co_handler, handled["office_handler"]]


def test_handler_badges_from_unit_counts_equal_badges_from_rows(world, handled):
    for user in _handlers(world, handled):
        assert badge_counts(user) == badge_counts(user, from_rows=True), user.username
    mine = badge_counts(world.handler)
    assert mine["mine"] >= 2 and mine["overdue"] >= 1 and mine["intake"] >= 1
    assert badge_counts(handled["office_handler"])["intake"] >= 2  # the office's enterprise's needs, led by nobody


def test_handler_badges_follow_a_transfer_and_an_office_move(world, busy, handled):
    from service_requests.models import ServiceRequest

    need = ServiceRequest.objects.get(title="协办")
    request_act(actor=world.other_handler, request=need, action="sign")
    request_act(actor=world.other_handler, request=need, action="transfer", lead_unit=world.unit, reason="职责")
    enterprise_update(actor=world.admin, enterprise=world.other_enterprise, management_office=busy["office_a"])
    for user in _handlers(world, handled):
        assert badge_counts(user) == badge_counts(user, from_rows=True), user.username
    maintained = _tables()
    rollup.rebuild()
    assert _tables() == maintained


def test_handler_workbench_counts_without_counting_the_backlog(world, handled, client, django_assert_num_queries):
    """Session, user, unit; the unit's cells, its running clocks, the rest of the scope's rows; three filter choices;
    the page (its count is the badge's)."""
    client.force_login(world.handler)
    with django_assert_num_queries(10):
        response = client.get("/services/requests/")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == badge_counts(world.handler, from_rows=True)["mine"] == len(page.object_list)


def _requests_off_their_enterprise_office() -> list[tuple[int, int | None, int | None]]:
    """Requests whose `office` differs from their enterprise's management office (NULL-aware)."""
    return [
        (pk, office, enterprise_office)
        for pk, office, enterprise_office in ServiceRequest.objects.values_list(
            "pk", "office_id", "enterprise__management_office_id"
        )
        if office != enterprise_office
    ]


def test_every_request_keeps_its_enterprise_office(world, busy):
    """Intake (a need, an order, the window's import) writes the enterprise's office on the request, and moving the
    enterprise moves all its requests: an office's workbench and figures read the request's own column."""
    assert ServiceRequest.objects.filter(office=busy["office_a"]).count() > 0
    assert ServiceRequest.objects.filter(office=busy["office_b"]).count() > 0
    assert _requests_off_their_enterprise_office() == []
    enterprise_update(actor=world.admin, enterprise=world.enterprise, management_office=busy["office_b"])
    assert _requests_off_their_enterprise_office() == []
    assert not ServiceRequest.objects.filter(office=busy["office_a"]).exists()
    enterprise_update(actor=world.admin, enterprise=world.other_enterprise, management_office=None)
    assert _requests_off_their_enterprise_office() == []
    assert ServiceRequest.objects.filter(enterprise=world.other_enterprise, office__isnull=True).count() == 2


def test_an_office_already_set_on_the_instance_still_moves_the_row_and_its_figures(world, busy):
    """A form sets the new office on the instance before the service runs: the service compares with the database, so
    the row is saved and the figures move with it (they used to move while the row kept its old office)."""
    from enterprises.models import Enterprise

    enterprise = Enterprise.objects.get(pk=world.enterprise.pk)
    enterprise.management_office = busy["office_b"]  # what a bound ModelForm does on is_valid()
    enterprise_update(actor=world.admin, enterprise=enterprise, management_office=busy["office_b"])
    assert Enterprise.objects.get(pk=enterprise.pk).management_office_id == busy["office_b"].pk
    assert _requests_off_their_enterprise_office() == []
    maintained = _tables()
    rollup.rebuild()
    assert _tables() == maintained
