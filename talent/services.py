"""Writes of the talent app: the register, parameters, policy versions, 免申即享 sweeps, review, the ledger,
即申即享 claims and objections. Each is one transaction with an audit row.

Entitlement workflow (TRANSITIONS): pending → approved (a ledger row is written in the same transaction) or held
(with a reason); held → approved, or back to pending when the talent objects within OBJECTION_DAYS.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from stdnum.cn import ric

from accounts.choices import Role
from core.services import audit_record, save_with_version
from core.validators import validate_resident_id
from enterprises.models import Enterprise
from enterprises.selectors import enterprises_visible_to
from talent import engine
from talent.choices import EntitlementSource, EntitlementStatus, PolicyTarget, VersionStatus
from talent.models import (
    Disbursement,
    Entitlement,
    Notice,
    Parameter,
    ParameterValue,
    Policy,
    PolicyVersion,
    SweepRun,
    Talent,
    TalentEvent,
)
from talent.rules import ParamTable, RuleError, parse_policy

OBJECTION_DAYS = 15
REVIEW_ROLES = frozenset({Role.ADMIN, Role.HANDLER})
POLICY_ROLES = frozenset({Role.ADMIN})

#: (state, action) → next state. Nothing else assigns Entitlement.status.
TRANSITIONS: dict[tuple[str, str], str] = {
    (EntitlementStatus.PENDING, "approve"): EntitlementStatus.APPROVED,
    (EntitlementStatus.PENDING, "hold"): EntitlementStatus.HELD,
    (EntitlementStatus.HELD, "approve"): EntitlementStatus.APPROVED,
    (EntitlementStatus.HELD, "object"): EntitlementStatus.PENDING,
}

TALENT_FIELDS = [
    "name",
    "id_number",
    "education",
    "title",
    "category",
    "employer",
    "start_date",
    "social_insurance_months",
    "housing_status",
    "annual_salary_wan",
    "extra",
]


def _role(actor: Any) -> str | None:
    if getattr(actor, "is_superuser", False):
        return Role.ADMIN
    return getattr(actor, "role", None)


def require_role(actor: Any, roles: Iterable[str]) -> None:
    if _role(actor) not in set(roles):
        raise PermissionDenied("无权执行此操作。")


# ---- talent register ---------------------------------------------------------------------------------------------


def can_maintain_talent(actor: Any, employer: Enterprise | None) -> bool:
    """Admins and handlers maintain any record; an enterprise user only its own staff."""
    role = _role(actor)
    if role in REVIEW_ROLES:
        return True
    return role == Role.ENTERPRISE and employer is not None and employer.pk == actor.enterprise_id


def prepare_talent(talent: Talent, *, bulk: bool = False) -> Talent:
    """Normalise and validate the ID number and derive the birth date from it.

    In bulk the per-row database checks (unique ID number, employer exists) are left to one query per batch.
    """
    talent.id_number = validate_resident_id(talent.id_number)
    talent.birth_date = ric.get_birth_date(talent.id_number)
    if bulk:
        talent.clean_fields(exclude=["birth_date", "employer", "user"])
        talent.clean()
    else:
        talent.full_clean(exclude=["birth_date"])
    return talent


@transaction.atomic
def talent_create(*, actor: Any, **data: Any) -> Talent:
    talent = Talent(**{k: v for k, v in data.items() if k in TALENT_FIELDS})
    if not can_maintain_talent(actor, talent.employer):
        raise PermissionDenied("只能维护本企业的人才。")
    try:
        prepare_talent(talent)
    except ValidationError as error:
        if hasattr(error, "error_dict") or not str(error):
            raise
        raise ValidationError({"id_number": error.messages}) from None
    talent.save()
    audit_record(actor=actor, action="talent.create", target=talent, summary=f"登记人才 {talent.name}")
    return talent


@transaction.atomic
def talent_update(*, actor: Any, talent: Talent, expected_version: int | None = None, **data: Any) -> Talent:
    if not can_maintain_talent(actor, talent.employer):
        raise PermissionDenied("只能维护本企业的人才。")
    changed = [k for k in data if k in TALENT_FIELDS]
    for name in changed:
        setattr(talent, name, data[name])
    if not can_maintain_talent(actor, talent.employer):
        raise PermissionDenied("只能把人才登记在本企业。")
    try:
        prepare_talent(talent)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        raise ValidationError({"id_number": error.messages}) from None
    fields = [f if f != "employer" else "employer_id" for f in changed] + ["birth_date", "updated_at"]
    talent.updated_at = timezone.now()
    save_with_version(talent, expected_version=expected_version, fields=fields)
    audit_record(actor=actor, action="talent.update", target=talent, summary=f"修改人才 {talent.name}", fields=changed)
    return talent


@transaction.atomic
def talents_bulk_create(*, actor: Any, talents: Sequence[Talent]) -> list[Talent]:
    """Many records at once (demo, imports): the same validation as talent_create, one INSERT per batch."""
    employer_ids = {t.employer_id for t in talents if t.employer_id is not None}
    employers = {e.pk: e for e in Enterprise.objects.filter(pk__in=employer_ids)}
    for talent in talents:
        if talent.employer_id is not None and talent.employer_id not in employers:
            raise ValidationError({"employer": f"用人单位 #{talent.employer_id} 不在企业库中。"})
        if not can_maintain_talent(actor, employers.get(talent.employer_id or 0)):
            raise PermissionDenied("只能维护本企业的人才。")
        prepare_talent(talent, bulk=True)
    numbers = [t.id_number for t in talents]
    duplicates = {n for n, seen in Counter(numbers).items() if seen > 1}
    duplicates |= set(Talent.objects.filter(id_number__in=numbers).values_list("id_number", flat=True))
    if duplicates:
        raise ValidationError({"id_number": f"身份证号重复：{'、'.join(sorted(duplicates)[:5])}。"})
    created = Talent.objects.bulk_create(talents, batch_size=500)
    audit_record(
        actor=actor, action="talent.bulk_create", summary=f"批量登记人才 {len(created)} 人", count=len(created)
    )
    return created


@transaction.atomic
def talent_bind_user(*, actor: Any, talent: Talent, user: Any) -> Talent:
    require_role(actor, POLICY_ROLES)
    if getattr(user, "role", None) != Role.TALENT:
        raise ValidationError("只能绑定人才角色的账号。")
    talent.user = user
    talent.full_clean(exclude=["birth_date"])
    talent.save(update_fields=["user", "updated_at"])
    audit_record(actor=actor, action="talent.bind_user", target=talent, summary=f"{talent.name} 绑定账号 {user}")
    return talent


def talent_reveal_id(*, actor: Any, talent: Talent) -> str:
    """The full ID number, for roles that may see personal data; every reveal is audited."""
    require_role(actor, POLICY_ROLES)
    audit_record(actor=actor, action="talent.reveal_id", target=talent, summary=f"查看 {talent.name} 的身份证号")
    return talent.id_number


# ---- parameters and policies ----------------------------------------------------------------------------------


@transaction.atomic
def parameter_set_value(
    *,
    actor: Any,
    code: str,
    valid_from: date,
    value: Decimal,
    legal_reference: str,
    article: str = "",
    name: str = "",
    unit: str = "",
) -> ParameterValue:
    """Add a dated value (creating the parameter on first use). Earlier values stay: they govern earlier periods."""
    require_role(actor, POLICY_ROLES)
    if isinstance(value, float):
        raise ValidationError("参数取值不能是浮点数，请用 Decimal 或字符串。")
    parameter, _ = Parameter.objects.get_or_create(code=code, defaults={"name": name or code, "unit": unit})
    dated = ParameterValue(
        parameter=parameter,
        valid_from=valid_from,
        value=Decimal(value),
        legal_reference=legal_reference,
        article=article,
    )
    dated.full_clean()
    dated.save()
    audit_record(
        actor=actor,
        action="talent.parameter_value",
        target=parameter,
        summary=f"{code} 自 {valid_from} 起为 {value}",
        legal_reference=legal_reference,
    )
    return dated


def validate_version(target: str, rule: Any, amount: Any) -> None:
    """Raise RuleError (as a form-friendly ValidationError) for an invalid tree or a parameter that does not exist."""
    known = set(Parameter.objects.values_list("code", flat=True))
    parse_policy(target, rule, amount, known_params=known)


@transaction.atomic
def policy_create(
    *,
    actor: Any,
    code: str,
    name: str,
    target: str = PolicyTarget.TALENT,
    summary: str = "",
    legal_reference: str,
    article: str = "",
    effective_from: date,
    effective_to: date | None = None,
    rule: Any,
    amount: Any,
) -> PolicyVersion:
    """A new policy with its first (draft) version."""
    require_role(actor, POLICY_ROLES)
    policy = Policy(code=code, name=name, target=target, summary=summary)
    policy.full_clean()
    policy.save()
    version = _new_version(actor, policy, 1, legal_reference, article, effective_from, effective_to, rule, amount)
    audit_record(actor=actor, action="talent.policy_create", target=policy, summary=f"新建政策 {name}")
    return version


def _new_version(
    actor: Any,
    policy: Policy,
    number: int,
    legal_reference: str,
    article: str,
    effective_from: date,
    effective_to: date | None,
    rule: Any,
    amount: Any,
) -> PolicyVersion:
    validate_version(policy.target, rule, amount)
    version = PolicyVersion(
        policy=policy,
        number=number,
        legal_reference=legal_reference,
        article=article,
        effective_from=effective_from,
        effective_to=effective_to,
        rule=rule,
        amount=amount,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if effective_to and effective_to < effective_from:
        raise ValidationError({"effective_to": "失效日期不能早于生效日期。"})
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def policy_version_save(
    *, actor: Any, policy: Policy, base: PolicyVersion | None = None, **fields: Any
) -> PolicyVersion:
    """Edit a policy: a draft is changed in place; a published version is never edited — a new draft is created."""
    require_role(actor, POLICY_ROLES)
    if base is not None and base.status == VersionStatus.DRAFT:
        for name, value in fields.items():
            setattr(base, name, value)
        validate_version(policy.target, base.rule, base.amount)
        base.full_clean()
        base.save()
        audit_record(actor=actor, action="talent.policy_version_update", target=base, summary=f"修改草稿 {base}")
        return base
    source = base or policy.versions.order_by("-number").first()
    values = {
        name: fields.get(name, getattr(source, name) if source else None)
        for name in ("legal_reference", "article", "effective_from", "effective_to", "rule", "amount")
    }
    last = policy.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = _new_version(actor, policy, last + 1, **values)  # type: ignore[arg-type]
    audit_record(actor=actor, action="talent.policy_version_create", target=version, summary=f"新建版本 {version}")
    return version


@transaction.atomic
def policy_version_publish(*, actor: Any, version: PolicyVersion) -> PolicyVersion:
    require_role(actor, POLICY_ROLES)
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    if version.status == VersionStatus.PUBLISHED:
        raise ValidationError("该版本已发布。")
    validate_version(version.policy.target, version.rule, version.amount)
    PolicyVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    version.refresh_from_db()
    audit_record(actor=actor, action="talent.policy_publish", target=version, summary=f"发布 {version}")
    return version


# ---- 免申即享 sweep ----------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    run: SweepRun
    per_policy: dict[str, tuple[int, int]]


@transaction.atomic
def sweep_period(*, actor: Any, period: date, codes: Iterable[str] | None = None) -> SweepResult:
    """Evaluate every active policy for the period in the database and write entitlements (idempotent)."""
    if actor is not None:
        require_role(actor, REVIEW_ROLES)
    period = engine.month_start(period)
    params = ParamTable.load()
    run = SweepRun.objects.create(period=period, actor=actor if getattr(actor, "pk", None) else None)
    per_policy: dict[str, tuple[int, int]] = {}
    for active in engine.active_policies(period, codes=codes):
        per_policy[active.policy.code] = engine.insert_entitlements(active, period, params)
    run.eligible_count = sum(e for e, _ in per_policy.values())
    run.created_count = sum(n for _, n in per_policy.values())
    run.finished_at = timezone.now()
    run.save(update_fields=["eligible_count", "created_count", "finished_at"])
    audit_record(
        actor=actor,
        action="talent.sweep",
        target=run,
        summary=f"{period:%Y-%m} 免申即享：符合 {run.eligible_count}，新增 {run.created_count}",
        per_policy={k: list(v) for k, v in per_policy.items()},
    )
    return SweepResult(run, per_policy)


# ---- review, ledger, notices -------------------------------------------------------------------------------------


def _transition(entitlement: Entitlement, action: str) -> str:
    nxt = TRANSITIONS.get((entitlement.status, action))
    if nxt is None:
        raise ValidationError(f"“{entitlement.get_status_display()}”状态的待遇不能执行该操作。")
    return nxt


def _pay(actor: Any, entitlement: Entitlement) -> Disbursement:
    """Write the ledger row; the unique constraint (record, policy, period) refuses a second payment."""
    try:
        with transaction.atomic():
            return Disbursement.objects.create(
                entitlement=entitlement,
                policy_id=entitlement.policy_id,
                talent_id=entitlement.talent_id,
                enterprise_id=entitlement.enterprise_id,
                period=entitlement.period,
                amount=entitlement.amount,
                approved_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise ValidationError(
            f"{entitlement.period:%Y-%m} 已就该政策向该对象发放过，不能重复发放。", code="double_payment"
        ) from None


@dataclass
class ReviewResult:
    done: list[int]
    refused: dict[int, str]


@transaction.atomic
def entitlements_review(*, actor: Any, ids: Any, action: str, reason: str = "") -> ReviewResult:
    """Approve (→ ledger) or hold (with a reason) many entitlements at once, in a constant number of queries.

    Approval writes the ledger rows with one INSERT that skips conflicts: an entitlement whose record, policy and
    period were already paid (under another version, or by a concurrent run) gets no row and is refused.
    """
    require_role(actor, REVIEW_ROLES)
    if action not in ("approve", "hold"):
        raise ValidationError("未知的审核操作。")
    if action == "hold" and not reason.strip():
        raise ValidationError({"reason": "暂缓须填写原因。"})
    result = ReviewResult([], {})
    rows = (
        Entitlement.objects.select_for_update(of=("self",))
        .filter(pk__in=ids if isinstance(ids, QuerySet) else list(ids))
        .order_by("pk")
        .values(*_ROW_FIELDS)
    )
    movable: dict[int, dict[str, Any]] = {}
    next_state = ""
    for row in rows:
        next_state_for = TRANSITIONS.get((row["status"], action))
        if next_state_for is None:
            result.refused[row["pk"]] = f"“{EntitlementStatus(row['status']).label}”状态的待遇不能执行该操作。"
            continue
        next_state = next_state_for
        movable[row["pk"]] = row
    if action == "approve" and movable:
        approver = actor if getattr(actor, "pk", None) else None
        Disbursement.objects.bulk_create(
            [
                Disbursement(
                    entitlement_id=r["pk"],
                    policy_id=r["policy_id"],
                    talent_id=r["talent_id"],
                    enterprise_id=r["enterprise_id"],
                    period=r["period"],
                    amount=r["amount"],
                    approved_by=approver,
                )
                for r in movable.values()
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        paid = set(
            Disbursement.objects.filter(entitlement_id__in=list(movable)).values_list("entitlement_id", flat=True)
        )
        for pk in [pk for pk in movable if pk not in paid]:
            row = movable.pop(pk)
            result.refused[pk] = f"{row['period']:%Y-%m} 已就该政策向该对象发放过，不能重复发放。"
    if movable:
        hold_reason = reason.strip() if action == "hold" else ""
        now = timezone.now()
        Entitlement.objects.filter(pk__in=list(movable)).update(
            status=next_state, decided_at=now, decided_by=actor, hold_reason=hold_reason, updated_at=now
        )
        verb = "已核准发放" if action == "approve" else f"暂缓（{hold_reason}）"
        _notify_many(list(movable.values()), verb)
        result.done = sorted(movable)
    audit_record(
        actor=actor,
        action=f"talent.entitlement_{action}",
        summary=f"审核待遇 {len(result.done)} 条（{action}）",
        count=len(result.done),
        ids=result.done[:1000],
        refused=result.refused,
        reason=reason,
    )
    return result


_ROW_FIELDS = (
    "pk",
    "status",
    "policy_id",
    "policy__name",
    "talent_id",
    "talent__user_id",
    "talent__employer_id",
    "enterprise_id",
    "period",
    "amount",
)


def _notify_many(rows: list[dict[str, Any]], verb: str) -> None:
    """One notice per entitlement to the talent's account and to each user of the employer (two queries)."""
    from accounts.models import User

    def employer(row: dict[str, Any]) -> Any:
        return row["talent__employer_id"] if row["talent_id"] else row["enterprise_id"]

    staff: dict[int, list[int]] = {}
    users = User.objects.filter(enterprise_id__in={employer(r) for r in rows} - {None}, is_active=True)
    for user_id, enterprise_id in users.values_list("pk", "enterprise_id"):
        staff.setdefault(enterprise_id, []).append(user_id)
    notices: list[Notice] = []
    for row in rows:
        text = f"{row['policy__name']} {row['period']:%Y-%m} {row['amount']} 元：{verb}"[:300]
        recipients = ([row["talent__user_id"]] if row["talent__user_id"] else []) + staff.get(employer(row) or 0, [])
        notices.extend(Notice(recipient_id=pk, text=text, entitlement_id=row["pk"]) for pk in recipients)
    Notice.objects.bulk_create(notices, batch_size=1000)


