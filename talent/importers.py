"""Excel import of the talent register (core.importing): a known ID number updates its talent, a new one is added.

The employer is given by its USCC and must be in the enterprise register. Writes go through talent.services, so the
ID number is validated and the birth date derived exactly as on the register pages.
"""

from collections.abc import Sequence
from typing import Any

from core.importing import NEW, UNCHANGED, UPDATED, Column, Importer, Row, in_chunks, parsers, register
from enterprises.models import Enterprise
from talent.choices import Education, HousingStatus, TalentCategory, Title
from talent.models import Talent
from talent.services import talent_create, talent_update

FIELDS = (
    "name",
    "education",
    "title",
    "category",
    "start_date",
    "social_insurance_months",
    "housing_status",
    "annual_salary_wan",
)


@register
class TalentImporter(Importer):
    key = "talents"
    title = "人才库"
    description = "按身份证号匹配：已登记的人才更新信息，其余新增。用人单位填写统一社会信用代码，须在企业库中。"
    columns = [
        Column("姓名", "name", parsers.text(50), required=True, example="张三"),
        Column("身份证号", "id_number", parsers.resident_id(), required=True, example="360121199204121376"),
        Column("学历", "education", parsers.choice(Education), required=True, example="硕士"),
        Column("职称", "title", parsers.choice(Title), example="中级"),
        Column("人才类别", "category", parsers.choice(TalentCategory), example="C类（高层次人才）"),
        Column("用人单位统一社会信用代码", "employer_uscc", parsers.uscc(), example="91360100MA35AB1C2D"),
        Column("来新区工作日期", "start_date", parsers.date_value(), example="2024-03-01"),
        Column("社保缴纳月数", "social_insurance_months", parsers.integer(minimum=0, maximum=600), example="24"),
        Column("住房情况", "housing_status", parsers.choice(HousingStatus), example="租房"),
        Column("年薪（万元）", "annual_salary_wan", parsers.decimal(max_digits=10, decimal_places=2), example="35.5"),
    ]
    key_fields = ("id_number",)
    key_label = "身份证号相同"

    def prepare(self, rows: Sequence[Row]) -> None:
        queryset = Talent.objects.select_for_update() if self.committing else Talent.objects.all()
        self.existing = {
            t.id_number: t for t in in_chunks(queryset, "id_number", (r.values.get("id_number") for r in rows))
        }
        self.employers = {
            e.uscc: e
            for e in in_chunks(Enterprise.objects.all(), "uscc", (r.values.get("employer_uscc") for r in rows))
        }

    def validate_row(self, row: Row) -> None:
        changes = row.given(*FIELDS)
        uscc = row.values.get("employer_uscc")
        if uscc:
            employer = self.employers.get(uscc)
            if employer is None:
                row.error("employer_uscc", f"统一社会信用代码为 {uscc} 的企业不在企业库中，请先登记企业。")
            else:
                changes["employer"] = employer
        current = self.existing.get(row.values.get("id_number"))
        row.data["talent"] = current
        row.data["changes"] = changes
        if current is None:
            row.action = NEW
        elif any(getattr(current, name) != value for name, value in changes.items()):
            row.action = UPDATED
        else:
            row.action = UNCHANGED

    def commit_row(self, row: Row, *, actor: Any) -> None:
        current: Talent | None = row.data["talent"]
        changes: dict[str, Any] = row.data["changes"]
        if current is None:
            talent_create(actor=actor, id_number=row.values["id_number"], **changes)
        else:
            changed = {name: value for name, value in changes.items() if getattr(current, name) != value}
            talent_update(actor=actor, talent=current, **changed)
