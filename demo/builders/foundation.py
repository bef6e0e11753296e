"""The foundation of the demo area 明湖新区 (fictional): units, users, chains, the register, the organization chain.

Figures this builder reproduces exactly (checked by demo/tests):
- 生命健康 life_health: 19 organizations covering 34 distinct enterprises with 188 members;
- 数字经济 digital_economy: 13 organizations, 30 enterprises, 43 members;
- one 产业链联合党支部 (chain joint branch) in each of those two chains, counted in the 19 and the 13;
- more than 30 pioneer posts and responsibility zones; exactly 14 key enterprises, each paired with one of 5 leaders;
- 62 instructors, every enterprise of the register with exactly one active instructor (round-robin), plus key projects;
- 1000 enterprises in the register.

Besides the contract in demo/builders/__init__.py, ctx.shared also gets:
"links" (chain code -> list of Link), "placed" (chain code -> list of enterprises placed on the chain),
"key_enterprises", "leading_enterprises", "organizations" (list), "members" (list), "key_projects" (list),
"institutions" (list of ResearchInstitution), "instructor_of" (enterprise id -> instructor User).
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from accounts.choices import Role, UnitKind
from accounts.models import Unit, User
from accounts.services import user_create
from chains.choices import Function, Stage
from chains.models import Chain, Link
from chains.services import chain_create, link_create, placement_upsert
from core.validators import make_resident_id, make_uscc
from enterprises.choices import InstitutionKind, SizeClass
from enterprises.models import Enterprise
from enterprises.services import enterprise_create, research_institution_create
from organizations.choices import Formation, OrgType, PairingKind, PostKind, TeamStatus
from organizations.models import PartyMember, PartyOrganization
from organizations.services import (
    commando_team_create,
    key_project_create,
    member_create,
    mentoring_pair_create,
    organization_create,
    pairing_create,
    pioneer_post_create,
    visit_create,
)

ORDER = 10

AREA = "明湖新区"
DEPARTMENTS = ["人社局", "市场监管局", "税务局", "自然资源局", "商务局", "科技局", "海关", "住建局", "发改局", "金融办"]
OFFICES = ["第一管理处", "第二管理处", "第三管理处", "第四管理处"]
DESKS = ["药管家", "剧管家"]
WINDOW = "惠企专窗"

REGISTER_SIZE = 1000
POOL_SIZES = {"life_health": 100, "digital_economy": 90, "micro_drama": 32}
N_INSTRUCTORS = 62
N_LEADERS = 5
N_KEY = 14

# ---- chains and their link trees -------------------------------------------------------------------------------
# (name, stage, function, is_key, industry codes, keywords, weight for placing firms (0 = a gap), children)
U, M, D = Stage.UPSTREAM, Stage.MIDSTREAM, Stage.DOWNSTREAM
RND, MFG, APP, SVC = Function.RND, Function.MANUFACTURING, Function.APPLICATION, Function.SERVICE

CHAINS: list[dict[str, Any]] = [
    {
        "code": "life_health",
        "name": "生命健康",
        "description": "以创新药、生物药和高端医疗器械为核心，贯通研发、制造、流通与医疗服务的产业链。",
        "links": [
            (
                "研发与原料",
                U,
                RND,
                False,
                "",
                "研发,原料",
                0,
                [
                    ("创新药研发", U, RND, True, "7340", "靶点,临床前,新药,药物筛选", 8, []),
                    ("原料药与中间体", U, MFG, False, "2710", "原料药,中间体,API", 10, []),
                    ("生物试剂与耗材", U, MFG, True, "2761,2770", "试剂,培养基,耗材,酶", 2, []),
                ],
            ),
            (
                "药品与器械制造",
                M,
                MFG,
                False,
                "",
                "制造,生产",
                0,
                [
                    ("化学药制剂", M, MFG, False, "2720", "片剂,注射剂,仿制药,一致性评价", 14, []),
                    ("生物药与疫苗", M, MFG, True, "2761,2762", "抗体,疫苗,重组蛋白,细胞治疗", 9, []),
                    ("中药制造", M, MFG, False, "2730,2740", "中药饮片,中成药,配方颗粒", 10, []),
                    ("医疗器械", M, MFG, True, "3581,3584,3589", "诊断设备,监护,手术器械,耗材", 14, []),
                    ("高端医学影像设备", M, MFG, True, "3581", "CT,MRI,超声,影像", 0, []),
                ],
            ),
            (
                "流通与健康服务",
                D,
                SVC,
                False,
                "",
                "流通,服务",
                0,
                [
                    ("医药流通", D, SVC, False, "5151,5152", "批发,配送,冷链", 12, []),
                    ("CRO/CDMO 研发生产外包", D, SVC, True, "7340", "CRO,CDMO,临床试验,委托生产", 1, []),
                    ("第三方检验检测", D, SVC, False, "7452", "检测,检验,质控", 8, []),
                    ("医疗健康服务", D, APP, False, "8411", "医院,体检,康复,互联网医疗", 12, []),
                ],
            ),
        ],
    },
    {
        "code": "digital_economy",
        "name": "数字经济",
        "description": "以集成电路、软件和数据服务为基础，面向工业互联网和数字内容应用的产业链。",
        "links": [
            (
                "基础硬件",
                U,
                MFG,
                False,
                "",
                "硬件,芯片",
                0,
                [
                    ("集成电路设计", U, RND, True, "6520", "芯片设计,EDA,SoC,IP核", 6, []),
                    ("集成电路制造与封测", U, MFG, True, "3973", "晶圆,封装,测试", 0, []),
                    ("电子元器件", U, MFG, False, "3972,3974", "元器件,分立器件,显示", 10, []),
                    ("计算机与通信设备", U, MFG, False, "3911,3921", "服务器,整机,通信设备", 8, []),
                ],
            ),
            (
                "软件与数据",
                M,
                RND,
                False,
                "",
                "软件,数据",
                0,
                [
                    ("基础与工业软件", M, RND, True, "6511,6512", "操作系统,数据库,工业软件,CAD", 2, []),
                    ("应用软件开发", M, RND, False, "6513", "应用软件,SaaS,小程序", 18, []),
                    ("云计算与数据中心", M, SVC, False, "6450,6550", "云计算,数据中心,算力", 9, []),
                    ("人工智能", M, RND, True, "6513,6599", "大模型,机器视觉,语音识别", 7, []),
                    ("网络与信息安全", M, SVC, False, "6440", "网络安全,等保,密码", 6, []),
                ],
            ),
            (
                "数字化应用",
                D,
                APP,
                False,
                "",
                "应用,数字化转型",
                0,
                [
                    ("工业互联网", D, APP, True, "6531,6433", "工业互联网平台,智能制造,数字孪生", 8, []),
                    ("信息技术服务", D, SVC, False, "6531,6540,6560", "系统集成,运维,咨询", 16, []),
                    ("数字内容", D, APP, False, "6572,6579", "动漫,游戏,数字内容", 6, []),
                ],
            ),
        ],
    },
    {
        "code": "micro_drama",
        "name": "微短剧",
        "description": "从剧本创作、拍摄制作到平台发行与营销，打造微短剧全产业链。",
        "links": [
            (
                "内容创作",
                U,
                RND,
                False,
                "",
                "创作,IP",
                0,
                [
                    ("剧本创作", U, RND, False, "8810", "剧本,编剧,网文改编", 6, []),
                    ("IP 版权运营", U, SVC, True, "7520", "版权,IP授权,知识产权", 0, []),
                ],
            ),
            (
                "拍摄制作",
                M,
                MFG,
                False,
                "",
                "拍摄,制作",
                0,
                [
                    ("短剧拍摄", M, MFG, False, "8730", "拍摄,制片,演员经纪", 10, []),
                    ("后期与特效", M, MFG, True, "8730,6579", "剪辑,调色,特效,AIGC", 3, []),
                    ("拍摄基地与服务", M, SVC, False, "8760,7284", "拍摄基地,场景,器材租赁", 4, []),
                ],
            ),
            (
                "发行与平台",
                D,
                APP,
                False,
                "",
                "发行,平台",
                0,
                [
                    ("发行投放", D, APP, False, "8750,8710", "发行,投流,分账", 5, []),
                    ("平台运营", D, APP, True, "6429", "短视频平台,小程序剧,会员", 2, []),
                    ("营销推广", D, SVC, False, "7251,7259", "营销,广告,达人", 4, []),
                ],
            ),
        ],
    },
]

# ---- names ----------------------------------------------------------------------------------------------------
BRAND_CHARS = "瑞康华恒博正晟远益泰嘉和明达信安宏德诚鼎联创新睿启卓方元汇科景峰润弘禾"
WORDS = {
    "life_health": ["生物医药", "制药", "医疗器械", "生物科技", "药业", "健康科技", "基因科技", "医学检验"],
    "digital_economy": ["信息技术", "软件", "数据科技", "智能科技", "微电子", "网络科技", "云计算", "数字科技"],
    "micro_drama": ["影视文化", "传媒", "文化传播", "影业", "短剧科技", "网络文化"],
}
OTHER_TRADES = [
    ("建设工程", "4710"),
    ("商贸", "5199"),
    ("物流", "5810"),
    ("新材料", "2669"),
    ("机械制造", "3399"),
    ("食品", "1495"),
    ("环保科技", "7461"),
    ("电力", "4420"),
    ("塑料制品", "2922"),
    ("电缆", "3831"),
    ("园区运营", "7221"),
    ("科技服务", "7530"),
    ("房地产开发", "7010"),
    ("会展服务", "7281"),
]
SUFFIXES = ["有限公司", "有限公司", "股份有限公司", "有限责任公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯健俊帆鑫波宁欣悦晨晓琳雪梅婷倩露晶颖佳瑶怡嘉"
POSTS = [
    "研发工程师",
    "车间主任",
    "质量经理",
    "销售经理",
    "行政主管",
    "技术总监",
    "生产班长",
    "项目经理",
    "财务主管",
    "总经理",
]
FINDINGS = [
    "企业反映扩产用地指标紧张，希望协调标准厂房。",
    "研发人员招聘难，希望对接高校人才资源。",
    "新产品注册申报周期长，希望提供政策解读和帮办服务。",
    "流动资金紧张，希望对接园区金融服务。",
    "出口报关流程不熟悉，希望海关提供指导。",
    "希望与链上龙头企业开展供需对接。",
    "",
    "",
]


@dataclass
class Spec:
    """One register enterprise before it is created: which pool, which link, which flags."""

    pool: str
    index: int
    link: Link | None = None
    enterprise: Any = None
    is_key: bool = False
    is_leading: bool = False
    fields: dict[str, Any] = field(default_factory=dict)


class Names:
    """Deterministic, unique fictional names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2)))
            )
            if name not in self.used:
                self.used.add(name)
                return name

    def firm(self, word: str) -> tuple[str, str]:
        while True:
            a, b = self.rng.sample(BRAND_CHARS, 2)
            short = f"{a}{b}{word[:2]}"
            name = f"{AREA[:2]}{a}{b}{word}{self.rng.choice(SUFFIXES)}"
            if name not in self.used and short not in self.used:
                self.used.update((name, short))
                return name, short


