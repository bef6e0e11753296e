"""Pages of the innovation chain. Thin: validate, authorise through selectors, call a service, render."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.exporting import workbook_response
from core.permissions import roles_required
from enterprises.models import Enterprise, ResearchInstitution
from enterprises.selectors import enterprise_for, enterprises_visible_to
from matching import planning, selectors, services
from matching.choices import InvitationStatus, RoundtableStatus
from matching.filters import AgreementFilter, PostingFilter, RoundtableFilter, SuggestionFilter
from matching.forms import (
    AgreementForm,
    DecisionForm,
    InvitationStatusForm,
    InviteForm,
    MentoringAcceptForm,
    MinutesForm,
    PostingForm,
    ProgressForm,
    RoundtableForm,
)
from matching.models import Invitation, Posting

PAGE_SIZE = 50
STAFF = frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.SUPERVISOR, Role.HANDLER, Role.INVESTMENT})
READERS = STAFF | {Role.ENTERPRISE}
BROKERS = frozenset({Role.ADMIN, Role.LEADER, Role.SUPERVISOR, Role.INSTRUCTOR, Role.ENTERPRISE})


def role_required(roles: frozenset[str]) -> Callable[..., Any]:
    """login_required plus an explicit role rule; the wrong role gets 404 (as if the page did not exist)."""
    return roles_required(roles, deny=Http404)


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# ---- postings ------------------------------------------------------------------------------------------------


@role_required(READERS)
def posting_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.postings_visible_to(request.user).order_by("-created_at", "-id")
    filterset = PostingFilter(request.GET or None, queryset=qs)
    rows = filterset.qs
    if request.GET.get("export") == "xlsx":
        return workbook_response(
            "对接信息.xlsx",
            ["编号", "类型", "标题", "类别", "产业链", "环节", "行业代码", "地区", "发布方", "状态", "有效期至"],
            (
                [
                    p.pk,
                    p.get_kind_display(),
                    p.title,
                    p.get_category_display(),
                    p.chain or "",
                    p.link.name if p.link else "",
                    p.industry_code,
                    p.region,
                    p.owner_name,
                    p.get_status_display(),
                    p.valid_until,
                ]
                for p in rows.iterator(chunk_size=500)
            ),
        )
    context = {"filter": filterset, "page": _page(request, rows), "can_publish": selectors.can_publish(request.user)}
    template = "matching/posting_list.html#rows" if getattr(request, "htmx", False) else "matching/posting_list.html"
    return render(request, template, context)


def _publish_enterprises(user: Any) -> Any:
    if user.is_superuser or user.role in (Role.ADMIN, Role.LEADER, Role.INSTRUCTOR):
        return enterprises_visible_to(user).order_by("name")
    return None


@role_required(frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.ENTERPRISE}))
def posting_create(request: HttpRequest) -> HttpResponse:
    enterprises = _publish_enterprises(request.user)
    form = PostingForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in form.fields and v not in (None, "")}
        if fields.get("kind") in ("tech_offer",):
            fields.pop("enterprise", None)
        else:
            fields.pop("institution", None)
        try:
            posting = services.posting_create(actor=request.user, **fields)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "已发布，系统将在后台计算匹配推荐。")
            return redirect("matching:posting_detail", pk=posting.pk)
    return render(request, "matching/posting_form.html", {"form": form, "title": "发布对接信息"})


@role_required(READERS)
def posting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    posting = selectors.posting_for(request.user, pk)
    suggestions = selectors.suggestions_visible_to(request.user).filter(source=posting).order_by("rank")
    return render(
        request,
        "matching/posting_detail.html",
        {
            "posting": posting,
            "private": selectors.can_see_private(request.user, posting),
            "can_edit": selectors.can_edit_posting(request.user, posting),
            "suggestions": list(suggestions),
            "decision_form": DecisionForm(),
        },
    )


@role_required(frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.ENTERPRISE}))
def posting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    posting = selectors.posting_for(request.user, pk)
    if not selectors.can_edit_posting(request.user, posting):
        raise Http404
    form = PostingForm(request.POST or None, instance=posting, editing=True)
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in services.EDITABLE_FIELDS}
        try:
            services.posting_update(
                actor=request.user,
                posting=posting,
                expected_version=int(request.POST.get("version") or 0) or None,
                **changes,
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "已保存。")
            return redirect("matching:posting_detail", pk=posting.pk)
    return render(request, "matching/posting_form.html", {"form": form, "title": "修改对接信息", "posting": posting})


@require_POST
@role_required(frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.ENTERPRISE}))
def posting_status(request: HttpRequest, pk: int) -> HttpResponse:
    posting = selectors.posting_for(request.user, pk)
    if not selectors.can_edit_posting(request.user, posting):
        raise Http404
    try:
        services.posting_set_status(actor=request.user, posting=posting, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("matching:posting_detail", pk=posting.pk)


@require_POST
@role_required(frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.ENTERPRISE}))
def posting_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute this posting's suggestions now (normally a background task does it after each change)."""
    posting = selectors.posting_for(request.user, pk)
    if not selectors.can_edit_posting(request.user, posting):
        raise Http404
    full = Posting.objects.select_related("link", "enterprise", "institution").get(pk=posting.pk)
    services.posting_embed(posting_id=posting.pk)
    services.suggestions_refresh(posting=full)
    messages.success(request, "匹配推荐已更新。")
    return redirect("matching:posting_detail", pk=posting.pk)


