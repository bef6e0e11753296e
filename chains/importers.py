"""Excel import of placements: enterprises placed on chain links with their main product."""

from collections.abc import Sequence
from typing import Any

from chains.models import Chain, Link, Placement
from chains.services import placement_upsert
from core.importing import NEW, UNCHANGED, UPDATED, Column, Importer, Row, in_chunks, parsers, register
from enterprises.models import Enterprise


@register
class PlacementImporter(Importer):
    key = "placements"
    title = "企业落链"
    description = "把名录中的企业放到产业链的环节上。同一企业在同一环节只记一次：已有的更新主营产品，其余新增。"
    columns = [
        Column(
            "统一社会信用代码",
            "uscc",
            parsers.uscc(),
            required=True,
            example="91360100MA35AB1C2D",
            help="企业须已在企业名录中（可先导入企业名录）",
        ),
        Column("产业链", "chain_name", parsers.text(50), required=True, example="生命健康", help="填写产业链名称"),
        Column(
            "环节", "link_name", parsers.text(80), required=True, example="创新药研发", help="填写该产业链下的环节名称"
        ),
        Column("主营产品", "main_product", parsers.text(200), example="小分子靶向药"),
    ]
    key_fields = ("uscc", "chain_name", "link_name")
    key_label = "同一企业、同一环节"

    def prepare(self, rows: Sequence[Row]) -> None:
        self.enterprises = {
            e.uscc: e for e in in_chunks(Enterprise.objects.all(), "uscc", (r.values.get("uscc") for r in rows))
        }
        self.chains = {c.name: c for c in Chain.objects.all()}
        self.links = {
            (link.chain_id, link.name): link
            for link in Link.objects.filter(chain__name__in={r.values.get("chain_name") for r in rows} - {None})
        }
        self.placements = {
            (p.enterprise_id, p.link_id): p
            for p in in_chunks(Placement.objects.all(), "enterprise_id", (e.pk for e in self.enterprises.values()))
        }

    def validate_row(self, row: Row) -> None:
        uscc = row.values.get("uscc")
        enterprise = self.enterprises.get(uscc) if uscc else None
        if uscc and enterprise is None:
            row.error("uscc", f"企业名录中没有统一社会信用代码为 {uscc} 的企业，请先导入企业名录。")
        chain_name = row.values.get("chain_name")
        chain = self.chains.get(chain_name) if chain_name else None
        if chain_name and chain is None:
            row.error("chain_name", f"产业链“{chain_name}”不存在。现有产业链：{'、'.join(self.chains) or '无'}。")
        link_name = row.values.get("link_name")
        link = self.links.get((chain.pk, link_name)) if chain is not None and link_name else None
        if chain is not None and link_name and link is None:
            row.error("link_name", f"产业链“{chain.name}”下没有名为“{link_name}”的环节。")
        if enterprise is None or link is None:
            return
        row.data.update(enterprise=enterprise, link=link)
        current = self.placements.get((enterprise.pk, link.pk))
        product = row.values.get("main_product")
        if current is None:
            row.action = NEW
        elif product is not None and product != current.main_product:
            row.action = UPDATED
        else:
            row.action = UNCHANGED
        row.data["main_product"] = product if product is not None else (current.main_product if current else "")

    def commit_row(self, row: Row, *, actor: Any) -> None:
        placement_upsert(
            actor=actor, enterprise=row.data["enterprise"], link=row.data["link"], main_product=row.data["main_product"]
        )
