from datetime import date, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from core.calendar import end_of_day
from service_requests.choices import NoticeLevel, NoticeState, Stage, State
from service_requests.models import Notification, SupervisionNotice
from service_requests.services.supervision import notice_answer, notice_close, run_ladder
from service_requests.services.workflow import request_act
from service_requests.sms import LoggingSmsBackend
from service_requests.tests.factories import MatterFactory, NeedFactory

NOW = timezone.make_aware(datetime(2026, 3, 10, 10, 0))  # a Tuesday


@pytest.fixture
def ladder_world(world):
    base = {"enterprise": world.enterprise, "instructor": world.instructor, "lead_unit": world.unit}
    return {
        "reminder": NeedFactory(state=State.IN_PROGRESS, due_at=end_of_day(date(2026, 3, 11)), **base),
        "yellow": NeedFactory(state=State.IN_PROGRESS, due_at=end_of_day(date(2026, 3, 9)), **base),
        "red": NeedFactory(state=State.DISPATCHED, sign_due_at=end_of_day(date(2026, 3, 2)), **base),
        "paused": NeedFactory(state=State.AWAITING_INFO, due_at=end_of_day(date(2026, 3, 1)), **base),
        "resolved": NeedFactory(state=State.RESOLVED, due_at=end_of_day(date(2026, 3, 1)), **base),
        "far": NeedFactory(state=State.IN_PROGRESS, due_at=end_of_day(date(2026, 3, 20)), **base),
        "matter": MatterFactory(
            enterprise=world.enterprise,
            service=world.service,
            state=State.ACCEPTED,
            due_at=end_of_day(date(2026, 3, 6)),
        ),
    }


def test_ladder_issues_reminder_yellow_and_red_and_skips_paused_and_finished(world, ladder_world):
    counts = run_ladder(now=NOW)
    assert counts == {"reminder": 1, "yellow": 2, "red": 1, "closed": 0}
    levels = dict(SupervisionNotice.objects.values_list("request_id", "level"))
    assert levels == {
        ladder_world["reminder"].pk: NoticeLevel.REMINDER,
        ladder_world["yellow"].pk: NoticeLevel.YELLOW,
        ladder_world["red"].pk: NoticeLevel.RED,
        ladder_world["matter"].pk: NoticeLevel.YELLOW,
    }
    red = SupervisionNotice.objects.get(level=NoticeLevel.RED)
    assert red.stage == Stage.SIGN and red.escalated_to == world.leader


def test_ladder_run_twice_creates_nothing_new(world, ladder_world):
    run_ladder(now=NOW)
    notices, notifications = SupervisionNotice.objects.count(), Notification.objects.count()
    assert run_ladder(now=NOW) == {"reminder": 0, "yellow": 0, "red": 0, "closed": 0}
    assert (SupervisionNotice.objects.count(), Notification.objects.count()) == (notices, notifications)


def test_red_notice_reaches_the_paired_leader_by_inbox_email_and_sms(
    world, ladder_world, django_capture_on_commit_callbacks
):
    LoggingSmsBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_ladder(now=NOW)
    assert Notification.objects.filter(recipient=world.leader, notice__level=NoticeLevel.RED).exists()
    assert any("leader@example.org" in m.to for m in mail.outbox)
    assert any(phone == world.leader.phone for phone, _text in LoggingSmsBackend.sent)


def test_finishing_the_stage_closes_its_notices(world, ladder_world):
    run_ladder(now=NOW)
    need = ladder_world["red"]
    request_act(actor=world.handler, request=need, action="sign")
    notice = SupervisionNotice.objects.get(request=need)
    assert notice.state == NoticeState.CLOSED


def test_notice_lifecycle_issued_answered_closed(world, ladder_world):
    run_ladder(now=NOW)
    notice = SupervisionNotice.objects.get(request=ladder_world["yellow"])
    notice_answer(actor=world.handler, notice=notice, answer="已协调，明日办结", expected_version=notice.version)
    assert notice.state == NoticeState.ANSWERED
    with pytest.raises(Exception):  # noqa: B017 — PermissionDenied for an enterprise user
        notice_close(actor=world.enterprise_user, notice=notice)
    notice_close(actor=world.supervisor, notice=notice)
    notice.refresh_from_db()
    assert notice.state == NoticeState.CLOSED


def test_an_approved_extension_moves_the_deadline_and_restarts_the_ladder(world):
    need = NeedFactory(
        enterprise=world.enterprise, lead_unit=world.unit, state=State.IN_PROGRESS, due_at=end_of_day(date(2026, 3, 11))
    )
    run_ladder(now=NOW)
    request_act(actor=world.handler, request=need, action="request_extension", workdays=3, reason="待现场核查", at=NOW)
    request_act(actor=world.supervisor, request=need, action="approve_extension", at=NOW)
    need.refresh_from_db()
    assert timezone.localtime(need.due_at).date() == date(2026, 3, 16)  # Wed 11 + 3 working days = Mon 16
    counts = run_ladder(now=NOW)
    assert counts["closed"] == 1 and counts["reminder"] == 0


def test_a_paused_need_gets_its_waiting_days_back(world):
    need = NeedFactory(
        enterprise=world.enterprise, lead_unit=world.unit, state=State.IN_PROGRESS, due_at=end_of_day(date(2026, 3, 13))
    )
    request_act(actor=world.handler, request=need, action="ask_info", note="请补充", at=NOW)
    later = timezone.make_aware(datetime(2026, 3, 12, 9, 0))  # two working days later
    request_act(actor=world.enterprise_user, request=need, action="reply", note="已补充", at=later)
    need.refresh_from_db()
    assert need.paused_workdays == 2
    assert timezone.localtime(need.due_at).date() == date(2026, 3, 17)


def test_extension_must_be_asked_before_the_deadline(world):
    need = NeedFactory(
        enterprise=world.enterprise, lead_unit=world.unit, state=State.IN_PROGRESS, due_at=end_of_day(date(2026, 3, 9))
    )
    with pytest.raises(Exception, match="期限前"):
        request_act(actor=world.handler, request=need, action="request_extension", workdays=2, reason="x", at=NOW)


def test_dissatisfied_feedback_reopens_then_escalates(world, settings):
    settings.SERVICE_REQUESTS_MAX_REOPENS = 1
    need = NeedFactory(enterprise=world.enterprise, lead_unit=world.unit, state=State.RESOLVED)
    request_act(actor=world.enterprise_user, request=need, action="feedback", rating=1, comment="没解决")
    assert need.state == State.IN_PROGRESS and need.reopen_count == 1
    request_act(actor=world.handler, request=need, action="resolve", resolution="再次协调")
    request_act(actor=world.enterprise_user, request=need, action="feedback", rating=2)
    assert need.state == State.ESCALATED
    assert list(need.feedbacks.values_list("rating", "reopened")) == [(1, True), (2, True)]
    assert Notification.objects.filter(recipient=world.leader, request=need).exists()


def test_run_supervision_command_runs_the_task(world, ladder_world):
    call_command("run_supervision")
    assert SupervisionNotice.objects.exists()