# ---- suggestions ---------------------------------------------------------------------------------------------


@role_required(BROKERS)
def suggestion_list(request: HttpRequest) -> HttpResponse:
    """My suggestions (enterprise) / suggestions to broker (instructor) / all (admin, leader, supervisor)."""
    qs = selectors.suggestions_visible_to(request.user).order_by("source_id", "rank")
    filterset = SuggestionFilter(request.GET or None, queryset=qs)
    rows = filterset.qs
    if request.GET.get("export") == "xlsx":
        return workbook_response(
            "匹配推荐.xlsx",
            ["本方", "本方单位", "推荐对象", "对象单位", "排名", "得分", "加分项", "状态", "反馈"],
            (
                [
                    s.source.title,
                    s.source.owner_name,
                    s.target.title,
                    s.target.owner_name,
                    s.rank,
                    round(s.score, 6),
                    "、".join(b["label"] for b in s.components.get("boosts", [])),
                    s.get_status_display(),
                    s.feedback,
                ]
                for s in rows.iterator(chunk_size=500)
            ),
        )
    is_instructor = getattr(request.user, "role", None) == Role.INSTRUCTOR
    title = (
        "待撮合的推荐"
        if is_instructor
        else ("我的匹配推荐" if getattr(request.user, "role", None) == Role.ENTERPRISE else "匹配推荐")
    )
    context = {"filter": filterset, "page": _page(request, rows), "title": title, "decision_form": DecisionForm()}
    template = (
        "matching/suggestion_list.html#rows" if getattr(request, "htmx", False) else "matching/suggestion_list.html"
    )
    return render(request, template, context)


@require_POST
@role_required(frozenset({Role.ADMIN, Role.INSTRUCTOR, Role.ENTERPRISE}))
def suggestion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_for(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.suggestion_decide(
                actor=request.user,
                suggestion=suggestion,
                accept=form.cleaned_data["decision"] == "accept",
                feedback=form.cleaned_data["feedback"],
            )
        except PermissionDenied:
            raise Http404 from None
    else:
        return HttpResponse("请选择接受或谢绝。", status=400)
    if getattr(request, "htmx", False):
        return render(
            request, "matching/partials/suggestion_row.html", {"s": suggestion, "decision_form": DecisionForm()}
        )
    messages.success(request, "已记录您的反馈。")
    return redirect(request.POST.get("next") or "matching:suggestion_list")


# ---- roundtables ---------------------------------------------------------------------------------------------


@role_required(READERS)
def roundtable_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.roundtables_visible_to(request.user).order_by("-held_on", "-id")
    filterset = RoundtableFilter(request.GET or None, queryset=qs)
    rows = filterset.qs
    if request.GET.get("export") == "xlsx":
        return workbook_response(
            "党建圆桌会.xlsx",
            ["主题", "产业链", "环节", "日期", "地点", "主办党组织", "状态"],
            (
                [
                    r.theme,
                    r.chain,
                    r.link.name if r.link else "",
                    r.held_on,
                    r.venue,
                    r.host_organization or "",
                    r.get_status_display(),
                ]
                for r in rows.iterator(chunk_size=500)
            ),
        )
    context = {"filter": filterset, "page": _page(request, rows), "can_organize": selectors.can_organize(request.user)}
    return render(request, "matching/roundtable_list.html", context)


@role_required(selectors.ORGANIZER_ROLES)
def roundtable_create(request: HttpRequest) -> HttpResponse:
    form = RoundtableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            roundtable = services.roundtable_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "圆桌会已创建，请从推荐的对接组合中选择邀请对象。")
            return redirect("matching:roundtable_detail", pk=roundtable.pk)
    return render(request, "matching/roundtable_form.html", {"form": form})


