"""Reads on the organization chain, scoped by the user's role (the same rule as enterprises.selectors).

- Roles that see every enterprise (admin, leader, supervisor, investment, non-office handlers) see every organization,
  member, post, team, pairing, visit and mentoring pair.
- Everyone else sees the organization-chain records of the enterprises they may see: organizations covering one of
  those enterprises (plus, for a management-office handler, the organizations registered to the office); members who
  work at one of those enterprises or (instructors, office handlers) belong to one of those organizations; posts and
  teams of those organizations; pairings and visits about those enterprises (an instructor also sees their own);
  mentoring pairs with one of those enterprises on either side.
- An enterprise user sees only their own enterprise's organizations and the members working there.
- Members' ID numbers and phones are masked unless the role may see personal data (admin only).
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from core.access import get_visible_or_404
from core.validators import mask_id_number, mask_phone
from enterprises.models import Enterprise
from enterprises.selectors import active_pairing_q, enterprises_visible_to, office_of, sees_all_enterprises
from organizations.choices import PairingKind
from organizations.models import (
    CommandoTeam,
    MentoringPair,
    Milestone,
    Pairing,
    PartyMember,
    PartyOrganization,
    PioneerPost,
    Visit,
)


def _anonymous(user: Any) -> bool:
    return user is None or not user.is_authenticated


def can_see_personal_data(user: Any) -> bool:
    """Only the party-work department (admin) sees members' full ID numbers and phones, on pages and in exports."""
    return not _anonymous(user) and bool(user.is_admin_role)


def can_edit_organization_chain(user: Any) -> bool:
    """Admins edit organizations, members, posts, teams, pairings and mentoring; others read."""
    return not _anonymous(user) and bool(user.is_admin_role)


def _visible_enterprise_ids(user: Any) -> Any:
    return enterprises_visible_to(user).order_by().values("pk")


# ---- a management office's share of the organization chain (the cockpit's rule, and the lists' `office` filter) ----


def office_enterprise_ids(office: Any) -> Any:
    """The ids of the enterprises a management office (管理处) manages, as a subquery."""
    return Enterprise.objects.filter(management_office=office).order_by().values("pk")


def organizations_of_office_q(office: Any, prefix: str = "") -> Q:
    """Party organizations covering at least one of the office's enterprises (`prefix` reaches the organization from
    another model, e.g. ``"organization__"`` for posts and teams).

    Not the organization's own `management_office` field (where it is registered): an office's share of the
    organization chain is what covers its enterprises, wherever the organization is registered."""
    through: Any = PartyOrganization.enterprises.through
    covering = through.objects.filter(enterprise__in=office_enterprise_ids(office)).values("partyorganization")
    return Q(**{f"{prefix}pk__in": covering})


def members_of_office_q(office: Any) -> Q:
    """Party members working at one of the office's enterprises (whatever organization they belong to)."""
    return Q(enterprise__in=office_enterprise_ids(office))


# ---- organizations -------------------------------------------------------------------------------------------


def organizations_visible_to(user: Any) -> QuerySet[PartyOrganization]:
    qs = PartyOrganization.objects.select_related("chain", "parent", "management_office")
    if _anonymous(user):
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    if user.role == Role.TALENT:
        return qs.none()
    covering = PartyOrganization.objects.filter(enterprises__in=_visible_enterprise_ids(user)).values("pk")
    condition = Q(pk__in=covering)
    office = office_of(user)
    if office is not None:
        condition |= Q(management_office=office)
    return qs.filter(condition)


def organization_for(user: Any, pk: Any) -> PartyOrganization:
    return get_visible_or_404(organizations_visible_to(user), pk=pk)


