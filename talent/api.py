"""/api/v1/talent/: the register, policies, the calculator and claims, entitlements and review, figures, sandbox.

Scoped by role through talent.selectors; bad input gets a 4xx with a Chinese message.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from accounts.choices import Role
from core.api import Pages
from talent import engine, selectors, services
from talent.filters import EntitlementFilter, TalentFilter
from talent.rules import RuleError, parse_policy

router = Router(tags=["talent"])


class TalentOut(Schema):
    id: int
    name: str
    id_number: str
    birth_date: date
    education: str
    title: str
    category: str
    employer_id: int | None
    employer: str | None
    start_date: date | None
    social_insurance_months: int | None
    housing_status: str
    annual_salary_wan: Decimal | None


class ConditionOut(Schema):
    field: str
    label: str
    op: str
    expected: str
    actual: str
    outcome: str
    negated: bool
    sources: list[dict[str, str]]


class CheckOut(Schema):
    policy: str
    policy_name: str
    version: int
    eligible: bool
    amount: Decimal | None
    tier: str
    conditions: list[ConditionOut]
    blocking: list[str]


class CalculatorOut(Schema):
    talent_id: int
    period: str
    total: Decimal
    entitled: list[CheckOut]
    nearly: list[CheckOut]
    others: list[CheckOut]


class PolicyOut(Schema):
    id: int
    code: str
    name: str
    target: str
    summary: str


class EntitlementOut(Schema):
    id: int
    policy: str
    version: int
    talent_id: int | None
    enterprise_id: int | None
    period: date
    amount: Decimal
    tier: str
    source: str
    status: str
    hold_reason: str


class ClaimIn(Schema):
    policy: str
    period: str | None = None


class ReviewIn(Schema):
    ids: list[int]
    action: str
    reason: str = ""


class ReviewOut(Schema):
    done: list[int]
    refused: dict[int, str]


class FiguresOut(Schema):
    talent_events: int
    talent_subsidy_planned_wan: Decimal
    paid_wan: Decimal
    talents: int


class SandboxIn(Schema):
    start: str
    months: int = 12
    overrides: dict[str, str] = {}


class SandboxCellOut(Schema):
    period: str
    policy: str
    base_count: int
    reform_count: int
    gained: int
    lost: int
    base_amount: Decimal
    reform_amount: Decimal


class ValidateIn(Schema):
    target: str = "talent"
    rule: Any
    amount: Any


class ValidateOut(Schema):
    valid: bool
    errors: list[str]


def _user(request: HttpRequest) -> Any:
    return request.auth if getattr(request.auth, "pk", None) else request.user  # type: ignore[attr-defined]


def _period(text: str | None) -> date:
    if not text:
        return engine.month_start(timezone.localdate())
    try:
        return engine.parse_period(text)
    except ValueError as error:
        raise HttpError(422, str(error)) from None


def _talent_out(user: Any, talent: Any) -> dict[str, Any]:
    return {
        **{f: getattr(talent, f) for f in TalentOut.model_fields if f not in ("employer", "id_number")},
        "id_number": selectors.shown_id(user, talent),
        "employer": talent.employer.name if talent.employer else None,
    }


def _check_out(check: Any) -> dict[str, Any]:
    e = check.explanation
    return {
        "policy": check.policy.code,
        "policy_name": check.policy.name,
        "version": check.version.number,
        "eligible": e.eligible,
        "amount": e.amount,
        "tier": e.tier,
        "conditions": [
            {
                "field": c.field,
                "label": c.label,
                "op": c.op,
                "expected": c.expected,
                "actual": c.actual,
                "outcome": c.effective,
                "negated": c.negated,
                "sources": c.sources,
            }
            for c in e.conditions
        ],
        "blocking": [c.label for c in e.blocking],
    }


def _forbid_roles(user: Any, roles: set[str]) -> None:
    if not user.is_superuser and user.role not in roles:
        raise HttpError(403, "无权访问。")


@router.get("/talents", response=list[TalentOut], summary="人才库（按角色范围，身份证号脱敏）")
@paginate(Pages)
def talent_list(
    request: HttpRequest, q: str | None = None, education: str | None = None, category: str | None = None
) -> Any:
    user = _user(request)
    data = {k: v for k, v in {"q": q, "education": education, "category": category}.items() if v}
    qs = TalentFilter(data or None, queryset=selectors.talents_visible_to(user)).qs
    return _LazyTalents(user, qs)


class _LazyTalents:
    """Masks ID numbers page by page (the paginator slices this before anything is read)."""

    def __init__(self, user: Any, qs: Any) -> None:
        self.user, self.qs = user, qs

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item: Any) -> Any:
        return [_talent_out(self.user, t) for t in self.qs[item]]


@router.get("/talents/{talent_id}", response=TalentOut, summary="人才详情")
def talent_detail(request: HttpRequest, talent_id: int) -> Any:
    user = _user(request)
    return _talent_out(user, selectors.talent_for(user, talent_id))


@router.get("/talents/{talent_id}/calculator", response=CalculatorOut, summary="政策计算器：可享受、差一个条件、其他")
def talent_calculator(request: HttpRequest, talent_id: int, period: str | None = None) -> Any:
    user = _user(request)
    talent = selectors.talent_for(user, talent_id)
    result = selectors.calculator(talent, _period(period))
    return {
        "talent_id": talent.pk,
        "period": result.period.strftime("%Y-%m"),
        "total": result.total,
        "entitled": [_check_out(c) for c in result.entitled],
        "nearly": [_check_out(c) for c in result.nearly],
        "others": [_check_out(c) for c in result.others],
    }


@router.post("/talents/{talent_id}/claim", response={201: EntitlementOut}, summary="即申即享：符合即核准")
def talent_claim(request: HttpRequest, talent_id: int, payload: ClaimIn) -> Any:
    user = _user(request)
    talent = selectors.talent_for(user, talent_id)
    policy = selectors.policies_visible_to(user).filter(code=payload.policy).first()
    if policy is None:
        raise HttpError(404, f"政策“{payload.policy}”不存在。")
    try:
        entitlement = services.entitlement_claim(
            actor=user, talent=talent, policy=policy, period=_period(payload.period)
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        raise HttpError(422, "；".join(error.messages)) from None
    return Status(201, _entitlement_out(entitlement))


def _entitlement_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "policy": e.policy.code,
        "version": e.policy_version.number,
        "talent_id": e.talent_id,
        "enterprise_id": e.enterprise_id,
        "period": e.period,
        "amount": e.amount,
        "tier": e.tier,
        "source": e.source,
        "status": e.status,
        "hold_reason": e.hold_reason,
    }


@router.get("/policies", response=list[PolicyOut], summary="政策")
@paginate(Pages)
def policy_list(request: HttpRequest) -> Any:
    return selectors.policies_visible_to(_user(request))


@router.post("/policies/validate", response=ValidateOut, summary="校验条件树与金额规则")
def policy_validate(request: HttpRequest, payload: ValidateIn) -> Any:
    try:
        parse_policy(
            payload.target,
            payload.rule,
            payload.amount,
            known_params=set(selectors.parameters_visible_to(_user(request)).values_list("code", flat=True)),
        )
    except RuleError as error:
        return {"valid": False, "errors": error.messages}
    return {"valid": True, "errors": []}


@router.get("/entitlements", response=list[EntitlementOut], summary="待遇（按角色范围）")
@paginate(Pages)
def entitlement_list(
    request: HttpRequest, period: date | None = None, status: str | None = None, policy: int | None = None
) -> Any:
    user = _user(request)
    data = {k: v for k, v in {"period": period, "status": status, "policy": policy}.items() if v}
    qs = EntitlementFilter(data or None, queryset=selectors.entitlements_visible_to(user)).qs
    return _Lazy(qs, _entitlement_out)


class _Lazy:
    def __init__(self, qs: Any, convert: Any) -> None:
        self.qs, self.convert = qs, convert

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item: Any) -> Any:
        return [self.convert(x) for x in self.qs[item]]


@router.post("/entitlements/review", response=ReviewOut, summary="批量审核：核准发放或暂缓")
def entitlement_review(request: HttpRequest, payload: ReviewIn) -> Any:
    user = _user(request)
    _forbid_roles(user, {Role.ADMIN, Role.HANDLER})
    if payload.action not in ("approve", "hold"):
        raise HttpError(422, "action 应为 approve 或 hold。")
    ids = list(selectors.entitlements_visible_to(user).filter(pk__in=payload.ids).values_list("pk", flat=True))
    try:
        result = services.entitlements_review(actor=user, ids=ids, action=payload.action, reason=payload.reason)
    except ValidationError as error:
        raise HttpError(422, "；".join(error.messages)) from None
    return {"done": result.done, "refused": result.refused}


@router.get("/figures", response=FiguresOut, summary="驾驶舱人才指标")
def figures(request: HttpRequest, start: date, end: date) -> Any:
    if end < start:
        raise HttpError(422, "结束日期不能早于开始日期。")
    return selectors.talent_figures(_user(request), start, end)


@router.post("/sandbox", response=list[SandboxCellOut], summary="政策沙盘：参数调整的影响（不落库）")
def sandbox(request: HttpRequest, payload: SandboxIn) -> Any:
    user = _user(request)
    _forbid_roles(user, {Role.ADMIN, Role.HANDLER, Role.LEADER})
    if not 1 <= payload.months <= 24:
        raise HttpError(422, "月数应在 1 到 24 之间。")
    try:
        overrides = {code: Decimal(value) for code, value in payload.overrides.items()}
    except ArithmeticError:
        raise HttpError(422, "参数取值应为数字（字符串）。") from None
    try:
        cells = selectors.sandbox(_period(payload.start), payload.months, overrides)
    except RuleError as error:
        raise HttpError(422, "；".join(error.messages)) from None
    return [
        {
            "period": c.period.strftime("%Y-%m"),
            "policy": c.policy.code,
            "base_count": c.base_count,
            "reform_count": c.reform_count,
            "gained": c.gained,
            "lost": c.lost,
            "base_amount": c.base_amount,
            "reform_amount": c.reform_amount,
        }
        for c in cells
    ]
