"""The project pipeline: every (from, to) pair of stages against the declared table, guards, history, audit, rights."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import UserFactory
from core.models import AuditEvent
from core.services import StaleEditError
from investment.choices import STAGE_DATE_FIELD, Stage
from investment.models import Project, ProjectStageChange
from investment.services import TRANSITIONS, project_change_stage, project_create, project_update
from investment.tests.factories import InvestmentTeamFactory, ProjectFactory, investment_member

pytestmark = pytest.mark.django_db

EXPECTED = {
    ("lead", "negotiating"),
    ("lead", "dropped"),
    ("negotiating", "signed"),
    ("negotiating", "lead"),
    ("negotiating", "dropped"),
    ("signed", "registered"),
    ("signed", "dropped"),
    ("registered", "construction"),
    ("registered", "dropped"),
    ("construction", "production"),
    ("construction", "dropped"),
    ("dropped", "lead"),
}
ALL_PAIRS = [(a.value, b.value) for a in Stage for b in Stage if a != b]


def test_declared_table_is_the_documented_pipeline():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == EXPECTED


@pytest.mark.parametrize(("from_stage", "to_stage"), ALL_PAIRS)
def test_transition_is_allowed_exactly_when_declared(admin_user, from_stage, to_stage):
    project = ProjectFactory(stage=from_stage, amount_wan=Decimal("500"))
    if (from_stage, to_stage) in EXPECTED:
        project_change_stage(actor=admin_user, project=project, to_stage=to_stage, reason="对方战略调整")
        project.refresh_from_db()
        assert project.stage == to_stage
        assert getattr(project, STAGE_DATE_FIELD[Stage(to_stage)]) == timezone.localdate()
        change = ProjectStageChange.objects.get(project=project)
        assert (change.from_stage, change.to_stage, change.actor) == (from_stage, to_stage, admin_user)
        assert AuditEvent.objects.filter(action="investment.project.stage", target_id=str(project.pk)).exists()
    else:
        with pytest.raises(ValidationError) as error:
            project_change_stage(actor=admin_user, project=project, to_stage=to_stage, reason="x")
        assert "to_stage" in error.value.message_dict
        project.refresh_from_db()
        assert project.stage == from_stage
        assert not ProjectStageChange.objects.filter(project=project).exists()


def test_dropping_needs_a_reason(admin_user):
    project = ProjectFactory(stage=Stage.NEGOTIATING)
    with pytest.raises(ValidationError, match="原因"):
        project_change_stage(actor=admin_user, project=project, to_stage=Stage.DROPPED, reason="  ")
    project_change_stage(actor=admin_user, project=project, to_stage=Stage.DROPPED, reason="落地条件不满足")
    project.refresh_from_db()
    assert (project.stage, project.dropped_reason) == (Stage.DROPPED, "落地条件不满足")


def test_signing_needs_an_amount_and_a_chain(admin_user):
    project = ProjectFactory(stage=Stage.NEGOTIATING, amount_wan=Decimal("0"))
    with pytest.raises(ValidationError, match="投资额"):
        project_change_stage(actor=admin_user, project=project, to_stage=Stage.SIGNED)
    unchained = ProjectFactory(stage=Stage.NEGOTIATING, chain=None)
    with pytest.raises(ValidationError, match="产业链"):
        project_change_stage(actor=admin_user, project=unchained, to_stage=Stage.SIGNED)


def test_stage_dates_cannot_be_in_the_future_or_before_the_last_key_date(admin_user):
    today = timezone.localdate()
    project = ProjectFactory(stage=Stage.NEGOTIATING, lead_on=today - timedelta(days=10))
    with pytest.raises(ValidationError, match="晚于今天"):
        project_change_stage(actor=admin_user, project=project, to_stage=Stage.SIGNED, on=today + timedelta(days=1))
    with pytest.raises(ValidationError, match="早于"):
        project_change_stage(actor=admin_user, project=project, to_stage=Stage.SIGNED, on=today - timedelta(days=11))
    project_change_stage(actor=admin_user, project=project, to_stage=Stage.SIGNED, on=today - timedelta(days=3))
    project.refresh_from_db()
    assert project.signed_on == today - timedelta(days=3)


def test_reviving_a_dropped_project_clears_the_drop(admin_user):
    project = ProjectFactory(stage=Stage.LEAD)
    project_change_stage(actor=admin_user, project=project, to_stage=Stage.DROPPED, reason="暂缓")
    project_change_stage(actor=admin_user, project=project, to_stage=Stage.LEAD)
    project.refresh_from_db()
    assert (project.stage, project.dropped_reason, project.dropped_on) == (Stage.LEAD, "", None)
    assert list(project.stage_changes.values_list("to_stage", flat=True)) == ["dropped", "lead"]


def test_member_moves_own_team_project_but_not_another_team(db):
    team, other = InvestmentTeamFactory(), InvestmentTeamFactory()
    member = investment_member(team, "inv_a")
    own = ProjectFactory(team=team)
    foreign = ProjectFactory(team=other)
    project_change_stage(actor=member, project=own, to_stage=Stage.NEGOTIATING)
    with pytest.raises(PermissionDenied):
        project_change_stage(actor=member, project=foreign, to_stage=Stage.NEGOTIATING)
    foreign.refresh_from_db()
    assert foreign.stage == Stage.LEAD


@pytest.mark.parametrize("role", [Role.LEADER, Role.SUPERVISOR, Role.INSTRUCTOR, Role.ENTERPRISE])
def test_non_members_cannot_move_projects(role, enterprise):
    user = UserFactory(role=role, enterprise=enterprise if role == Role.ENTERPRISE else None)
    project = ProjectFactory()
    with pytest.raises(PermissionDenied):
        project_change_stage(actor=user, project=project, to_stage=Stage.NEGOTIATING)


def test_member_creates_lead_for_own_team_only_with_history_and_audit(db):
    team, other = InvestmentTeamFactory(), InvestmentTeamFactory()
    member = investment_member(team, "inv_b")
    project = project_create(actor=member, team=team, name="某药企华中基地", amount_wan=Decimal("30000"))
    assert project.stage == Stage.LEAD and project.lead_on == timezone.localdate()
    assert project.stage_changes.get().to_stage == Stage.LEAD
    assert AuditEvent.objects.filter(action="investment.project.create", target_id=str(project.pk)).exists()
    with pytest.raises(PermissionDenied):
        project_create(actor=member, team=other, name="越权项目")
    assert not Project.objects.filter(name="越权项目").exists()


def test_update_refuses_a_stale_version_and_never_touches_the_stage(admin_user):
    project = ProjectFactory(stage=Stage.LEAD)
    project_update(actor=admin_user, project=project, expected_version=1, amount_wan=Decimal("2000"))
    assert Project.objects.get(pk=project.pk).amount_wan == Decimal("2000")
    with pytest.raises(StaleEditError):
        project_update(actor=admin_user, project=Project.objects.get(pk=project.pk), expected_version=1, name="x")
    with pytest.raises(ValueError):
        project_update(actor=admin_user, project=project, stage=Stage.SIGNED)
