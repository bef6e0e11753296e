"""Excel import of the organization chain: party organizations (with covered enterprises) and party members."""

from collections.abc import Iterable, Sequence
from typing import Any

from chains.models import Chain
from core.importing import NEW, UNCHANGED, UPDATED, Column, Importer, Row, in_chunks, parsers, register
from enterprises.models import Enterprise
from organizations.choices import Formation, OrgType
from organizations.models import PartyMember, PartyOrganization
from organizations.services import member_create, member_update, organization_create, organization_update

ORGANIZATION_FIELDS = ("org_type", "formation", "secretary_name", "founded_on")
MEMBER_FIELDS = ("name", "post", "joined_on", "id_number", "phone")


def _enterprises_by_uscc(numbers: Iterable[str | None]) -> dict[str, Enterprise]:
    return {e.uscc: e for e in in_chunks(Enterprise.objects.all(), "uscc", numbers)}


@register
class OrganizationImporter(Importer):
    key = "organizations"
    title = "党组织"
    description = (
        "按名称匹配：已有的党组织更新，其余新增。上级党组织可以是系统中已有的，也可以是同一文件中的另一行；"
        "覆盖企业填统一社会信用代码，多个以“；”分隔，填写后替换原有覆盖企业。"
    )
    columns = [
        Column("名称", "name", parsers.text(150), required=True, example="示例生物医药有限公司党支部"),
        Column("类型", "org_type", parsers.choice(OrgType), example="党支部", help="新增时留空视为党支部"),
        Column("组建方式", "formation", parsers.choice(Formation), example="单独组建", help="新增时留空视为单独组建"),
        Column("上级党组织", "parent_name", parsers.text(150), example="", help="填写上级党组织全称"),
        Column("产业链", "chain_name", parsers.text(50), example="生命健康", help="填写产业链名称"),
        Column("书记", "secretary_name", parsers.text(50), example="李四"),
        Column("成立日期", "founded_on", parsers.date_value(), example="2021-07-01"),
        Column("覆盖企业USCC", "enterprise_usccs", parsers.uscc_list(), example="91360100MA35AB1C2D"),
    ]
    key_fields = ("name",)
    key_label = "党组织名称相同"

    def prepare(self, rows: Sequence[Row]) -> None:
        names = {r.values.get("name") for r in rows} | {r.values.get("parent_name") for r in rows}
        self.organizations = {
            o.name: o for o in in_chunks(PartyOrganization.objects.select_related("chain", "parent"), "name", names)
        }
        # The whole tree as (name → parent name), to refuse an import that would make a loop.
        by_id = dict(PartyOrganization.objects.values_list("id", "name"))
        self.parent_in_db = {
            name: by_id.get(parent_id) for name, parent_id in PartyOrganization.objects.values_list("name", "parent_id")
        }
        self.in_file = {r.values["name"]: r for r in rows if r.values.get("name")}
        self.chains = {c.name: c for c in Chain.objects.all()}
        self.enterprises = _enterprises_by_uscc(u for r in rows for u in (r.values.get("enterprise_usccs") or ()))
        existing_ids = [o.pk for o in self.organizations.values()]
        through = PartyOrganization.enterprises.through
        self.covered: dict[int, set[int]] = {}
        for org_id, enterprise_id in in_chunks(
            through.objects.values_list("partyorganization_id", "enterprise_id"), "partyorganization_id", existing_ids
        ):
            self.covered.setdefault(org_id, set()).add(enterprise_id)

    def _parent_of(self, name: str) -> str | None:
        row = self.in_file.get(name)
        if row is not None and row.values.get("parent_name"):
            return str(row.values["parent_name"])
        return self.parent_in_db.get(name)

    def _makes_loop(self, name: str) -> bool:
        seen = {name}
        current = self._parent_of(name)
        while current is not None:
            if current in seen:
                return True
            seen.add(current)
            current = self._parent_of(current)
        return False

    def validate_row(self, row: Row) -> None:
        name = row.values.get("name")
        changes = row.given(*ORGANIZATION_FIELDS)
        parent_name = row.values.get("parent_name")
        if parent_name:
            if parent_name == name:
                row.error("parent_name", "上级党组织不能是自身。")
            elif parent_name not in self.organizations and parent_name not in self.in_file:
                row.error("parent_name", f"上级党组织“{parent_name}”不存在（系统中和本文件中都没有）。")
            elif name and self._makes_loop(name):
                row.error("parent_name", f"上级党组织“{parent_name}”会使党组织层级形成循环。")
        chain_name = row.values.get("chain_name")
        if chain_name:
            chain = self.chains.get(chain_name)
            if chain is None:
                row.error("chain_name", f"产业链“{chain_name}”不存在。现有产业链：{'、'.join(self.chains) or '无'}。")
            changes["chain"] = chain
        usccs = row.values.get("enterprise_usccs")
        enterprise_ids: set[int] | None = None
        if usccs:
            missing = [u for u in usccs if u not in self.enterprises]
            if missing:
                row.error(
                    "enterprise_usccs", f"企业名录中没有这些统一社会信用代码：{'、'.join(missing)}，请先导入企业名录。"
                )
            enterprise_ids = {self.enterprises[u].pk for u in usccs if u in self.enterprises}
        current = self.organizations.get(name) if name else None
        row.data.update(organization=current, changes=changes, enterprise_ids=enterprise_ids)
        if row.errors:
            return
        if current is None:
            row.action = NEW
        elif (
            any(getattr(current, key) != value for key, value in changes.items())
            or (parent_name and (current.parent.name if current.parent else None) != parent_name)
            or (enterprise_ids is not None and enterprise_ids != self.covered.get(current.pk, set()))
        ):
            row.action = UPDATED
        else:
            row.action = UNCHANGED

    def commit_order(self, rows: Sequence[Row]) -> Iterable[Row]:
        """Parents before their children when both are in the file (the file may list them in any order)."""

        def depth(row: Row) -> int:
            count, current = 0, row.values.get("parent_name")
            while current in self.in_file and count <= len(self.in_file):
                count += 1
                current = self.in_file[current].values.get("parent_name")
            return count

        return sorted(rows, key=depth)

    def commit_row(self, row: Row, *, actor: Any) -> None:
        fields: dict[str, Any] = dict(row.data["changes"])
        parent_name = row.values.get("parent_name")
        if parent_name:
            # Looked up now: a parent defined earlier in this file has just been written.
            fields["parent"] = PartyOrganization.objects.get(name=parent_name)
        ids = row.data["enterprise_ids"]
        enterprises = Enterprise.objects.filter(pk__in=ids) if ids is not None else None
        current: PartyOrganization | None = row.data["organization"]
        if current is None:
            organization_create(actor=actor, name=row.values["name"], enterprises=enterprises or (), **fields)
        else:
            organization_update(actor=actor, organization=current, enterprises=enterprises, **fields)


