"""The service chain: the help-service catalog (帮办超市), service requests (needs and matters) with their timeline,
service deliveries, feedback, supervision notices, the in-app inbox and the frozen monthly lists."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from service_requests.choices import (
    RATING_CHOICES,
    Channel,
    DeliveryKind,
    Kind,
    NoticeLevel,
    NoticeState,
    SnapshotKind,
    Stage,
    State,
    Topic,
)
from service_requests.workflow import OPEN_STATES

USER = settings.AUTH_USER_MODEL


class ServiceCategory(TimeStampedModel):
    """帮办超市 category — groups the catalog's services (企业开办, 人才服务, 通关服务, …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Service(TimeStampedModel):
    """A catalog service (帮办事项): responsible unit, required materials, time limit, its own extra form fields."""

    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="services", verbose_name=_("类别")
    )
    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="catalog_services", verbose_name=_("责任单位")
    )
    chain = models.ForeignKey(
        "chains.Chain",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="catalog_services",
        verbose_name=_("所属产业链"),
        help_text=_("行业管家（药管家、剧管家）的专属服务填写所属产业链"),
    )
    description = models.TextField(_("服务说明"), blank=True)
    required_materials = models.JSONField(_("所需材料"), default=list, blank=True, help_text=_("材料名称列表"))
    time_limit_workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=5)
    extra_fields = models.JSONField(
        _("附加表单字段"),
        default=list,
        blank=True,
        help_text=_('字段列表，如 [{"name": "staff_count", "label": "用工人数", "type": "number", "required": true}]'),
    )
    is_active = models.BooleanField(_("上架"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("帮办服务")
        verbose_name_plural = _("帮办服务")
        ordering = ["category__sort_order", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from service_requests.services.catalog import validate_field_schema

        super().clean()
        self.extra_fields = validate_field_schema(self.extra_fields)
        if not isinstance(self.required_materials, list) or not all(
            isinstance(m, str) for m in self.required_materials
        ):
            from django.core.exceptions import ValidationError

            raise ValidationError({"required_materials": _("所需材料应为文字列表。")})


class ServiceRequest(TimeStampedModel):
    """A need (诉求, full closed loop) or a matter (办事事项, catalog or window service under proxy handling).

    One table so that every channel, the API (`/service-requests/{id}`), the timeline, the ladder and the workbench
    speak about one kind of record; `kind` selects the transition table (workflow.py). Only the workflow service
    (services/workflow.py) assigns `state`.
    """

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.NEED, db_index=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("企业")
    )
    chain = models.ForeignKey(
        "chains.Chain",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
        verbose_name=_("产业链"),
        help_text=_("受理时按企业落链确定，便于按链统计"),
    )
    office = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("管理处"),
        help_text=_("企业所属管理处（随企业变更），按管理处查询与统计"),
    )
    instructor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("指导员")
    )
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    topic = models.CharField(_("诉求类别"), max_length=12, choices=Topic.choices, default=Topic.OTHER)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="requests", verbose_name=_("帮办服务")
    )
    title = models.CharField(_("标题"), max_length=150)
    description = models.TextField(_("内容"), blank=True)
    form_data = models.JSONField(_("附加信息"), default=dict, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    state = models.CharField(_("状态"), max_length=15, choices=State.choices, default=State.SUBMITTED, db_index=True)

    lead_unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_requests",
        verbose_name=_("主办单位"),
    )
    co_units = models.ManyToManyField(
        "accounts.Unit", blank=True, related_name="co_handled_requests", verbose_name=_("协办单位")
    )
    interpreter = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("政策解读员")
    )
    runner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("跑腿员")
    )
    reporter = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("报送员")
    )
    supervisor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("督导员")
    )
    # the proxy team of a matter (三员代办)
    proxy_member = models.ForeignKey(
        "organizations.PartyMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("代办党员"),
    )
    proxy_agent = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("代办员")
    )
    window_clerk = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("窗口人员")
    )

    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True, db_index=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    accept_due_at = models.DateTimeField(_("受理期限"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("签收期限"), null=True, blank=True)
    due_at = models.DateTimeField(_("办结期限"), null=True, blank=True, db_index=True)
    time_limit_workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=10)
    paused_at = models.DateTimeField(_("暂停计时于"), null=True, blank=True)
    paused_workdays = models.PositiveIntegerField(_("累计暂停（工作日）"), default=0)
    extension_workdays = models.PositiveIntegerField(_("已批准延期（工作日）"), default=0)
    pending_extension_workdays = models.PositiveSmallIntegerField(_("申请延期（工作日）"), null=True, blank=True)
    pending_extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    signed_on_time = models.BooleanField(_("按时签收"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("按时办结"), null=True, blank=True)

    return_reason = models.CharField(_("退回理由"), max_length=300, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    evidence = models.TextField(_("佐证材料"), blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True, choices=RATING_CHOICES)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_requests", verbose_name=_("并入")
    )
    source_visit = models.ForeignKey(
        "organizations.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
        verbose_name=_("来源走访"),
    )
    source_ref = models.CharField(
        _("来源"), max_length=60, blank=True, help_text=_("如 agreement:12（圆桌会合作事项）")
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("登记人")
    )

    class Meta:
        verbose_name = _("服务诉求/事项")
        verbose_name_plural = _("服务诉求/事项")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "state", "due_at"], name="sr_kind_state_due"),
            models.Index(fields=["enterprise", "kind", "state"], name="sr_enterprise_kind_state"),
            models.Index(fields=["lead_unit", "state"], name="sr_lead_unit_state"),
            models.Index(fields=["instructor", "state"], name="sr_instructor_state"),
            models.Index(fields=["kind", "submitted_at"], name="sr_kind_submitted"),
            models.Index(
                fields=["state", "kind", "due_at"], condition=models.Q(state__in=OPEN_STATES), name="sr_open_state_due"
            ),
            # The other two clocks of open needs (overdue_q), for counting the needs not yet overdue.
            models.Index(
                fields=["accept_due_at"],
                condition=models.Q(kind=Kind.NEED, state=State.SUBMITTED),
                name="sr_submitted_accept_due",
            ),
            models.Index(
                fields=["sign_due_at"],
                condition=models.Q(kind=Kind.NEED, state=State.DISPATCHED),
                name="sr_dispatched_sign_due",
            ),
            # The workbench's order (due_at, newest first) over open work: the first page is the index's first rows.
            models.Index(fields=["due_at", "-id"], condition=models.Q(state__in=OPEN_STATES), name="sr_open_due_order"),
            # A unit's running clocks (a handler's "overdue" = the unit's clocked records, counted, minus these),
            # read from the index alone: the unit, state and kind, then the deadlines of the three clocks.
            models.Index(
                fields=["lead_unit", "state", "kind", "due_at", "sign_due_at", "accept_due_at"],
                condition=models.Q(state__in=OPEN_STATES),
                name="sr_open_unit_clocks",
            ),
            # The same for a management office (its enterprises' requests, `office` kept equal to the enterprise's):
            # an office handler's badges and the cockpit narrowed to an office count the running clocks from it.
            models.Index(
                fields=["office", "state", "kind", "due_at", "sign_due_at", "accept_due_at"],
                condition=models.Q(state__in=OPEN_STATES),
                name="sr_open_office_clocks",
            ),
            # Open requests of a unit's catalog services: the part of a handler's scope that the unit's maintained
            # state counts (lead unit) do not hold, counted from the rows.
            models.Index(fields=["service"], condition=models.Q(state__in=OPEN_STATES), name="sr_open_service"),
            models.Index(
                fields=["pending_extension_workdays"],
                condition=models.Q(pending_extension_workdays__isnull=False),
                name="sr_pending_extension",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="sr_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        prefix = "SQ" if self.kind == Kind.NEED else "BS"
        return f"{prefix}{self.pk or 0:07d}"

    @property
    def is_need(self) -> bool:
        return self.kind == Kind.NEED


#: Relations of a request. The services resolve them from ids they validated themselves, so re-checking each one with
#: a query in full_clean is skipped (the database's foreign keys and check constraints still hold).
REQUEST_RELATIONS = [
    *(f.name for f in ServiceRequest._meta.local_fields if f.is_relation),
    *(f.name for f in ServiceRequest._meta.local_many_to_many),
]


class TimelineEvent(models.Model):
    """One step in a request's history: who did what, from which state to which, with a note (internal or not)."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("诉求/事项")
    )
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("动作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=15, blank=True)
    to_state = models.CharField(_("新状态"), max_length=15, blank=True)
    note = models.TextField(_("说明"), blank=True)
    internal = models.BooleanField(_("内部备注"), default=False, help_text=_("内部备注不向企业展示"))
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="sr_event_request_time")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class Feedback(models.Model):
    """回访评价 — the enterprise's five-level rating of a result (every round is kept, also after a reopen)."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="feedbacks", verbose_name=_("诉求/事项")
    )
    rating = models.PositiveSmallIntegerField(_("评价"), choices=RATING_CHOICES)
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    given_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("评价人")
    )
    reopened = models.BooleanField(_("因不满意重办"), default=False)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="fb_rating_1_5")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.rating}"


