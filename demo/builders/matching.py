"""The innovation chain of the demo: postings in both lead chains, research institutions' offers, the engine's
suggestions, a roundtable where a firm that could not purify an active ingredient met a firm that could (with
minutes and an agreement in progress), and two more roundtables this year.

Everything goes through matching.services; embeddings are computed here synchronously (when the dense layer is on)
so that the suggestions are ready when the demo opens.
"""

from datetime import timedelta
from typing import Any

from chains.models import Link, Placement
from enterprises.choices import InstitutionKind
from enterprises.models import Enterprise, ResearchInstitution
from enterprises.services import research_institution_create
from matching import planning, services
from matching.choices import AgreementStatus, InvitationStatus, PostingCategory, PostingKind, PostingSource
from matching.models import Posting

ORDER = 50

C = PostingCategory
# (chain code, link name, kind, category, title, text)
ENTERPRISE_POSTINGS: list[tuple[str, str, str, str, str, str]] = [
    (
        "life_health",
        "中药制造",
        PostingKind.NEED,
        C.TECHNOLOGY,
        "黄芩苷活性成分纯化难题",
        "我公司提取的黄芩苷粗品纯度仅约 60%，多次重结晶仍无法提纯到注射级标准，杂质难以去除，寻求分离纯化技术合作或委托纯化。",
    ),
    (
        "life_health",
        "CRO/CDMO 研发生产外包",
        PostingKind.CAPABILITY,
        C.TECHNOLOGY,
        "天然产物分离纯化平台",
        "拥有大孔树脂吸附、制备型高效液相色谱和模拟移动床色谱的分离纯化平台，可将天然产物活性成分纯度提升至 98% 以上，承接小试到百公斤级委托纯化。",
    ),
    (
        "life_health",
        "生物药与疫苗",
        PostingKind.NEED,
        C.PRODUCTION,
        "单抗中试细胞培养产能不足",
        "单克隆抗体进入临床前，缺少 2000 升一次性生物反应器的细胞培养产能，希望寻找中试代工合作。",
    ),
    (
        "life_health",
        "CRO/CDMO 研发生产外包",
        PostingKind.CAPABILITY,
        C.PRODUCTION,
        "哺乳动物细胞培养 CDMO",
        "两台 2000L 一次性生物反应器，提供抗体和重组蛋白的工艺开发、中试及临床样品生产。",
    ),
    (
        "life_health",
        "化学药制剂",
        PostingKind.NEED,
        C.TECHNOLOGY,
        "仿制药一致性评价溶出曲线不达标",
        "口服固体制剂与参比制剂溶出曲线不一致，需要处方工艺优化和一致性评价技术服务。",
    ),
    (
        "life_health",
        "第三方检验检测",
        PostingKind.CAPABILITY,
        C.SERVICE,
        "药品质量研究与一致性评价服务",
        "提供仿制药处方工艺研究、溶出曲线比对、有关物质研究及生物等效性试验组织。",
    ),
    (
        "life_health",
        "医药流通",
        PostingKind.CAPABILITY,
        C.SUPPLY,
        "医药冷链配送网络",
        "2-8℃全程温控冷链物流，覆盖全省县乡两级医疗机构，支持疫苗和生物制品配送。",
    ),
    (
        "life_health",
        "医疗器械",
        PostingKind.NEED,
        C.SERVICE,
        "医疗器械电磁兼容检测排队久",
        "有源医疗器械注册检验排队时间长，需要有资质的第三方实验室尽快完成电磁兼容和电气安全检测。",
    ),
    (
        "life_health",
        "原料药与中间体",
        PostingKind.TECH_DEMAND,
        C.TECHNOLOGY,
        "手性中间体不对称合成技术需求",
        "原料药关键手性中间体收率低、拆分成本高，希望与高校合作开发不对称催化合成工艺。",
    ),
    (
        "life_health",
        "中药制造",
        PostingKind.TECH_DEMAND,
        C.TECHNOLOGY,
        "中药配方颗粒指纹图谱标准研究",
        "配方颗粒品种需建立指纹图谱和多成分含量测定的质量标准，寻求科研机构合作。",
    ),
    (
        "digital_economy",
        "工业互联网",
        PostingKind.NEED,
        C.DATA,
        "车间设备联网与数据采集",
        "注塑车间 60 台设备品牌杂、数据分散，需要工业互联网平台实现设备联网、数据采集和可视化监控。",
    ),
    (
        "digital_economy",
        "工业互联网",
        PostingKind.CAPABILITY,
        C.DATA,
        "工业设备联网与数据采集服务",
        "提供 PLC 数据采集网关、设备联网、边缘计算和生产看板，已服务 40 余家制造企业。",
    ),
    (
        "digital_economy",
        "人工智能",
        PostingKind.CAPABILITY,
        C.TECHNOLOGY,
        "机器视觉表面缺陷检测",
        "基于深度学习的机器视觉检测系统，用于产品表面缺陷识别，准确率 99.5%，可替代人工目检。",
    ),
    (
        "digital_economy",
        "信息技术服务",
        PostingKind.NEED,
        C.TECHNOLOGY,
        "质检靠人工目测漏检率高",
        "产线质检仍靠人工目测，漏检率高、人员流动大，寻求自动化的外观缺陷检测方案。",
    ),
    (
        "digital_economy",
        "云计算与数据中心",
        PostingKind.CAPABILITY,
        C.DATA,
        "智算中心 GPU 算力租赁",
        "智算中心提供高性能 GPU 算力租赁和模型训练平台，支持大模型训练与推理，按需计费。",
    ),
    (
        "digital_economy",
        "应用软件开发",
        PostingKind.NEED,
        C.DATA,
        "行业大模型训练缺少算力",
        "计划训练医药流通领域的行业大模型，缺少 GPU 算力和训练平台。",
    ),
    (
        "digital_economy",
        "网络与信息安全",
        PostingKind.CAPABILITY,
        C.SERVICE,
        "等保测评与安全加固",
        "等级保护测评、渗透测试、安全运维与应急响应服务。",
    ),
    (
        "digital_economy",
        "数字内容",
        PostingKind.TECH_DEMAND,
        C.TECHNOLOGY,
        "数字人直播驱动技术需求",
        "直播带货需要高拟真虚拟主播，寻求数字人建模与语音驱动口型技术。",
    ),
    (
        "digital_economy",
        "集成电路设计",
        PostingKind.TECH_DEMAND,
        C.TECHNOLOGY,
        "端侧 AI 模型压缩部署",
        "芯片产品需要把深度学习模型压缩后部署到低功耗边缘设备，寻求量化剪枝与推理加速技术。",
    ),
]
# (institution name, chain code, link name, title, text)
OFFERS: list[tuple[str, str, str, str, str]] = [
    (
        "明湖大学",
        "life_health",
        "原料药与中间体",
        "手性药物不对称催化合成技术",
        "药物化学团队的手性药物不对称催化合成技术，已实现多个手性中间体公斤级放大，ee 值大于 99%，可许可或合作开发。",
    ),
    (
        "明湖新区中药现代化研究院",
        "life_health",
        "中药制造",
        "中药指纹图谱与质量标准研究",
        "HPLC 指纹图谱、特征图谱及多成分含量测定方法开发，服务中药配方颗粒质量标准研究。",
    ),
    (
        "国家生物药技术创新中心（明湖分中心）",
        "life_health",
        "生物药与疫苗",
        "高速逆流色谱纯化新工艺",
        "高速逆流色谱与制备色谱联用的活性成分分离纯化新工艺，适用于天然产物和生物药下游纯化，可技术许可。",
    ),
    (
        "明湖新区人工智能研究院",
        "digital_economy",
        "人工智能",
        "神经网络量化剪枝与端侧推理框架",
        "神经网络量化剪枝、知识蒸馏与端侧推理加速框架，模型体积压缩 8 倍，适配低功耗芯片。",
    ),
    (
        "明湖新区数字内容研究院",
        "digital_economy",
        "数字内容",
        "高拟真数字人建模与语音驱动",
        "高拟真数字人建模、语音驱动口型生成与实时渲染技术，可用于直播和短剧。",
    ),
    (
        "国家工业互联网创新中心（明湖）",
        "digital_economy",
        "工业互联网",
        "设备预测性维护模型",
        "基于振动信号和深度学习的设备故障预测与健康管理技术，减少非计划停机。",
    ),
]
FALLBACK_INSTITUTIONS = [
    ("明湖大学", InstitutionKind.UNIVERSITY, "药物化学,生物医学工程,计算机科学"),
    ("明湖新区中药现代化研究院", InstitutionKind.INSTITUTE, "中药制剂,配方颗粒"),
    ("国家生物药技术创新中心（明湖分中心）", InstitutionKind.NATIONAL_PLATFORM, "抗体药物,细胞治疗,疫苗"),
    ("明湖新区人工智能研究院", InstitutionKind.INSTITUTE, "大模型,机器视觉"),
    ("明湖新区数字内容研究院", InstitutionKind.INSTITUTE, "AIGC,特效,虚拟拍摄"),
    ("国家工业互联网创新中心（明湖）", InstitutionKind.NATIONAL_PLATFORM, "工业互联网,数字孪生"),
]


