"""Excel import of postings (需求、供给能力、技术需求、科技成果) through the core import framework."""

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from chains.models import Chain, Link
from core.importing import NEW, UNCHANGED, UPDATED, Column, Importer, Row, in_chunks, parsers, register
from enterprises.models import Enterprise, ResearchInstitution
from matching import services
from matching.choices import INSTITUTION_KINDS, PostingCategory, PostingKind, PostingSource
from matching.models import Posting

#: Fields an import may change on an existing posting (same owner, same title).
UPDATABLE = ("text", "category", "industry_code", "region", "valid_until", "contact_name", "contact_phone")


@register
class PostingImporter(Importer):
    key = "postings"
    title = "供需对接信息"
    description = (
        "企业的需求、供给能力、技术需求和科研机构的科技成果。同一发布方、同一标题视为同一条：已有的更新内容，其余新增；"
        "导入后系统在后台计算匹配推荐。"
    )
    columns = [
        Column("类型", "kind", parsers.choice(PostingKind), required=True, example="需求"),
        Column("标题", "title", parsers.text(120), required=True, example="中药活性成分纯化难题"),
        Column("内容", "text", parsers.text(2000), required=True, example="提取的活性成分纯度不足，寻求分离纯化合作。"),
        Column("类别", "category", parsers.choice(PostingCategory), required=True, example="技术研发"),
        Column("统一社会信用代码", "uscc", parsers.uscc(), example="91360100MA35AB1C2D", help="企业发布时必填"),
        Column("科研机构", "institution_name", parsers.text(200), example="", help="科技成果必填，填机构全称"),
        Column("产业链", "chain_name", parsers.text(50), example="生命健康"),
        Column("环节", "link_name", parsers.text(80), example="中药制造"),
        Column("行业代码", "industry_code", parsers.text(5), example="2740"),
        Column("地区", "region", parsers.text(50), example="明湖新区"),
        Column("有效期至", "valid_until", parsers.date_value(not_after_today=False), example="2027-06-30"),
        Column("联系人", "contact_name", parsers.text(50), example="张经理"),
        Column("联系电话", "contact_phone", parsers.phone(), example="13800000000"),
    ]
    key_fields = ("uscc", "institution_name", "title")
    key_label = "同一发布方、同一标题"

    def prepare(self, rows: Sequence[Row]) -> None:
        self.enterprises = {
            e.uscc: e for e in in_chunks(Enterprise.objects.all(), "uscc", (r.values.get("uscc") for r in rows))
        }
        self.institutions = {i.name: i for i in ResearchInstitution.objects.all()}
        self.chains = {c.name: c for c in Chain.objects.all()}
        self.links = {(link.chain_id, link.name): link for link in Link.objects.all()}
        titles = {r.values.get("title") for r in rows} - {None}
        self.existing: dict[tuple[Any, Any, Any], Posting] = {
            (p.enterprise_id, p.institution_id, p.title): p for p in Posting.objects.filter(title__in=titles)
        }

    def validate_row(self, row: Row) -> None:
        values = row.values
        kind = values.get("kind")
        enterprise = institution = None
        if kind in INSTITUTION_KINDS:
            name = values.get("institution_name")
            institution = self.institutions.get(name) if name else None
            if institution is None:
                row.error("institution_name", f"科技成果须填写系统中已有的科研机构（“{name or ''}”不存在）。")
        elif kind:
            uscc = values.get("uscc")
            enterprise = self.enterprises.get(uscc) if uscc else None
            if enterprise is None:
                row.error("uscc", "企业发布的信息须填写名录中已有企业的统一社会信用代码。")
        chain = link = None
        if values.get("chain_name"):
            chain = self.chains.get(values["chain_name"])
            if chain is None:
                row.error("chain_name", f"产业链“{values['chain_name']}”不存在。")
        if values.get("link_name"):
            link = self.links.get((chain.pk, values["link_name"])) if chain is not None else None
            if link is None:
                row.error("link_name", f"所填产业链下没有名为“{values['link_name']}”的环节。")
        if values.get("valid_until") and values["valid_until"] < timezone.localdate():
            row.error("valid_until", "有效期至不能早于今天。")
        if not row.ok:
            return
        row.data.update(enterprise=enterprise, institution=institution, chain=chain, link=link)
        current = self.existing.get(
            (enterprise.pk if enterprise else None, institution.pk if institution else None, values.get("title"))
        )
        row.data["posting"] = current
        if current is None:
            row.action = NEW
            return
        changes = {k: v for k, v in row.given(*UPDATABLE).items() if getattr(current, k) != v}
        row.data["changes"] = changes
        row.action = UPDATED if changes else UNCHANGED

    def commit_row(self, row: Row, *, actor: Any) -> None:
        current = row.data.get("posting")
        if current is not None:
            services.posting_update(actor=actor, posting=current, expected_version=None, **row.data["changes"])
            return
        fields = row.given(*UPDATABLE)
        services.posting_create(
            actor=actor,
            kind=row.values["kind"],
            title=row.values["title"],
            enterprise=row.data["enterprise"],
            institution=row.data["institution"],
            chain=row.data["chain"],
            link=row.data["link"],
            source=PostingSource.IMPORT,
            **fields,
        )
