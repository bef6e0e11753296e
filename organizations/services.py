"""Writes on the organization chain. Each write validates, audits and runs in one transaction."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chains import coverage
from core.services import audit_record, save_with_version
from core.validators import validate_phone, validate_resident_id
from enterprises.models import Enterprise
from enterprises.selectors import active_pairing_q
from organizations.choices import PairingKind
from organizations.models import (
    CommandoTeam,
    KeyProject,
    MentoringPair,
    Milestone,
    Pairing,
    PartyMember,
    PartyOrganization,
    PioneerPost,
    Visit,
)

COUNTED_FIELDS = {"chain", "formation"}  # an organization's fields that key its coverage figures


def _created(actor: Any, obj: Any, action: str, summary: str) -> None:
    audit_record(actor=actor, action=action, target=obj, summary=summary)


@transaction.atomic
def organization_create(*, actor: Any, enterprises: Iterable[Enterprise] = (), **fields: Any) -> PartyOrganization:
    covered = list(enterprises)
    with coverage.change(enterprises=[e.pk for e in covered]) as tracked:
        organization = PartyOrganization(**fields)
        organization.full_clean()
        organization.save()
        tracked.created(organization=organization.pk)
        organization.enterprises.set(covered)
    _created(actor, organization, "organization.create", f"新增党组织 {organization.name}")
    return organization


@transaction.atomic
def organization_update(
    *,
    actor: Any,
    organization: PartyOrganization,
    expected_version: int | None = None,
    enterprises: Iterable[Enterprise] | None = None,
    **fields: Any,
) -> PartyOrganization:
    for key, value in fields.items():
        setattr(organization, key, value)
    if organization.parent_id is not None and organization.parent_id == organization.pk:
        raise ValidationError({"parent": "上级党组织不能是自身。"})
    organization.full_clean()
    covered = None if enterprises is None else list(enterprises)
    # Its current enterprises and the new ones change figures when its enterprises, chain or formation change.
    counted = covered is not None or bool(COUNTED_FIELDS & {key.removesuffix("_id") for key in fields})
    with coverage.change(
        enterprises=[e.pk for e in covered or ()],
        organizations=[organization.pk] if counted else [],
        their_enterprises=counted,
    ):
        save_with_version(organization, expected_version=expected_version, fields=list(fields))
        if covered is not None:
            organization.enterprises.set(covered)
    audit_record(
        actor=actor, action="organization.update", target=organization, summary=f"修改党组织 {organization.name}"
    )
    return organization


def _member_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("id_number"):
        fields["id_number"] = validate_resident_id(fields["id_number"])
    if fields.get("phone"):
        fields["phone"] = validate_phone(fields["phone"])
    return fields


@transaction.atomic
def member_create(*, actor: Any, **fields: Any) -> PartyMember:
    member = PartyMember(**_member_fields(fields))
    member.full_clean()
    with coverage.change(organizations=[member.organization_id], workplaces=[member.enterprise_id]):
        member.save()
    _created(actor, member, "member.create", f"新增党员 {member.name}")
    return member


@transaction.atomic
def member_update(
    *, actor: Any, member: PartyMember, expected_version: int | None = None, **fields: Any
) -> PartyMember:
    counted: set[int] = set()
    workplaces: set[int | None] = set()
    if {"organization", "organization_id", "enterprise", "enterprise_id"} & set(fields):
        # The organization it leaves and the one it joins change counts, and so does a move to an enterprise of another
        # office (as stored, whatever this instance says); the enterprises are locked against an office move meanwhile.
        for organization_id, enterprise_id in PartyMember.objects.filter(pk=member.pk).values_list(
            "organization_id", "enterprise_id"
        ):
            counted.add(organization_id)
            workplaces.add(enterprise_id)
    for key, value in _member_fields(fields).items():
        setattr(member, key, value)
    member.full_clean()
    if counted:
        counted.add(member.organization_id)
        workplaces.add(member.enterprise_id)
    with coverage.change(organizations=counted, workplaces=workplaces):
        save_with_version(member, expected_version=expected_version, fields=list(fields))
    audit_record(actor=actor, action="member.update", target=member, summary=f"修改党员 {member.name}")
    return member


@transaction.atomic
def pioneer_post_create(*, actor: Any, **fields: Any) -> PioneerPost:
    post = PioneerPost(**fields)
    if post.holder_id is not None and post.holder.organization_id != post.organization_id:  # type: ignore[union-attr]
        raise ValidationError({"holder": "责任党员须属于该党组织。"})
    post.full_clean()
    post.save()
    _created(actor, post, "pioneer_post.create", f"新增{post.get_kind_display()} {post.name}")
    return post


@transaction.atomic
def commando_team_create(
    *, actor: Any, members: Iterable[PartyMember] = (), milestones: Iterable[tuple[str, Any]] = (), **fields: Any
) -> CommandoTeam:
    team = CommandoTeam(**fields)
    team.full_clean()
    team.save()
    team.members.set(list(members))
    for title, due_on in milestones:
        milestone = Milestone(team=team, title=title, due_on=due_on)
        milestone.full_clean()
        milestone.save()
    _created(actor, team, "commando_team.create", f"新增党员突击队 {team.name}")
    return team


@transaction.atomic
def key_project_create(*, actor: Any, **fields: Any) -> KeyProject:
    project = KeyProject(**fields)
    project.full_clean()
    project.save()
    _created(actor, project, "key_project.create", f"新增重点项目 {project.name}")
    return project


@transaction.atomic
def pairing_create(*, actor: Any, **fields: Any) -> Pairing:
    pairing = Pairing(**fields)
    staff_role = getattr(pairing.staff, "role", None)
    if pairing.kind == PairingKind.LEADER_ENTERPRISE:
        if staff_role != "leader":
            raise ValidationError({"staff": "领导挂点须由领导角色的用户承担。"})
        if pairing.enterprise is None or not pairing.enterprise.is_key:
            raise ValidationError({"enterprise": "领导挂点对象须为重点企业。"})
    elif staff_role != "instructor":
        raise ValidationError({"staff": "联系企业或项目须由党建工作指导员承担。"})
    if pairing.kind == PairingKind.INSTRUCTOR_PROJECT and pairing.project_id is None:
        raise ValidationError({"project": "请选择重点项目。"})
    if pairing.ends_on and pairing.ends_on < pairing.starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})
    pairing.full_clean()
    pairing.save()
    _created(actor, pairing, "pairing.create", f"挂点联系 {pairing}")
    return pairing


@transaction.atomic
def visit_create(*, actor: Any, **fields: Any) -> Visit:
    visit = Visit(**fields)
    visit.full_clean()
    visit.save()
    _created(actor, visit, "visit.create", f"走访 {visit.enterprise}")
    return visit


@transaction.atomic
def mentoring_pair_create(*, actor: Any, mentee: Enterprise, mentor: Enterprise, **fields: Any) -> MentoringPair:
    if mentee.pk == mentor.pk:
        raise ValidationError({"mentor": "帮带企业不能是企业自身。"})
    if not mentor.is_leading:
        raise ValidationError({"mentor": "帮带方须为龙头/链主企业。"})
    pair = MentoringPair(mentee=mentee, mentor=mentor, **fields)
    pair.full_clean()
    pair.save()
    _created(actor, pair, "mentoring.create", f"结对帮带 {pair}")
    return pair


def _update(
    *, actor: Any, obj: Any, expected_version: int | None, fields: dict[str, Any], action: str, summary: str
) -> None:
    """Shared tail of the simple updates: validate, save only if nobody saved first (version), audit what changed."""
    changed = {k: v for k, v in fields.items() if getattr(obj, k) != v}
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.full_clean()
    if changed:
        save_with_version(obj, expected_version=expected_version, fields=list(fields))
        audit_record(actor=actor, action=action, target=obj, summary=summary, changed=changed)


@transaction.atomic
def pioneer_post_update(
    *, actor: Any, post: PioneerPost, expected_version: int | None = None, **fields: Any
) -> PioneerPost:
    holder = fields.get("holder", post.holder)
    organization = fields.get("organization", post.organization)
    if holder is not None and holder.organization_id != organization.pk:
        raise ValidationError({"holder": "责任党员须属于该党组织。"})
    _update(
        actor=actor,
        obj=post,
        expected_version=expected_version,
        fields=fields,
        action="pioneer_post.update",
        summary=f"修改{post.get_kind_display()} {post.name}",
    )
    return post


@transaction.atomic
def commando_team_update(
    *,
    actor: Any,
    team: CommandoTeam,
    expected_version: int | None = None,
    members: Iterable[PartyMember] | None = None,
    **fields: Any,
) -> CommandoTeam:
    _update(
        actor=actor,
        obj=team,
        expected_version=expected_version,
        fields=fields,
        action="commando_team.update",
        summary=f"修改党员突击队 {team.name}",
    )
    if members is not None:
        team.members.set(list(members))
    return team


@transaction.atomic
def milestone_create(*, actor: Any, team: CommandoTeam, title: str, due_on: Any) -> Milestone:
    milestone = Milestone(team=team, title=title, due_on=due_on)
    milestone.full_clean()
    milestone.save()
    _created(actor, milestone, "milestone.create", f"{team.name} 新增攻坚节点 {title}")
    return milestone


@transaction.atomic
def milestone_complete(*, actor: Any, milestone: Milestone, done_on: Any) -> Milestone:
    if milestone.done_on is None:
        milestone.done_on = done_on
        milestone.full_clean()
        milestone.save(update_fields=["done_on", "updated_at"])
        audit_record(actor=actor, action="milestone.complete", target=milestone, summary=f"完成攻坚节点 {milestone}")
    return milestone


@transaction.atomic
def pairing_update(*, actor: Any, pairing: Pairing, expected_version: int | None = None, **fields: Any) -> Pairing:
    """Change a pairing's period (e.g. end it); who and what it pairs stay as created."""
    ends_on = fields.get("ends_on", pairing.ends_on)
    starts_on = fields.get("starts_on", pairing.starts_on)
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期。"})
    _update(
        actor=actor,
        obj=pairing,
        expected_version=expected_version,
        fields=fields,
        action="pairing.update",
        summary=f"修改挂点联系 {pairing}",
    )
    return pairing


@transaction.atomic
def mentoring_pair_update(
    *, actor: Any, pair: MentoringPair, expected_version: int | None = None, **fields: Any
) -> MentoringPair:
    _update(
        actor=actor,
        obj=pair,
        expected_version=expected_version,
        fields=fields,
        action="mentoring.update",
        summary=f"修改结对帮带 {pair}",
    )
    return pair


@transaction.atomic
def visit_log(*, actor: Any, enterprise: Enterprise, **fields: Any) -> Visit:
    """An instructor logs their own visit to an enterprise they are actively paired with (admins may log for them)."""
    instructor = fields.pop("instructor", None) or actor
    if getattr(actor, "role", None) == "instructor" and instructor.pk != actor.pk:
        raise ValidationError({"instructor": "指导员只能记录本人的走访。"})
    paired = Pairing.objects.filter(
        active_pairing_q(), staff=instructor, enterprise=enterprise, kind=PairingKind.INSTRUCTOR_ENTERPRISE
    ).exists()
    if not paired:
        raise ValidationError({"enterprise": "只能为本人联系的企业记录走访。"})
    return visit_create(actor=actor, instructor=instructor, enterprise=enterprise, **fields)