class ServiceDelivery(TimeStampedModel):
    """服务记录 — a policy consultation, credit support, salon or visit service given to an enterprise."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="service_deliveries", verbose_name=_("企业")
    )
    kind = models.CharField(_("类型"), max_length=25, choices=DeliveryKind.choices)
    delivered_on = models.DateField(_("服务日期"), db_index=True)
    title = models.CharField(_("主题"), max_length=150)
    summary = models.TextField(_("服务内容"), blank=True)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务单位")
    )
    staff = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("服务人员")
    )
    amount_wan = models.DecimalField(
        _("金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("信贷支持的授信/放款额")
    )
    request = models.ForeignKey(
        ServiceRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name=_("关联诉求"),
    )

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["kind", "delivered_on"], name="sd_kind_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"


class SupervisionNotice(TimeStampedModel):
    """督办 — a reminder, yellow or red notice about a request near or past a deadline; issued → answered → closed."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="notices", verbose_name=_("诉求/事项")
    )
    level = models.CharField(_("级别"), max_length=10, choices=NoticeLevel.choices)
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices)
    deadline = models.DateTimeField(_("期限"))
    key = models.CharField(max_length=120, unique=True, editable=False, help_text="idempotency key of the ladder run")
    state = models.CharField(_("状态"), max_length=10, choices=NoticeState.choices, default=NoticeState.ISSUED)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("督办单位")
    )
    escalated_to = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("升级至")
    )
    message = models.CharField(_("督办内容"), max_length=300)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("答复人")
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办通知")
        verbose_name_plural = _("督办通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "level"], name="sn_state_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.request_id}"


