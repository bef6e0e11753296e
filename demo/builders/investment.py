"""The innovation chain of the demo area: ten investment teams, promotion events, outside target companies, supply
relations of the leading firms, and this year's project pipeline.

Figures this builder reproduces (checked by demo tests and quoted in docs/chain_map.md):
- 55 projects signed this year (signed_on from 1 January up to ctx.today) in the life-health and digital-economy fields
  (micro-drama counted in digital economy), totalling more than 1,400,000 万元 (140亿元), among them a 200,000 万元
  health-products base, a 100,000 万元 AI data-industry base and a full-chain micro-drama production base that has
  registered in the area and fills the micro-drama chain's missing key link (IP 版权运营);
- 14 projects not (yet) signed: leads and negotiations, two dropped with a reason;
- the two lead chains keep missing and weak links (高端医学影像设备, 集成电路制造与封测, CRO/CDMO, 基础与工业软件) with
  ranked candidates among the target companies.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_create
from chains.gaps import gap_setting_save
from chains.models import Link, SupplyRelation
from chains.services import placement_upsert
from core.validators import make_uscc
from enterprises.choices import SizeClass
from enterprises.services import enterprise_create
from investment.choices import EventKind, Stage
from investment.services import event_create, project_change_stage, project_create, target_create, team_create

ORDER = 40

SIGNED_TOTAL = 55
HEALTH_BASE_WAN = Decimal("200000")
AI_BASE_WAN = Decimal("100000")
DRAMA_BASE_WAN = Decimal("80000")
MIN_TOTAL_WAN = Decimal("1400000")

TEAMS = [
    ("生物医药招商组", "创新药、生物药、CRO/CDMO", ["life_health"]),
    ("医疗器械招商组", "高端医疗器械与医学影像", ["life_health"]),
    ("大健康产业招商组", "健康产品、中医药、健康服务", ["life_health"]),
    ("数字经济招商一组", "软件与信息技术服务", ["digital_economy"]),
    ("数字经济招商二组", "工业互联网与数字化应用", ["digital_economy"]),
    ("集成电路招商组", "芯片设计、制造与封测", ["digital_economy"]),
    ("人工智能与数据招商组", "人工智能、算力与数据要素", ["digital_economy"]),
    ("微短剧产业招商组", "微短剧创作、制作与发行", ["micro_drama"]),
    ("数字文化招商组", "数字内容、版权运营与营销", ["micro_drama", "digital_economy"]),
    ("综合招商组", "全链条综合招商与以商招商", ["life_health", "digital_economy", "micro_drama"]),
]
TEAMS_BY_CHAIN = {"life_health": [0, 1, 2, 9], "digital_economy": [3, 4, 5, 6, 9], "micro_drama": [7, 8, 9]}

# (name, kind, city, chain, team index, fraction of the year elapsed when held)
EVENTS = [
    ("明湖新区生命健康产业（上海）招商推介会", EventKind.PROMOTION, "上海", "life_health", 0, 0.15),
    ("京津冀生物医药投资对接会", EventKind.PROMOTION, "北京", "life_health", 1, 0.35),
    ("粤港澳大湾区数字经济合作论坛", EventKind.FORUM, "深圳", "digital_economy", 3, 0.2),
    ("人工智能与数据要素招商推介会", EventKind.PROMOTION, "成都", "digital_economy", 6, 0.45),
    ("长三角集成电路产业链对接会", EventKind.EXPO, "苏州", "digital_economy", 5, 0.6),
    ("微短剧产业发展大会暨项目签约会", EventKind.FORUM, "杭州", "micro_drama", 7, 0.3),
]

REGIONS = ["上海市", "深圳市", "杭州市", "北京市", "苏州市", "成都市", "武汉市", "广州市", "南京市", "合肥市"]
BRANDS = [
    "凌云",
    "嘉禾",
    "远航",
    "启明",
    "华策",
    "星图",
    "和鸣",
    "青岚",
    "睿泽",
    "鼎新",
    "博远",
    "海纳",
    "云帆",
    "同辉",
    "景行",
    "朗润",
    "致远",
    "恒信",
    "澄光",
    "汇智",
]
TRADE = {"life_health": "生物科技", "digital_economy": "信息科技", "micro_drama": "影视文化"}
# Links that stay gaps in the lead chains get more candidates.
GAP_LINKS = {"高端医学影像设备", "集成电路制造与封测", "CRO/CDMO 研发生产外包", "基础与工业软件", "生物试剂与耗材"}


def build(ctx: Any) -> None:
    rng = ctx.rng
    admin = ctx.users["admin"]
    chains = ctx.shared["chains"]
    links = {code: {link.name: link for link in ctx.shared["links"][code]} for code in chains}
    gap_setting_save(
        actor=admin,
        chain=None,
        weak_min_firms=3,
        low_end_share=Decimal("1.00"),
        local_supply_target=Decimal("0.30"),
        local_supply_min_suppliers=3,
    )
    teams = _teams(ctx, admin, chains)
    events = _events(ctx, admin, chains, teams)
    targets = _targets(ctx, admin, links)
    _supply(ctx, admin, chains, links, targets)
    signed, open_ = _projects(ctx, admin, chains, links, teams, events, targets)
    total = sum((p.amount_wan for p in signed), Decimal("0"))
    ctx.shared["investment_teams"] = teams
    ctx.shared["target_companies"] = targets
    ctx.log.append(
        f"investment: {len(teams)} teams, {sum(map(len, events.values()))} events, "
        f"{sum(map(len, targets.values()))} target companies, "
        f"{len(signed)} projects signed this year totalling {total} 万元, {len(open_)} leads/negotiations"
    )
    del rng


# ---- teams and events ------------------------------------------------------------------------------------------


def _teams(ctx: Any, admin: Any, chains: dict[str, Any]) -> list[Any]:
    password = User.objects.get(pk=ctx.users["investment"].pk).password
    members: list[Any] = [ctx.users["investment"]]
    for n in range(1, 20):
        user = user_create(
            actor=admin,
            username=f"demo_investment_{n}",
            password=None,
            role=Role.INVESTMENT,
            display_name=f"招商专员{n:02d}",
        )
        members.append(user)
    User.objects.filter(pk__in=[m.pk for m in members[1:]]).update(password=password)
    teams = []
    for index, (name, focus, codes) in enumerate(TEAMS):
        team_members = [members[2 * index], members[2 * index + 1]]
        team = team_create(
            actor=admin,
            name=name,
            focus=focus,
            head=team_members[0],
            members=team_members,
            chains=[chains[c] for c in codes],
            sort_order=index + 1,
        )
        teams.append(team)
    return teams


def _day_in_year(ctx: Any, fraction: float) -> date:
    span = (ctx.today - ctx.year_start).days
    return ctx.year_start + timedelta(days=int(span * fraction))


def _events(ctx: Any, admin: Any, chains: dict[str, Any], teams: list[Any]) -> dict[str, list[Any]]:
    events: dict[str, list[Any]] = {code: [] for code in chains}
    for name, kind, city, code, team_index, fraction in EVENTS:
        event = event_create(
            actor=admin,
            name=name,
            kind=kind,
            held_on=_day_in_year(ctx, fraction),
            city=city,
            chain=chains[code],
            team=teams[team_index],
            description=f"面向{city}及周边企业推介明湖新区{chains[code].name}产业链的布局、政策与空间载体。",
        )
        events[code].append(event)
    return events


# ---- target companies and supply relations ---------------------------------------------------------------------


def _targets(ctx: Any, admin: Any, links: dict[str, dict[str, Link]]) -> dict[str, list[Any]]:
    """Outside companies for every leaf link of the three chains: two each, five for the gap links."""
    rng = ctx.rng
    by_chain: dict[str, list[Any]] = {}
    used: set[str] = set()
    for code, chain_links in links.items():
        by_chain[code] = []
        leaves = [link for link in chain_links.values() if link.industry_codes]
        for link in leaves:
            for n in range(5 if link.name in GAP_LINKS else 2):
                region = rng.choice(REGIONS)
                name = ""
                while not name or name in used:
                    name = f"{region[:-1]}{rng.choice(BRANDS)}{TRADE[code]}{'股份' if n == 0 else ''}有限公司"
                used.add(name)
                keywords = link.keyword_list()
                products = "、".join(rng.sample(keywords, k=min(len(keywords), 2 + n % 2))) + f"等{link.name}产品与服务"
                target = target_create(
                    actor=admin,
                    name=name,
                    uscc=make_uscc(rng, region="310000") if n % 2 == 0 else "",
                    region=region,
                    industry_code=rng.choice(link.industry_codes.split(",")) if n < 4 else "",
                    products=products,
                    description=f"{region}{link.name}领域企业，主营{products}。",
                    is_listed=n == 0,
                    is_specialized=n in (1, 2),
                    is_high_tech=n != 3,
                    contact_name=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["经理", "总监", "先生", "女士"]),
                    contact_title=rng.choice(["投资总监", "战略发展部经理", "董事会秘书"]),
                    contact_phone=f"139{rng.randrange(10**8):08d}",
                )
                target.link_name = link.name  # type: ignore[attr-defined]
                by_chain[code].append(target)
    return by_chain


def _supply(
    ctx: Any, admin: Any, chains: dict[str, Any], links: dict[str, dict[str, Link]], targets: dict[str, list[Any]]
) -> None:
    """Each leading firm buys from local firms of its chain and from outside firms; one per lead chain is thin."""
    rng = ctx.rng
    for code in chains:
        placed = ctx.shared["placed"][code]
        leaders = [e for e in placed if e.is_leading]
        others = [e for e in placed if not e.is_leading]
        for index, leader in enumerate(leaders):
            thin = index == 0 and code != "micro_drama"
            local = rng.sample(others, k=1 if thin else 3)
            outside = rng.sample(targets[code], k=4 if thin else 3)
            for supplier in local:
                SupplyRelation.objects.create(
                    supplier=supplier, customer=leader, product=supplier.short_name + "配套", share=Decimal("10")
                )
            for target in outside:
                SupplyRelation.objects.create(
                    supplier_name=target.name,
                    supplier_uscc=target.uscc,
                    supplier_region=target.region,
                    customer=leader,
                    product=target.products.split("等")[0],
                    share=Decimal(rng.randrange(5, 30)),
                )
        leaves = [link for link in links[code].values() if link.industry_codes]
        for upstream, downstream in zip(leaves, leaves[1:], strict=False):
            if upstream.stage != downstream.stage:
                SupplyRelation.objects.create(
                    supplier_link=upstream, customer_link=downstream, product=upstream.keyword_list()[0]
                )
    del admin


# ---- projects ----------------------------------------------------------------------------------------------------

PRODUCT_WORDS = {
    "life_health": [
        "创新药研发中心",
        "生物药生产基地",
        "医疗器械产业园",
        "中药配方颗粒项目",
        "医药冷链物流中心",
        "第三方医学检验中心",
        "康复医疗项目",
    ],
    "digital_economy": [
        "软件研发中心",
        "工业互联网平台",
        "数据中心",
        "芯片设计总部",
        "信息技术服务基地",
        "网络安全产业园",
        "智能终端项目",
    ],
    "micro_drama": ["短剧拍摄基地", "微短剧后期制作中心", "短剧发行平台", "网络文学 IP 孵化中心", "短剧营销运营中心"],
}
SIGNED_SPLIT = {"life_health": 24, "digital_economy": 18, "micro_drama": 10}


def _advance(admin: Any, project: Any, path: list[tuple[str, date]]) -> None:
    for stage, day in path:
        project_change_stage(actor=admin, project=project, to_stage=stage, on=day, note="演示数据")


def _signed_path(ctx: Any, signed_on: date, further: int) -> list[tuple[str, date]]:
    path: list[tuple[str, date]] = [
        (Stage.NEGOTIATING, signed_on - timedelta(days=ctx.rng.randrange(20, 90))),
        (Stage.SIGNED, signed_on),
    ]
    day = signed_on
    for stage in [Stage.REGISTERED, Stage.CONSTRUCTION, Stage.PRODUCTION][:further]:
        day = day + timedelta(days=ctx.rng.randrange(15, 60))
        if day > ctx.today:
            break
        path.append((stage, day))
    return path


def _projects(
    ctx: Any,
    admin: Any,
    chains: dict[str, Any],
    links: dict[str, dict[str, Link]],
    teams: list[Any],
    events: dict[str, list[Any]],
    targets: dict[str, list[Any]],
) -> tuple[list[Any], list[Any]]:
    rng = ctx.rng
    span = max((ctx.today - ctx.year_start).days, 0)

    def signed_day() -> date:
        return ctx.year_start + timedelta(days=rng.randint(0, span))

    def new(
        code: str, name: str, team: Any, amount: Decimal, link_names: list[str], lead_on: date, **extra: Any
    ) -> Any:
        return project_create(
            actor=admin,
            team=team,
            name=name,
            chain=chains[code],
            links=[links[code][n] for n in link_names],
            amount_wan=amount,
            on=lead_on,
            **extra,
        )

    signed: list[Any] = []
    # The three flagship projects.
    day = signed_day()
    health = new(
        "life_health",
        "瑞禾健康产品产业基地",
        teams[2],
        HEALTH_BASE_WAN,
        ["中药制造", "医疗健康服务"],
        day - timedelta(days=150),
        investor="瑞禾健康集团（虚构）",
        source_event=events["life_health"][0],
        description="总投资 20 亿元，建设功能食品、中药配方颗粒与健康产品生产线及研发中心。",
    )
    _advance(admin, health, _signed_path(ctx, day, 1))
    day = signed_day()
    ai_base = new(
        "digital_economy",
        "智算云图人工智能数据产业基地",
        teams[6],
        AI_BASE_WAN,
        ["人工智能", "云计算与数据中心"],
        day - timedelta(days=120),
        investor="智算云图科技（虚构）",
        source_event=events["digital_economy"][1],
        description="总投资 10 亿元，建设智算中心、数据标注与数据交易服务基地。",
    )
    _advance(admin, ai_base, _signed_path(ctx, day, 0))
    day = ctx.year_start + timedelta(days=span // 4)
    drama = new(
        "micro_drama",
        "光影星河微短剧全产业链制作基地",
        teams[7],
        DRAMA_BASE_WAN,
        ["IP 版权运营", "剧本创作", "短剧拍摄", "后期与特效", "发行投放"],
        day - timedelta(days=100),
        investor="光影星河文化传媒（虚构）",
        source_event=events["micro_drama"][0],
        description="从 IP 版权运营、剧本创作到拍摄、后期与发行的微短剧全产业链基地。",
    )
    # Registered and under construction by today whatever the date (steps of up to 30 days, same day early in January).
    registered_on = day + timedelta(days=min(30, (ctx.today - day).days // 2))
    construction_on = registered_on + timedelta(days=min(30, (ctx.today - registered_on).days))
    _advance(
        admin,
        drama,
        [
            (Stage.NEGOTIATING, day - timedelta(days=40)),
            (Stage.SIGNED, day),
            (Stage.REGISTERED, registered_on),
            (Stage.CONSTRUCTION, construction_on),
        ],
    )
    signed += [health, ai_base, drama]
    _register_drama_base(ctx, admin, links)

    # The other signed projects.
    remaining = SIGNED_TOTAL - len(signed)
    split = dict(SIGNED_SPLIT)
    split["life_health"] += remaining - sum(split.values())
    used_names: set[str] = set()
    for code, count in split.items():
        leaves = [link for link in links[code].values() if link.industry_codes]
        for n in range(count):
            link = rng.choice(leaves)
            name = ""
            while not name or name in used_names:
                name = f"{rng.choice(BRANDS)}{rng.choice(PRODUCT_WORDS[code])}"
            used_names.add(name)
            day = signed_day()
            amount = Decimal(rng.randrange(12000, 30000, 100))
            project = new(
                code,
                name,
                teams[rng.choice(TEAMS_BY_CHAIN[code])],
                amount,
                [link.name],
                day - timedelta(days=rng.randrange(100, 240)),
                investor=f"{rng.choice(BRANDS)}{TRADE[code]}集团（虚构）",
                source_event=rng.choice(events[code]) if n % 3 else None,
            )
            _advance(admin, project, _signed_path(ctx, day, n % 4))
            signed.append(project)

    # Make sure the year's total clears 140亿元 whatever the random amounts were.
    total = sum((p.amount_wan for p in signed), Decimal("0"))
    if total < MIN_TOTAL_WAN + Decimal("20000"):
        from investment.services import project_update

        top = max(signed[3:], key=lambda p: p.amount_wan)
        project_update(actor=admin, project=top, amount_wan=top.amount_wan + MIN_TOTAL_WAN - total + Decimal("20000"))

    return signed, _open_projects(ctx, admin, chains, links, teams, events, targets, new)


def _register_drama_base(ctx: Any, admin: Any, links: dict[str, dict[str, Link]]) -> None:
    """The registered micro-drama base is a firm of the area now, placed on the link it was brought in to fill."""
    firm = enterprise_create(
        actor=admin,
        uscc=make_uscc(ctx.rng),
        name="明湖光影星河影视文化有限公司",
        short_name="光影星河",
        size_class=SizeClass.BELOW,
        industry_code="7520",
        founded_on=ctx.today,
    )
    placement_upsert(
        actor=admin, enterprise=firm, link=links["micro_drama"]["IP 版权运营"], main_product="短剧 IP 版权运营"
    )
    placement_upsert(actor=admin, enterprise=firm, link=links["micro_drama"]["短剧拍摄"], main_product="微短剧拍摄制作")


def _open_projects(
    ctx: Any,
    admin: Any,
    chains: dict[str, Any],
    links: dict[str, dict[str, Link]],
    teams: list[Any],
    events: dict[str, list[Any]],
    targets: dict[str, list[Any]],
    new: Any,
) -> list[Any]:
    """Leads and negotiations aimed at the gaps, and two dropped projects."""
    rng = ctx.rng
    plan = [
        ("life_health", "高端医学影像设备", 1, Stage.NEGOTIATING, "高端 CT 与 MRI 整机制造项目", Decimal("60000")),
        ("life_health", "高端医学影像设备", 1, Stage.LEAD, "超声影像设备研发生产项目", Decimal("15000")),
        ("life_health", "CRO/CDMO 研发生产外包", 0, Stage.NEGOTIATING, "生物药 CDMO 服务平台", Decimal("45000")),
        ("life_health", "CRO/CDMO 研发生产外包", 0, Stage.LEAD, "临床 CRO 区域总部", Decimal("8000")),
        ("life_health", "生物试剂与耗材", 0, Stage.LEAD, "细胞培养基与生物试剂项目", Decimal("12000")),
        ("life_health", "创新药研发", 9, Stage.DROPPED, "小分子创新药研发中心", Decimal("30000")),
        ("digital_economy", "集成电路制造与封测", 5, Stage.NEGOTIATING, "先进封装测试产线", Decimal("120000")),
        ("digital_economy", "集成电路制造与封测", 5, Stage.LEAD, "功率半导体晶圆项目", Decimal("80000")),
        ("digital_economy", "基础与工业软件", 3, Stage.NEGOTIATING, "工业设计软件研发中心", Decimal("10000")),
        ("digital_economy", "基础与工业软件", 4, Stage.LEAD, "国产数据库华中基地", Decimal("9000")),
        ("digital_economy", "人工智能", 6, Stage.NEGOTIATING, "多模态大模型应用中心", Decimal("25000")),
        ("digital_economy", "网络与信息安全", 3, Stage.DROPPED, "密码应用服务平台", Decimal("6000")),
        ("micro_drama", "平台运营", 8, Stage.NEGOTIATING, "短剧小程序平台区域总部", Decimal("15000")),
        ("micro_drama", "后期与特效", 7, Stage.LEAD, "AIGC 短剧特效工作室", Decimal("5000")),
    ]
    projects = []
    for code, link_name, team_index, stage, name, amount in plan:
        target = next((t for t in targets[code] if t.link_name == link_name), None)
        lead_on = ctx.today - timedelta(days=rng.randrange(20, 120))
        project = new(
            code,
            name,
            teams[team_index],
            amount,
            [link_name],
            lead_on,
            target=target,
            investor=target.name if target else "",
            source_event=rng.choice(events[code]),
        )
        if stage in (Stage.NEGOTIATING, Stage.DROPPED):
            _advance(admin, project, [(Stage.NEGOTIATING, lead_on + timedelta(days=10))])
        if stage == Stage.DROPPED:
            project_change_stage(
                actor=admin,
                project=project,
                to_stage=Stage.DROPPED,
                on=ctx.today,
                reason="投资方调整战略布局，暂缓对外投资",
            )
        projects.append(project)
    return projects