def build(ctx: Any) -> None:
    rng = ctx.rng
    names = Names(rng)
    units = _units(ctx)
    users = _users(ctx, names, units)
    actor = users["admin"]
    chains, links = _chains(ctx, actor)
    enterprises, by_pool = _register(ctx, actor, names, links, units["offices"])
    ctx.shared["institutions"] = _institutions(actor)
    organizations, members = _organizations(ctx, actor, names, by_pool, units["offices"])
    _posts_and_teams(ctx, actor, organizations, members)
    _pairings(ctx, actor, enterprises, by_pool, users)
    _mentoring(ctx, actor, by_pool)

    demo_enterprise = by_pool["life_health"][5].enterprise  # covered by a single branch, placed, with an instructor
    users["enterprise"] = _make_user(
        ctx, "demo_enterprise", Role.ENTERPRISE, "演示企业用户", enterprise=demo_enterprise
    )
    _set_demo_password(ctx)
    ctx.log.append(
        f"foundation: {len(enterprises)} enterprises, {len(organizations)} organizations, {len(members)} members, "
        f"{len(ctx.users['instructors'])} instructors"
    )


# ---- units and users ------------------------------------------------------------------------------------------


def _units(ctx: Any) -> dict[str, Any]:
    # Units are reference data of the area; accounts has no unit service, so they are created directly.
    def unit(name: str, kind: str) -> Unit:
        obj = Unit(name=name, kind=kind)
        obj.full_clean()
        obj.save()
        return obj

    departments = {name: unit(name, UnitKind.DEPARTMENT) for name in DEPARTMENTS}
    offices = [unit(name, UnitKind.MANAGEMENT_OFFICE) for name in OFFICES]
    desks = {name: unit(name, UnitKind.SECTOR_DESK) for name in DESKS}
    window = unit(WINDOW, UnitKind.WINDOW)
    ctx.shared.update(units=departments, offices=offices, desks=desks, window=window)
    return {"departments": departments, "offices": offices}