class Notification(models.Model):
    """站内信 — an in-app inbox message."""

    recipient = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("收件人")
    )
    title = models.CharField(_("标题"), max_length=150)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    request = models.ForeignKey(
        ServiceRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("诉求/事项")
    )
    notice = models.ForeignKey(
        SupervisionNotice, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内信")
        verbose_name_plural = _("站内信")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="nt_recipient_read")]

    def __str__(self) -> str:
        return self.title


class ListSnapshot(models.Model):
    """A frozen monthly problem list or results list (问题清单 / 实效清单), kept for audit."""

    kind = models.CharField(_("清单"), max_length=10, choices=SnapshotKind.choices)
    period = models.DateField(_("月份"), help_text=_("该月第一天"))
    rows = models.JSONField(_("清单行"), default=list)
    totals = models.JSONField(_("合计"), default=dict)
    frozen_at = models.DateTimeField(_("冻结时间"), auto_now_add=True)
    frozen_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("冻结人")
    )

    class Meta:
        verbose_name = _("清单快照")
        verbose_name_plural = _("清单快照")
        ordering = ["-period", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "period"], name="unique_list_snapshot")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period:%Y-%m}"


# ---- maintained aggregates of the cockpit (service_requests/rollup.py keeps them) ------------------------------------


class DailyTotal(models.Model):
    """The service chain's additive figures of one day, chain and management office (服务链日汇总).

    Written only by `service_requests.rollup` in the same transaction as the request it counts (never a cache: a
    figure is wrong only if a request is written around the services; `manage.py rebuild_service_totals` recomputes
    everything from the requests). `chain_key` / `office_key` are the ids, 0 for none, so the cell is unique."""

    day = models.DateField(_("日期"))
    chain_key = models.PositiveIntegerField(_("产业链"), default=0)
    office_key = models.PositiveIntegerField(_("管理处"), default=0)
    collected = models.IntegerField(_("收集诉求"), default=0)
    resolved = models.IntegerField(_("解决诉求"), default=0)
    resolved_on_time = models.IntegerField(_("按时办结"), default=0)
    reopened = models.IntegerField(_("重办后解决"), default=0)
    signed = models.IntegerField(_("签收"), default=0)
    signed_on_time = models.IntegerField(_("按时签收"), default=0)
    rated = models.IntegerField(_("评价"), default=0)
    satisfied = models.IntegerField(_("满意"), default=0)
    matters_handled = models.IntegerField(_("代办事项办结"), default=0)
    #: Needs submitted that day and unresolved now (a "now" figure, kept like the others).
    open_needs = models.IntegerField(_("在办诉求"), default=0)

    class Meta:
        verbose_name = _("服务链日汇总")
        verbose_name_plural = _("服务链日汇总")
        constraints = [models.UniqueConstraint(fields=["day", "chain_key", "office_key"], name="sr_daily_total_cell")]

    def __str__(self) -> str:
        return f"{self.day} {self.chain_key}/{self.office_key}"


