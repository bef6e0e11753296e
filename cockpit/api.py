"""/api/v1/cockpit/: the headline figures as JSON. Same rule as the pages: admin, leader, supervisor see the area,
a management office's handler their office; everyone else gets 404."""

from datetime import date
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from accounts.choices import UnitKind
from accounts.models import Unit
from chains.selectors import chains_visible_to
from cockpit.periods import PeriodError, year_period
from cockpit.scope import may_open_cockpit, scope_for
from cockpit.selectors.summary import cockpit_summary

router = Router(tags=["cockpit"])


class ChainFiguresOut(Schema):
    chain: str
    code: str
    organizations: int
    enterprises_covered: int
    members: int
    coverage_rate: Decimal


class PeriodOut(Schema):
    start: date
    end: date


class SummaryOut(Schema):
    year: int
    period: PeriodOut
    chain: str | None
    office: int | None
    organizations: int
    enterprises_covered: int
    members: int
    pioneer_posts: int
    commando_teams: int
    by_chain: list[ChainFiguresOut]
    needs_collected: int | None
    needs_resolved: int | None
    needs_open: int | None
    needs_overdue: int | None
    service_deliveries: int | None
    matters_handled: int | None
    enterprises_served: int | None
    projects_signed: int | None
    investment_signed_wan: Decimal | None
    roundtables_held: int | None
    agreements: int | None
    talent_events: int | None
    talent_subsidy_planned_wan: Decimal | None
    talent_subsidy_paid_wan: Decimal | None


@router.get("/summary", response=SummaryOut, summary="驾驶舱核心指标")
def summary(request: HttpRequest, year: int, chain: str | None = None, office: int | None = None) -> dict:
    """Headline figures of a calendar year (1 January – 31 December), optionally for one chain (its `code`) and one
    management office (its id). Amounts in 万元 are decimal strings (exact); figures without an office dimension are
    null when `office` is given. Keys are documented in docs/cockpit.md."""
    user = request.user
    if not may_open_cockpit(user):
        raise Http404
    try:
        period = year_period(year)
    except PeriodError as error:
        raise HttpError(422, str(error)) from None
    chain_obj = None
    if chain:
        chain_obj = chains_visible_to(user).filter(code=chain).first()
        if chain_obj is None:
            raise HttpError(422, "产业链代码不存在。")
    office_obj = None
    if office is not None:
        office_obj = Unit.objects.filter(pk=office, kind=UnitKind.MANAGEMENT_OFFICE).first()
        if office_obj is None:
            raise HttpError(422, "管理处不存在。")
    scope = scope_for(user, period, chain=chain_obj, office=office_obj)
    figures = cockpit_summary(scope)
    return {
        "year": year,
        "period": {"start": period.start, "end": period.end},
        "chain": scope.chain.code if scope.chain is not None else None,
        "office": scope.office.pk if scope.office is not None else None,
        **figures,
    }
