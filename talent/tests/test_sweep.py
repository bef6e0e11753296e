"""免申即享 sweeps, review, the ledger and objections, through the services."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from core.models import AuditEvent
from talent import services
from talent.choices import EntitlementStatus
from talent.models import Disbursement, Entitlement, Notice, SweepRun
from talent.tasks import run_sweep
from talent.tests.factories import TalentFactory

AUG = date(2026, 8, 1)


@pytest.fixture
def staff(db, admin_user, policies):
    doctor = TalentFactory(education="doctor", housing_status="purchased", social_insurance_months=30)
    renter = TalentFactory(education="master", housing_status="renting")
    return doctor, renter


def test_sweep_writes_entitlements_computed_in_the_database(staff, admin_user, django_assert_max_num_queries):
    doctor, renter = staff
    with django_assert_max_num_queries(40):
        result = services.sweep_period(actor=admin_user, period=AUG)
    assert result.per_policy["living_subsidy"] == (2, 2)
    amounts = dict(Entitlement.objects.filter(policy__code="living_subsidy").values_list("talent_id", "amount"))
    assert amounts == {doctor.pk: Decimal("3000.00"), renter.pk: Decimal("1800.00")}
    purchase = Entitlement.objects.get(policy__code="purchase_subsidy")
    assert (purchase.talent_id, purchase.amount, purchase.tier) == (doctor.pk, Decimal("200000.00"), "doctor")
    assert AuditEvent.objects.filter(action="talent.sweep").exists()


def test_running_the_sweep_twice_writes_nothing_new(staff, admin_user):
    services.sweep_period(actor=admin_user, period=AUG)
    before = Entitlement.objects.count()
    second = services.sweep_period(actor=admin_user, period=AUG)
    assert Entitlement.objects.count() == before
    assert second.run.created_count == 0 and second.run.eligible_count > 0


def test_one_off_policy_is_granted_once_across_periods(staff, admin_user):
    services.sweep_period(actor=admin_user, period=AUG)
    services.sweep_period(actor=admin_user, period=date(2026, 9, 1))
    services.sweep_period(actor=admin_user, period=date(2026, 7, 1))
    assert Entitlement.objects.filter(policy__code="purchase_subsidy").count() == 1
    assert Entitlement.objects.filter(policy__code="living_subsidy").count() == 6


def test_a_new_version_does_not_add_a_second_entitlement_for_the_same_period(staff, admin_user, policies):
    services.sweep_period(actor=admin_user, period=AUG)
    old = policies["rent_subsidy"]
    v2 = services.policy_version_save(actor=admin_user, policy=old.policy, base=old, effective_from=date(2026, 8, 1))
    services.policy_version_publish(actor=admin_user, version=v2)
    services.sweep_period(actor=admin_user, period=AUG)
    assert Entitlement.objects.filter(policy__code="rent_subsidy", period=AUG).count() == 1
    services.sweep_period(actor=admin_user, period=date(2026, 9, 1))
    assert Entitlement.objects.get(policy__code="rent_subsidy", period=date(2026, 9, 1)).policy_version == v2


def test_the_task_runs_the_sweep(staff, admin_user):
    outcome = run_sweep.call("2026-08", admin_user.pk)
    assert outcome["created"] == Entitlement.objects.count() > 0
    assert SweepRun.objects.get().period == AUG


def test_only_reviewers_may_sweep(staff, enterprise_user):
    with pytest.raises(PermissionDenied):
        services.sweep_period(actor=enterprise_user, period=AUG)


# ---- review workflow -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (EntitlementStatus.PENDING, "approve", EntitlementStatus.APPROVED),
        (EntitlementStatus.PENDING, "hold", EntitlementStatus.HELD),
        (EntitlementStatus.HELD, "approve", EntitlementStatus.APPROVED),
        (EntitlementStatus.APPROVED, "hold", None),
        (EntitlementStatus.APPROVED, "approve", None),
        (EntitlementStatus.HELD, "hold", None),
    ],
)
def test_review_transitions_follow_the_table(staff, admin_user, start, action, end):
    services.sweep_period(actor=admin_user, period=AUG)
    entitlement = Entitlement.objects.filter(policy__code="rent_subsidy").first()
    Entitlement.objects.filter(pk=entitlement.pk).update(status=start)
    result = services.entitlements_review(actor=admin_user, ids=[entitlement.pk], action=action, reason="材料待补")
    entitlement.refresh_from_db()
    if end is None:
        assert entitlement.pk in result.refused and entitlement.status == start
    else:
        assert result.done == [entitlement.pk] and entitlement.status == end
    assert Disbursement.objects.filter(entitlement=entitlement).exists() == (end == EntitlementStatus.APPROVED)


def test_approval_pays_into_the_ledger_and_notifies_talent_and_employer(
    staff, admin_user, talent_user, django_user_model
):
    doctor, _ = staff
    doctor.user = talent_user
    doctor.save()
    boss = django_user_model.objects.create(username="boss", role="enterprise", enterprise=doctor.employer)
    services.sweep_period(actor=admin_user, period=AUG)
    ids = list(Entitlement.objects.filter(talent=doctor).values_list("pk", flat=True))
    result = services.entitlements_review(actor=admin_user, ids=ids, action="approve")
    assert sorted(result.done) == sorted(ids)
    assert Disbursement.objects.filter(talent=doctor).aggregate(s=Sum("amount"))["s"] == Decimal("203000.00")
    assert Notice.objects.filter(recipient=talent_user).count() == len(ids)
    assert Notice.objects.filter(recipient=boss).count() == len(ids)


def test_hold_needs_a_reason(staff, admin_user):
    services.sweep_period(actor=admin_user, period=AUG)
    with pytest.raises(ValidationError):
        services.entitlements_review(actor=admin_user, ids=[Entitlement.objects.first().pk], action="hold", reason=" ")


def test_a_second_entitlement_for_the_same_record_policy_and_period_is_refused_by_the_database(
    staff, admin_user, policies
):
    services.sweep_period(actor=admin_user, period=AUG)
    first = Entitlement.objects.filter(policy__code="rent_subsidy").first()
    old = policies["rent_subsidy"]
    v2 = services.policy_version_save(actor=admin_user, policy=old.policy, base=old)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(
            policy=first.policy, policy_version=v2, talent=first.talent, period=AUG, amount=first.amount
        )


def test_the_ledger_refuses_to_pay_the_same_record_policy_and_period_twice(staff, admin_user):
    services.sweep_period(actor=admin_user, period=AUG)
    first = Entitlement.objects.filter(policy__code="rent_subsidy").first()
    # Paid already for that record, policy and period (say, by a ledger import) — the sweep's entitlement cannot be.
    Disbursement.objects.create(
        entitlement=Entitlement.objects.filter(policy__code="living_subsidy", talent=first.talent).first(),
        policy=first.policy,
        talent=first.talent,
        period=AUG,
        amount=first.amount,
    )
    result = services.entitlements_review(actor=admin_user, ids=[first.pk], action="approve")
    assert first.pk in result.refused and "不能重复发放" in result.refused[first.pk]
    assert Disbursement.objects.filter(talent=first.talent, policy=first.policy, period=AUG).count() == 1
    first.refresh_from_db()
    assert first.status == EntitlementStatus.PENDING


def test_objection_reopens_review_within_the_window_only(staff, admin_user, talent_user, other_enterprise_user):
    doctor, _ = staff
    doctor.user = talent_user
    doctor.save()
    services.sweep_period(actor=admin_user, period=AUG)
    entitlement = Entitlement.objects.filter(talent=doctor).first()
    services.entitlements_review(actor=admin_user, ids=[entitlement.pk], action="hold", reason="社保待核")
    with pytest.raises(PermissionDenied):
        services.entitlement_object(actor=other_enterprise_user, entitlement=entitlement, text="不服")
    services.entitlement_object(actor=talent_user, entitlement=entitlement, text="社保已补缴")
    entitlement.refresh_from_db()
    assert entitlement.status == EntitlementStatus.PENDING and entitlement.objection == "社保已补缴"
    services.entitlements_review(actor=admin_user, ids=[entitlement.pk], action="hold", reason="仍待核")
    Entitlement.objects.filter(pk=entitlement.pk).update(decided_at=timezone.now() - timedelta(days=16))
    with pytest.raises(ValidationError, match="异议期"):
        services.entitlement_object(actor=talent_user, entitlement=entitlement, text="再议")


def test_instant_claim_is_approved_and_paid_at_once(staff, admin_user, talent_user):
    _, renter = staff
    renter.user = talent_user
    renter.save()
    policy = Entitlement._meta.get_field("policy").related_model.objects.get(code="rent_subsidy")
    entitlement = services.entitlement_claim(actor=talent_user, talent=renter, policy=policy, period=AUG)
    assert entitlement.status == EntitlementStatus.APPROVED and entitlement.source == "claim"
    assert Disbursement.objects.get(entitlement=entitlement).amount == Decimal("1200.00")
    with pytest.raises(ValidationError, match="已享受"):
        services.entitlement_claim(actor=talent_user, talent=renter, policy=policy, period=AUG)
    purchase = policy.__class__.objects.get(code="purchase_subsidy")
    with pytest.raises(ValidationError, match="暂不符合条件"):
        services.entitlement_claim(actor=talent_user, talent=renter, policy=purchase, period=AUG)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_pay_once_on_postgresql(admin_user, policies):
    talent = TalentFactory(housing_status="renting")
    services.sweep_period(actor=admin_user, period=AUG)
    entitlement = Entitlement.objects.get(policy__code="rent_subsidy", talent=talent)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve():
        try:
            barrier.wait()
            with transaction.atomic():
                outcomes.append(services.entitlements_review(actor=admin_user, ids=[entitlement.pk], action="approve"))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Disbursement.objects.filter(talent=talent, policy=entitlement.policy, period=AUG).count() == 1
    assert sorted(len(o.done) for o in outcomes) == [0, 1]


def test_an_instructor_claims_only_for_staff_of_paired_enterprises(staff, instructor):
    from organizations.models import Pairing
    from talent.models import Policy

    _, renter = staff
    policy = Policy.objects.get(code="rent_subsidy")
    with pytest.raises(PermissionDenied):
        services.entitlement_claim(actor=instructor, talent=renter, policy=policy, period=AUG)
    Pairing.objects.create(
        kind="instructor_enterprise", staff=instructor, enterprise=renter.employer, starts_on=date(2025, 1, 1)
    )
    assert services.entitlement_claim(actor=instructor, talent=renter, policy=policy, period=AUG).status == "approved"
