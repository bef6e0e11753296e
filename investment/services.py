"""Writes on investment teams, targets, events and projects. Only `project_change_stage` moves a project's stage."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from core.services import audit_record, save_with_version
from core.validators import validate_phone, validate_uscc
from investment.choices import STAGE_DATE_FIELD, Stage
from investment.models import InvestmentTeam, Project, ProjectStageChange, PromotionEvent, TargetCompany
from investment.selectors import can_edit_project, can_edit_targets, editable_team_ids, is_investment_admin

#: The pipeline: stage → stages it may move to. Every stage but production may be dropped; a dropped project may be
#: revived as a lead.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.LEAD: frozenset({Stage.NEGOTIATING, Stage.DROPPED}),
    Stage.NEGOTIATING: frozenset({Stage.SIGNED, Stage.LEAD, Stage.DROPPED}),
    Stage.SIGNED: frozenset({Stage.REGISTERED, Stage.DROPPED}),
    Stage.REGISTERED: frozenset({Stage.CONSTRUCTION, Stage.DROPPED}),
    Stage.CONSTRUCTION: frozenset({Stage.PRODUCTION, Stage.DROPPED}),
    Stage.PRODUCTION: frozenset(),
    Stage.DROPPED: frozenset({Stage.LEAD}),
}

PROJECT_FIELDS = ["name", "investor", "target", "team", "chain", "source_event", "amount_wan", "description"]


def allowed_next_stages(project: Project) -> list[Stage]:
    return [stage for stage in Stage if stage in TRANSITIONS[project.stage]]


def _require_team(actor: Any, team: InvestmentTeam) -> None:
    if team.pk not in editable_team_ids(actor):
        raise PermissionDenied("只能为本人所在的招商工作组录入项目。")


def _check_links(project: Project, links: Any) -> None:
    for link in links or []:
        if project.chain_id is None or link.chain_id != project.chain_id:
            raise ValidationError({"links": "补链环节必须属于项目所属的产业链。"})


@transaction.atomic
def project_create(
    *, actor: Any, team: InvestmentTeam, name: str, links: Any = None, on: date | None = None, **fields: Any
) -> Project:
    """Record a new lead (线索) for a team."""
    _require_team(actor, team)
    day = on or timezone.localdate()
    project = Project(team=team, name=name, stage=Stage.LEAD, lead_on=day, created_by=_user(actor), **fields)
    project.full_clean()
    _check_links(project, links)
    project.save()
    if links:
        project.links.set(links)
    ProjectStageChange.objects.create(
        project=project, from_stage="", to_stage=Stage.LEAD, changed_on=day, actor=_user(actor)
    )
    audit_record(actor=actor, action="investment.project.create", target=project, summary=f"新增招商线索 {name}")
    return project


@transaction.atomic
def project_update(
    *, actor: Any, project: Project, expected_version: int | None = None, links: Any = None, **fields: Any
) -> Project:
    """Edit a project's facts (not its stage). Refuses an edit based on a stale version."""
    if not can_edit_project(actor, project):
        raise PermissionDenied("只能编辑本工作组的项目。")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"不能通过编辑修改这些字段：{sorted(unknown)}")
    if "team" in fields and fields["team"].pk != project.team_id:
        _require_team(actor, fields["team"])
    for key, value in fields.items():
        setattr(project, key, value)
    project.full_clean()
    if links is not None:
        _check_links(project, links)
    project.updated_at = timezone.now()
    save_with_version(project, expected_version=expected_version, fields=[*fields, "updated_at"])
    if links is not None:
        project.links.set(links)
    audit_record(
        actor=actor,
        action="investment.project.update",
        target=project,
        summary=f"编辑项目 {project.name}",
        fields=sorted(fields),
    )
    return project


