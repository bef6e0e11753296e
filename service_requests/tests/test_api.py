import json
from datetime import timedelta

from django.utils import timezone

from service_requests.choices import Kind, State
from service_requests.models import ServiceRequest
from service_requests.tests.factories import NeedFactory

BASE = "/api/v1/service-requests/"


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_enterprise_creates_a_need_and_sees_state_due_and_timeline(world, client_for):
    client = client_for(world.enterprise_user)
    response = _post(client, BASE, {"title": "新招 400 名标注员的住宿和食堂", "topic": "living"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == State.SUBMITTED
    assert body["enterprise_id"] == world.enterprise.pk
    assert body["timeline"][0]["action"] == "submit"
    need = ServiceRequest.objects.get(pk=body["id"])
    assert need.instructor == world.instructor
    assert need.accept_due_at is not None


def test_the_services_prefix_serves_the_same_endpoints(world, client_for):
    need = NeedFactory(enterprise=world.enterprise)
    response = client_for(world.enterprise_user).get(f"/api/v1/services/{need.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == need.pk


def test_enterprise_orders_a_matter_with_the_service_fields_validated(world, client_for):
    client = client_for(world.enterprise_user)
    bad = _post(client, BASE, {"kind": "matter", "service_id": world.service.pk, "form_data": {"staff_count": "x"}})
    assert bad.status_code == 400
    assert "staff_count" in bad.json()["detail"]
    good = _post(client, BASE, {"kind": "matter", "service_id": world.service.pk, "form_data": {"staff_count": 12}})
    assert good.status_code == 201
    matter = ServiceRequest.objects.get(pk=good.json()["id"])
    assert (matter.kind, matter.state, matter.form_data["staff_count"]) == (Kind.MATTER, State.ORDERED, 12)
    assert matter.due_at is not None and matter.lead_unit == world.unit


def test_enterprise_cannot_create_for_another_enterprise(world, client_for):
    response = _post(
        client_for(world.enterprise_user), BASE, {"title": "x", "enterprise_id": world.other_enterprise.pk}
    )
    assert response.status_code == 404
    assert not ServiceRequest.objects.exists()


def test_enterprise_never_sees_another_enterprises_request(world, client_for):
    theirs = NeedFactory(enterprise=world.other_enterprise)
    client = client_for(world.enterprise_user)
    assert client.get(f"{BASE}{theirs.pk}").status_code == 404
    assert _post(client, f"{BASE}{theirs.pk}/actions/comment", {"note": "hi"}).status_code == 404
    listed = client.get(BASE).json()
    assert listed["count"] == 0


def test_internal_notes_are_hidden_from_the_enterprise(world, client_for):
    need = NeedFactory(enterprise=world.enterprise, instructor=world.instructor, state=State.ACCEPTED)
    staff = client_for(world.instructor)
    _post(staff, f"{BASE}{need.pk}/actions/note", {"note": "内部：企业资金紧张", "internal": True})
    _post(staff, f"{BASE}{need.pk}/actions/note", {"note": "已联系人社局"})
    staff_view = staff.get(f"{BASE}{need.pk}").json()
    assert [e["note"] for e in staff_view["timeline"]] == ["内部：企业资金紧张", "已联系人社局"]
    enterprise_view = client_for(world.enterprise_user).get(f"{BASE}{need.pk}").json()
    assert [e["note"] for e in enterprise_view["timeline"]] == ["已联系人社局"]


def test_action_errors_are_clear_4xx(world, client_for):
    need = NeedFactory(enterprise=world.enterprise, instructor=world.instructor)
    admin = client_for(world.admin)
    wrong_state = _post(admin, f"{BASE}{need.pk}/actions/sign", {})
    assert wrong_state.status_code == 409 and "不能执行" in wrong_state.json()["detail"]
    unknown = _post(admin, f"{BASE}{need.pk}/actions/fly", {})
    assert unknown.status_code == 404
    missing = _post(admin, f"{BASE}{need.pk}/actions/return", {})
    assert missing.status_code == 400 and "reason" in missing.json()["detail"]
    bad_rating = _post(admin, f"{BASE}{need.pk}/actions/feedback", {"rating": 9})
    assert bad_rating.status_code == 422
    forbidden = _post(client_for(world.handler), f"{BASE}{need.pk}/actions/accept", {})
    assert forbidden.status_code in (403, 404)


def test_a_stale_version_gets_409_and_the_first_edit_stays(world, client_for):
    need = NeedFactory(enterprise=world.enterprise, instructor=world.instructor)
    version = need.version
    first = _post(client_for(world.admin), f"{BASE}{need.pk}/actions/accept", {"expected_version": version})
    assert first.status_code == 200
    second = _post(
        client_for(world.instructor), f"{BASE}{need.pk}/actions/return", {"expected_version": version, "reason": "x"}
    )
    assert second.status_code == 409
    assert "他人修改" in second.json()["detail"]
    need.refresh_from_db()
    assert need.state == State.ACCEPTED


def test_the_whole_loop_through_the_api(world, client_for):
    client = client_for(world.enterprise_user)
    need_id = _post(client, BASE, {"title": "出口产品海关归类", "topic": "customs"}).json()["id"]
    steps = [
        (world.admin, "accept", {}),
        (world.admin, "dispatch", {"lead_unit_id": world.unit.pk, "co_unit_ids": [world.co_unit.pk]}),
        (world.handler, "sign", {}),
        (world.handler, "start", {"note": "已联系海关"}),
        (world.handler, "resolve", {"resolution": "已完成预归类", "evidence": "预归类决定书"}),
        (world.enterprise_user, "feedback", {"rating": 5, "comment": "很快"}),
        (world.supervisor, "verify", {}),
        (world.supervisor, "close", {}),
    ]
    for user, action, data in steps:
        response = _post(client_for(user), f"{BASE}{need_id}/actions/{action}", data)
        assert response.status_code == 200, (action, response.content)
    need = ServiceRequest.objects.get(pk=need_id)
    assert need.state == State.CLOSED
    assert need.signed_on_time and need.resolved_on_time
    assert need.rating == 5


def test_list_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    for _ in range(3):
        NeedFactory(enterprise=world.enterprise, due_at=timezone.now() + timedelta(days=1))
    client = client_for(world.admin)
    with django_assert_max_num_queries(6):
        first = client.get(BASE)
    for _ in range(20):
        NeedFactory(enterprise=world.enterprise)
    with django_assert_max_num_queries(6):
        second = client.get(BASE)
    assert first.json()["count"] == 3 and second.json()["count"] == 23


def test_catalog_deliveries_and_notices_lists_are_constant_queries(world, client_for, django_assert_max_num_queries):
    from service_requests.tests.factories import DeliveryFactory, ServiceFactory

    for _ in range(5):
        ServiceFactory(category=world.service.category, unit=world.unit)
        DeliveryFactory(enterprise=world.enterprise)
    client = client_for(world.admin)
    for url in (f"{BASE}catalog", f"{BASE}deliveries", f"{BASE}notices"):
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200


def test_figures_endpoint_is_staff_only(world, client_for):
    assert client_for(world.enterprise_user).get(f"{BASE}figures").status_code == 403
    body = client_for(world.admin).get(f"{BASE}figures").json()
    assert "needs_collected" in body and "service_deliveries" in body
