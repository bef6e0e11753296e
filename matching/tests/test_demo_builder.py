"""The demo builder on a small faked context (the full demo is exercised by demo/tests)."""

from datetime import date

import pytest

from chains.choices import Stage
from chains.tests.factories import ChainFactory, LinkFactory, PlacementFactory
from demo.builders import DemoContext
from demo.builders import matching as builder
from enterprises.tests.factories import EnterpriseFactory
from matching.choices import AgreementStatus, PostingKind, RoundtableStatus
from matching.models import Agreement, Posting, Roundtable

pytestmark = pytest.mark.django_db


def test_builder_creates_postings_a_roundtable_with_minutes_and_an_agreement_in_progress(admin_user):
    chains = {
        "life_health": ChainFactory(name="生命健康", code="life_health"),
        "digital_economy": ChainFactory(name="数字经济", code="digital_economy"),
    }
    for code, names in {
        "life_health": ["中药制造", "CRO/CDMO 研发生产外包", "生物药与疫苗", "化学药制剂"],
        "digital_economy": ["工业互联网", "人工智能"],
    }.items():
        for i, name in enumerate(names):
            link = LinkFactory(
                chain=chains[code], name=name, stage=[Stage.UPSTREAM, Stage.MIDSTREAM, Stage.DOWNSTREAM][i % 3]
            )
            PlacementFactory(link=link, enterprise=EnterpriseFactory())
    EnterpriseFactory.create_batch(20)
    ctx = DemoContext(today=date(2026, 11, 27))
    ctx.users["admin"] = admin_user
    ctx.shared["chains"] = chains

    builder.build(ctx)

    kinds = set(Posting.objects.values_list("kind", flat=True))
    assert kinds == {PostingKind.NEED, PostingKind.CAPABILITY, PostingKind.TECH_DEMAND, PostingKind.TECH_OFFER}
    assert Posting.objects.filter(title__contains="纯化", kind=PostingKind.NEED).exists()
    assert Posting.objects.filter(title__contains="分离纯化", kind=PostingKind.CAPABILITY).exists()
    assert Posting.objects.filter(chain=chains["digital_economy"]).exists()
    held = Roundtable.objects.get(theme__contains="纯化")
    assert held.status == RoundtableStatus.HELD and "纯化" in held.minutes
    assert held.invitations.count() >= 2
    agreement = Agreement.objects.get(roundtable=held)
    assert agreement.status == AgreementStatus.IN_PROGRESS and 0 < agreement.progress < 100
    assert agreement.updates.count() == 2
    assert Roundtable.objects.filter(held_on__year=2026).count() == 3
