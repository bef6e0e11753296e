"""Pages of the organization chain: organizations, members, pioneer posts and zones, commando teams, pairings,
visits and mentoring pairs. Admins edit; instructors log their own visits; everyone else reads what they may see."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.access import get_visible_or_404
from enterprises.listing import Column, ListSpec, form_page, list_response
from enterprises.permissions import EDITORS, STAFF, editors_only, has_role, readers_only, roles_required, staff_only
from enterprises.selectors import enterprises_visible_to
from organizations.filters import (
    CommandoTeamFilter,
    MemberFilter,
    MentoringFilter,
    OrganizationFilter,
    PairingFilter,
    PioneerPostFilter,
    VisitFilter,
)
from organizations.forms import (
    CommandoTeamForm,
    MemberForm,
    MentoringEditForm,
    MentoringForm,
    OrganizationForm,
    PairingEditForm,
    PairingForm,
    PioneerPostForm,
    VisitForm,
)
from organizations.models import (
    CommandoTeam,
    MentoringPair,
    Milestone,
    Pairing,
    PartyMember,
    PartyOrganization,
    PioneerPost,
)
from organizations.selectors import (
    commando_team_for,
    commando_teams_visible_to,
    member_for,
    member_personal_fields,
    members_visible_to,
    mentoring_pair_for,
    mentoring_pairs_visible_to,
    organization_for,
    organizations_visible_to,
    organizations_with_counts,
    pairing_for,
    pairings_visible_to,
    pioneer_post_for,
    pioneer_posts_visible_to,
    visits_visible_to,
    with_masking,
)
from organizations.services import (
    commando_team_create,
    commando_team_update,
    member_create,
    member_update,
    mentoring_pair_create,
    mentoring_pair_update,
    milestone_complete,
    milestone_create,
    organization_create,
    organization_update,
    pairing_create,
    pairing_update,
    pioneer_post_create,
    pioneer_post_update,
    visit_log,
)

LIST_TEMPLATE = "organizations/list.html"
visit_loggers = roles_required({Role.ADMIN, Role.INSTRUCTOR})


def _url(name: str, *args: Any) -> str:
    return reverse(f"organizations:{name}", args=args)


def _enterprise_url(enterprise: Any) -> str:
    return reverse("enterprises:detail", args=[enterprise.pk]) if enterprise is not None else ""


def _is_editor(request: HttpRequest) -> bool:
    return has_role(request.user, EDITORS)


def _list(request: HttpRequest, spec: ListSpec, queryset: Any, create: tuple[str, str] | None = None) -> HttpResponse:
    editor = _is_editor(request)
    actions = [create] if create and editor else []
    return list_response(request, spec, queryset, actions=actions, editable=editor)


# ---- organizations ---------------------------------------------------------------------------------------------

ORGANIZATION_LIST = ListSpec(
    name="organizations",
    title="党组织",
    filterset=OrganizationFilter,
    columns=[
        Column("名称", lambda o, u: o.name, lambda o: _url("detail", o.pk)),
        Column("类型", lambda o, u: o.get_org_type_display()),
        Column("组建方式", lambda o, u: o.get_formation_display()),
        Column("产业链", lambda o, u: o.chain.name if o.chain else ""),
        Column("上级党组织", lambda o, u: o.parent.name if o.parent else ""),
        Column("管理处", lambda o, u: o.management_office.name if o.management_office else ""),
        Column("书记", lambda o, u: o.secretary_name),
        Column("覆盖企业数", lambda o, u: o.enterprise_count),
        Column("党员数", lambda o, u: o.member_count),
    ],
    template=LIST_TEMPLATE,
    edit_link=lambda o: _url("edit", o.pk),
)


@staff_only
def organization_list(request: HttpRequest) -> HttpResponse:
    qs = organizations_with_counts(organizations_visible_to(request.user))
    return _list(request, ORGANIZATION_LIST, qs, ("新增党组织", _url("create")))


@readers_only
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = organization_for(request.user, pk)
    members = members_visible_to(request.user).filter(organization=organization).order_by("name")
    context = {
        "organization": organization,
        "enterprises": enterprises_visible_to(request.user).filter(party_organizations=organization).order_by("name"),
        "members": with_masking(members, request.user),
        "posts": pioneer_posts_visible_to(request.user).filter(organization=organization),
        "teams": commando_teams_visible_to(request.user).filter(organization=organization),
        "children": organizations_visible_to(request.user).filter(parent=organization),
        "can_edit": _is_editor(request),
        "staff_view": has_role(request.user, STAFF),
    }
    return render(request, "organizations/organization_detail.html", context)


def _organization_save(request: HttpRequest, organization: PartyOrganization | None) -> Any:
    def save(form: OrganizationForm) -> PartyOrganization:
        fields = form.service_fields()
        covered = form.cleaned_data["covered"]
        if organization is None:
            return organization_create(actor=request.user, enterprises=covered, **fields)
        return organization_update(
            actor=request.user,
            organization=PartyOrganization.objects.get(pk=organization.pk),
            expected_version=form.cleaned_data.get("version"),
            enterprises=covered,
            **fields,
        )

    return save


@editors_only
def organization_create_view(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    return form_page(
        request,
        form,
        title="新增党组织",
        cancel_url=_url("list"),
        save=_organization_save(request, None),
        success_url=lambda o: _url("detail", o.pk),
        message="党组织已新增。",
    )


@editors_only
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = organization_for(request.user, pk)
    form = OrganizationForm(request.POST or None, instance=organization)
    return form_page(
        request,
        form,
        title=f"编辑党组织：{organization.name}",
        cancel_url=_url("detail", organization.pk),
        save=_organization_save(request, organization),
        success_url=lambda o: _url("detail", o.pk),
        message="党组织已保存。",
    )


# ---- members ---------------------------------------------------------------------------------------------------

MEMBER_LIST = ListSpec(
    name="members",
    title="党员",
    filterset=MemberFilter,
    personal=True,
    columns=[
        Column("姓名", lambda m, u: m.name),
        Column("党组织", lambda m, u: m.organization.name, lambda m: _url("detail", m.organization_id)),
        Column(
            "工作单位", lambda m, u: m.enterprise.name if m.enterprise else "", lambda m: _enterprise_url(m.enterprise)
        ),
        Column("岗位", lambda m, u: m.post),
        Column("入党日期", lambda m, u: m.joined_on),
        Column("身份证号", lambda m, u: member_personal_fields(m, u)["id_number"]),
        Column("手机号", lambda m, u: member_personal_fields(m, u)["phone"]),
    ],
    template=LIST_TEMPLATE,
    edit_link=lambda m: _url("member_edit", m.pk),
)


@staff_only
def member_list(request: HttpRequest) -> HttpResponse:
    qs = members_visible_to(request.user).order_by("organization__name", "name")
    return _list(request, MEMBER_LIST, qs, ("新增党员", _url("member_create")))


@editors_only
def member_create_view(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None, initial={"organization": request.GET.get("organization")})
    return form_page(
        request,
        form,
        title="新增党员",
        cancel_url=_url("members"),
        save=lambda f: member_create(actor=request.user, **f.service_fields()),
        success_url=lambda m: _url("detail", m.organization_id),
        message="党员已新增。",
    )


@editors_only
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_for(request.user, pk)
    form = MemberForm(request.POST or None, instance=member)
    return form_page(
        request,
        form,
        title=f"编辑党员：{member.name}",
        cancel_url=_url("members"),
        save=lambda f: member_update(
            actor=request.user,
            member=PartyMember.objects.get(pk=member.pk),
            expected_version=f.cleaned_data.get("version"),
            **f.service_fields(),
        ),
        success_url=lambda m: _url("detail", m.organization_id),
        message="党员信息已保存。",
    )


# ---- pioneer posts and responsibility zones --------------------------------------------------------------------

POST_LIST = ListSpec(
    name="pioneer_posts",
    title="党员先锋岗与责任区",
    filterset=PioneerPostFilter,
    columns=[
        Column("类型", lambda p, u: p.get_kind_display()),
        Column("名称", lambda p, u: p.name),
        Column("党组织", lambda p, u: p.organization.name, lambda p: _url("detail", p.organization_id)),
        Column("责任党员", lambda p, u: p.holder.name if p.holder else ""),
        Column("企业", lambda p, u: p.enterprise.name if p.enterprise else "", lambda p: _enterprise_url(p.enterprise)),
        Column("职责与目标", lambda p, u: p.description),
    ],
    template=LIST_TEMPLATE,
    edit_link=lambda p: _url("post_edit", p.pk),
)


@staff_only
def post_list(request: HttpRequest) -> HttpResponse:
    qs = pioneer_posts_visible_to(request.user).order_by("organization__name", "kind", "name")
    return _list(request, POST_LIST, qs, ("新增先锋岗/责任区", _url("post_create")))


@editors_only
def post_create(request: HttpRequest) -> HttpResponse:
    form = PioneerPostForm(request.POST or None)
    return form_page(
        request,
        form,
        title="新增党员先锋岗/责任区",
        cancel_url=_url("posts"),
        save=lambda f: pioneer_post_create(actor=request.user, **f.service_fields()),
        success_url=lambda p: _url("posts"),
        message="已新增。",
    )


@editors_only
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = pioneer_post_for(request.user, pk)
    form = PioneerPostForm(request.POST or None, instance=post)
    return form_page(
        request,
        form,
        title=f"编辑：{post.name}",
        cancel_url=_url("posts"),
        save=lambda f: pioneer_post_update(
            actor=request.user,
            post=PioneerPost.objects.get(pk=post.pk),
            expected_version=f.cleaned_data.get("version"),
            **f.service_fields(),
        ),
        success_url=lambda p: _url("posts"),
    )


# ---- commando teams --------------------------------------------------------------------------------------------


def _progress(team: CommandoTeam) -> str:
    milestones = list(team.milestones.all())  # prefetched
    return f"{sum(1 for m in milestones if m.done_on)}/{len(milestones)}"


TEAM_LIST = ListSpec(
    name="commando_teams",
    title="党员突击队",
    filterset=CommandoTeamFilter,
    columns=[
        Column("名称", lambda t, u: t.name, lambda t: _url("team_detail", t.pk)),
        Column("党组织", lambda t, u: t.organization.name, lambda t: _url("detail", t.organization_id)),
        Column("企业", lambda t, u: t.enterprise.name if t.enterprise else ""),
        Column("攻坚目标", lambda t, u: t.goal),
        Column("状态", lambda t, u: t.get_status_display()),
        Column("节点完成", lambda t, u: _progress(t)),
        Column("队员数", lambda t, u: len(t.members.all())),
        Column("成果", lambda t, u: t.outcome),
    ],
    template=LIST_TEMPLATE,
    edit_link=lambda t: _url("team_edit", t.pk),
)


@staff_only
def team_list(request: HttpRequest) -> HttpResponse:
    qs = commando_teams_visible_to(request.user).order_by("organization__name", "name")
    return _list(request, TEAM_LIST, qs, ("新增突击队", _url("team_create")))


@readers_only
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = commando_team_for(request.user, pk)
    return render(
        request,
        "organizations/team_detail.html",
        {
            "team": team,
            "can_edit": _is_editor(request),
            "staff_view": has_role(request.user, STAFF),
            "today": timezone.localdate(),
        },
    )


def _team_save(request: HttpRequest, team: CommandoTeam | None) -> Any:
    def save(form: CommandoTeamForm) -> CommandoTeam:
        fields = form.service_fields()
        milestones = form.cleaned_data["milestone_lines"]
        if team is None:
            return commando_team_create(actor=request.user, milestones=milestones, **fields)
        updated = commando_team_update(
            actor=request.user,
            team=CommandoTeam.objects.get(pk=team.pk),
            expected_version=form.cleaned_data.get("version"),
            **fields,
        )
        for title, due_on in milestones:
            milestone_create(actor=request.user, team=updated, title=title, due_on=due_on)
        return updated

    return save


@editors_only
def team_create(request: HttpRequest) -> HttpResponse:
    form = CommandoTeamForm(request.POST or None)
    return form_page(
        request,
        form,
        title="新增党员突击队",
        cancel_url=_url("teams"),
        save=_team_save(request, None),
        success_url=lambda t: _url("team_detail", t.pk),
        message="突击队已新增。",
    )


@editors_only
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = commando_team_for(request.user, pk)
    form = CommandoTeamForm(request.POST or None, instance=team)
    return form_page(
        request,
        form,
        title=f"编辑突击队：{team.name}",
        cancel_url=_url("team_detail", team.pk),
        save=_team_save(request, team),
        success_url=lambda t: _url("team_detail", t.pk),
        message="突击队已保存。",
    )


@editors_only
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_visible_or_404(
        Milestone.objects.filter(team__in=commando_teams_visible_to(request.user).order_by().values("pk")), pk=pk
    )
    milestone_complete(actor=request.user, milestone=milestone, done_on=timezone.localdate())
    messages.success(request, f"节点“{milestone.title}”已标记完成。")
    return redirect(_url("team_detail", milestone.team_id))


# ---- pairings --------------------------------------------------------------------------------------------------


def _active(pairing: Pairing) -> str:
    today = timezone.localdate()
    return "在期" if pairing.starts_on <= today and (pairing.ends_on is None or pairing.ends_on >= today) else "已结束"


PAIRING_LIST = ListSpec(
    name="pairings",
    title="挂点联系",
    filterset=PairingFilter,
    columns=[
        Column("类型", lambda p, u: p.get_kind_display()),
        Column("领导/指导员", lambda p, u: str(p.staff)),
        Column(
            "企业/项目",
            lambda p, u: p.enterprise.name if p.enterprise else p.project.name,
            lambda p: _enterprise_url(p.enterprise or p.project.enterprise),
        ),
        Column("开始日期", lambda p, u: p.starts_on),
        Column("结束日期", lambda p, u: p.ends_on),
        Column("状态", lambda p, u: _active(p)),
    ],
    template=LIST_TEMPLATE,
    edit_link=lambda p: _url("pairing_edit", p.pk),
)


@staff_only
def pairing_list(request: HttpRequest) -> HttpResponse:
    qs = pairings_visible_to(request.user).order_by("kind", "staff__username", "enterprise__name", "id")
    return _list(request, PAIRING_LIST, qs, ("新增挂点联系", _url("pairing_create")))


@editors_only
def pairing_create_view(request: HttpRequest) -> HttpResponse:
    form = PairingForm(request.POST or None)
    return form_page(
        request,
        form,
        title="新增挂点联系",
        cancel_url=_url("pairings"),
        save=lambda f: pairing_create(actor=request.user, **f.cleaned_data),
        success_url=lambda p: _url("pairings"),
        message="挂点联系已新增。",
    )


@editors_only
def pairing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = pairing_for(request.user, pk)
    form = PairingEditForm(request.POST or None, instance=pairing)
    return form_page(
        request,
        form,
        title=f"挂点联系：{pairing}",
        cancel_url=_url("pairings"),
        save=lambda f: pairing_update(
            actor=request.user,
            pairing=Pairing.objects.get(pk=pairing.pk),
            expected_version=f.cleaned_data.get("version"),
            **f.service_fields(),
        ),
        success_url=lambda p: _url("pairings"),
    )


# ---- visits ----------------------------------------------------------------------------------------------------

VISIT_LIST = ListSpec(
    name="visits",
    title="走访记录",
    filterset=VisitFilter,
    columns=[
        Column("走访日期", lambda v, u: v.visited_on),
        Column("指导员", lambda v, u: str(v.instructor)),
        Column("企业", lambda v, u: v.enterprise.name, lambda v: _enterprise_url(v.enterprise)),
        Column("走访情况", lambda v, u: v.summary),
        # A finding becomes a need of the service chain in one step (the link opens the prefilled need form).
        Column(
            "发现的问题/诉求（点击生成诉求）",
            lambda v, u: v.findings,
            lambda v: reverse("service_requests:need_from_visit", args=[v.pk]) if v.findings else "",
        ),
    ],
    template=LIST_TEMPLATE,
)


@staff_only
def visit_list(request: HttpRequest) -> HttpResponse:
    actions = [("记录走访", _url("visit_create"))] if has_role(request.user, {Role.ADMIN, Role.INSTRUCTOR}) else []
    return list_response(request, VISIT_LIST, visits_visible_to(request.user), actions=actions)


@visit_loggers
def visit_create(request: HttpRequest) -> HttpResponse:
    paired = enterprises_visible_to(request.user).order_by("name")
    form = VisitForm(request.POST or None, user=request.user, paired=paired)
    return form_page(
        request,
        form,
        title="记录走访",
        cancel_url=_url("visits"),
        save=lambda f: visit_log(actor=request.user, **f.cleaned_data),
        success_url=lambda v: _url("visits"),
        message="走访记录已保存。",
    )


# ---- mentoring -------------------------------------------------------------------------------------------------

MENTORING_LIST = ListSpec(
    name="mentoring",
    title="结对帮带",
    filterset=MentoringFilter,
    columns=[
        Column("龙头企业", lambda m, u: m.mentor.name, lambda m: _enterprise_url(m.mentor)),
        Column("成长型企业", lambda m, u: m.mentee.name, lambda m: _enterprise_url(m.mentee)),
        Column("开始日期", lambda m, u: m.starts_on),
        Column("结束日期", lambda m, u: m.ends_on),
        Column("帮带内容", lambda m, u: m.goals),
    ],
    template=LIST_TEMPLATE,
    edit_link=lambda m: _url("mentoring_edit", m.pk),
)


@staff_only
def mentoring_list(request: HttpRequest) -> HttpResponse:
    qs = mentoring_pairs_visible_to(request.user).order_by("mentor__name", "mentee__name")
    return _list(request, MENTORING_LIST, qs, ("新增结对帮带", _url("mentoring_create")))


@editors_only
def mentoring_create(request: HttpRequest) -> HttpResponse:
    form = MentoringForm(request.POST or None)
    return form_page(
        request,
        form,
        title="新增结对帮带",
        cancel_url=_url("mentoring"),
        save=lambda f: mentoring_pair_create(actor=request.user, **f.cleaned_data),
        success_url=lambda m: _url("mentoring"),
        message="结对帮带已新增。",
    )


@editors_only
def mentoring_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pair = mentoring_pair_for(request.user, pk)
    form = MentoringEditForm(request.POST or None, instance=pair)
    return form_page(
        request,
        form,
        title=f"结对帮带：{pair}",
        cancel_url=_url("mentoring"),
        save=lambda f: mentoring_pair_update(
            actor=request.user,
            pair=MentoringPair.objects.get(pk=pair.pk),
            expected_version=f.cleaned_data.get("version"),
            **f.service_fields(),
        ),
        success_url=lambda m: _url("mentoring"),
    )
