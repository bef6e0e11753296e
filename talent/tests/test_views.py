"""Pages and API: who sees what (404 outside one's scope), query counts that do not grow, exports, editing."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.validators import mask_id_number
from organizations.models import Pairing
from talent import services
from talent.models import Entitlement, PolicyVersion, Talent, TalentEvent
from talent.tests.factories import TalentFactory


@pytest.fixture
def register(db, enterprise, other_enterprise):
    ours = TalentFactory.create_batch(3, employer=enterprise)
    theirs = TalentFactory.create_batch(3, employer=other_enterprise)
    return ours, theirs


def ids_on_page(response):
    return {row[0].pk for row in response.context["rows"]}


def test_enterprise_user_sees_only_its_staff_and_404_for_others(register, client_for, enterprise_user):
    ours, theirs = register
    client = client_for(enterprise_user)
    response = client.get(reverse("talent:talent_list"))
    assert ids_on_page(response) == {t.pk for t in ours}
    assert client.get(reverse("talent:talent_detail", args=[theirs[0].pk])).status_code == 404
    assert client.get(f"/api/v1/talent/talents/{theirs[0].pk}").status_code == 404


def test_talent_sees_only_their_own_record(register, client_for, talent_user):
    ours, theirs = register
    own = ours[0]
    own.user = talent_user
    own.save()
    client = client_for(talent_user)
    assert client.get(reverse("talent:talent_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("talent:talent_detail", args=[ours[1].pk])).status_code == 404
    assert client.get(reverse("talent:calculator") + f"?talent={theirs[0].pk}").status_code == 404
    body = client.get("/api/v1/talent/talents").json()
    assert [item["id"] for item in body["items"]] == [own.pk]


def test_instructor_sees_staff_of_paired_enterprises_only(register, client_for, instructor, enterprise):
    ours, theirs = register
    Pairing.objects.create(
        kind="instructor_enterprise", staff=instructor, enterprise=enterprise, starts_on=date(2025, 1, 1)
    )
    client = client_for(instructor)
    assert ids_on_page(client.get(reverse("talent:talent_list"))) == {t.pk for t in ours}
    assert client.get(reverse("talent:talent_detail", args=[theirs[0].pk])).status_code == 404


def test_investment_user_has_no_register(register, client_for, investment_user):
    assert client_for(investment_user).get(reverse("talent:talent_list")).status_code == 403


def test_every_page_needs_login(client, register):
    for name in (
        "talent_list",
        "policy_list",
        "calculator",
        "entitlement_list",
        "ledger",
        "sandbox",
        "event_list",
        "my",
    ):
        response = client.get(reverse(f"talent:{name}"))
        assert response.status_code == 302 and "login" in response.url
    assert client.get("/api/v1/talent/talents").status_code == 401


def test_id_numbers_are_masked_except_for_admin_and_reveal_is_audited(register, client_for, leader, admin_user):
    talent = register[0][0]
    page = client_for(leader).get(reverse("talent:talent_list")).content.decode()
    assert mask_id_number(talent.id_number) in page and talent.id_number not in page
    client = client_for(admin_user)
    detail = client.get(reverse("talent:talent_detail", args=[talent.pk])).content.decode()
    assert talent.id_number in detail
    client.post(reverse("talent:talent_detail", args=[talent.pk]), {"reveal": "1"})
    assert AuditEvent.objects.filter(action="talent.reveal_id", target_id=str(talent.pk)).exists()


def test_export_is_masked_for_staff_and_audited(register, client_for, leader):
    import io

    from openpyxl import load_workbook

    response = client_for(leader).get(reverse("talent:talent_list") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    shown = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert all("*" in value for value in shown) and len(shown) == 6
    assert AuditEvent.objects.filter(action="talent.export", actor=leader).exists()


@pytest.mark.parametrize(
    "url", ["talent:talent_list", "talent:entitlement_list", "talent:ledger", "talent:event_list", "talent:policy_list"]
)
def test_list_pages_use_a_constant_number_of_queries(
    url, client_for, admin_user, policies, django_assert_max_num_queries
):
    client = client_for(admin_user)

    def grow():
        TalentFactory.create_batch(4, housing_status="renting")
        services.sweep_period(actor=admin_user, period=date(2026, 8, 1))
        ids = list(Entitlement.objects.values_list("pk", flat=True))
        services.entitlements_review(actor=admin_user, ids=ids, action="approve")
        for n in range(3):
            services.talent_event_create(
                actor=admin_user, title=f"活动{n}", kind="school_enterprise", held_on=date(2026, 3, n + 1)
            )

    grow()
    with django_assert_max_num_queries(14):
        assert client.get(reverse(url)).status_code == 200
    grow()
    with django_assert_max_num_queries(14):
        assert client.get(reverse(url)).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/talent/talents", "/api/v1/talent/entitlements", "/api/v1/talent/policies"])
def test_list_endpoints_use_a_constant_number_of_queries(
    url, client_for, admin_user, policies, django_assert_max_num_queries
):
    TalentFactory.create_batch(6, housing_status="renting")
    services.sweep_period(actor=admin_user, period=date(2026, 8, 1))
    client = client_for(admin_user)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200 and len(response.json()["items"]) >= 5


def test_calculator_endpoint_explains_each_policy(client_for, admin_user, policies, django_assert_max_num_queries):
    talent = TalentFactory(education="doctor", housing_status="renting")
    client = client_for(admin_user)
    with django_assert_max_num_queries(8):
        body = client.get(f"/api/v1/talent/talents/{talent.pk}/calculator?period=2026-08").json()
    entitled = {c["policy"]: c for c in body["entitled"]}
    assert entitled["living_subsidy"]["amount"] == "3000.00"
    assert any(c["sources"] for c in entitled["living_subsidy"]["conditions"])
    assert body["total"] == "4200.00"
    assert client.get(f"/api/v1/talent/talents/{talent.pk}/calculator?period=2026/8").status_code == 422


def test_claim_endpoint_approves_or_refuses_with_reason(client_for, talent_user, policies):
    talent = TalentFactory(housing_status="renting", user=talent_user)
    client = client_for(talent_user)
    ok = client.post(
        f"/api/v1/talent/talents/{talent.pk}/claim",
        {"policy": "rent_subsidy", "period": "2026-08"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["status"] == "approved"
    refused = client.post(
        f"/api/v1/talent/talents/{talent.pk}/claim",
        {"policy": "purchase_subsidy", "period": "2026-08"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "暂不符合条件" in refused.json()["detail"]


def test_figures_for_the_cockpit_in_constant_queries(client_for, admin_user, policies, django_assert_num_queries):
    from talent.selectors import talent_figures

    TalentFactory.create_batch(3, housing_status="renting")
    services.sweep_period(actor=admin_user, period=date(2026, 8, 1))
    paid = list(Entitlement.objects.filter(policy__code="rent_subsidy").values_list("pk", flat=True))
    services.entitlements_review(actor=admin_user, ids=paid, action="approve")
    services.talent_event_create(actor=admin_user, title="校企", kind="school_enterprise", held_on=date(2026, 8, 3))
    with django_assert_num_queries(4):
        figures = talent_figures(admin_user, date(2026, 1, 1), date(2026, 12, 31))
    planned = sum(Entitlement.objects.values_list("amount", flat=True)) / 10000
    assert figures["talent_subsidy_planned_wan"] == planned.quantize(figures["paid_wan"])
    assert figures["paid_wan"] == (3 * 1200 / Decimal(10000)).quantize(figures["paid_wan"])
    assert figures["talent_events"] == 1 and figures["talents"] == 3
    assert client_for(admin_user).get("/api/v1/talent/figures?start=2026-01-01&end=2026-12-31").json()["talents"] == 3


def test_publishing_freezes_a_version_and_editing_creates_a_new_one(client_for, admin_user, policies):
    version = policies["rent_subsidy"]
    client = client_for(admin_user)
    data = {
        "legal_reference": version.legal_reference,
        "article": "第十条",
        "effective_from": "2027-01-01",
        "rule": '{"field": "housing_status", "op": "=", "value": "renting"}',
        "amount": '{"kind": "fixed", "value": {"param": "rent_monthly"}}',
    }
    response = client.post(reverse("talent:policy_edit", args=[version.policy.pk]), data)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.rule["all"][0]["field"] == "housing_status" and version.status == "published"
    draft = PolicyVersion.objects.get(policy=version.policy, number=2)
    assert draft.status == "draft" and draft.effective_from == date(2027, 1, 1)
    client.post(reverse("talent:policy_publish", args=[version.policy.pk, 2]))
    draft.refresh_from_db()
    assert draft.status == "published"


def test_policy_form_shows_rule_errors_in_chinese(client_for, admin_user, policies):
    version = policies["rent_subsidy"]
    data = {
        "legal_reference": "x",
        "effective_from": "2027-01-01",
        "rule": '{"field": "salary", "op": "=", "value": 1}',
        "amount": '{"kind": "fixed", "value": 10.5}',
    }
    response = client_for(admin_user).post(reverse("talent:policy_edit", args=[version.policy.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "未知字段“salary”" in page and "带引号的小数" in page
    assert PolicyVersion.objects.filter(policy=version.policy).count() == 1


def test_enterprise_user_registers_staff_only_for_itself(client_for, enterprise_user, other_enterprise):
    from talent.tests.factories import resident_id

    client = client_for(enterprise_user)
    data = {
        "name": "新员工",
        "id_number": resident_id(date(1996, 3, 3)),
        "education": "master",
        "title": "none",
        "employer": enterprise_user.enterprise_id,
        "housing_status": "renting",
    }
    assert client.post(reverse("talent:talent_create"), data).status_code == 302
    created = Talent.objects.get(name="新员工")
    assert created.birth_date == date(1996, 3, 3) and created.employer_id == enterprise_user.enterprise_id
    data.update(name="外企员工", id_number=resident_id(date(1996, 3, 4)), employer=other_enterprise.pk)
    response = client.post(reverse("talent:talent_create"), data)
    assert response.status_code == 200 and not Talent.objects.filter(name="外企员工").exists()
    data.update(employer=enterprise_user.enterprise_id, id_number="360121199603041235")
    response = client.post(reverse("talent:talent_create"), data)
    assert "校验位" in response.content.decode() or "身份证号" in response.content.decode()


def test_review_page_approves_in_bulk_and_sweep_is_queued(
    client_for, handler, admin_user, policies, django_capture_on_commit_callbacks
):
    TalentFactory.create_batch(2, housing_status="renting")
    services.sweep_period(actor=admin_user, period=date(2026, 8, 1))
    ids = list(Entitlement.objects.values_list("pk", flat=True))
    client = client_for(handler)
    client.post(reverse("talent:review"), {"ids": ids, "action": "approve"})
    assert not Entitlement.objects.exclude(status="approved").exists()
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("talent:sweep_start"), {"period": "2026-09"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="talent.sweep_requested").exists()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == ["2026-09", handler.pk]


def test_enterprise_user_cannot_review(client_for, enterprise_user):
    assert (
        client_for(enterprise_user).post(reverse("talent:review"), {"ids": [1], "action": "approve"}).status_code == 403
    )


def test_sandbox_shows_the_budget_impact_of_a_reform_without_writing(client_for, admin_user, policies):
    TalentFactory.create_batch(3, housing_status="renting", education="bachelor")
    before = Entitlement.objects.count()
    response = client_for(admin_user).get(
        reverse("talent:sandbox"), {"start": "2026-08", "months": 2, "p_rent_monthly": "1500"}
    )
    assert response.status_code == 200
    by_policy = response.context["by_policy"]
    assert by_policy["人才租房补贴"]["base"] == 2 * 3 * 1200 and by_policy["人才租房补贴"]["reform"] == 2 * 3 * 1500
    assert Entitlement.objects.count() == before


def test_sandbox_api_counts_gained_and_lost_records(client_for, admin_user, policies):
    TalentFactory.create_batch(2, housing_status="renting", born=date(1991, 1, 15), social_insurance_months=12)
    body = (
        client_for(admin_user)
        .post(
            "/api/v1/talent/sandbox",
            {"start": "2026-08", "months": 1, "overrides": {"living_max_age": "34"}},
            content_type="application/json",
        )
        .json()
    )
    living = next(c for c in body if c["policy"] == "living_subsidy")
    assert (living["base_count"], living["reform_count"], living["lost"], living["gained"]) == (2, 0, 2, 0)


def test_events_page_lists_and_adds_events(client_for, admin_user, enterprise_user):
    response = client_for(admin_user).post(
        reverse("talent:event_list"),
        {
            "title": "南昌大学双选会",
            "kind": "school_enterprise",
            "held_on": "2026-05-01",
            "participants": 80,
        },
    )
    assert response.status_code == 302 and TalentEvent.objects.count() == 1
    assert client_for(enterprise_user).post(reverse("talent:event_list"), {"title": "x"}).status_code == 403


def test_talent_objects_from_their_page(client_for, talent_user, admin_user, policies):
    talent = TalentFactory(housing_status="renting", user=talent_user)
    services.sweep_period(actor=admin_user, period=date(2026, 8, 1))
    entitlement = Entitlement.objects.filter(talent=talent).first()
    services.entitlements_review(actor=admin_user, ids=[entitlement.pk], action="hold", reason="核查中")
    client = client_for(talent_user)
    assert "核查中" in client.get(reverse("talent:my")).content.decode()
    client.post(reverse("talent:object", args=[entitlement.pk]), {"text": "已提交证明"})
    entitlement.refresh_from_db()
    assert entitlement.status == "pending"


def test_calculator_page_queries_do_not_grow_with_policies_or_history(
    client_for, admin_user, policies, django_assert_max_num_queries
):
    talent = TalentFactory(education="doctor", housing_status="renting")
    client = client_for(admin_user)
    url = reverse("talent:calculator") + f"?talent={talent.pk}&period=2026-08"
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200 and "4200.00" in page.content.decode()
    for month in (6, 7, 8):
        services.sweep_period(actor=admin_user, period=date(2026, month, 1))
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_htmx_requests_get_the_results_partial(register, client_for, admin_user):
    response = client_for(admin_user).get(reverse("talent:talent_list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="results"' in body and "<html" not in body
