"""The transition tables, row by row: every action from every state (allowed or refused for the state), and every
persona (allowed or refused for the role)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEvent
from core.services import StaleEditError
from service_requests.choices import Kind, State
from service_requests.models import ServiceRequest, TimelineEvent
from service_requests.services.workflow import WorkflowError, parties_of, request_act
from service_requests.tests.factories import MatterFactory, NeedFactory
from service_requests.workflow import MATTER_STATES, MATTER_TRANSITIONS, NEED_STATES, NEED_TRANSITIONS

#: Who each persona is for the standard record built by `_record` (declared, not computed).
NEED_PARTIES = {
    "admin": {"dispatcher", "supervisor"},
    "supervisor": {"supervisor"},
    "instructor": {"dispatcher", "instructor"},
    "other_instructor": set(),
    "leader": set(),
    "handler": {"handler"},
    "other_handler": set(),
    "co_handler": {"co_handler"},
    "window_handler": {"dispatcher"},
    "runner": {"team"},
    "enterprise_user": {"enterprise"},
    "other_enterprise_user": set(),
    "talent": set(),
}
MATTER_PARTIES = {**NEED_PARTIES, "co_handler": set(), "window_handler": {"handler"}}
PREFERRED = ["handler", "enterprise_user", "admin", "supervisor", "instructor", "runner", "co_handler"]


def _record(world, kind, state, *, action=""):
    now = timezone.now()
    common = {
        "enterprise": world.enterprise,
        "instructor": world.instructor,
        "lead_unit": world.unit,
        "state": state,
        "due_at": now + timedelta(days=7),
        "sign_due_at": now + timedelta(days=1),
        "pending_extension_workdays": 2 if action in ("approve_extension", "reject_extension") else None,
        "paused_at": now if state == State.AWAITING_INFO else None,
    }
    if kind == Kind.NEED:
        obj = NeedFactory(runner=world.runner, **common)
        obj.co_units.add(world.co_unit)
    else:
        obj = MatterFactory(service=world.service, proxy_agent=world.runner, **common)
    return obj


def _inputs(world, kind, action):
    target = None
    if action == "merge":
        target = NeedFactory(enterprise=world.enterprise, instructor=world.instructor)
    return {
        "return": {"reason": "材料不全"},
        "merge": {"target": target},
        "dispatch": {"lead_unit": world.unit, "co_units": [world.co_unit]},
        "send_back": {"reason": "不属本单位职责"},
        "note": {"note": "已电话联系企业", "internal": True},
        "comment": {"note": "请尽快"},
        "transfer": {"lead_unit": world.other_unit, "reason": "职责调整"},
        "request_extension": {"workdays": 3, "reason": "需现场核查"},
        "reject_extension": {"reason": "无正当理由"},
        "ask_info": {"note": "请补充用工计划"},
        "reply": {"note": "已补充"},
        "resolve": {"resolution": "已协调招聘会", "evidence": "招聘会通知"},
        "complete": {"resolution": "已办结"},
        "feedback": {"rating": 5},
        "rate": {"rating": 4},
    }.get(action, {})


ROWS = [(Kind.NEED, t, NEED_STATES) for t in NEED_TRANSITIONS] + [
    (Kind.MATTER, t, MATTER_STATES) for t in MATTER_TRANSITIONS
]
PARTIES = {Kind.NEED: NEED_PARTIES, Kind.MATTER: MATTER_PARTIES}


@pytest.mark.parametrize(("kind", "transition", "states"), ROWS, ids=[f"{k}-{t.action}" for k, t, _ in ROWS])
def test_action_is_allowed_exactly_from_its_source_states(world, kind, transition, states):
    persona = next(p for p in PREFERRED if PARTIES[kind][p] & transition.parties)
    actor = world.personas()[persona]
    for state in states:
        obj = _record(world, kind, state, action=transition.action)
        inputs = _inputs(world, kind, transition.action)
        if state in transition.sources:
            result = request_act(
                actor=actor, request=obj, action=transition.action, expected_version=obj.version, **inputs
            )
            allowed = {transition.target or state, *transition.alternatives}
            assert result.state in allowed, (state, result.state)
            assert result.version == obj.version
            event = TimelineEvent.objects.filter(request=obj).latest("id")
            assert (event.action, event.from_state, event.to_state) == (transition.action, state, result.state)
            assert AuditEvent.objects.filter(
                action=f"service_request.{transition.action}", target_id=str(obj.pk)
            ).exists()
        else:
            with pytest.raises(WorkflowError) as refused:
                request_act(actor=actor, request=obj, action=transition.action, **inputs)
            assert refused.value.code == "wrong_state"
            assert ServiceRequest.objects.get(pk=obj.pk).state == state


@pytest.mark.parametrize(("kind", "transition", "states"), ROWS, ids=[f"{k}-{t.action}" for k, t, _ in ROWS])
def test_action_is_allowed_exactly_for_its_parties(world, kind, transition, states):
    source = sorted(transition.sources)[0]
    for persona, user in world.personas().items():
        obj = _record(world, kind, source, action=transition.action)
        assert parties_of(user, obj) == PARTIES[kind][persona], persona
        inputs = _inputs(world, kind, transition.action)
        if PARTIES[kind][persona] & transition.parties:
            request_act(actor=user, request=obj, action=transition.action, **inputs)
        else:
            with pytest.raises(WorkflowError) as refused:
                request_act(actor=user, request=obj, action=transition.action, **inputs)
            assert refused.value.code == "forbidden", persona
            assert ServiceRequest.objects.get(pk=obj.pk).version == obj.version


def test_unknown_action_is_refused(world):
    obj = _record(world, Kind.NEED, State.SUBMITTED)
    with pytest.raises(WorkflowError) as refused:
        request_act(actor=world.admin, request=obj, action="approve", expected_version=obj.version)
    assert refused.value.code == "unknown_action"


def test_missing_input_is_refused_with_the_field_named(world):
    obj = _record(world, Kind.NEED, State.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        request_act(actor=world.admin, request=obj, action="return")
    assert "reason" in refused.value.message_dict


def test_stale_version_loses_and_nothing_is_lost(world):
    obj = _record(world, Kind.NEED, State.SUBMITTED)
    loaded = obj.version
    request_act(actor=world.admin, request=obj, action="accept", expected_version=loaded)
    with pytest.raises(StaleEditError):
        request_act(actor=world.instructor, request=obj, action="return", expected_version=loaded, reason="重复提交")
    obj.refresh_from_db()
    assert obj.state == State.ACCEPTED
    assert obj.version == loaded + 1
    assert list(obj.events.values_list("action", flat=True)) == ["accept"]
