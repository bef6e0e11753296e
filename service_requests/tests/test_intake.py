import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from service_requests.choices import Channel, State
from service_requests.selectors import similar_open_needs, timeline_for
from service_requests.services.catalog import validate_field_schema, validate_form_data
from service_requests.services.intake import matter_order, need_create
from service_requests.services.workflow import request_act


def test_similar_open_needs_of_the_same_enterprise_are_suggested(world):
    first = need_create(
        actor=world.enterprise_user, enterprise=world.enterprise, title="员工宿舍不足，需要协调人才公寓"
    )
    need_create(
        actor=world.other_enterprise_user, enterprise=world.other_enterprise, title="员工宿舍不足，需要协调人才公寓"
    )
    need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="出口退税办理咨询")
    matches = similar_open_needs(world.enterprise.pk, "员工宿舍不够，想申请人才公寓")
    assert [need for need, _score in matches] == [first]


def test_the_intake_page_suggests_duplicates_with_htmx(world, client_for):
    need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="员工宿舍不足，需要协调人才公寓")
    response = client_for(world.enterprise_user).get(
        reverse("service_requests:similar"), {"title": "员工宿舍不足"}, HTTP_HX_REQUEST="true"
    )
    assert "相似的诉求" in response.content.decode()


def test_merge_keeps_both_histories(world):
    keep = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="宿舍不足")
    dup = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="宿舍紧张")
    request_act(actor=world.enterprise_user, request=dup, action="comment", note="很急")
    request_act(actor=world.instructor, request=dup, action="merge", target=keep)
    assert dup.state == State.MERGED and dup.merged_into == keep
    notes = [e.note for e in timeline_for(world.admin, keep)]
    assert "很急" in notes and any("并入本诉求" in n for n in notes)
    assert [e.action for e in timeline_for(world.admin, dup)] == ["submit", "comment", "merge"]


def test_merge_refuses_another_enterprises_need(world):
    mine = need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="宿舍不足")
    theirs = need_create(actor=world.other_enterprise_user, enterprise=world.other_enterprise, title="宿舍不足")
    with pytest.raises(ValidationError):
        request_act(actor=world.admin, request=mine, action="merge", target=theirs)


def test_intake_is_refused_outside_the_users_scope(world):
    with pytest.raises(PermissionDenied):
        need_create(actor=world.enterprise_user, enterprise=world.other_enterprise, title="x")
    with pytest.raises(ValidationError):
        need_create(actor=world.enterprise_user, enterprise=world.enterprise, title="x", channel=Channel.WINDOW)
    with pytest.raises(PermissionDenied):
        need_create(actor=world.other_instructor, enterprise=world.enterprise, title="x", channel=Channel.VISIT)
    with pytest.raises(PermissionDenied):
        need_create(actor=world.talent, enterprise=world.enterprise, title="x")
    need = need_create(actor=world.instructor, enterprise=world.enterprise, title="走访发现", channel=Channel.VISIT)
    assert need.instructor == world.instructor


def test_a_matter_is_refused_when_the_services_fields_are_wrong(world):
    with pytest.raises(ValidationError) as refused:
        matter_order(actor=world.enterprise_user, enterprise=world.enterprise, service=world.service, form_data={})
    assert "用工人数" in str(refused.value)
    with pytest.raises(ValidationError):
        matter_order(
            actor=world.enterprise_user,
            enterprise=world.enterprise,
            service=world.service,
            form_data={"staff_count": 3, "unknown": "x"},
        )


@pytest.mark.parametrize(
    "schema",
    [
        "x",
        [{"name": "Bad Name", "type": "text"}],
        [{"name": "a", "type": "colour"}],
        [{"name": "a", "type": "choice"}],
        [{"name": "a"}, {"name": "a"}],
        [{"name": "a", "surprise": True}],
    ],
)
def test_bad_field_schemas_are_refused(schema):
    with pytest.raises(ValidationError):
        validate_field_schema(schema)


def test_form_data_is_cleaned_by_type():
    schema = validate_field_schema(
        [
            {"name": "n", "label": "数量", "type": "number", "required": True},
            {"name": "d", "label": "日期", "type": "date"},
            {"name": "c", "label": "选项", "type": "choice", "choices": ["甲", "乙"]},
            {"name": "b", "label": "是否", "type": "bool"},
        ]
    )
    assert validate_form_data(schema, {"n": "12", "d": "2026-03-01", "c": "乙", "b": "on"}) == {
        "n": 12,
        "d": "2026-03-01",
        "c": "乙",
        "b": True,
    }
    with pytest.raises(ValidationError):
        validate_form_data(schema, {"n": "12", "c": "丙"})