@transaction.atomic
def entitlement_object(*, actor: Any, entitlement: Entitlement, text: str) -> Entitlement:
    """A talent contests a hold within the objection window; the entitlement goes back to review."""
    entitlement = (
        Entitlement.objects.select_for_update(of=("self",)).select_related("talent", "policy").get(pk=entitlement.pk)
    )
    talent = entitlement.talent
    if talent is None or talent.user_id is None or talent.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只有本人可以提出异议。")
    if not text.strip():
        raise ValidationError({"text": "请填写异议理由。"})
    nxt = _transition(entitlement, "object")
    if entitlement.decided_at and timezone.now() > entitlement.decided_at + timedelta(days=OBJECTION_DAYS):
        raise ValidationError(f"异议期（{OBJECTION_DAYS} 天）已过。")
    entitlement.status = nxt
    entitlement.objection = text.strip()[:500]
    entitlement.save(update_fields=["status", "objection", "updated_at"])
    audit_record(actor=actor, action="talent.entitlement_object", target=entitlement, summary="人才提出异议，重新审核")
    return entitlement


@transaction.atomic
def entitlement_claim(*, actor: Any, talent: Talent, policy: Policy, period: date) -> Entitlement:
    """即申即享: the Python evaluator checks the claim; if eligible it is approved and paid at once."""
    role = _role(actor)
    allowed = (
        (role == Role.TALENT and talent.user_id == actor.pk)
        or (role == Role.ENTERPRISE and talent.employer_id == actor.enterprise_id)
        or role in REVIEW_ROLES
        or (
            role == Role.INSTRUCTOR
            and talent.employer_id is not None
            and enterprises_visible_to(actor).filter(pk=talent.employer_id).exists()
        )
    )
    if not allowed:
        raise PermissionDenied("无权为该人才申请。")
    period = engine.month_start(period)
    active = next(iter(engine.active_policies(period, codes=[policy.code], target=PolicyTarget.TALENT)), None)
    if active is None:
        raise ValidationError("该政策在本期不适用。")
    granted = Entitlement.objects.filter(policy=policy, talent=talent)
    once_taken = active.parsed.amount.per == "once" and granted.exclude(period=period).exists()
    explanation = engine.explain_record(
        active, engine.talent_record(talent), period, ParamTable.load(), already_granted=once_taken
    )
    if not explanation.eligible or explanation.amount is None:
        failing = "、".join(c.label for c in explanation.blocking) or "条件"
        raise ValidationError(f"暂不符合条件：{failing}。")
    existing = granted.filter(period=period).first()
    if existing is not None:
        if existing.status == EntitlementStatus.APPROVED:
            raise ValidationError("本期已享受该政策。")
        entitlement = existing
    else:
        entitlement = Entitlement.objects.create(
            policy=policy,
            policy_version=active.version,
            talent=talent,
            period=period,
            amount=explanation.amount,
            tier=explanation.tier,
            reason_codes=engine.reason_codes(active.parsed),
            source=EntitlementSource.CLAIM,
        )
    entitlement.status = _transition(entitlement, "approve")
    _pay(actor, entitlement)
    entitlement.decided_at = timezone.now()
    entitlement.decided_by = actor
    entitlement.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    _notify_many(list(Entitlement.objects.filter(pk=entitlement.pk).values(*_ROW_FIELDS)), "即申即享，已核准发放")
    audit_record(actor=actor, action="talent.entitlement_claim", target=entitlement, summary=f"即申即享 {policy.name}")
    return entitlement


# ---- talent events -----------------------------------------------------------------------------------------------


@transaction.atomic
def talent_event_create(
    *,
    actor: Any,
    title: str,
    kind: str,
    held_on: date,
    partner: str = "",
    participants: int = 0,
    enterprises: Sequence[Enterprise] = (),
) -> TalentEvent:
    require_role(actor, REVIEW_ROLES)
    event = TalentEvent(title=title, kind=kind, held_on=held_on, partner=partner, participants=participants)
    event.full_clean()
    event.save()
    if enterprises:
        event.enterprises.set(enterprises)
    audit_record(actor=actor, action="talent.event_create", target=event, summary=f"人才活动 {title}")
    return event


__all__ = ["RuleError"]