class StateCount(models.Model):
    """How many requests of each kind are in each state now (area-wide), kept by `service_requests.rollup` like
    `DailyTotal`: the workbench's tab badges and page counts for whole-area users read it instead of counting the
    open backlog."""

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=15, choices=State.choices)
    n = models.IntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("状态计数")
        verbose_name_plural = _("状态计数")
        constraints = [models.UniqueConstraint(fields=["kind", "state"], name="sr_state_count_cell")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.state}: {self.n}"


class ServedMonths(models.Model):
    """Per enterprise and year, how many service events (need raised, matter done, service delivery) fell in each
    month: an enterprise was served in a month-aligned period when one of its months there is non-zero. The writers
    learn from it whether an enterprise enters or leaves a span, and keep `ServedCount`, which the cockpit reads."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="+", verbose_name=_("企业")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    office_key = models.PositiveIntegerField(_("管理处"), default=0)
    m1 = models.IntegerField(default=0)
    m2 = models.IntegerField(default=0)
    m3 = models.IntegerField(default=0)
    m4 = models.IntegerField(default=0)
    m5 = models.IntegerField(default=0)
    m6 = models.IntegerField(default=0)
    m7 = models.IntegerField(default=0)
    m8 = models.IntegerField(default=0)
    m9 = models.IntegerField(default=0)
    m10 = models.IntegerField(default=0)
    m11 = models.IntegerField(default=0)
    m12 = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("企业受服务月份")
        verbose_name_plural = _("企业受服务月份")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="sr_served_enterprise_year")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class UnitStateCount(models.Model):
    """How many requests of each kind are in each state now, per lead unit and management office (the cell of a
    request: its `lead_unit` and its enterprise's `management_office`, 0 for none). Kept by `service_requests.rollup`
    like `StateCount`: a handler's tab badges and page counts read the cells of their unit (as lead unit, and as
    management office for an office's handlers) instead of counting the unit's open backlog."""

    unit_key = models.PositiveIntegerField(_("主办单位"), default=0)
    office_key = models.PositiveIntegerField(_("管理处"), default=0)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=15, choices=State.choices)
    n = models.IntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("单位状态计数")
        verbose_name_plural = _("单位状态计数")
        constraints = [
            models.UniqueConstraint(fields=["unit_key", "office_key", "kind", "state"], name="sr_unit_state_count_cell")
        ]
        indexes = [models.Index(fields=["office_key"], name="sr_unit_state_count_office")]

    def __str__(self) -> str:
        return f"{self.unit_key}/{self.office_key} {self.kind}/{self.state}: {self.n}"


class ServedCount(models.Model):
    """How many enterprises were served in each whole-month span of a year (months `first_month` to `last_month`,
    both inclusive: every month, quarter, the year, the year to date, any run of months), per management office.
    Kept by `service_requests.rollup` from the flips of `ServedMonths`: an enterprise counts in a span when one of its
    months there is non-zero, so the cockpit's "enterprises served" is one row per office instead of a count over a
    year's `ServedMonths`."""

    year = models.PositiveSmallIntegerField(_("年度"))
    first_month = models.PositiveSmallIntegerField(_("起始月"))
    last_month = models.PositiveSmallIntegerField(_("截止月"))
    office_key = models.PositiveIntegerField(_("管理处"), default=0)
    n = models.IntegerField(_("企业数"), default=0)

    class Meta:
        verbose_name = _("受服务企业计数")
        verbose_name_plural = _("受服务企业计数")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "first_month", "last_month", "office_key"], name="sr_served_count_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.first_month}-{self.last_month} {self.office_key}: {self.n}"