def organizations_with_counts(qs: QuerySet[PartyOrganization]) -> QuerySet[PartyOrganization]:
    """Annotate member and enterprise counts (subqueries, so the two counts do not multiply each other)."""
    members = (
        PartyMember.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    through: Any = PartyOrganization.enterprises.through
    covered = (
        through.objects.filter(partyorganization=OuterRef("pk"))
        .order_by()
        .values("partyorganization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
        enterprise_count=Coalesce(Subquery(covered, output_field=IntegerField()), 0),
    )


# ---- members -------------------------------------------------------------------------------------------------


def members_visible_to(user: Any) -> QuerySet[PartyMember]:
    qs = PartyMember.objects.select_related("organization", "enterprise")
    if _anonymous(user):
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()
    if user.role == Role.TALENT:
        return qs.none()
    return qs.filter(
        Q(enterprise__in=_visible_enterprise_ids(user))
        | Q(organization__in=organizations_visible_to(user).order_by().values("pk"))
    )


def member_for(user: Any, pk: Any) -> PartyMember:
    return get_visible_or_404(members_visible_to(user), pk=pk)


def member_personal_fields(member: PartyMember, user: Any) -> dict[str, str]:
    """The ID number and phone as this user may see them (masked unless the role may see personal data)."""
    if can_see_personal_data(user):
        return {"id_number": member.id_number, "phone": member.phone}
    return {"id_number": mask_id_number(member.id_number), "phone": mask_phone(member.phone)}


def with_masking(members: Iterable[PartyMember], user: Any) -> list[PartyMember]:
    """Attach `shown_id_number` / `shown_phone` to each member for templates; returns them as a list."""
    rows = list(members)
    for member in rows:
        shown = member_personal_fields(member, user)
        member.shown_id_number = shown["id_number"]  # type: ignore[attr-defined]
        member.shown_phone = shown["phone"]  # type: ignore[attr-defined]
    return rows


# ---- posts, teams --------------------------------------------------------------------------------------------


def pioneer_posts_visible_to(user: Any) -> QuerySet[PioneerPost]:
    qs = PioneerPost.objects.select_related("organization", "holder", "enterprise")
    if sees_all_enterprises(user):
        return qs
    return qs.filter(organization__in=organizations_visible_to(user).order_by().values("pk"))


def pioneer_post_for(user: Any, pk: Any) -> PioneerPost:
    return get_visible_or_404(pioneer_posts_visible_to(user), pk=pk)


def commando_teams_visible_to(user: Any) -> QuerySet[CommandoTeam]:
    qs = CommandoTeam.objects.select_related("organization", "enterprise").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id")),
        Prefetch("members", queryset=PartyMember.objects.order_by("name")),
    )
    if sees_all_enterprises(user):
        return qs
    return qs.filter(organization__in=organizations_visible_to(user).order_by().values("pk"))


def commando_team_for(user: Any, pk: Any) -> CommandoTeam:
    return get_visible_or_404(commando_teams_visible_to(user), pk=pk)


# ---- pairings, projects, visits, mentoring -------------------------------------------------------------------


def pairings_visible_to(user: Any) -> QuerySet[Pairing]:
    qs = Pairing.objects.select_related("staff", "enterprise", "project", "project__enterprise")
    if _anonymous(user):
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    if user.role == Role.TALENT:
        return qs.none()
    condition = Q(enterprise__in=_visible_enterprise_ids(user))
    if user.role in (Role.INSTRUCTOR, Role.LEADER):
        condition |= Q(staff=user)
    return qs.filter(condition)


def pairing_for(user: Any, pk: Any) -> Pairing:
    return get_visible_or_404(pairings_visible_to(user), pk=pk)


def visits_visible_to(user: Any) -> QuerySet[Visit]:
    qs = Visit.objects.select_related("instructor", "enterprise")
    if _anonymous(user):
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    if user.role == Role.TALENT:
        return qs.none()
    condition = Q(enterprise__in=_visible_enterprise_ids(user))
    if user.role == Role.INSTRUCTOR:
        condition |= Q(instructor=user)
    return qs.filter(condition)


def visit_for(user: Any, pk: Any) -> Visit:
    return get_visible_or_404(visits_visible_to(user), pk=pk)


def mentoring_pairs_visible_to(user: Any) -> QuerySet[MentoringPair]:
    qs = MentoringPair.objects.select_related("mentee", "mentor")
    if _anonymous(user):
        return qs.none()
    if sees_all_enterprises(user):
        return qs
    visible = _visible_enterprise_ids(user)
    return qs.filter(Q(mentee__in=visible) | Q(mentor__in=visible))


def mentoring_pair_for(user: Any, pk: Any) -> MentoringPair:
    return get_visible_or_404(mentoring_pairs_visible_to(user), pk=pk)


# ---- who is paired with whom (used by service requests, supervision and the cockpit) --------------------------


def _active_pairings(kind: str) -> QuerySet[Pairing]:
    return Pairing.objects.filter(active_pairing_q(), kind=kind)


def current_instructor_for(enterprise: Enterprise | int) -> Any:
    """The instructor actively paired with this enterprise (the most recent pairing if several), or None."""
    pk = enterprise if isinstance(enterprise, int) else enterprise.pk
    pairing = (
        _active_pairings(PairingKind.INSTRUCTOR_ENTERPRISE)
        .filter(enterprise_id=pk)
        .select_related("staff")
        .order_by("-starts_on", "-id")
        .first()
    )
    return pairing.staff if pairing is not None else None


def current_instructors_for(enterprise_ids: Iterable[int]) -> dict[int, Any]:
    """enterprise id → active instructor User for many enterprises, in one query (for lists)."""
    result: dict[int, Any] = {}
    pairings = (
        _active_pairings(PairingKind.INSTRUCTOR_ENTERPRISE)
        .filter(enterprise_id__in=list(enterprise_ids))
        .select_related("staff")
        .order_by("enterprise_id", "starts_on", "id")
    )
    for pairing in pairings:
        result[pairing.enterprise_id] = pairing.staff  # type: ignore[index]  # the latest wins
    return result


def current_leader_for(enterprise: Enterprise | int) -> Any:
    """The leader actively paired with this key enterprise (领导挂点), or None."""
    pk = enterprise if isinstance(enterprise, int) else enterprise.pk
    pairing = (
        _active_pairings(PairingKind.LEADER_ENTERPRISE)
        .filter(enterprise_id=pk)
        .select_related("staff")
        .order_by("-starts_on", "-id")
        .first()
    )
    return pairing.staff if pairing is not None else None


def paired_enterprise_ids(user: Any) -> set[int]:
    """Ids of the enterprises this user (instructor or leader) is actively paired with."""
    if _anonymous(user):
        return set()
    return set(
        Pairing.objects.filter(active_pairing_q(), staff=user, enterprise__isnull=False).values_list(
            "enterprise_id", flat=True
        )
    )


def home_figures(user: Any) -> list[dict[str, Any]]:
    """Home-page figures of the organization chain for this user (two or three count queries)."""

    if _anonymous(user) or user.role == Role.TALENT:
        return []
    if user.role == Role.ENTERPRISE:
        instructor = current_instructor_for(user.enterprise_id) if user.enterprise_id else None
        return [{"label": "党建工作指导员", "value": str(instructor) if instructor else "未配备", "url": ""}]
    figures = [
        {"label": "党组织", "value": organizations_visible_to(user).count(), "url": reverse("organizations:list")},
        {"label": "党员", "value": members_visible_to(user).count(), "url": reverse("organizations:members")},
    ]
    if user.role == Role.INSTRUCTOR:
        year_start = timezone.localdate().replace(month=1, day=1)
        visits = Visit.objects.filter(instructor=user, visited_on__gte=year_start).count()
        figures.append({"label": "本年走访", "value": visits, "url": reverse("organizations:visits")})
    return figures