def _make_user(ctx: Any, username: str, role: str, display_name: str, **fields: Any) -> User:
    user = user_create(
        actor=ctx.users.get("admin"),
        username=username,
        password=None,
        role=role,
        display_name=display_name,
        **fields,
    )
    ctx.shared.setdefault("_demo_user_ids", []).append(user.pk)
    return user


def _set_demo_password(ctx: Any) -> None:
    # Argon2 is deliberately slow: hash the demo-only password once and give every demo user the same hash.
    from demo.builders import DEMO_PASSWORD

    User.objects.filter(pk__in=ctx.shared.pop("_demo_user_ids")).update(password=make_password(DEMO_PASSWORD))


def _users(ctx: Any, names: Names, units: dict[str, Any]) -> dict[str, Any]:
    users = ctx.users
    users["admin"] = _make_user(ctx, "demo_admin", Role.ADMIN, "党群工作部管理员", is_staff=True, is_superuser=True)
    users["leader"] = _make_user(ctx, "demo_leader", Role.LEADER, f"{names.person()}（领导）")
    users["leaders"] = [users["leader"]] + [
        _make_user(ctx, f"leader{i:02d}", Role.LEADER, f"{names.person()}（领导）") for i in range(1, N_LEADERS)
    ]
    users["instructor"] = _make_user(ctx, "demo_instructor", Role.INSTRUCTOR, f"{names.person()}（指导员）")
    users["instructors"] = [users["instructor"]] + [
        _make_user(ctx, f"instructor{i:02d}", Role.INSTRUCTOR, f"{names.person()}（指导员）")
        for i in range(1, N_INSTRUCTORS)
    ]
    users["handler"] = _make_user(
        ctx, "demo_handler", Role.HANDLER, f"{names.person()}（人社局）", unit=units["departments"]["人社局"]
    )
    users["supervisor"] = _make_user(ctx, "demo_supervisor", Role.SUPERVISOR, f"{names.person()}（督导）")
    users["investment"] = _make_user(ctx, "demo_investment", Role.INVESTMENT, f"{names.person()}（招商）")
    users["talent"] = _make_user(ctx, "demo_talent", Role.TALENT, names.person())
    return users


