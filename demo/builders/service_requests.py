"""The service chain of the demo area: the help-service catalog, this year's needs, matters and service deliveries.

Figures this builder reproduces exactly (this year, up to ctx.today):
- 137 needs collected (via visits, roundtables, the window, online and the hotline) and carried through the whole
  loop to closed, each through the real workflow service (accept, dispatch, sign, start, resolve, feedback, verify,
  close; a few reopened once after a dissatisfied rating), plus 9 needs still open (some overdue) on top;
- 1,873 matters handled (done) for 772 distinct enterprises through the catalog and the window, plus a few open ones;
- more than 200 service deliveries (policy consultations, credit support, salons, visit services).
Two of the needs follow the report's examples: housing and canteen for 400 new staff of a data-labelling base, and
export customs classification for a storage-product maker.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from core.calendar import WorkCalendar
from service_requests.choices import Channel, DeliveryKind, SnapshotKind, Topic
from service_requests.models import ServiceDelivery, ServiceRequest
from service_requests.services.catalog import category_create, service_create
from service_requests.services.deliveries import delivery_record
from service_requests.services.intake import matter_order, matters_import_handled, need_create
from service_requests.services.snapshots import snapshot_freeze
from service_requests.services.supervision import run_ladder
from service_requests.services.workflow import request_act

ORDER = 20

N_CLOSED_NEEDS = 137
N_MATTERS = 1873
N_MATTER_ENTERPRISES = 772
N_DELIVERIES = {
    DeliveryKind.POLICY_CONSULTATION: 118,
    DeliveryKind.CREDIT_SUPPORT: 64,
    DeliveryKind.SALON: 22,
    DeliveryKind.VISIT_SERVICE: 28,
}

#: (category, [(code, name, unit name, time limit, materials, extra fields)]); unit names resolve against ctx.shared.
CATALOG: list[tuple[str, list[tuple[str, str, str, int, list[str], list[dict[str, Any]]]]]] = [
    (
        "企业开办与变更",
        [
            ("open-business", "企业开办一件事", "惠企专窗", 2, ["身份证明", "住所证明", "公司章程"], []),
            (
                "change-registration",
                "营业执照变更登记",
                "市场监管局",
                3,
                ["变更申请书", "股东会决议"],
                [
                    {
                        "name": "change_item",
                        "label": "变更事项",
                        "type": "choice",
                        "required": True,
                        "choices": ["名称", "地址", "经营范围", "法定代表人"],
                    }
                ],
            ),
            ("tax-registration", "税务登记与发票申领", "税务局", 2, ["营业执照", "经办人身份证"], []),
        ],
    ),
    (
        "用工与人才",
        [
            (
                "recruitment",
                "专场招聘会对接",
                "人社局",
                10,
                ["岗位需求表"],
                [
                    {"name": "positions", "label": "招聘岗位数", "type": "number", "required": True},
                    {"name": "headcount", "label": "招聘人数", "type": "number", "required": True},
                ],
            ),
            ("social-insurance", "社保开户与参保登记", "人社局", 3, ["营业执照", "员工名册"], []),
            (
                "talent-housing",
                "人才公寓申请",
                "住建局",
                10,
                ["人才认定证明"],
                [{"name": "rooms", "label": "申请套数", "type": "number", "required": True}],
            ),
        ],
    ),
    (
        "项目与用地",
        [
            (
                "project-approval",
                "投资项目备案代办",
                "发改局",
                5,
                ["项目申请报告"],
                [{"name": "investment_wan", "label": "总投资（万元）", "type": "number", "required": True}],
            ),
            ("land-planning", "用地规划许可咨询", "自然资源局", 10, ["用地红线图"], []),
            ("construction-permit", "施工许可帮办", "住建局", 7, ["施工图审查合格书"], []),
        ],
    ),
    (
        "融资与科技",
        [
            (
                "credit-matching",
                "银企信贷对接",
                "金融办",
                10,
                ["近两年财务报表"],
                [{"name": "amount_wan", "label": "融资需求（万元）", "type": "number", "required": True}],
            ),
            ("hightech-cert", "高新技术企业认定辅导", "科技局", 15, ["知识产权清单", "研发费用明细"], []),
        ],
    ),
    (
        "通关与商务",
        [
            (
                "customs-classification",
                "进出口商品预归类指导",
                "海关",
                5,
                ["商品说明书"],
                [{"name": "product", "label": "商品名称", "type": "text", "required": True, "max_length": 100}],
            ),
            ("export-filing", "对外贸易经营者备案", "商务局", 3, ["营业执照"], []),
        ],
    ),
    (
        "行业管家",
        [
            (
                "drug-registration",
                "药品注册申报辅导（药管家）",
                "药管家",
                15,
                ["药品研发资料"],
                [
                    {
                        "name": "drug_class",
                        "label": "药品类别",
                        "type": "choice",
                        "required": True,
                        "choices": ["化学药", "生物制品", "中药"],
                    }
                ],
            ),
            ("device-registration", "医疗器械注册帮办（药管家）", "药管家", 15, ["产品技术要求"], []),
            (
                "drama-filing",
                "微短剧上线备案帮办（剧管家）",
                "剧管家",
                5,
                ["剧本梗概", "版权证明"],
                [{"name": "episodes", "label": "集数", "type": "number", "required": True}],
            ),
            ("av-license", "网络视听许可证咨询（剧管家）", "剧管家", 10, ["公司章程"], []),
        ],
    ),
]

#: topic → (lead unit name, what was asked, what was done)
NEED_THEMES: dict[str, tuple[str, list[str], list[str]]] = {
    Topic.LABOUR: (
        "人社局",
        ["技术工人招聘难", "普工流失率高，需要稳岗支持", "缺少熟练操作工"],
        ["组织专场招聘会，达成就业意向", "落实稳岗补贴并对接职业院校订单班"],
    ),
    Topic.CAPITAL: (
        "金融办",
        ["流动资金周转紧张", "设备更新贷款需求", "知识产权质押融资咨询"],
        ["对接合作银行，完成授信", "办理知识产权质押贷款"],
    ),
    Topic.TECHNOLOGY: (
        "科技局",
        ["关键工艺需要高校技术支持", "研发平台申报指导"],
        ["对接高校团队签订技术合作协议", "指导完成研发平台申报"],
    ),
    Topic.LAND: (
        "自然资源局",
        ["二期扩建用地指标", "厂房规划调整"],
        ["纳入年度供地计划并完成预审", "完成规划条件核定"],
    ),
    Topic.POLICY: ("发改局", ["惠企政策兑现进度", "专项资金申报咨询"], ["政策解读到企，完成申报", "专项资金拨付到位"]),
    Topic.CUSTOMS: (
        "海关",
        ["进口原料通关时间长", "出口退税办理咨询"],
        ["开通绿色通道，压缩通关时间", "指导完成出口退税申报"],
    ),
    Topic.LIVING: (
        "住建局",
        ["员工宿舍不足", "园区通勤公交线路", "员工子女入学咨询"],
        ["协调人才公寓房源", "开通园区通勤专线", "协调学位安排"],
    ),
    Topic.MARKET: (
        "商务局",
        ["开拓海外市场需要展会渠道", "本地配套采购对接"],
        ["组织参加境外展会", "举办上下游供需对接会"],
    ),
}
CHANNEL_PLAN = (
    [Channel.VISIT] * 45
    + [Channel.ROUNDTABLE] * 22
    + [Channel.WINDOW] * 30
    + [Channel.ONLINE] * 30
    + [Channel.HOTLINE] * 10
)
assert len(CHANNEL_PLAN) == N_CLOSED_NEEDS


def build(ctx: Any) -> None:
    cal = WorkCalendar()
    admin = ctx.users["admin"]
    units: dict[str, Any] = {
        **ctx.shared["units"],
        **ctx.shared["desks"],
        ctx.shared["window"].name: ctx.shared["window"],
    }
    handlers = _handlers(ctx, units)
    services = _catalog(admin, units, ctx.shared.get("chains", {}))
    enterprises = list(ctx.shared["enterprises"])
    from organizations.selectors import current_instructors_for

    instructor_of = ctx.shared.get("instructor_of") or current_instructors_for([e.pk for e in enterprises])
    demo_enterprise = ctx.users["enterprise"].enterprise
    portal_users: dict[int, User] = {demo_enterprise.pk: ctx.users["enterprise"]}
    world = _World(ctx, cal, units, handlers, instructor_of, portal_users)
    world.created_users.extend(u for name, u in handlers.items() if u.pk != ctx.users["handler"].pk)

    closed = _closed_needs(world, enterprises, demo_enterprise)
    open_needs = _open_needs(world, enterprises, demo_enterprise)
    deliveries = _deliveries(world, enterprises)
    # The report's "772 enterprises served" counts every channel: the matters' enterprises include every enterprise
    # that raised a need or received a delivery, so the served set is exactly the 772.
    already_served = set(ServiceRequest.objects.values_list("enterprise_id", flat=True)) | set(
        ServiceDelivery.objects.values_list("enterprise_id", flat=True)
    )
    handled = _matters(world, services, enterprises, demo_enterprise, already_served)
    # The demo password's hash, as foundation stored it for every demo user (Argon2 is slow: never hash it again).
    password = User.objects.get(pk=ctx.users["handler"].pk).password
    User.objects.filter(pk__in=[u.pk for u in world.created_users]).update(password=password)
    _snapshots(ctx, admin)
    ladder = run_ladder(calendar=cal)
    ctx.shared["services"] = services
    ctx.log.append(
        f"service_requests: {len(services)} catalog services, {closed} needs closed + {open_needs} open, "
        f"{handled} matters handled, {deliveries} service deliveries, ladder {ladder}"
    )


class _World:
    def __init__(self, ctx: Any, cal: WorkCalendar, units: Any, handlers: Any, instructor_of: Any, portal: Any):
        self.ctx = ctx
        self.rng = ctx.rng
        self.cal = cal
        self.units = units
        self.handlers = handlers
        self.instructor_of = instructor_of
        self.portal = portal
        self.created_users: list[User] = []
        self.now = timezone.now()

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        moment = timezone.make_aware(datetime.combine(day, time(hour, minute)))
        return min(moment, self.now - timedelta(minutes=5))

    def portal_user(self, enterprise: Any) -> User:
        if enterprise.pk not in self.portal:
            user = user_create(
                actor=self.ctx.users["admin"],
                username=f"ent{enterprise.pk:04d}",
                password=None,
                role=Role.ENTERPRISE,
                display_name=f"{enterprise.short_name or enterprise.name}经办人",
                enterprise=enterprise,
            )
            self.portal[enterprise.pk] = user
            self.created_users.append(user)
        return self.portal[enterprise.pk]

    def act(self, actor: Any, need: Any, action: str, when: datetime, **inputs: Any) -> None:
        request_act(actor=actor, request=need, action=action, at=when, calendar=self.cal, **inputs)


def _handlers(ctx: Any, units: dict[str, Any]) -> dict[str, User]:
    """One handler per handling unit (the foundation made demo_handler for 人社局)."""
    handlers = {"人社局": ctx.users["handler"]}
    for n, (name, unit) in enumerate(sorted(units.items()), start=1):
        if name in handlers:
            continue
        handlers[name] = user_create(
            actor=ctx.users["admin"],
            username=f"handler{n:02d}",
            password=None,
            role=Role.HANDLER,
            display_name=f"{name}经办人",
            unit=unit,
        )
    ctx.shared["service_handlers"] = handlers
    return handlers


def _catalog(admin: Any, units: dict[str, Any], chains: dict[str, Any]) -> list[Any]:
    services = []
    for sort, (category_name, entries) in enumerate(CATALOG, start=1):
        category = category_create(actor=admin, name=category_name, sort_order=sort)
        for order, (code, name, unit_name, limit, materials, fields) in enumerate(entries, start=1):
            chain = None
            if unit_name == "药管家":
                chain = chains.get("life_health")
            elif unit_name == "剧管家":
                chain = chains.get("micro_drama")
            services.append(
                service_create(
                    actor=admin,
                    category=category,
                    name=name,
                    code=code,
                    unit=units[unit_name],
                    chain=chain,
                    time_limit_workdays=limit,
                    required_materials=materials,
                    extra_fields=fields,
                    description=f"{name}：由{unit_name}负责，党员、代办员、窗口人员三员代办。",
                    sort_order=order,
                )
            )
    return services


def _spread_days(world: _World, n: int, *, latest: date) -> list[date]:
    """n dates spread over this year up to `latest` (weekdays preferred)."""
    start = world.ctx.year_start
    span = max(1, (latest - start).days)
    days = []
    for i in range(n):
        day = start + timedelta(days=int(span * (i + world.rng.random()) / n))
        days.append(min(world.cal.add_workdays(min(day, latest), 0), latest))
    return days


def _lead_for(world: _World, topic: str, enterprise: Any) -> Any:
    chains = world.ctx.shared.get("placed", {})
    if topic == Topic.POLICY:
        if enterprise in chains.get("life_health", []):
            return world.units["药管家"]
        if enterprise in chains.get("micro_drama", []):
            return world.units["剧管家"]
    return world.units[NEED_THEMES[topic][0]]


class _Clock:
    """Moments of one need's steps: each a given number of working days after the previous one, never in the future."""

    def __init__(self, world: _World, start: datetime) -> None:
        self.world = world
        self.last = start

    def __call__(self, workdays: int, hour: int) -> datetime:
        local = timezone.localtime(self.last).date()
        moment = self.world.at(self.world.cal.add_workdays(local, workdays), hour)
        self.last = max(moment, self.last + timedelta(minutes=30))
        return self.last


