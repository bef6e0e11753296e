"""Following a figure's link lists exactly the records the figure counts.

Every figure with a link, in every widget, is followed as the leader (a real request through the test client) under
three scopes over a custom period that starts and ends mid-month (15 March – 10 May 2025):

- chain `lh` + the east office: the organization and service chains (investment, roundtables, agreements and talent
  have no office and show "—");
- chain `lh`: investment, roundtables and agreements too;
- the whole area: talent too (it has neither chain nor office).

The records sit just inside and just outside each boundary: the period's first and last day (local midnight and the
last minute), the other chain, the other office, and the states a figure leaves out (merged, dropped, held, planned).
Counting figures are compared with the list's total; amounts (万元) with the sum of the listed records.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from investment.models import InvestmentTeam, Project
from matching.models import Agreement, Roundtable
from service_requests.choices import DeliveryKind, State
from service_requests.tests.factories import DeliveryFactory, MatterFactory, NeedFactory
from talent.models import Disbursement, Entitlement, Policy, PolicyVersion, TalentEvent
from talent.tests.factories import TalentFactory

START, END = date(2025, 3, 15), date(2025, 5, 10)
BEFORE, AFTER, INSIDE = START - timedelta(days=1), END + timedelta(days=1), date(2025, 4, 1)
PERIOD = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}

#: Figures whose list's total is the figure (coverage links open the chain's coverage page instead).
COUNTED_BY_LIST = {
    "organizations",
    "members",
    "pioneer_posts",
    "commando_teams",
    "placed",
    "needs_collected",
    "needs_resolved",
    "needs_open",
    "needs_overdue",
    "matters_handled",
    "service_deliveries",
    "projects_signed",
    "projects",
    "roundtables_held",
    "agreements",
    "talent_events",
}
#: Amounts: the figure (万元) is the sum of the listed records' field ÷ divisor.
SUMMED_BY_LIST = {
    "investment_signed_wan": ("amount_wan", 1),
    "talent_subsidy_planned_wan": ("amount", 10000),
    "talent_subsidy_paid_wan": ("amount", 10000),
}


def at(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


FIRST_MOMENT, LAST_MOMENT = at(START, 0, 0), at(END, 23, 59)
EVE, NEXT_MORNING = at(BEFORE, 23, 59), at(AFTER, 0, 0)


def _figures(context):
    figures = list(context["figures"])
    for table in ("table", "table2"):
        if context.get(table):
            for row in context[table]["rows"]:
                figures += row["cells"]
    return figures


def _page(context):
    return context["page_obj"] if "page_obj" in context else context["page"]


@pytest.fixture
def records(area):
    """Service requests, deliveries, projects, roundtables, agreements and talent records around the period.

    e1 (east, on lh) is the firm inside the scope; e3 (west, on lh) is the other office; e7 (east, on de only) the
    other chain for deliveries; requests carry their own chain."""
    e1, e2, e3, e7 = area.e[1], area.e[2], area.e[3], area.e[7]
    lh, de = area.lh, area.de

    def need(submitted, state=State.SUBMITTED, enterprise=e1, chain=lh, **kwargs):
        return NeedFactory(enterprise=enterprise, chain=chain, submitted_at=submitted, state=state, **kwargs)

    # Collected (submitted in the period, not merged) and open now: N1, N2; collected and resolved: R2.
    need(FIRST_MOMENT)
    need(LAST_MOMENT, State.IN_PROGRESS)
    need(EVE)  # open, submitted before the period: open, not collected
    need(NEXT_MORNING)  # submitted after the period: neither
    need(at(INSIDE), State.MERGED)  # never counted
    need(at(INSIDE), enterprise=e3)  # the other office
    need(at(INSIDE), chain=de)  # the other chain
    # Resolved in the period (by resolved_at): R1, R2; just outside: R3, R4.
    need(at(date(2025, 3, 1)), State.CLOSED, resolved_at=FIRST_MOMENT)
    need(at(INSIDE), State.RATED, resolved_at=LAST_MOMENT)
    need(at(date(2025, 2, 1)), State.VERIFIED, resolved_at=NEXT_MORNING)
    need(at(date(2025, 3, 1)), State.RESOLVED, resolved_at=EVE)
    # Overdue now (and open, submitted before the period's end).
    need(at(date(2025, 1, 2)), State.IN_PROGRESS, due_at=timezone.now() - timedelta(days=1))
    # Matters done in the period (done or rated): M1, M2; outside: after, still open, other office.
    for state, resolved, enterprise in [
        (State.DONE, FIRST_MOMENT, e1),
        (State.RATED, LAST_MOMENT, e1),
        (State.DONE, NEXT_MORNING, e1),
        (State.DONE, EVE, e1),
        (State.HANDLED, None, e1),
        (State.DONE, at(INSIDE), e3),
    ]:
        MatterFactory(
            enterprise=enterprise, chain=lh, state=state, submitted_at=at(date(2025, 3, 1)), resolved_at=resolved
        )
    # Deliveries: first and last day inside; the eve, the next day, the other chain, the other office outside.
    DeliveryFactory(enterprise=e1, delivered_on=START)
    DeliveryFactory(enterprise=e2, delivered_on=END, kind=DeliveryKind.CREDIT_SUPPORT)
    for enterprise, day in [(e1, BEFORE), (e1, AFTER), (e7, INSIDE), (e3, INSIDE)]:
        DeliveryFactory(enterprise=enterprise, delivered_on=day)
    # Projects (no office): signed on the first and last day; the eve, the next day, dropped, the other chain.
    team = InvestmentTeam.objects.create(name="第一招商组")
    for name, chain, stage, signed_on, amount in [
        ("首日签约", lh, "signed", START, "1200.50"),
        ("末日投产", lh, "production", END, "800.25"),
        ("前一日签约", lh, "signed", BEFORE, "1"),
        ("后一日签约", lh, "registered", AFTER, "2"),
        ("签约后终止", lh, "dropped", INSIDE, "4"),
        ("他链签约", de, "signed", INSIDE, "8"),
        ("洽谈中", lh, "negotiating", None, "16"),
    ]:
        Project.objects.create(
            name=name, team=team, chain=chain, stage=stage, signed_on=signed_on, amount_wan=Decimal(amount)
        )
    # Roundtables held on the first and last day; the eve, the next day, a planned one, the other chain.
    rt = {}
    for key, chain, day, status in [
        ("first", lh, START, "held"),
        ("last", lh, END, "held"),
        ("eve", lh, BEFORE, "held"),
        ("next", lh, AFTER, "held"),
        ("planned", lh, INSIDE, "planned"),
        ("other", de, INSIDE, "held"),
    ]:
        rt[key] = Roundtable.objects.create(theme=key, chain=chain, held_on=day, venue="会议室", status=status)
    # Agreements reached from local midnight of the first day to the last second of the last.
    for roundtable, created, status in [
        (rt["first"], FIRST_MOMENT, "in_progress"),
        (rt["last"], at(END, 23, 59, 59), "completed"),
        (rt["first"], at(BEFORE, 23, 59, 59), "in_progress"),
        (rt["first"], NEXT_MORNING, "in_progress"),
        (rt["other"], at(INSIDE), "in_progress"),
    ]:
        agreement = Agreement.objects.create(roundtable=roundtable, title=str(created), content="内容", status=status)
        Agreement.objects.filter(pk=agreement.pk).update(created_at=created)
    # Talent (no chain, no office): events on the first and last day and just outside; entitlements of the months
    # the period overlaps (March–May), one held; the months before and after; payments of some of them.
    for day in (START, END, BEFORE, AFTER):
        TalentEvent.objects.create(title=f"校企活动{day}", held_on=day)
    policy = Policy.objects.create(code="living", name="生活补贴")
    version = PolicyVersion.objects.create(
        policy=policy, number=1, legal_reference="文号", effective_from=date(2024, 1, 1), rule={}, amount={}
    )
    for month, amount, status, paid in [
        (2, "100.00", "approved", True),
        (3, "1000.00", "approved", True),
        (4, "2000.00", "pending", False),
        (5, "4000.00", "approved", True),
        (5, "8000.00", "held", False),
        (6, "16000.00", "approved", True),
    ]:
        entitlement = Entitlement.objects.create(
            policy=policy,
            policy_version=version,
            talent=TalentFactory(employer=e1),
            period=date(2025, month, 1),
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
    return area


#: Hand counts of the figures under chain lh + east office (the records above and the area of conftest.py).
LH_EAST = {
    "organizations": 1,  # org_lh1 (covers e1, e2)
    "members": 3,
    "pioneer_posts": 2,
    "commando_teams": 0,
    "needs_collected": 3,
    "needs_resolved": 2,
    "needs_open": 4,
    "needs_overdue": 1,
    "matters_handled": 2,
    "service_deliveries": 2,
}
LH = {
    "projects_signed": 2,
    "investment_signed_wan": Decimal("2000.75"),
    "roundtables_held": 2,
    "agreements": 2,
}
AREA = {
    "talent_events": 2,
    "talent_subsidy_planned_wan": Decimal("0.70"),  # (1,000 + 2,000 + 4,000) ÷ 10,000; held left out
    "talent_subsidy_paid_wan": Decimal("0.50"),  # 1,000 + 4,000
}


def _follow_every_link(client, params):
    """{figure key: [(figure value, listed value, url)]} over every widget's figures with a link."""
    from cockpit.widgets import all_widgets

    seen: dict[str, list] = {}
    for widget in all_widgets():
        response = client.get(reverse("cockpit:widget", args=[widget.key]), params)
        assert response.status_code == 200
        for figure in _figures(response.context):
            if not figure.url or (figure.key not in COUNTED_BY_LIST and figure.key not in SUMMED_BY_LIST):
                continue
            page = client.get(figure.url)
            assert page.status_code == 200, figure.url
            filterset = page.context.get("filter") or page.context.get("form")
            assert not (filterset is not None and filterset.errors), (figure.url, filterset.errors)
            listed = _page(page.context)
            if figure.key in SUMMED_BY_LIST:
                field, divisor = SUMMED_BY_LIST[figure.key]
                assert listed.paginator.count == len(listed.object_list), "the sum needs every record on one page"
                value = sum((getattr(r, field) for r in listed.object_list), Decimal(0)) / divisor
            else:
                value = listed.paginator.count
            seen.setdefault(figure.key, []).append((figure.value, value, figure.url))
    return seen