# ---- chains and the register ----------------------------------------------------------------------------------


def _chains(ctx: Any, actor: Any) -> tuple[dict[str, Chain], dict[str, list[tuple[Link, int]]]]:
    chains: dict[str, Chain] = {}
    leaves: dict[str, list[tuple[Link, int]]] = {}
    all_links: dict[str, list[Link]] = {}
    for order, spec in enumerate(CHAINS, start=1):
        chain = chain_create(
            actor=actor, name=spec["name"], code=spec["code"], description=spec["description"], sort_order=order
        )
        chains[spec["code"]] = chain
        leaves[spec["code"]] = []
        all_links[spec["code"]] = []

        def add(node: tuple, parent: Link | None, sort: int, code: str = spec["code"], chain: Chain = chain) -> None:
            name, stage, function, is_key, codes, keywords, weight, children = node
            link = link_create(
                actor=actor,
                chain=chain,
                parent=parent,
                name=name,
                stage=stage,
                function=function,
                is_key=is_key,
                industry_codes=codes,
                keywords=keywords,
                description=f"{chain.name}产业链{Stage(stage).label}{name}环节。",
                sort_order=sort,
            )
            all_links[code].append(link)
            if not children:
                leaves[code].append((link, weight))
            for child_sort, child in enumerate(children, start=1):
                add(child, link, child_sort)

        for sort, node in enumerate(spec["links"], start=1):
            add(node, None, sort)
    ctx.shared["chains"] = chains
    ctx.shared["links"] = all_links
    return chains, leaves


