"""The province-scale generator, at a tiny scale: valid codes, skew, consistent timelines, reproducibility."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from chains.models import Placement
from core.validators import validate_phone, validate_resident_id, validate_uscc
from demo.scale.generator import Counts, ScaleGenerator
from demo.scale.ids import resident_id_for, uscc_for
from enterprises.models import Enterprise
from matching.models import Posting
from organizations.models import PartyMember, PartyOrganization
from service_requests.models import ServiceRequest, TimelineEvent
from talent.models import Talent

pytestmark = pytest.mark.django_db


def test_derived_codes_are_valid_and_distinct():
    usccs = {uscc_for(n) for n in range(20_000)}
    ids = {resident_id_for(n)[0] for n in range(20_000)}
    assert len(usccs) == len(ids) == 20_000
    for n in (0, 1, 999, 12_345, 99_999_999):
        assert validate_uscc(uscc_for(n)) == uscc_for(n)
        number, birth = resident_id_for(n)
        assert validate_resident_id(number) == number
        assert number[6:14] == birth.strftime("%Y%m%d")


def test_generate_scale_fills_every_table_with_valid_skewed_data():
    call_command("generate_scale", enterprises=300, needs=900, talents=200, postings=120, seed=5, stdout=io.StringIO())

    enterprises = list(Enterprise.objects.order_by("pk"))
    assert len(enterprises) == 300
    assert len({e.uscc for e in enterprises}) == 300
    for e in enterprises[:50]:
        validate_uscc(e.uscc)
        validate_phone(e.contact_phone)
    assert enterprises[0].size_class == "above" and enterprises[0].is_key
    assert Placement.objects.count() > 150
    assert PartyOrganization.objects.count() > 20
    assert PartyOrganization.enterprises.through.objects.count() == 300
    assert PartyMember.objects.count() == 150

    requests = ServiceRequest.objects.all()
    assert requests.count() == 900
    per_enterprise = Counter(requests.values_list("enterprise_id", flat=True))
    top = sum(count for _, count in per_enterprise.most_common(3))  # 1 % of 300 firms
    assert top > 0.15 * 900, "a few large enterprises raise many needs"
    assert len(per_enterprise) < 300, "many small firms raise none"

    # Every request's timeline starts with its submission and ends in its current state.
    last_event: dict = {}
    for request_id, action, to_state in TimelineEvent.objects.order_by("created_at", "id").values_list(
        "request_id", "action", "to_state"
    ):
        last_event.setdefault(request_id, action)
        last_event[request_id] = (last_event[request_id], to_state)
    assert set(last_event) == set(requests.values_list("pk", flat=True))
    for request in requests[:200]:
        assert request.state == last_event[request.pk][1]
        if request.resolved_at:
            assert request.submitted_at <= request.resolved_at
    assert requests.filter(state="closed").exists() and requests.exclude(state__in=["closed", "rated"]).exists()

    talents = list(Talent.objects.all())
    assert len(talents) == 200
    for t in talents[:50]:
        validate_resident_id(t.id_number)
        assert t.id_number[6:14] == t.birth_date.strftime("%Y%m%d")
    assert Posting.objects.count() == 120
    assert Posting.objects.filter(enterprise__isnull=True, institution__isnull=True).count() == 0


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    def names(seed):
        generator = ScaleGenerator(Counts(enterprises=40, needs=40), seed=seed)
        generator.run()
        first = generator.result.first_enterprise_id
        assert first is not None
        rows = Enterprise.objects.filter(pk__gte=first, pk__lt=first + 40).order_by("pk")
        titles = ServiceRequest.objects.filter(enterprise__pk__gte=first).order_by("pk").values_list("title", "state")
        return [e.name for e in rows], list(titles)

    first_run = names(11)
    assert names(11) == first_run
    assert names(12) != first_run


def test_generated_data_has_its_service_totals_rebuilt():
    from datetime import date

    from django.utils import timezone

    from accounts.choices import Role
    from accounts.tests.factories import UserFactory
    from service_requests.selectors import service_chain_figures

    call_command("generate_scale", enterprises=200, needs=600, talents=50, postings=20, seed=7, stdout=io.StringIO())
    admin = UserFactory(role=Role.ADMIN)
    year = timezone.localdate().year
    for start, end in ((date(year, 1, 1), date(year, 12, 31)), (date(year - 1, 1, 1), date(year - 1, 12, 31))):
        from_totals = service_chain_figures(admin, start, end)
        assert from_totals == service_chain_figures(admin, start, end, from_rows=True)
    assert from_totals["needs_collected"] > 0


def test_generated_data_has_its_coverage_figures_rebuilt():
    from chains import coverage
    from chains.selectors import chain_coverage

    call_command("generate_scale", enterprises=200, needs=50, talents=10, postings=10, seed=8, stdout=io.StringIO())
    assert {k: n for k, n in coverage.all_counts().items() if n} == coverage.computed()
    assert coverage.office_pairs() == coverage.computed_pairs()
    rows = chain_coverage()
    assert rows == chain_coverage(from_rows=True)
    assert sum(row["organizations"] for row in rows) > 0 and sum(row["placed"] for row in rows) > 0