def _closed_needs(world: _World, enterprises: list[Any], demo_enterprise: Any) -> int:
    """137 needs through the full loop, each step through the workflow service, dated over this year."""
    rng = world.rng
    ctx = world.ctx
    supervisor = ctx.users["supervisor"]
    latest = ctx.today - timedelta(days=40)
    days = _spread_days(world, N_CLOSED_NEEDS, latest=latest)
    from organizations.models import Visit

    visits = list(
        Visit.objects.filter(visited_on__gte=ctx.year_start, visited_on__lte=latest)
        .select_related("enterprise", "instructor")
        .order_by("visited_on", "id")
    )
    rng.shuffle(visits)
    digital = ctx.shared.get("placed", {}).get("digital_economy") or enterprises
    specials = {
        10: (
            digital[3],
            Topic.LIVING,
            Channel.VISIT,
            "数据标注基地新招 400 名员工的住宿和就餐保障",
            "基地新招聘 400 名数据标注员，周边缺少宿舍和食堂，员工通勤和就餐困难，希望协调解决。",
            "协调人才公寓 200 套、周边长租公寓 80 套；园区食堂增设两个档口并延长供餐时间；开通早晚通勤专线。",
            "人才公寓分配清单；食堂改造验收记录；通勤专线开通通知",
            [world.units["人社局"]],
        ),
        40: (
            digital[7],
            Topic.CUSTOMS,
            Channel.ROUNDTABLE,
            "存储产品出口的海关商品归类",
            "企业固态存储产品首次出口，商品归类和 HS 编码不确定，担心申报差错影响通关和退税。",
            "海关提供预归类指导，出具预归类决定，明确商品编码；商务局指导办理出口备案，首单顺利通关。",
            "预归类决定书；首单报关单",
            [world.units["商务局"]],
        ),
    }
    topics = list(NEED_THEMES)
    channels = list(CHANNEL_PLAN)
    rng.shuffle(channels)
    for i in range(N_CLOSED_NEEDS):
        day = days[i]
        special = specials.get(i)
        co_units: list[Any] = []
        topic: str
        visit = None
        if special:
            enterprise, topic, channel, title, description, resolution, evidence, co_units = special
        else:
            channel = channels[i]
            topic = topics[i % len(topics)]
            if channel == Channel.VISIT and visits:
                visit = visits.pop()
                enterprise = visit.enterprise
                day = max(day, visit.visited_on) if visit.visited_on <= latest else day
            elif i % 23 == 0:
                enterprise = demo_enterprise
            else:
                enterprise = rng.choice(enterprises)
            asked = rng.choice(NEED_THEMES[topic][1])
            title = asked
            description = f"{enterprise.short_name or enterprise.name}反映：{asked}，希望相关部门协调支持。"
            resolution = rng.choice(NEED_THEMES[topic][2])
            evidence = "办理情况说明；企业确认回执"
        instructor = world.instructor_of.get(enterprise.pk) or ctx.users["instructor"]
        submitted = world.at(day, 9 + i % 6, (i * 7) % 60)
        if channel == Channel.ONLINE:
            actor = world.portal_user(enterprise)
        elif channel == Channel.WINDOW:
            actor = world.handlers["惠企专窗"]
        elif channel == Channel.HOTLINE:
            actor = ctx.users["admin"]
        else:
            actor = instructor
        need = need_create(
            actor=actor,
            enterprise=enterprise,
            title=title,
            description=description,
            topic=topic,
            channel=channel,
            source_visit=visit,
            source_ref="roundtable:demo" if channel == Channel.ROUNDTABLE else "",
            at=submitted,
            calendar=world.cal,
        )
        dispatcher = need.instructor or ctx.users["admin"]
        if dispatcher.role != Role.INSTRUCTOR:
            dispatcher = ctx.users["admin"]
        lead = _lead_for(world, topic, enterprise)
        handler = world.handlers[lead.name]
        late = i % 11 == 5  # about one in eleven resolved after the deadline
        next_time = _Clock(world, submitted)

        world.act(
            dispatcher,
            need,
            "accept",
            next_time(0, 15),
            interpreter=instructor,
            runner=handler,
            reporter=instructor,
            supervisor=supervisor,
        )
        world.act(dispatcher, need, "dispatch", next_time(0, 16), lead_unit=lead, co_units=co_units)
        world.act(handler, need, "sign", next_time(2 if i % 17 == 3 else 0, 17))
        world.act(handler, need, "start", next_time(1, 10), note="已与企业对接，了解具体情况")
        world.act(handler, need, "note", next_time(1, 11), note="协调相关科室研究办理方案", internal=True)
        world.act(
            handler,
            need,
            "resolve",
            next_time(need.time_limit_workdays + 2 if late else 3 + i % 4, 16),
            resolution=resolution,
            evidence=evidence,
        )
        rater = world.portal.get(enterprise.pk) or need.instructor or ctx.users["admin"]
        if i % 19 == 7:  # a dissatisfied first answer: reopened once, then resolved to satisfaction
            world.act(rater, need, "feedback", next_time(1, 10), rating=2, comment="问题未完全解决")
            world.act(
                handler, need, "resolve", next_time(2, 16), resolution=f"{resolution}（补充办理）", evidence=evidence
            )
        rating = 5 if i % 3 else rng.choice([4, 5, 3])
        world.act(rater, need, "feedback", next_time(1, 10), rating=rating, comment="感谢帮办" if rating >= 4 else "")
        world.act(supervisor, need, "verify", next_time(1, 11), note="回访核实，办理属实")
        world.act(supervisor, need, "close", next_time(0, 12))
    return N_CLOSED_NEEDS


