"""Demo talents and talent policies: the shipped policies (talent.library), about 1,300 fictional talents employed
by register enterprises, the 免申即享 sweep of every month of this year (planned payouts, computed by the real
sweep — more than 2,500 万元), past months approved into the ledger, and 21 school–enterprise events this year.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from core.validators import make_resident_id
from talent import library, services
from talent.choices import Education, EventKind, HousingStatus, TalentCategory, Title
from talent.models import Entitlement, Talent

ORDER = 60
N_TALENTS = 1500
N_SCHOOL_EVENTS = 21

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = "子文博思雨欣浩宇晨轩涵一泽俊嘉明睿佳雪然天昊志宏立华建国丽芳静婷伟强磊军洋勇杰涛斌超鹏飞"
SCHOOLS = [
    "南昌大学",
    "江西师范大学",
    "华东交通大学",
    "江西财经大学",
    "南昌航空大学",
    "江西中医药大学",
    "江西农业大学",
    "江西理工大学",
    "东华理工大学",
    "南昌工程学院",
    "江西科技师范大学",
]
EVENT_THEMES = [
    "生物医药人才专场双选会",
    "数字经济实习基地揭牌",
    "微短剧编剧训练营",
    "产业链人才供需对接会",
    "博士后工作站交流",
    "卓越工程师联合培养签约",
    "研究生企业行",
    "校企联合实验室开放日",
    "青年人才创新沙龙",
]


def _pick(rng: Any, weighted: list[tuple[Any, int]]) -> Any:
    total = sum(w for _, w in weighted)
    roll = rng.randrange(total)
    for value, weight in weighted:
        if roll < weight:
            return value
        roll -= weight
    return weighted[-1][0]


def _talents(ctx: Any, actor: Any, rng: random.Random) -> list[Talent]:
    enterprises = ctx.shared["enterprises"]
    key = ctx.shared.get("key_enterprises") or enterprises[:50]
    used: set[str] = set()
    talents = []
    for n in range(N_TALENTS):
        age = rng.randint(23, 52)
        birth = date(ctx.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        while True:
            number = make_resident_id(
                rng,
                region=rng.choice(["360121", "360122"]),  # codes valid for every birth year used
                birth=birth.strftime("%Y%m%d"),
            )
            if number not in used:
                used.add(number)
                break
        education = _pick(
            rng, [(Education.COLLEGE, 10), (Education.BACHELOR, 45), (Education.MASTER, 33), (Education.DOCTOR, 12)]
        )
        senior = education in (Education.MASTER, Education.DOCTOR)
        start = ctx.today - timedelta(days=rng.randint(30, 365 * 5))
        talents.append(
            Talent(
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))),
                id_number=number,
                education=education,
                title=_pick(
                    rng,
                    [
                        (Title.NONE, 30),
                        (Title.JUNIOR, 25),
                        (Title.INTERMEDIATE, 28),
                        (Title.ASSOCIATE_SENIOR, 12),
                        (Title.SENIOR, 5),
                    ],
                ),
                category=_pick(
                    rng,
                    [
                        ("", 60),
                        (TalentCategory.B, 3 if senior else 0),
                        (TalentCategory.C, 10),
                        (TalentCategory.D, 15),
                        (TalentCategory.E, 12),
                    ],
                ),
                employer=rng.choice(key) if rng.random() < 0.45 else rng.choice(enterprises),
                start_date=start.replace(day=1) if n % 3 == 0 else start,
                social_insurance_months=min(rng.randint(0, 72), max(1, (ctx.today - start).days // 30))
                if n % 25
                else None,
                housing_status=_pick(
                    rng, [(HousingStatus.RENTING, 45), (HousingStatus.PURCHASED, 18), (HousingStatus.NONE, 30), ("", 7)]
                ),
                annual_salary_wan=Decimal(rng.randint(80, 1500)) / 10 if rng.random() < 0.8 else None,
            )
        )
    # The demo talent: a young doctor renting, at a key enterprise — entitled to several policies.
    first = talents[0]
    first.name, first.education, first.title, first.category = (
        "林若溪",
        Education.DOCTOR,
        Title.INTERMEDIATE,
        TalentCategory.C,
    )
    first.id_number = make_resident_id(rng, region="360121", birth=f"{ctx.today.year - 31}0412")
    first.employer = ctx.users["enterprise"].enterprise if ctx.users.get("enterprise") else key[0]
    first.start_date = date(ctx.today.year - 1, 9, 1)
    first.social_insurance_months, first.housing_status, first.annual_salary_wan = (
        26,
        HousingStatus.RENTING,
        Decimal("45.00"),
    )
    # Bulk creation: talents_bulk_create runs the same validation as talent_create (ID number, birth date, full_clean).
    return services.talents_bulk_create(actor=actor, talents=talents)


def build(ctx: Any) -> None:
    actor = ctx.users["admin"]
    library.install(actor)
    # Our own seeded generator: the figures do not move when an earlier builder draws more or fewer numbers.
    rng = random.Random(60)
    talents = _talents(ctx, actor, rng)
    demo_talent = Talent.objects.get(id_number=talents[0].id_number)
    services.talent_bind_user(actor=actor, talent=demo_talent, user=ctx.users["talent"])

    year = ctx.today.year
    for month in range(1, 13):
        services.sweep_period(actor=actor, period=date(year, month, 1))
    this_month = ctx.today.replace(day=1)
    past = Entitlement.objects.filter(period__gte=date(year, 1, 1), period__lt=this_month).values("pk")
    approved = services.entitlements_review(actor=actor, ids=past, action="approve").done

    span = (ctx.today - ctx.year_start).days
    enterprises = ctx.shared["enterprises"]
    for i in range(N_SCHOOL_EVENTS):
        held_on = ctx.year_start + timedelta(days=span * i // max(N_SCHOOL_EVENTS - 1, 1))
        school = SCHOOLS[i % len(SCHOOLS)]
        services.talent_event_create(
            actor=actor,
            title=f"{school}·{EVENT_THEMES[i % len(EVENT_THEMES)]}",
            kind=EventKind.SCHOOL_ENTERPRISE,
            held_on=held_on,
            partner=school,
            participants=rng.randint(40, 300),
            enterprises=rng.sample(enterprises, 3),
        )
    planned = Entitlement.objects.filter(period__year=year).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    ctx.shared["talent_planned_wan"] = planned / 10000
    ctx.log.append(
        f"talent: {len(talents)} talents, 5 policies; planned payouts {year}: {planned / 10000:.2f} 万元; "
        f"{len(approved)} entitlements approved into the ledger; {N_SCHOOL_EVENTS} school–enterprise events"
    )
