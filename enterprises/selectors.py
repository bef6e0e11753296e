"""Reads on the enterprise register, scoped by the user's role. Pages, API and exports all go through here.

Who sees which enterprises (one rule, used everywhere):

| role | enterprises |
|---|---|
| admin, leader, supervisor, investment (and superusers) | all of the area |
| instructor | the enterprises they are actively paired with (挂点联系) |
| handler | the enterprises of their management office when their unit is a management office (管理处); all of the area otherwise — departments, sector desks and the window handle requests about any enterprise |
| enterprise | their own enterprise only |
| talent, anonymous | none |

Research institutions are public facts of the area: every staff role and enterprise users see all of them.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.choices import AREA_WIDE_ROLES, Role, UnitKind
from core.access import get_visible_or_404
from enterprises.models import Enterprise, IndustryCode, ResearchInstitution

#: Roles that see every enterprise of the area.
ALL_ENTERPRISE_ROLES = AREA_WIDE_ROLES | {Role.INVESTMENT}


def active_pairing_q(prefix: str = "", *, today: Any = None) -> Q:
    """A pairing that has started and not ended (on `today`), as a Q over `prefix` + starts_on/ends_on."""
    day = today or timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def office_of(user: Any) -> Any:
    """The management office a handler works for, or None (a department, desk or window is not an office)."""
    unit = getattr(user, "unit", None)
    if getattr(user, "role", None) == Role.HANDLER and unit is not None and unit.kind == UnitKind.MANAGEMENT_OFFICE:
        return unit
    return None


def sees_all_enterprises(user: Any) -> bool:
    """True when the role's enterprise scope is the whole area (no filter needed)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or user.role in ALL_ENTERPRISE_ROLES:
        return True
    return user.role == Role.HANDLER and office_of(user) is None


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    """The enterprises this user may see (see the module docstring), with the management office joined."""
    qs = Enterprise.objects.select_related("management_office")
    if user is None or not user.is_authenticated:
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    if user.role == Role.INSTRUCTOR:
        # A subquery over the reverse relation keeps one row per enterprise without DISTINCT.
        paired = Enterprise.objects.filter(
            Q(pairings__staff=user) & Q(pairings__kind="instructor_enterprise") & active_pairing_q("pairings__")
        ).values("pk")
        return qs.filter(pk__in=paired)
    if user.role == Role.HANDLER:
        return qs.filter(management_office=office_of(user))
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return qs.filter(pk=user.enterprise_id)
    return qs.none()


def enterprise_for(user: Any, pk: Any) -> Enterprise:
    """The one way to fetch an enterprise for a user: 404 for what they may not see."""
    return get_visible_or_404(enterprises_visible_to(user), pk=pk)


def institutions_visible_to(user: Any) -> QuerySet[ResearchInstitution]:
    qs = ResearchInstitution.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.role != Role.TALENT:
        return qs
    return qs.none()


def institution_for(user: Any, pk: Any) -> ResearchInstitution:
    return get_visible_or_404(institutions_visible_to(user), pk=pk)


def industry_names(codes: set[str]) -> dict[str, str]:
    """code → name for the given GB/T 4754 codes, in one query (unknown codes are absent)."""
    return dict(IndustryCode.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))


def home_figures(user: Any) -> list[dict[str, Any]]:
    """Home-page figures of the register for this user (one count query)."""

    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return [
            {
                "label": "本企业",
                "value": user.enterprise.name,
                "url": reverse("enterprises:detail", args=[user.enterprise_id]),
            }
        ]
    if user.role == Role.TALENT and not user.is_superuser:
        return []
    label = "联系企业" if user.role == Role.INSTRUCTOR else "可见企业"
    return [{"label": label, "value": enterprises_visible_to(user).count(), "url": reverse("enterprises:list")}]