def _open_needs(world: _World, enterprises: list[Any], demo_enterprise: Any) -> int:
    """Needs still in the loop (some overdue) so the workbench and the ladder have something to show."""
    ctx = world.ctx
    rng = world.rng
    today = ctx.today
    supervisor = ctx.users["supervisor"]
    plans = [
        ("submitted", 0, demo_enterprise, Topic.CAPITAL, "新产线设备采购资金缺口"),
        ("submitted", 6, rng.choice(enterprises), Topic.LABOUR, "夏季用工高峰临时工招聘"),
        ("accepted", 2, rng.choice(enterprises), Topic.MARKET, "希望对接本地配套采购商"),
        ("dispatched", 1, rng.choice(enterprises), Topic.LAND, "仓储用地续租手续"),
        ("dispatched", 8, rng.choice(enterprises), Topic.POLICY, "研发费用加计扣除政策咨询"),
        ("in_progress", 3, demo_enterprise, Topic.TECHNOLOGY, "检测设备共享平台对接"),
        ("in_progress", 18, rng.choice(enterprises), Topic.CUSTOMS, "进口设备减免税办理"),
        ("in_progress", 30, rng.choice(enterprises), Topic.LIVING, "园区员工通勤班车加密"),
        ("awaiting_info", 12, rng.choice(enterprises), Topic.CAPITAL, "应收账款融资对接"),
    ]
    for state, workdays_ago, enterprise, topic, title in plans:
        day = today
        for _ in range(workdays_ago):
            day -= timedelta(days=1)
            while not world.cal.is_workday(day):
                day -= timedelta(days=1)
        submitted = world.at(day, 9)
        actor = world.portal_user(enterprise) if enterprise == demo_enterprise else world.handlers["惠企专窗"]
        need = need_create(
            actor=actor,
            enterprise=enterprise,
            title=title,
            description=f"{enterprise.short_name or enterprise.name}：{title}。",
            topic=topic,
            channel=Channel.ONLINE if enterprise == demo_enterprise else Channel.WINDOW,
            at=submitted,
            calendar=world.cal,
        )
        if state == "submitted":
            continue
        admin = ctx.users["admin"]
        world.act(admin, need, "accept", world.at(day, 10), supervisor=supervisor)
        if state == "accepted":
            continue
        lead = _lead_for(world, topic, enterprise)
        world.act(admin, need, "dispatch", world.at(day, 11), lead_unit=lead)
        if state == "dispatched":
            continue
        handler = world.handlers[lead.name]
        world.act(handler, need, "sign", world.at(day, 14))
        world.act(handler, need, "start", world.at(day, 15), note="正在协调")
        if state == "awaiting_info":
            world.act(handler, need, "ask_info", world.at(day, 16), note="请补充近三个月的应收账款明细")
    return len(plans)