@transaction.atomic
def project_change_stage(
    *,
    actor: Any,
    project: Project,
    to_stage: str,
    on: date | None = None,
    reason: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Project:
    """Move a project along the pipeline (TRANSITIONS), record the key date and one history row.

    Guards: the move is in the table; dropping needs a reason; signing needs a chain and an amount above zero;
    the date is not in the future and not before the project's latest key date.
    """
    if not can_edit_project(actor, project):
        raise PermissionDenied("只能推进本工作组的项目。")
    to_stage = Stage(to_stage)
    from_stage = project.stage
    if to_stage not in TRANSITIONS[from_stage]:
        raise ValidationError(
            {"to_stage": f"不能从“{Stage(from_stage).label}”变更为“{to_stage.label}”。"}, code="transition"
        )
    day = on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"on": "日期不能晚于今天。"}, code="future")
    latest = max((d for d in (getattr(project, f) for f in STAGE_DATE_FIELD.values()) if d), default=None)
    if latest and day < latest and to_stage != Stage.LEAD:
        raise ValidationError({"on": f"日期不能早于项目最近的节点日期 {latest}。"}, code="before_latest")
    if to_stage == Stage.DROPPED and not reason.strip():
        raise ValidationError({"reason": "终止项目须填写原因。"}, code="reason")
    if to_stage == Stage.SIGNED:
        if project.chain_id is None:
            raise ValidationError({"chain": "签约前须指定项目所属产业链。"}, code="chain")
        if project.amount_wan <= Decimal("0"):
            raise ValidationError({"amount_wan": "签约前须填写投资额（万元）。"}, code="amount")

    changed = ["stage", STAGE_DATE_FIELD[to_stage], "updated_at"]
    project.updated_at = timezone.now()
    project.stage = to_stage
    setattr(project, STAGE_DATE_FIELD[to_stage], day)
    if to_stage == Stage.DROPPED:
        project.dropped_reason = reason.strip()
        changed.append("dropped_reason")
    elif from_stage == Stage.DROPPED:
        project.dropped_reason = ""
        project.dropped_on = None
        changed += ["dropped_reason", "dropped_on"]
    save_with_version(project, expected_version=expected_version, fields=changed)
    ProjectStageChange.objects.create(
        project=project,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_on=day,
        actor=_user(actor),
        note=(reason or note).strip()[:300],
    )
    audit_record(
        actor=actor,
        action="investment.project.stage",
        target=project,
        summary=f"{project.name}：{Stage(from_stage).label} → {to_stage.label}",
        from_stage=from_stage,
        to_stage=to_stage,
        on=day,
    )
    return project


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# ---- teams, targets, events --------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, actor: Any, name: str, members: Any = (), chains: Any = (), **fields: Any) -> InvestmentTeam:
    if not is_investment_admin(actor) and actor is not None:
        raise PermissionDenied("只有管理员可以设立招商工作组。")
    team = InvestmentTeam(name=name, **fields)
    team.full_clean()
    team.save()
    team_set_members(actor=actor, team=team, members=members)
    if chains:
        team.chains.set(chains)
    audit_record(actor=actor, action="investment.team.create", target=team, summary=f"设立招商工作组 {name}")
    return team


@transaction.atomic
def team_set_members(*, actor: Any, team: InvestmentTeam, members: Any) -> None:
    if not is_investment_admin(actor) and actor is not None:
        raise PermissionDenied("只有管理员可以调整工作组成员。")
    members = list(members)
    wrong = [m for m in members if m.role != Role.INVESTMENT]
    if wrong:
        raise ValidationError({"members": f"工作组成员须为招商工作组成员角色：{wrong[0]}"})
    team.members.set(members)
    audit_record(
        actor=actor, action="investment.team.members", target=team, summary=f"{team.name} 成员 {len(members)} 人"
    )


def _clean_target(target: TargetCompany) -> None:
    if target.uscc:
        target.uscc = validate_uscc(target.uscc)
    if target.contact_phone:
        try:
            target.contact_phone = validate_phone(target.contact_phone)
        except ValidationError as error:
            raise ValidationError({"contact_phone": error.messages}) from None
    target.full_clean()


@transaction.atomic
def target_create(*, actor: Any, **fields: Any) -> TargetCompany:
    if actor is not None and not can_edit_targets(actor):
        raise PermissionDenied("无权录入目标企业。")
    target = TargetCompany(**fields)
    try:
        _clean_target(target)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationError({"uscc": error.messages}) from None
        raise
    target.save()
    audit_record(actor=actor, action="investment.target.create", target=target, summary=f"新增目标企业 {target.name}")
    return target


@transaction.atomic
def target_update(
    *, actor: Any, target: TargetCompany, expected_version: int | None = None, **fields: Any
) -> TargetCompany:
    if not can_edit_targets(actor):
        raise PermissionDenied("无权编辑目标企业。")
    for key, value in fields.items():
        setattr(target, key, value)
    try:
        _clean_target(target)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationError({"uscc": error.messages}) from None
        raise
    target.updated_at = timezone.now()
    save_with_version(target, expected_version=expected_version, fields=[*fields, "updated_at"])
    audit_record(actor=actor, action="investment.target.update", target=target, summary=f"编辑目标企业 {target.name}")
    return target


@transaction.atomic
def event_create(*, actor: Any, **fields: Any) -> PromotionEvent:
    if actor is not None and not can_edit_targets(actor):
        raise PermissionDenied("无权录入推介活动。")
    event = PromotionEvent(**fields)
    event.full_clean()
    event.save()
    audit_record(actor=actor, action="investment.event.create", target=event, summary=f"新增推介活动 {event.name}")
    return event
