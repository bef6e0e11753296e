"""Who may open the cockpit, and the filter a request asks for (period, chain, management office).

The rule (docs/cockpit.md):

| role | cockpit |
|---|---|
| admin, leader, supervisor (and superusers) | the whole area; may filter by chain and by management office |
| handler whose unit is a management office (管理处) | their office only (the office filter is forced to it) |
| everyone else (instructor, investment, department handler, enterprise, talent) | no cockpit: 404, as for any page one may not see |
"""

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from accounts.choices import AREA_WIDE_ROLES
from accounts.models import Unit
from chains.models import Chain
from cockpit.periods import Period
from enterprises.selectors import office_of


def sees_whole_area(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.role in AREA_WIDE_ROLES))


def may_open_cockpit(user: Any) -> bool:
    return sees_whole_area(user) or (user is not None and user.is_authenticated and office_of(user) is not None)


def require_cockpit(user: Any) -> None:
    """404 for anyone without a cockpit (the page does not exist for them, as for any record they may not see)."""
    if not may_open_cockpit(user):
        raise Http404


@dataclass(frozen=True)
class Scope:
    """What one cockpit request counts: a user's view, over a period, optionally narrowed to a chain and an office."""

    user: Any
    period: Period
    chain: Chain | None = None
    office: Unit | None = None

    @property
    def area_wide(self) -> bool:
        return sees_whole_area(self.user)

    def filter_query(self) -> dict[str, str]:
        """The cockpit's own query parameters for this scope."""
        query = self.period.as_query()
        if self.chain is not None:
            query["chain"] = self.chain.code
        if self.office is not None:
            query["office"] = str(self.office.pk)
        return query


def scope_for(user: Any, period: Period, *, chain: Chain | None = None, office: Unit | None = None) -> Scope:
    """The scope a user may have: an office handler's office replaces whatever office they asked for."""
    require_cockpit(user)
    own_office = None if sees_whole_area(user) else office_of(user)
    return Scope(user=user, period=period, chain=chain, office=own_office or office)