def _form_data(world: _World, fields: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in fields:
        kind = field["type"]
        if kind == "number":
            data[field["name"]] = world.rng.randint(1, 200)
        elif kind == "choice":
            data[field["name"]] = world.rng.choice(field["choices"])
        elif kind == "date":
            data[field["name"]] = world.ctx.today.isoformat()
        elif kind == "bool":
            data[field["name"]] = True
        else:
            data[field["name"]] = "详见申请材料"
    return data


def _matters(
    world: _World, services: list[Any], enterprises: list[Any], demo_enterprise: Any, already_served: set[int]
) -> int:
    """1,873 handled matters for exactly 772 enterprises (bulk path, same validation), plus a few open ones.

    The 772 include every enterprise in `already_served` (needs and deliveries), so all channels serve the same 772.
    """
    ctx = world.ctx
    rng = world.rng
    members = ctx.shared.get("members") or []
    window_clerk = world.handlers["惠企专窗"]
    served = {demo_enterprise.pk} | already_served
    must = [e for e in enterprises if e.pk in served]
    assert len(must) <= N_MATTER_ENTERPRISES, "more enterprises served by needs and deliveries than by matters"
    chosen = must + rng.sample([e for e in enterprises if e.pk not in served], N_MATTER_ENTERPRISES - len(must))
    owners = chosen + [rng.choice(chosen) for _ in range(N_MATTERS - N_MATTER_ENTERPRISES)]
    rng.shuffle(owners)
    latest = ctx.today - timedelta(days=1)
    days = _spread_days(world, N_MATTERS, latest=latest)
    rows = []
    for i, enterprise in enumerate(owners):
        service = services[(i * 7 + rng.randrange(len(services))) % len(services)]
        channel = Channel.WINDOW if i % 5 < 2 else Channel.ONLINE
        ordered = world.at(days[i], 9 + i % 8, i % 60)
        spent = rng.randint(0, service.time_limit_workdays + (2 if i % 13 == 0 else 0))
        done = world.at(world.cal.add_workdays(days[i], spent), 17)
        done = max(done, ordered + timedelta(hours=1))
        if done >= world.now:
            done = world.now - timedelta(minutes=1)
            ordered = min(ordered, done - timedelta(hours=1))
        rows.append(
            {
                "enterprise": enterprise,
                "service": service,
                "channel": channel,
                "form_data": _form_data(world, service.extra_fields),
                "ordered_at": ordered,
                "done_at": done,
                "rating": rng.choice([5, 5, 5, 4, 4, 3]) if i % 10 < 7 else None,
                "proxy_member": members[i % len(members)] if members and i % 3 == 0 else None,
                "window_clerk": window_clerk if channel == Channel.WINDOW else None,
                "resolution": f"{service.name}已办结",
            }
        )
    handled = matters_import_handled(actor=ctx.users["admin"], rows=rows, calendar=world.cal)
    # A few open matters through the per-row service (the demo enterprise's among them).
    for n, service in enumerate(services[:5]):
        enterprise = demo_enterprise if n < 2 else rng.choice(enterprises)
        actor = world.portal_user(enterprise) if enterprise == demo_enterprise else window_clerk
        day = world.cal.add_workdays(ctx.today - timedelta(days=12 - n * 2), 0)
        matter = matter_order(
            actor=actor,
            enterprise=enterprise,
            service=service,
            form_data=_form_data(world, service.extra_fields),
            channel=Channel.ONLINE if enterprise == demo_enterprise else Channel.WINDOW,
            at=world.at(min(day, ctx.today), 10),
            calendar=world.cal,
        )
        if n % 2 == 0:
            world.act(world.handlers[service.unit.name], matter, "accept", world.at(min(day, ctx.today), 11))
    return handled


def _deliveries(world: _World, enterprises: list[Any]) -> int:
    ctx = world.ctx
    rng = world.rng
    admin = ctx.users["admin"]
    titles = {
        DeliveryKind.POLICY_CONSULTATION: [
            "惠企政策解读",
            "研发费用加计扣除政策辅导",
            "稳岗补贴政策宣讲",
            "专精特新申报辅导",
        ],
        DeliveryKind.CREDIT_SUPPORT: ["科技贷授信", "应急转贷支持", "知识产权质押融资", "设备更新贷款贴息"],
        DeliveryKind.SALON: ["产业链政企沙龙", "党建+金融沙龙", "上下游对接沙龙"],
        DeliveryKind.VISIT_SERVICE: ["上门政策服务", "上门办理社保业务", "上门帮办证照"],
    }
    unit_of = {
        DeliveryKind.POLICY_CONSULTATION: "发改局",
        DeliveryKind.CREDIT_SUPPORT: "金融办",
        DeliveryKind.SALON: "商务局",
        DeliveryKind.VISIT_SERVICE: "惠企专窗",
    }
    count = 0
    for kind, n in N_DELIVERIES.items():
        for day in _spread_days(world, n, latest=ctx.today):
            enterprise = rng.choice(enterprises)
            delivery_record(
                actor=admin,
                enterprise=enterprise,
                kind=kind,
                delivered_on=day,
                title=rng.choice(titles[kind]),
                summary=f"为{enterprise.short_name or enterprise.name}提供{DeliveryKind(kind).label}服务。",
                unit=world.units[unit_of[kind]],
                staff=world.handlers[unit_of[kind]],
                amount_wan=Decimal(rng.randrange(50, 3000, 10)) if kind == DeliveryKind.CREDIT_SUPPORT else None,
            )
            count += 1
    return count


def _snapshots(ctx: Any, admin: Any) -> None:
    """Freeze last month's problem and results lists (when last month is in this year)."""
    first = ctx.today.replace(day=1)
    if first.month == 1:
        return
    last_month = (first - timedelta(days=1)).replace(day=1)
    for kind in (SnapshotKind.PROBLEMS, SnapshotKind.RESULTS):
        snapshot_freeze(actor=admin, kind=kind, period=last_month)