def _register(
    ctx: Any, actor: Any, names: Names, leaves: dict[str, list[tuple[Link, int]]], offices: list[Unit]
) -> tuple[list[Enterprise], dict[str, list[Spec]]]:
    rng = ctx.rng
    office_weights = {"life_health": [5, 2, 1, 1], "digital_economy": [1, 5, 2, 1], "micro_drama": [1, 1, 2, 5]}
    leading = {"life_health": 3, "digital_economy": 3, "micro_drama": 2}
    # 14 key enterprises: 6 life health, 5 digital, 1 micro-drama, 2 elsewhere in the register.
    key = {"life_health": 6, "digital_economy": 5, "micro_drama": 1, "other": 2}
    specs: list[Spec] = []
    by_pool: dict[str, list[Spec]] = {}
    for pool, size in POOL_SIZES.items():
        links = [link for link, weight in leaves[pool] if weight]
        weights = [weight for _link, weight in leaves[pool] if weight]
        for index in range(size):
            link = rng.choices(links, weights)[0]
            spec = Spec(pool, index, link, is_key=index < key[pool], is_leading=index < leading[pool])
            name, short = names.firm(rng.choice(WORDS[pool]))
            code = rng.choice(link.industry_codes.split(","))
            spec.fields = _firm_fields(rng, name, short, code, rng.choices(offices, office_weights[pool])[0], spec)
            specs.append(spec)
            by_pool.setdefault(pool, []).append(spec)
    for index in range(REGISTER_SIZE - len(specs)):
        spec = Spec("other", index, is_key=index < key["other"])
        trade, code = rng.choice(OTHER_TRADES)
        name, short = names.firm(trade)
        spec.fields = _firm_fields(rng, name, short, code, rng.choice(offices), spec)
        specs.append(spec)
        by_pool.setdefault("other", []).append(spec)

    # 1000 creations through the service take a couple of seconds on SQLite, so no bulk_create is needed.
    enterprises = []
    for spec in specs:
        spec.enterprise = enterprise_create(actor=actor, **spec.fields)
        enterprises.append(spec.enterprise)
        if spec.link is not None:
            placement_upsert(
                actor=actor,
                enterprise=spec.enterprise,
                link=spec.link,
                main_product=rng.choice(spec.link.keyword_list()),
            )
    ctx.shared["enterprises"] = enterprises
    ctx.shared["placed"] = {pool: [s.enterprise for s in by_pool[pool]] for pool in POOL_SIZES}
    ctx.shared["key_enterprises"] = [s.enterprise for s in specs if s.is_key]
    ctx.shared["leading_enterprises"] = [s.enterprise for s in specs if s.is_leading]
    assert len(ctx.shared["key_enterprises"]) == N_KEY
    return enterprises, by_pool


def _firm_fields(rng: random.Random, name: str, short: str, code: str, office: Unit, spec: Spec) -> dict[str, Any]:
    large = spec.is_leading or spec.is_key or rng.random() < 0.3
    revenue = (
        rng.randint(30000, 900000) if spec.is_leading else rng.randint(2000, 60000) if large else rng.randint(50, 1900)
    )
    return {
        "uscc": make_uscc(rng, region=rng.choice(["360100", "360121", "360122", "360123"])),
        "name": name,
        "short_name": short,
        "size_class": SizeClass.ABOVE if large else SizeClass.BELOW,
        "industry_code": code,
        "is_key": spec.is_key,
        "is_leading": spec.is_leading,
        "management_office": office,
        "address": f"{AREA}{office.name[:3]}辖区{rng.choice('东西南北')}{rng.randint(1, 30)}路{rng.randint(1, 300)}号",
        "contact_name": "",
        "contact_phone": _mobile(rng),
        "revenue_wan": Decimal(revenue),
        "founded_on": date(rng.randint(1998, 2024), rng.randint(1, 12), rng.randint(1, 28)),
    }


def _mobile(rng: random.Random) -> str:
    return rng.choice(["135", "136", "137", "138", "139", "150", "151", "152", "158", "186", "187", "188"]) + "".join(
        rng.choice("0123456789") for _ in range(8)
    )


def _institutions(actor: Any) -> list[Any]:
    rows = [
        ("明湖大学", InstitutionKind.UNIVERSITY, "药物化学,生物医学工程,计算机科学"),
        ("明湖医科大学", InstitutionKind.UNIVERSITY, "临床医学,药理学,医学影像"),
        ("明湖理工学院", InstitutionKind.UNIVERSITY, "集成电路,人工智能,软件工程"),
        ("明湖传媒学院", InstitutionKind.UNIVERSITY, "影视编导,数字媒体,网络视听"),
        ("国家生物药技术创新中心（明湖分中心）", InstitutionKind.NATIONAL_PLATFORM, "抗体药物,细胞治疗,疫苗"),
        ("国家医疗器械产业计量测试中心（明湖）", InstitutionKind.NATIONAL_PLATFORM, "医疗器械计量,检测"),
        ("国家工业互联网创新中心（明湖）", InstitutionKind.NATIONAL_PLATFORM, "工业互联网,数字孪生"),
        ("明湖新区中药现代化研究院", InstitutionKind.INSTITUTE, "中药制剂,配方颗粒"),
        ("明湖新区人工智能研究院", InstitutionKind.INSTITUTE, "大模型,机器视觉"),
        ("明湖新区数字内容研究院", InstitutionKind.INSTITUTE, "AIGC,特效,虚拟拍摄"),
        ("明湖生物医药检验检测研究院", InstitutionKind.INSTITUTE, "药品检测,GLP"),
        ("明湖新区集成电路研究所", InstitutionKind.INSTITUTE, "芯片设计,EDA"),
    ]
    rng = random.Random(4754)
    institutions = [
        research_institution_create(
            actor=actor,
            name=name,
            kind=kind,
            region=AREA,
            fields=fields,
            contact_name="科研处",
            contact_phone=_mobile(rng),
        )
        for name, kind, fields in rows
    ]
    return institutions