def _link(chain: Any, name: str) -> Link:
    return Link.objects.filter(chain=chain, name=name).first() or Link.objects.filter(chain=chain).order_by("id")[0]


def _owner_on(link: Link, used: set[int], ctx: Any) -> Enterprise:
    """A placed enterprise of the link not used yet (deterministic), else any unused enterprise of the register."""
    placed = list(
        Placement.objects.filter(link=link)
        .exclude(enterprise_id__in=used)
        .order_by("enterprise_id")
        .values_list("enterprise_id", flat=True)
    )
    if placed:
        pk = placed[ctx.rng.randrange(len(placed))]
        return Enterprise.objects.get(pk=pk)
    return Enterprise.objects.exclude(pk__in=used).order_by("pk").first()  # type: ignore[return-value]


def _institutions(actor: Any) -> dict[str, ResearchInstitution]:
    found = {i.name: i for i in ResearchInstitution.objects.all()}
    for name, kind, fields in FALLBACK_INSTITUTIONS:
        if name not in found:
            found[name] = research_institution_create(
                actor=actor, name=name, kind=kind, region="明湖新区", fields=fields
            )
    return found


def build(ctx: Any) -> None:
    admin = ctx.users["admin"]
    chains = ctx.shared["chains"]
    today = ctx.today
    used: set[int] = set()
    postings: list[Posting] = []
    for code, link_name, kind, category, title, text in ENTERPRISE_POSTINGS:
        chain = chains[code]
        link = _link(chain, link_name)
        owner = _owner_on(link, used, ctx)
        used.add(owner.pk)
        postings.append(
            services.posting_create(
                actor=admin,
                kind=kind,
                category=category,
                title=title,
                text=text,
                chain=chain,
                link=link,
                enterprise=owner,
                industry_code=owner.industry_code or "",
                region="明湖新区",
                valid_from=ctx.year_start,
                valid_until=today + timedelta(days=180),
                contact_name=owner.contact_name or "企业联系人",
                contact_phone=owner.contact_phone or "",
                source=PostingSource.OWNER,
            )
        )
    institutions = _institutions(admin)
    for name, code, link_name, title, text in OFFERS:
        postings.append(
            services.posting_create(
                actor=admin,
                kind=PostingKind.TECH_OFFER,
                category=C.TECHNOLOGY,
                title=title,
                text=text,
                chain=chains[code],
                link=_link(chains[code], link_name),
                institution=institutions[name],
                region="明湖新区",
                valid_from=ctx.year_start,
                source=PostingSource.STAFF,
            )
        )
    for posting in postings:
        services.posting_embed(posting_id=posting.pk)
    for posting in Posting.objects.select_related("link", "enterprise", "institution").filter(
        pk__in=[p.pk for p in postings]
    ):
        services.suggestions_refresh(posting=posting)

    need, capability = postings[0], postings[1]
    # The instructor paired with the firm that cannot purify brokers the pair and organizes the roundtable.
    broker = ctx.shared.get("instructor_of", {}).get(need.enterprise_id) or admin
    host = next(
        (
            o
            for o in ctx.shared.get("organizations", [])
            if o.chain_id == chains["life_health"].pk and o.formation == "chain_joint"
        ),
        None,
    )
    held_on = max(ctx.year_start, today - timedelta(days=45))
    roundtable = services.roundtable_create(
        actor=broker,
        theme="中药活性成分分离纯化供需对接",
        chain=chains["life_health"],
        held_on=held_on,
        venue="明湖新区党群服务中心三楼会议室",
        host_organization=host,
    )
    proposals = planning.roundtable_proposals(roundtable)
    chosen = [p for p in proposals if {p.a.pk, p.b.pk} == {need.pk, capability.pk}] or proposals[:1]
    owners = {"e": [], "i": []}  # type: dict[str, list[Any]]
    reasons: dict[str, str] = {}
    suggestions: dict[str, Any] = {}
    for proposal in chosen + proposals[:4]:
        for posting in (proposal.a, proposal.b):
            key = f"e{posting.enterprise_id}" if posting.enterprise_id else f"i{posting.institution_id}"
            if key in reasons:
                continue
            owners[key[0]].append(posting.owner)
            reasons[key] = proposal.invitation_reason()
            suggestions[key] = proposal.suggestion
    invitations = services.roundtable_invite(
        actor=broker,
        roundtable=roundtable,
        enterprises=owners["e"],
        institutions=owners["i"],
        reasons=reasons,
        suggestions=suggestions,
    )
    for i, invitation in enumerate(invitations):
        status = (
            InvitationStatus.ATTENDED if i < len(invitations) - 1 or len(invitations) < 3 else InvitationStatus.ABSENT
        )
        services.invitation_set_status(actor=broker, invitation=invitation, status=status)
    services.roundtable_record_minutes(
        actor=broker,
        roundtable=roundtable,
        minutes=(
            f"会议由{host or '产业链联合党支部'}主持。{need.enterprise}介绍了黄芩苷粗品纯度不足、无法提纯到注射级标准的难题；"
            f"{capability.enterprise}介绍了大孔树脂与制备色谱分离纯化平台。双方现场对接，约定先做小试样品，"
            "合格后签订委托纯化协议；指导员跟踪进度，遇到环评和用地问题转入服务链。"
        ),
    )
    match = next((s for s in need.suggestions.all() if s.target_id == capability.pk), None)
    if match is not None:
        services.suggestion_decide(actor=broker, suggestion=match, accept=True, feedback="圆桌会上已对接，效果很好")
    agreement = services.agreement_create(
        actor=broker,
        roundtable=roundtable,
        title="黄芩苷委托分离纯化合作",
        content="乙方为甲方开发黄芩苷分离纯化工艺：小试样品纯度≥98%，中试后签订年度委托纯化协议。",
        enterprises=[need.enterprise, capability.enterprise],  # type: ignore[list-item]
        owner=broker,
        due_on=today + timedelta(days=60),
        source_suggestion=match,
    )
    services.agreement_report_progress(
        actor=broker,
        agreement=agreement,
        status=AgreementStatus.IN_PROGRESS,
        progress=30,
        note="小试完成，样品纯度 97.6%，正在优化洗脱条件。",
    )
    services.agreement_report_progress(
        actor=broker,
        agreement=agreement,
        status=AgreementStatus.IN_PROGRESS,
        progress=60,
        note="第二批小试样品纯度 98.4%，双方开始洽谈中试方案。",
    )

    earlier = services.roundtable_create(
        actor=broker,
        theme="工业互联网赋能制造企业数字化转型",
        chain=chains["digital_economy"],
        held_on=max(ctx.year_start, today - timedelta(days=120)),
        venue="明湖新区数字经济产业园路演厅",
    )
    services.roundtable_record_minutes(
        actor=broker,
        roundtable=earlier,
        minutes="六家制造企业与三家工业互联网服务商交流设备联网和机器视觉质检需求，形成两项对接意向。",
    )
    services.roundtable_create(
        actor=broker,
        theme="生物药中试产能共享",
        chain=chains["life_health"],
        held_on=today + timedelta(days=14),
        venue="明湖生物医药产业园会议中心",
        host_organization=host,
    )
    ctx.shared["matching_postings"] = postings
    ctx.log.append(
        f"matching: {len(postings)} postings, {sum(p.suggestions.count() for p in postings)} suggestions, "
        f"3 roundtables, 1 agreement at 60%"
    )