@role_required(READERS)
def roundtable_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roundtable = selectors.roundtable_for(request.user, pk)
    organizer = selectors.can_organize(request.user)
    invitations = list(selectors.invitations_of(roundtable))
    proposals = (
        planning.roundtable_proposals(roundtable) if organizer and roundtable.status == RoundtableStatus.PLANNED else []
    )
    invited_e = {i.enterprise_id for i in invitations if i.enterprise_id}
    invited_i = {i.institution_id for i in invitations if i.institution_id}
    agreement_form = AgreementForm(
        enterprises=Enterprise.objects.filter(pk__in=invited_e).order_by("name"),
        institutions=ResearchInstitution.objects.filter(pk__in=invited_i).order_by("name"),
    )
    return render(
        request,
        "matching/roundtable_detail.html",
        {
            "roundtable": roundtable,
            "organizer": organizer,
            "invitations": invitations,
            "proposals": proposals,
            "minutes_form": MinutesForm(initial={"minutes": roundtable.minutes, "version": roundtable.version}),
            "agreement_form": agreement_form,
            "agreements": list(selectors.agreements_visible_to(request.user).filter(roundtable=roundtable)),
            "invitation_statuses": InvitationStatus.choices,
        },
    )


@require_POST
@role_required(selectors.ORGANIZER_ROLES)
def roundtable_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite both sides of the chosen pairs (from the engine's proposals)."""
    roundtable = selectors.roundtable_for(request.user, pk)
    proposals = {p.key: p for p in planning.roundtable_proposals(roundtable)}
    form = InviteForm(request.POST, choices=[(k, k) for k in proposals])
    if not form.is_valid() or not form.cleaned_data["pairs"]:
        messages.error(request, "请至少选择一组对接组合。")
        return redirect("matching:roundtable_detail", pk=pk)
    enterprises: list[Any] = []
    institutions: list[Any] = []
    reasons: dict[str, str] = {}
    suggestions: dict[str, Any] = {}
    for key in form.cleaned_data["pairs"]:
        proposal = proposals[key]
        for posting in (proposal.a, proposal.b):
            owner_key = f"e{posting.enterprise_id}" if posting.enterprise_id else f"i{posting.institution_id}"
            if owner_key in reasons:
                continue
            (enterprises if posting.enterprise_id else institutions).append(posting.owner)
            reasons[owner_key] = proposal.invitation_reason()
            suggestions[owner_key] = proposal.suggestion
    try:
        created = services.roundtable_invite(
            actor=request.user,
            roundtable=roundtable,
            enterprises=enterprises,
            institutions=institutions,
            reasons=reasons,
            suggestions=suggestions,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已邀请 {len(created)} 家单位。")
    return redirect("matching:roundtable_detail", pk=pk)


@require_POST
@role_required(selectors.ORGANIZER_ROLES)
def invitation_status(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = Invitation.objects.select_related("roundtable").filter(pk=pk).first()
    if invitation is None:
        raise Http404
    selectors.roundtable_for(request.user, invitation.roundtable_id)
    form = InvitationStatusForm(request.POST)
    if form.is_valid():
        services.invitation_set_status(actor=request.user, invitation=invitation, status=form.cleaned_data["status"])
    return redirect("matching:roundtable_detail", pk=invitation.roundtable_id)


@require_POST
@role_required(selectors.ORGANIZER_ROLES)
def roundtable_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    roundtable = selectors.roundtable_for(request.user, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.roundtable_record_minutes(
                actor=request.user,
                roundtable=roundtable,
                minutes=form.cleaned_data["minutes"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "会议纪要已保存，圆桌会标记为已召开。")
    return redirect("matching:roundtable_detail", pk=pk)


@require_POST
@role_required(selectors.ORGANIZER_ROLES)
def agreement_create(request: HttpRequest, pk: int) -> HttpResponse:
    roundtable = selectors.roundtable_for(request.user, pk)
    invited = selectors.invitations_of(roundtable)
    form = AgreementForm(
        request.POST,
        enterprises=Enterprise.objects.filter(pk__in=invited.filter(enterprise__isnull=False).values("enterprise")),
        institutions=ResearchInstitution.objects.filter(
            pk__in=invited.filter(institution__isnull=False).values("institution")
        ),
    )
    if form.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request.user,
                roundtable=roundtable,
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                enterprises=list(form.cleaned_data["enterprises"]),
                institutions=list(form.cleaned_data["institutions"]),
                due_on=form.cleaned_data.get("due_on"),
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "合作事项已登记。")
            return redirect("matching:agreement_detail", pk=agreement.pk)
    else:
        messages.error(request, "合作事项填写有误：" + "；".join(str(e) for e in form.errors.values()))
    return redirect("matching:roundtable_detail", pk=pk)


# ---- agreements ----------------------------------------------------------------------------------------------


@role_required(READERS)
def agreement_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.agreements_visible_to(request.user).order_by("-created_at", "-id")
    filterset = AgreementFilter(request.GET or None, queryset=qs)
    rows = filterset.qs
    if request.GET.get("export") == "xlsx":
        return workbook_response(
            "合作事项.xlsx",
            ["事项", "圆桌会", "参与方", "责任人", "状态", "进度（%）", "计划完成"],
            (
                [
                    a.title,
                    a.roundtable or "",
                    "、".join([str(e) for e in a.enterprises.all()] + [str(i) for i in a.institutions.all()]),
                    a.owner or "",
                    a.get_status_display(),
                    a.progress,
                    a.due_on,
                ]
                for a in rows
            ),
        )
    return render(request, "matching/agreement_list.html", {"filter": filterset, "page": _page(request, rows)})


@role_required(READERS)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, pk)
    return render(
        request,
        "matching/agreement_detail.html",
        {
            "agreement": agreement,
            "timeline": list(selectors.agreement_timeline(agreement)),
            "organizer": selectors.can_organize(request.user),
            "progress_form": ProgressForm(initial={"status": agreement.status, "progress": agreement.progress}),
            "service_chain": services.service_chain_available(),
        },
    )


@require_POST
@role_required(selectors.ORGANIZER_ROLES)
def agreement_progress(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_report_progress(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "进展已记录。")
    else:
        messages.error(request, "请填写状态、进度和进展说明。")
    return redirect("matching:agreement_detail", pk=pk)


@require_POST
@role_required(selectors.ORGANIZER_ROLES)
def agreement_service_need(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_for(request.user, pk)
    try:
        ref = services.agreement_open_service_need(actor=request.user, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已转入服务链，诉求编号 {ref}。")
    return redirect("matching:agreement_detail", pk=pk)


# ---- mentoring -----------------------------------------------------------------------------------------------


@role_required(frozenset({Role.ADMIN, Role.LEADER, Role.INSTRUCTOR, Role.SUPERVISOR}))
def mentoring_list(request: HttpRequest) -> HttpResponse:
    proposals = planning.mentoring_suggestions(request.user, chain=request.GET.get("chain") or None)
    return render(
        request,
        "matching/mentoring_list.html",
        {"proposals": proposals, "can_accept": getattr(request.user, "is_admin_role", False)},
    )


@require_POST
@role_required(frozenset({Role.ADMIN}))
def mentoring_accept(request: HttpRequest) -> HttpResponse:
    from organizations.services import mentoring_pair_create

    form = MentoringAcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "参数有误。")
        return redirect("matching:mentoring_list")
    mentee = enterprise_for(request.user, form.cleaned_data["mentee"].pk)
    try:
        mentoring_pair_create(
            actor=request.user,
            mentee=mentee,
            mentor=form.cleaned_data["mentor"],
            starts_on=timezone.localdate(),
            goals=form.cleaned_data["goals"] or "由系统推荐：同链上下游帮带",
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "已建立结对帮带。")
    return redirect("matching:mentoring_list")