# ---- the organization chain -----------------------------------------------------------------------------------
# Per chain: (name suffix, org type, formation, pool indices covered, members, parent index in this list or None).
# life health: 16 single (3 at the leading firm: committee + 2 branches; 1 general branch; 12 branches) covering 14
# enterprises, 2 regional joint branches covering 6 each, 1 chain joint branch covering 8 → 19 / 34; members 188.
# digital economy: 8 single (general branch + a branch at the leading firm, 6 branches) covering 7, 4 regional joint
# covering 4 each, 1 chain joint covering 7 → 13 / 30; members 43.
def _plan() -> dict[str, list[tuple[str, str, str, list[int], int, int | None]]]:
    single_lh = [8, 7, 9, 6, 7, 8, 6, 7, 5, 6, 7, 6]
    lh: list[tuple[str, str, str, list[int], int, int | None]] = [
        ("党委", OrgType.COMMITTEE, Formation.SINGLE, [0], 24, None),
        ("研发中心党支部", OrgType.BRANCH, Formation.SINGLE, [0], 18, 0),
        ("生产基地党支部", OrgType.BRANCH, Formation.SINGLE, [0], 16, 0),
        ("党总支", OrgType.GENERAL_BRANCH, Formation.SINGLE, [1], 20, None),
    ]
    lh += [("党支部", OrgType.BRANCH, Formation.SINGLE, [2 + i], n, None) for i, n in enumerate(single_lh)]
    lh += [
        ("生物医药园区联合党支部", OrgType.JOINT_BRANCH, Formation.REGIONAL_JOINT, list(range(14, 20)), 8, None),
        ("医疗器械园区联合党支部", OrgType.JOINT_BRANCH, Formation.REGIONAL_JOINT, list(range(20, 26)), 7, None),
        ("生命健康产业链联合党支部", OrgType.JOINT_BRANCH, Formation.CHAIN_JOINT, list(range(26, 34)), 13, None),
    ]
    de: list[tuple[str, str, str, list[int], int, int | None]] = [
        ("党总支", OrgType.GENERAL_BRANCH, Formation.SINGLE, [0], 5, None),
        ("研发党支部", OrgType.BRANCH, Formation.SINGLE, [0], 3, 0),
    ]
    de += [("党支部", OrgType.BRANCH, Formation.SINGLE, [1 + i], 3, None) for i in range(6)]
    de += [
        (
            f"软件园{n}区联合党支部",
            OrgType.JOINT_BRANCH,
            Formation.REGIONAL_JOINT,
            list(range(7 + 4 * i, 11 + 4 * i)),
            3,
            None,
        )
        for i, n in enumerate("一二三四")
    ]
    de += [("数字经济产业链联合党支部", OrgType.JOINT_BRANCH, Formation.CHAIN_JOINT, list(range(23, 30)), 5, None)]
    md: list[tuple[str, str, str, list[int], int, int | None]] = [
        ("党支部", OrgType.BRANCH, Formation.SINGLE, [0], 7, None),
        ("党支部", OrgType.BRANCH, Formation.SINGLE, [1], 4, None),
        ("微短剧基地联合党支部", OrgType.JOINT_BRANCH, Formation.REGIONAL_JOINT, list(range(2, 7)), 6, None),
    ]
    return {"life_health": lh, "digital_economy": de, "micro_drama": md}


