"""Pages: every URL needs login, wrong roles get 404, lists keep a constant query count, the portal flows work."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from service_requests.choices import Channel, Kind, State
from service_requests.models import ServiceRequest
from service_requests.services.intake import need_create
from service_requests.services.workflow import request_act
from service_requests.tests.factories import DeliveryFactory, NeedFactory

STAFF_PAGES = [
    "service_requests:problems",
    "service_requests:results",
    "service_requests:snapshots",
    "service_requests:metrics",
    "service_requests:deliveries",
    "service_requests:notices",
]


@pytest.mark.parametrize(
    "name",
    [
        *STAFF_PAGES,
        "service_requests:catalog",
        "service_requests:workbench",
        "service_requests:inbox",
        "service_requests:need_new",
        "service_requests:intake",
    ],
)
def test_every_page_needs_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_are_404_for_enterprise_and_talent(world, client_for, name):
    assert client_for(world.enterprise_user).get(reverse(name)).status_code == 404
    assert client_for(world.talent).get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", STAFF_PAGES + ["service_requests:workbench"])
def test_staff_pages_render_with_constant_queries(world, client_for, django_assert_max_num_queries, name):
    client = client_for(world.admin)
    for _ in range(3):
        _resolved_need(world)
        DeliveryFactory(enterprise=world.enterprise)
    with django_assert_max_num_queries(25):
        first = client.get(reverse(name))
    assert first.status_code == 200
    for _ in range(6):
        _resolved_need(world)
        DeliveryFactory(enterprise=world.enterprise)
    with django_assert_max_num_queries(25):
        assert client.get(reverse(name)).status_code == 200


def _resolved_need(world):
    need = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="招工难，需要招聘支持")
    request_act(actor=world.admin, request=need, action="accept")
    request_act(actor=world.admin, request=need, action="dispatch", lead_unit=world.unit)
    request_act(actor=world.handler, request=need, action="sign")
    request_act(actor=world.handler, request=need, action="resolve", resolution="已组织专场招聘会")
    return need


def test_enterprise_portal_flow_submit_track_and_rate(world, client_for):
    client = client_for(world.enterprise_user)
    response = client.post(reverse("service_requests:need_new"), {"title": "员工宿舍不足", "topic": "living"})
    need = ServiceRequest.objects.get(title="员工宿舍不足")
    assert response.status_code == 302 and need.channel == Channel.ONLINE
    page = client.get(reverse("service_requests:detail", args=[need.pk]))
    assert "员工宿舍不足" in page.content.decode()
    request_act(actor=world.admin, request=need, action="accept")
    request_act(actor=world.admin, request=need, action="dispatch", lead_unit=world.unit)
    request_act(actor=world.handler, request=need, action="sign")
    request_act(actor=world.handler, request=need, action="resolve", resolution="已协调人才公寓 200 间")
    need.refresh_from_db()
    rated = client.post(
        reverse("service_requests:act", args=[need.pk, "feedback"]),
        {"expected_version": need.version, "rating": 5, "comment": "满意"},
    )
    assert rated.status_code == 302
    need.refresh_from_db()
    assert (need.state, need.rating) == (State.RATED, 5)


def test_a_stale_form_shows_changed_by_someone_else(world, client_for):
    need = NeedFactory(enterprise=world.enterprise, instructor=world.instructor)
    stale = need.version
    request_act(actor=world.admin, request=need, action="accept")
    response = client_for(world.instructor).post(
        reverse("service_requests:act", args=[need.pk, "return"]),
        {"expected_version": stale, "reason": "重复"},
        HTTP_HX_REQUEST="true",
    )
    assert "已被他人修改" in response.content.decode()
    need.refresh_from_db()
    assert need.state == State.ACCEPTED


def test_enterprise_gets_404_for_another_enterprises_request_page(world, client_for):
    theirs = NeedFactory(enterprise=world.other_enterprise)
    client = client_for(world.enterprise_user)
    assert client.get(reverse("service_requests:detail", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("service_requests:act", args=[theirs.pk, "comment"]), {"note": "x"})
    assert response.status_code == 404


def test_enterprise_orders_from_the_catalog_with_the_services_fields(world, client_for):
    client = client_for(world.enterprise_user)
    assert world.service.name in client.get(reverse("service_requests:catalog")).content.decode()
    url = reverse("service_requests:order", args=[world.service.pk])
    assert "用工人数" in client.get(url).content.decode()
    assert client.post(url, {"staff_count": ""}).status_code == 200  # required field missing
    response = client.post(url, {"staff_count": "40", "note": "夜班"})
    matter = ServiceRequest.objects.get(kind=Kind.MATTER)
    assert response.status_code == 302
    assert matter.form_data == {"staff_count": 40, "note": "夜班"}


def test_window_staff_record_a_walk_in_matter(world, client_for):
    client = client_for(world.window_handler)
    response = client.post(
        reverse("service_requests:intake"),
        {
            "enterprise": world.enterprise.pk,
            "kind": Kind.MATTER,
            "channel": Channel.WINDOW,
            "service": world.service.pk,
            "topic": "labour",
            "f-staff_count": "5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    matter = ServiceRequest.objects.get(kind=Kind.MATTER)
    assert matter.channel == Channel.WINDOW and matter.window_clerk == world.window_handler


def test_instructor_turns_a_visit_finding_into_an_accepted_need(world, client_for):
    from organizations.models import Visit

    visit = Visit.objects.create(
        instructor=world.instructor,
        enterprise=world.enterprise,
        visited_on=timezone.localdate(),
        summary="走访了解生产经营",
        findings="新基地 400 名员工住宿和就餐困难",
    )
    client = client_for(world.instructor)
    url = reverse("service_requests:need_from_visit", args=[visit.pk])
    assert "400 名员工" in client.get(url).content.decode()
    response = client.post(url, {"title": "住宿和食堂", "topic": "living", "description": visit.findings})
    need = ServiceRequest.objects.get(source_visit=visit)
    assert response.status_code == 302
    assert (need.channel, need.state) == (Channel.VISIT, State.ACCEPTED)
    assert client_for(world.other_instructor).get(url).status_code == 404


def test_bulk_dispatch_sends_each_need_through_the_workflow(world, client_for):
    needs = [
        NeedFactory(enterprise=world.enterprise, instructor=world.instructor, state=State.ACCEPTED) for _ in range(3)
    ]
    response = client_for(world.admin).post(
        reverse("service_requests:bulk_dispatch"), {"ids": [n.pk for n in needs], "lead_unit": world.unit.pk}
    )
    assert response.status_code == 302
    assert set(ServiceRequest.objects.values_list("state", flat=True)) == {State.DISPATCHED}
    assert all(n.events.filter(action="dispatch").exists() for n in needs)


def test_lists_export_excel(world, client_for):
    _resolved_need(world)
    client = client_for(world.admin)
    for name in ("service_requests:problems", "service_requests:results", "service_requests:metrics"):
        response = client.get(reverse(name), {"format": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_results_list_shows_resolved_need_and_problem_list_the_open_one(world, client_for):
    done = _resolved_need(world)
    open_need = NeedFactory(
        enterprise=world.enterprise, title="融资难题待解", due_at=timezone.now() - timedelta(days=3)
    )
    client = client_for(world.admin)
    results = client.get(reverse("service_requests:results")).content.decode()
    problems = client.get(reverse("service_requests:problems")).content.decode()
    assert done.title in results and open_need.title not in results
    assert open_need.title in problems and done.title not in problems
