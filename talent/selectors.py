"""Reads of the talent app, scoped by the user's role. Pages, the API, exports and the cockpit go through here.

| role | talents and their entitlements / payments |
|---|---|
| admin, leader, supervisor, handler (and superusers) | all of the area |
| instructor | staff of the enterprises they are paired with |
| enterprise | its own staff (and its own enterprise's entitlements) |
| talent | their own record only |
| investment, anonymous | none |

Policies, parameters and talent events are public facts: every logged-in user sees them.
ID numbers are masked (3601**********123X) except for admins; every reveal or export of them is audited.

For the cockpit: `talent_figures(user, start, end)` returns, in a constant number of queries (4):
    {"talent_events": int,                 # 人才活动 held in [start, end]
     "talent_subsidy_planned_wan": Decimal,  # entitlements of periods in [start, end], not held, in 万元
     "paid_wan": Decimal,                   # ledger payments of periods in [start, end], in 万元
     "talents": int}                        # talents registered (visible to the user)
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from accounts.choices import Role
from core.access import get_visible_or_404
from core.validators import mask_id_number
from enterprises.selectors import enterprises_visible_to
from talent import engine
from talent.choices import EntitlementStatus, PolicyTarget
from talent.models import Disbursement, Entitlement, Parameter, Policy, Talent, TalentEvent
from talent.rules import ParamTable
from talent.rules.fields import add_months
from talent.rules.python import Explanation

ALL_TALENT_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.HANDLER})
WAN = Decimal("10000")


def _anonymous(user: Any) -> bool:
    return user is None or not user.is_authenticated


def sees_all_talents(user: Any) -> bool:
    return not _anonymous(user) and (user.is_superuser or user.role in ALL_TALENT_ROLES)


def can_see_personal_data(user: Any) -> bool:
    return not _anonymous(user) and bool(user.is_admin_role)


def can_review(user: Any) -> bool:
    return not _anonymous(user) and (user.is_superuser or user.role in (Role.ADMIN, Role.HANDLER))


def can_edit_policies(user: Any) -> bool:
    return not _anonymous(user) and bool(user.is_admin_role)


def shown_id(user: Any, talent: Talent) -> str:
    return talent.id_number if can_see_personal_data(user) else mask_id_number(talent.id_number)


def _record_scope(user: Any, talent_prefix: str, enterprise_field: str | None) -> Q | None:
    """None: everything; otherwise the Q restricting rows to what the user may see."""
    if sees_all_talents(user):
        return None
    if user.role == Role.TALENT:
        return Q(**{f"{talent_prefix}user": user})
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        q = Q(**{f"{talent_prefix}employer_id": user.enterprise_id})
        return q | Q(**{f"{enterprise_field}_id": user.enterprise_id}) if enterprise_field else q
    if user.role == Role.INSTRUCTOR:
        paired = enterprises_visible_to(user).order_by().values("pk")
        q = Q(**{f"{talent_prefix}employer__in": paired})
        return q | Q(**{f"{enterprise_field}__in": paired}) if enterprise_field else q
    return Q(pk__in=[])


def talents_visible_to(user: Any) -> QuerySet[Talent]:
    qs = Talent.objects.select_related("employer")
    if _anonymous(user):
        return qs.none()
    scope = _record_scope(user, "", None)
    return qs if scope is None else qs.filter(scope)


def talent_for(user: Any, pk: Any) -> Talent:
    return get_visible_or_404(talents_visible_to(user), pk=pk)


def own_talent(user: Any) -> Talent | None:
    if _anonymous(user) or user.role != Role.TALENT:
        return None
    return Talent.objects.select_related("employer").filter(user=user).first()


def entitlements_visible_to(user: Any) -> QuerySet[Entitlement]:
    qs = Entitlement.objects.select_related("policy", "policy_version", "talent", "talent__employer", "enterprise")
    if _anonymous(user):
        return qs.none()
    scope = _record_scope(user, "talent__", "enterprise")
    return qs if scope is None else qs.filter(scope)


def entitlement_for(user: Any, pk: Any) -> Entitlement:
    return get_visible_or_404(entitlements_visible_to(user), pk=pk)


def disbursements_visible_to(user: Any) -> QuerySet[Disbursement]:
    qs = Disbursement.objects.select_related("policy", "talent", "talent__employer", "enterprise", "entitlement")
    if _anonymous(user):
        return qs.none()
    scope = _record_scope(user, "talent__", "enterprise")
    return qs if scope is None else qs.filter(scope)


def policies_visible_to(user: Any) -> QuerySet[Policy]:
    qs = Policy.objects.all()
    return qs.none() if _anonymous(user) else qs


def policy_for(user: Any, pk: Any) -> Policy:
    return get_visible_or_404(policies_visible_to(user), pk=pk)


def parameters_visible_to(user: Any) -> QuerySet[Parameter]:
    qs = Parameter.objects.prefetch_related("values")
    return qs.none() if _anonymous(user) else qs


def events_visible_to(user: Any) -> QuerySet[TalentEvent]:
    qs = TalentEvent.objects.prefetch_related("enterprises")
    return qs.none() if _anonymous(user) else qs


def talent_figures(user: Any, start: date, end: date, *, with_talents: bool = True) -> dict[str, Any]:
    """The cockpit's talent figures for [start, end] (see the module docstring). Four queries; three without the
    number of talent records on file (`with_talents=False`: the cockpit does not show it, and at two million
    records that count alone costs 50–100 ms)."""
    first, last = engine.month_start(start), end
    planned = (
        entitlements_visible_to(user)
        .filter(period__gte=first, period__lte=last)
        .exclude(status=EntitlementStatus.HELD)
        .aggregate(total=Sum("amount"))["total"]
    )
    paid = (
        disbursements_visible_to(user)
        .filter(period__gte=first, period__lte=last)
        .aggregate(total=Sum("amount"))["total"]
    )
    figures = {
        "talent_events": events_visible_to(user).filter(held_on__gte=start, held_on__lte=end).count(),
        "talent_subsidy_planned_wan": (Decimal(planned or 0) / WAN).quantize(Decimal("0.01")),
        "paid_wan": (Decimal(paid or 0) / WAN).quantize(Decimal("0.01")),
    }
    if with_talents:
        figures["talents"] = talents_visible_to(user).count()
    return figures


@dataclass
class PolicyCheck:
    policy: Policy
    version: Any
    explanation: Explanation
    claimed: bool = False


@dataclass
class CalculatorResult:
    period: date
    entitled: list[PolicyCheck] = field(default_factory=list)
    nearly: list[PolicyCheck] = field(default_factory=list)
    others: list[PolicyCheck] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((c.explanation.amount or Decimal(0) for c in self.entitled), Decimal(0))


def calculator(talent: Talent, period: date, *, params: ParamTable | None = None) -> CalculatorResult:
    """即申即享 / policy calculator for one (already authorised) talent: entitled, nearly (one blocking condition)."""
    period = engine.month_start(period)
    params = params or ParamTable.load()
    history = list(Entitlement.objects.filter(talent=talent).values_list("policy_id", "period", "status"))
    record = engine.talent_record(talent)
    result = CalculatorResult(period)
    for active in engine.active_policies(period, target=PolicyTarget.TALENT):
        taken = [(p, s) for pid, p, s in history if pid == active.policy.pk]
        once = active.parsed.amount.per == "once" and any(p != period for p, _ in taken)
        explanation = engine.explain_record(active, record, period, params, already_granted=once)
        claimed = any(p == period and s == EntitlementStatus.APPROVED for p, s in taken)
        check = PolicyCheck(active.policy, active.version, explanation, claimed)
        if explanation.eligible:
            result.entitled.append(check)
        elif len(explanation.blocking) == 1:
            result.nearly.append(check)
        else:
            result.others.append(check)
    return result


def sandbox(start: date, months: int, overrides: dict[str, Decimal]) -> list[engine.SandboxCell]:
    """Baseline vs reform for each active policy and month; read-only (one aggregate query per policy-month).

    One-off policies are counted in the first month of the range only.
    """
    base = ParamTable.load()
    reform = ParamTable(base._values, overrides)
    cells = []
    for offset in range(months):
        period = add_months(engine.month_start(start), offset)
        for active in engine.active_policies(period):
            if active.parsed.amount.per == "once" and offset > 0:
                continue  # a one-off payment is counted once, in the first month of the range
            cells.append(engine.sandbox_cell(active, period, base, reform))
    return cells