def _organizations(
    ctx: Any, actor: Any, names: Names, by_pool: dict[str, list[Spec]], offices: list[Unit]
) -> tuple[list[PartyOrganization], list[PartyMember]]:
    rng = ctx.rng
    people = _People(rng, names)
    organizations: list[PartyOrganization] = []
    members: list[PartyMember] = []
    founded = date(ctx.today.year - 3, 7, 1)

    def make(
        name: str,
        org_type: str,
        formation: str,
        chain: Chain | None,
        covered: list[Enterprise],
        n_members: int,
        parent: PartyOrganization | None,
        office: Unit,
    ) -> PartyOrganization:
        secretary = people.name()
        organization = organization_create(
            actor=actor,
            enterprises=covered,
            name=name,
            org_type=org_type,
            formation=formation,
            chain=chain,
            parent=parent,
            management_office=office,
            secretary_name=secretary,
            founded_on=founded - timedelta(days=rng.randint(0, 2000)),
        )
        organizations.append(organization)
        for i in range(n_members):
            members.append(
                member_create(
                    actor=actor,
                    name=secretary if i == 0 else people.name(),
                    organization=organization,
                    enterprise=covered[i % len(covered)],
                    post="党组织书记" if i == 0 else rng.choice(POSTS),
                    joined_on=date(rng.randint(1988, 2024), rng.randint(1, 12), rng.randint(1, 28)),
                    id_number=people.id_number(),
                    phone=_mobile(rng),
                )
            )
        return organization

    chains = ctx.shared["chains"]
    for code, plan in _plan().items():
        pool = by_pool[code]
        created: list[PartyOrganization] = []
        for suffix, org_type, formation, indices, n_members, parent_index in plan:
            covered = [pool[i].enterprise for i in indices]
            if len(indices) == 1:
                base = covered[0].name.replace("股份有限公司", "").replace("有限责任公司", "").replace("有限公司", "")
                name = f"{base}{suffix}"
            else:
                name = f"{AREA}{suffix}"
            parent = created[parent_index] if parent_index is not None else None
            office = covered[0].management_office
            created.append(make(name, org_type, formation, chains[code], covered, n_members, parent, office))

    # Regional joint branches of the management offices, not tied to a chain: they cover firms of the wider register
    # and a few chain firms no chain organization covers (these count towards the chains' coverage rates).
    others = by_pool["other"]
    extra = {0: by_pool["life_health"][34:37], 1: by_pool["digital_economy"][30:32], 2: [], 3: []}
    for i, office in enumerate(offices):
        covered = [s.enterprise for s in others[10 + i * 8 : 18 + i * 8]]
        covered += [s.enterprise for s in extra[i]]
        make(
            f"{AREA}{office.name}非公企业联合党支部",
            OrgType.JOINT_BRANCH,
            Formation.REGIONAL_JOINT,
            None,
            covered,
            8,
            None,
            office,
        )
    for spec in others[2:5]:
        firm = spec.enterprise
        base = firm.name.replace("有限责任公司", "").replace("股份有限公司", "").replace("有限公司", "")
        make(f"{base}党支部", OrgType.BRANCH, Formation.SINGLE, None, [firm], 5, None, firm.management_office)

    ctx.shared["organizations"] = organizations
    ctx.shared["members"] = members
    return organizations, members


class _People:
    def __init__(self, rng: random.Random, names: Names) -> None:
        self.rng = rng
        self.names = names
        self.ids: set[str] = set()

    def name(self) -> str:
        return self.names.person()

    def id_number(self) -> str:
        while True:
            birth = f"{self.rng.randint(1962, 2001)}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"
            number = make_resident_id(
                self.rng, region=self.rng.choice(["360121", "360122", "110105", "310104"]), birth=birth
            )
            if number not in self.ids:
                self.ids.add(number)
                return number


def _posts_and_teams(ctx: Any, actor: Any, organizations: list[PartyOrganization], members: list[PartyMember]) -> None:
    rng = ctx.rng
    by_org: dict[int, list[PartyMember]] = {}
    for member in members:
        by_org.setdefault(member.organization_id, []).append(member)
    post_names = {
        "life_health": ["GMP 质量先锋岗", "新药研发先锋岗", "洁净车间责任区", "安全生产责任区", "冷链配送先锋岗"],
        "digital_economy": ["核心算法攻关先锋岗", "客户服务先锋岗", "数据安全责任区", "机房运维责任区"],
        "micro_drama": ["内容审核先锋岗", "拍摄现场责任区"],
    }
    count = 0
    for organization in organizations:
        chain = organization.chain
        if chain is None or organization.formation != Formation.SINGLE:
            continue
        choices = post_names[chain.code]
        for name in rng.sample(choices, 2):
            kind = PostKind.RESPONSIBILITY_ZONE if name.endswith("责任区") else PostKind.PIONEER_POST
            holder = rng.choice(by_org[organization.pk])
            pioneer_post_create(
                actor=actor,
                kind=kind,
                name=name,
                organization=organization,
                holder=holder,
                enterprise=holder.enterprise,
                description=f"{holder.name}同志牵头，带动{name.replace('先锋岗', '').replace('责任区', '')}各项指标提升。",
            )
            count += 1
    assert count > 30, count

    teams = [
        ("life_health", 0, "创新药临床申报党员突击队", "一年内完成 1 个一类创新药 IND 申报。", TeamStatus.ACTIVE, ""),
        (
            "life_health",
            3,
            "国产高端影像设备攻关突击队",
            "联合上下游完成 1.5T 磁共振核心部件国产化。",
            TeamStatus.ACTIVE,
            "",
        ),
        (
            "digital_economy",
            0,
            "工业互联网平台攻坚突击队",
            "为园区 50 家制造企业完成设备上云。",
            TeamStatus.ACHIEVED,
            "已完成 52 家企业设备上云，平台接入设备 3100 台。",
        ),
        ("micro_drama", 0, "微短剧出海译制突击队", "完成 20 部微短剧多语种译制并上线海外平台。", TeamStatus.ACTIVE, ""),
    ]
    chain_orgs: dict[str, list[PartyOrganization]] = {}
    for organization in organizations:
        if organization.chain is not None:
            chain_orgs.setdefault(organization.chain.code, []).append(organization)
    for code, index, name, goal, status, outcome in teams:
        organization = chain_orgs[code][index]
        crew = by_org[organization.pk][:5]
        start = ctx.year_start
        commando_team_create(
            actor=actor,
            name=name,
            organization=organization,
            enterprise=organization.enterprises.first(),
            goal=goal,
            status=status,
            outcome=outcome,
            members=crew,
            milestones=[
                ("组建队伍、明确分工", start + timedelta(days=30)),
                ("关键技术节点突破", start + timedelta(days=150)),
                ("成果验收", start + timedelta(days=300)),
            ],
        )