@register
class MemberImporter(Importer):
    key = "members"
    title = "党员"
    description = (
        "按身份证号匹配：已有的党员更新，其余新增；未填身份证号时按“姓名 + 所在党组织”匹配。"
        "所在党组织须已在系统中（可先导入党组织）。"
    )
    columns = [
        Column("姓名", "name", parsers.text(50), required=True, example="王五"),
        Column(
            "所在党组织", "organization_name", parsers.text(150), required=True, example="示例生物医药有限公司党支部"
        ),
        Column("工作单位USCC", "enterprise_uscc", parsers.uscc(), example="91360100MA35AB1C2D"),
        Column("岗位", "post", parsers.text(80), example="研发工程师"),
        Column("入党日期", "joined_on", parsers.date_value(), example="2015-06-30"),
        Column("身份证号", "id_number", parsers.resident_id(), example="360102199001010010"),
        Column("手机号", "phone", parsers.phone(), example="13900139000"),
    ]
    key_fields = ("id_number",)
    key_label = "身份证号相同"

    def prepare(self, rows: Sequence[Row]) -> None:
        self.organizations = {
            o.name: o
            for o in in_chunks(
                PartyOrganization.objects.all(), "name", (r.values.get("organization_name") for r in rows)
            )
        }
        self.enterprises = _enterprises_by_uscc(r.values.get("enterprise_uscc") for r in rows)
        self.by_id_number = {
            m.id_number: m
            for m in in_chunks(PartyMember.objects.all(), "id_number", (r.values.get("id_number") for r in rows))
        }
        names = (r.values.get("name") for r in rows if not r.values.get("id_number"))
        self.by_name: dict[tuple[int, str], list[PartyMember]] = {}
        for member in in_chunks(PartyMember.objects.all(), "name", names):
            self.by_name.setdefault((member.organization_id, member.name), []).append(member)

    def validate_row(self, row: Row) -> None:
        changes = row.given(*MEMBER_FIELDS)
        org_name = row.values.get("organization_name")
        organization = self.organizations.get(org_name) if org_name else None
        if org_name and organization is None:
            row.error("organization_name", f"党组织“{org_name}”不存在，请先导入党组织。")
        if organization is not None:
            changes["organization"] = organization
        uscc = row.values.get("enterprise_uscc")
        if uscc:
            enterprise = self.enterprises.get(uscc)
            if enterprise is None:
                row.error("enterprise_uscc", f"企业名录中没有统一社会信用代码为 {uscc} 的企业，请先导入企业名录。")
            changes["enterprise"] = enterprise
        current = self._match(row, organization)
        row.data.update(member=current, changes=changes)
        if row.errors:
            return
        if current is None:
            row.action = NEW
        elif any(getattr(current, key) != value for key, value in changes.items()):
            row.action = UPDATED
        else:
            row.action = UNCHANGED

    def _match(self, row: Row, organization: PartyOrganization | None) -> PartyMember | None:
        id_number = row.values.get("id_number")
        if id_number:
            return self.by_id_number.get(id_number)
        if "id_number" not in row.values or organization is None or not row.values.get("name"):
            # An ID number that failed to parse: its error is reported already; do not guess by name.
            return None
        namesakes = self.by_name.get((organization.pk, row.values["name"]), [])
        if len(namesakes) > 1:
            row.error("id_number", f"该党组织有 {len(namesakes)} 名同名党员，请填写身份证号以区分。")
            return None
        return namesakes[0] if namesakes else None

    def commit_row(self, row: Row, *, actor: Any) -> None:
        current: PartyMember | None = row.data["member"]
        changes: dict[str, Any] = row.data["changes"]
        if current is None:
            member_create(actor=actor, **changes)
        else:
            changed = {key: value for key, value in changes.items() if getattr(current, key) != value}
            member_update(actor=actor, member=current, **changed)
