"""Excel import of the enterprise register: a known USCC updates its enterprise, a new one is added."""

from collections.abc import Sequence
from typing import Any

from accounts.choices import UnitKind
from accounts.models import Unit
from core.importing import NEW, UNCHANGED, UPDATED, Column, Importer, Row, in_chunks, parsers, register
from enterprises.choices import SizeClass
from enterprises.models import Enterprise, IndustryCode
from enterprises.services import enterprise_create, enterprise_update

#: Fields an import row may set on an enterprise (the management office is resolved from its name).
ENTERPRISE_FIELDS = (
    "name",
    "short_name",
    "size_class",
    "industry_code",
    "is_key",
    "is_leading",
    "address",
    "contact_name",
    "contact_phone",
)


def _industry_code() -> parsers.Parser:
    base = parsers.text(5)

    def parse(value: str) -> str:
        return str(base(value.replace(" ", "").upper()))

    return parsers.Parser(
        parse, "GB/T 4754-2017 行业代码（门类字母或 2–4 位数字，如 2710）；不在参考列表中的代码只提示、不拒绝"
    )


@register
class EnterpriseImporter(Importer):
    key = "enterprises"
    title = "企业名录"
    description = "按统一社会信用代码匹配：库中已有的企业更新其信息，其余新增。管理处按名称填写。"
    columns = [
        Column("统一社会信用代码", "uscc", parsers.uscc(), required=True, example="91360100MA35AB1C2D"),
        Column("企业名称", "name", parsers.text(200), required=True, example="示例生物医药有限公司"),
        Column("简称", "short_name", parsers.text(50), example="示例生物"),
        Column("规模", "size_class", parsers.choice(SizeClass), example="规上", help="新增时留空视为规下"),
        Column("行业代码", "industry_code", _industry_code(), example="2710"),
        Column("重点企业", "is_key", parsers.yes_no(), example="否", help="新增时留空视为否"),
        Column("龙头企业", "is_leading", parsers.yes_no(), example="否", help="新增时留空视为否"),
        Column(
            "管理处",
            "office_name",
            parsers.text(100),
            example="第一管理处",
            help="填写管理处全称，须与系统中的名称一致",
        ),
        Column("地址", "address", parsers.text(200), example="新区科技大道 1 号"),
        Column("联系人", "contact_name", parsers.text(50), example="张三"),
        Column("联系电话", "contact_phone", parsers.phone(), example="13800138000"),
    ]
    key_fields = ("uscc",)
    key_label = "统一社会信用代码相同"

    def prepare(self, rows: Sequence[Row]) -> None:
        # At commit the enterprises to update are locked in the same bulk query (no per-row lock needed).
        queryset = Enterprise.objects.select_for_update() if self.committing else Enterprise.objects.all()
        self.existing = {e.uscc: e for e in in_chunks(queryset, "uscc", (r.values.get("uscc") for r in rows))}
        self.offices = {u.name: u for u in Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE)}
        codes = {r.values.get("industry_code") for r in rows}
        self.known_codes = set(
            IndustryCode.objects.filter(code__in=[c for c in codes if c]).values_list("code", flat=True)
        )

    def validate_row(self, row: Row) -> None:
        changes = row.given(*ENTERPRISE_FIELDS)
        office_name = row.values.get("office_name")
        if office_name:
            office = self.offices.get(office_name)
            if office is None:
                known = "、".join(sorted(self.offices)[:10]) or "（系统中尚无管理处）"
                row.error("office_name", f"管理处“{office_name}”不存在。现有管理处：{known}。")
            else:
                changes["management_office"] = office
        code = row.values.get("industry_code")
        if code and code not in self.known_codes:
            row.warn("industry_code", f"行业代码 {code} 不在 GB/T 4754-2017 参考列表中，请核对（不影响导入）。")
        current = self.existing.get(row.values.get("uscc"))
        row.data["enterprise"] = current
        row.data["changes"] = changes
        if current is None:
            row.action = NEW
        elif any(getattr(current, name) != value for name, value in changes.items()):
            row.action = UPDATED
        else:
            row.action = UNCHANGED

    def commit_row(self, row: Row, *, actor: Any) -> None:
        # The same rule as enterprise_upsert_by_uscc (a known USCC updates, a new one creates), with the lookup and
        # the lock done for all rows at once in `prepare`: half the queries per row of calling the upsert per row.
        current: Enterprise | None = row.data["enterprise"]
        changes: dict[str, Any] = row.data["changes"]
        if current is None:
            enterprise_create(actor=actor, uscc=row.values["uscc"], **changes)
        else:
            changed = {name: value for name, value in changes.items() if getattr(current, name) != value}
            enterprise_update(actor=actor, enterprise=current, **changed)