def _pairings(ctx: Any, actor: Any, enterprises: list[Enterprise], by_pool: dict[str, list[Spec]], users: dict) -> None:
    rng = ctx.rng
    start = date(ctx.today.year - 1, 3, 1)
    for i, enterprise in enumerate(ctx.shared["key_enterprises"]):
        pairing_create(
            actor=actor,
            kind=PairingKind.LEADER_ENTERPRISE,
            staff=users["leaders"][i % len(users["leaders"])],
            enterprise=enterprise,
            starts_on=start,
        )
    instructors = users["instructors"]
    instructor_of: dict[int, Any] = {}
    for i, enterprise in enumerate(enterprises):
        instructor = instructors[i % len(instructors)]
        pairing_create(
            actor=actor,
            kind=PairingKind.INSTRUCTOR_ENTERPRISE,
            staff=instructor,
            enterprise=enterprise,
            starts_on=start,
        )
        instructor_of[enterprise.pk] = instructor
    ctx.shared["instructor_of"] = instructor_of

    projects = [
        ("生物药产业化基地二期", "life_health", 0),
        ("高端医疗器械产业园", "life_health", 1),
        ("中药配方颗粒智能工厂", "life_health", 2),
        ("明湖智算中心", "digital_economy", 0),
        ("工业互联网标识解析节点", "digital_economy", 1),
        ("微短剧拍摄基地", "micro_drama", 0),
    ]
    key_projects = []
    for n, (name, pool, index) in enumerate(projects):
        owner = by_pool[pool][index].enterprise
        project = key_project_create(
            actor=actor, name=name, enterprise=owner, description=f"{owner.name}牵头建设的{name}项目。"
        )
        key_projects.append(project)
        pairing_create(
            actor=actor,
            kind=PairingKind.INSTRUCTOR_PROJECT,
            staff=instructors[(n * 7) % len(instructors)],
            project=project,
            starts_on=start,
        )
    ctx.shared["key_projects"] = key_projects

    # Visits: the instructors' logs for about a fifth of the register over the last ten months.
    for enterprise in rng.sample(enterprises, 200):
        visit_create(
            actor=instructor_of[enterprise.pk],
            instructor=instructor_of[enterprise.pk],
            enterprise=enterprise,
            visited_on=ctx.today - timedelta(days=rng.randint(1, 300)),
            summary=f"上门走访{enterprise.short_name or enterprise.name}，了解生产经营和党建工作情况。",
            findings=rng.choice(FINDINGS),
        )


def _mentoring(ctx: Any, actor: Any, by_pool: dict[str, list[Spec]]) -> None:
    start = date(ctx.today.year - 1, 6, 1)
    for pool in POOL_SIZES:
        specs = by_pool[pool]
        mentors = [s.enterprise for s in specs if s.is_leading]
        young = [s.enterprise for s in specs[40:] if s.fields["size_class"] == SizeClass.BELOW][:3]
        for i, mentee in enumerate(young):
            mentoring_pair_create(
                actor=actor,
                mentee=mentee,
                mentor=mentors[i % len(mentors)],
                starts_on=start,
                goals="技术指导、供应链对接、规范化管理。",
            )