def _assert_links_list_what_figures_count(seen, expected):
    for key, links in seen.items():
        for figure_value, listed, url in links:
            assert listed == figure_value, (key, url)
    for key, value in expected.items():
        assert key in seen, f"{key} has no link"
        assert seen[key][0][0] == value, key  # the headline figure is the hand count


def test_chain_and_office_scope(records, leader, client_for):
    seen = _follow_every_link(client_for(leader), {**PERIOD, "chain": "lh", "office": records.east.pk})
    _assert_links_list_what_figures_count(seen, LH_EAST)
    assert "placed" in seen
    # No office dimension: shown as "—", without a link to area-wide lists.
    assert not {"projects_signed", "projects", "roundtables_held", "agreements", "talent_events"} & set(seen)


def test_chain_scope(records, leader, client_for):
    seen = _follow_every_link(client_for(leader), {**PERIOD, "chain": "lh"})
    _assert_links_list_what_figures_count(seen, LH)
    assert {"projects", "needs_collected", "organizations"} <= set(seen)


def test_area_scope(records, leader, client_for):
    seen = _follow_every_link(client_for(leader), PERIOD)
    _assert_links_list_what_figures_count(seen, AREA)
    assert set(seen) == COUNTED_BY_LIST | set(SUMMED_BY_LIST)  # every kind of figure has been followed


@pytest.mark.parametrize("params", [{}, {"chain": "lh"}, {"chain": "de"}])
def test_organization_figures_link_to_lists_of_the_same_size(params, area, leader, client_for):
    client = client_for(leader)
    widget = client.get(reverse("cockpit:widget", args=["organization"]), params)
    checked = 0
    for figure in _figures(widget.context):
        if figure.key in COUNTED_BY_LIST and figure.url:
            page = client.get(figure.url)
            assert page.status_code == 200, figure.url
            assert page.context["page_obj"].paginator.count == figure.value, (figure.key, figure.url)
            checked += 1
    assert checked >= 4


def test_every_link_of_every_widget_opens_a_page(area, leader, client_for):
    from cockpit.widgets import all_widgets

    client = client_for(leader)
    urls = set()
    for widget in all_widgets():
        context = client.get(reverse("cockpit:widget", args=[widget.key]), {"period": "year"}).context
        urls |= {figure.url for figure in _figures(context) if figure.url}
    assert len(urls) > 15
    for url in sorted(urls):
        assert client.get(url).status_code == 200, url
