"""The talent demo builder on a faked foundation context: planned payouts above 2,500 万元, 21 events this year."""

import time
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.tests.factories import UserFactory
from demo.builders import DemoContext
from demo.builders import talent as builder
from enterprises.tests.factories import EnterpriseFactory
from talent.models import Disbursement, Entitlement, Talent, TalentEvent
from talent.selectors import talent_figures


@pytest.fixture
def ctx(db):
    context = DemoContext()
    enterprises = EnterpriseFactory.create_batch(60)
    for e in enterprises[:15]:
        e.is_key = True
        e.save()
    context.shared["enterprises"] = enterprises
    context.shared["key_enterprises"] = enterprises[:15]
    context.users = {
        "admin": UserFactory(role="admin", username="demo_admin"),
        "talent": UserFactory(role="talent", username="demo_talent"),
        "enterprise": UserFactory(role="enterprise", username="demo_enterprise", enterprise=enterprises[3]),
    }
    return context


def test_demo_builder_plans_more_than_25_million_this_year_and_21_events(ctx):
    started = time.perf_counter()
    builder.build(ctx)
    elapsed = time.perf_counter() - started
    year = ctx.today.year
    planned = Entitlement.objects.filter(period__year=year).aggregate(s=Sum("amount"))["s"]
    assert planned > Decimal("25000000")
    events = TalentEvent.objects.filter(held_on__year=year, kind="school_enterprise")
    assert events.count() == 21 and not events.filter(held_on__gt=ctx.today).exists()
    bound = Talent.objects.get(user=ctx.users["talent"])
    assert Entitlement.objects.filter(talent=bound).exists()
    assert Disbursement.objects.filter(period__lt=ctx.today.replace(day=1)).exists()
    assert not Disbursement.objects.filter(period__gte=ctx.today.replace(day=1)).exists()
    figures = talent_figures(ctx.users["admin"], date(year, 1, 1), date(year, 12, 31))
    assert figures["talent_events"] == 21 and figures["talent_subsidy_planned_wan"] > 2500
    print(f"demo: planned {planned / 10000:.2f} 万元 in {elapsed:.1f} s")  # noqa: T201
    assert elapsed < 30
