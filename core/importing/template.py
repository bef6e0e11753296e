"""The template workbook of an importer: headers and an example row, plus a sheet explaining every column."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.exporting import safe_cell
from core.importing.base import Importer

EXPLANATION_SHEET = "填写说明"
_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_EXAMPLE_FONT = Font(italic=True, color="808080")


def example_cells(importer: type[Importer]) -> dict[str, str]:
    """The example row as field → text; a data row identical to it is skipped on import (left in by mistake)."""
    return {column.field: column.example for column in importer.columns if column.example}


def build_template(importer: type[Importer]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.title[:31]
    for index, column in enumerate(importer.columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=column.header)
        header.font = _REQUIRED_FONT if column.required else Font(bold=True)
        header.fill = _HEADER_FILL
        example = sheet.cell(row=2, column=index, value=safe_cell(column.example) if column.example else None)
        example.font = _EXAMPLE_FONT
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4, len(column.example) * 2 + 2)
        # Text format keeps 18-digit codes and phone numbers from turning into rounded numbers.
        for row in range(2, 202):
            sheet.cell(row=row, column=index).number_format = "@"
        options = column.parser.options
        if options:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(options) + '"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="无效的值",
                error="请从下拉列表中选择：" + "、".join(options),
            )
            validation.add(f"{letter}2:{letter}20001")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(EXPLANATION_SHEET)
    notes.append(["列名", "是否必填", "填写要求", "示例"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for column in importer.columns:
        requirement = column.parser.description + (f"。{column.help}" if column.help else "")
        notes.append(
            [column.header, "必填" if column.required else "选填", safe_cell(requirement), safe_cell(column.example)]
        )
    notes.append([])
    for line in _general_notes(importer):
        notes.append([line])
    for letter, width in zip("ABCD", (18, 10, 70, 30), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _general_notes(importer: type[Importer]) -> list[str]:
    lines = [
        "说明：",
        f"1. 在第一个工作表“{importer.title[:31]}”中从第 2 行起填写，每行一条记录；第 1 行表头请勿修改。红色表头为必填列。",
        "2. 第 2 行为示例，可直接覆盖；若原样保留，导入时会跳过该行。",
        "3. 只接受 .xlsx 文件。上传后先预览：系统逐行检查并列出错误（行号、列名、原因），确认无误后才一次性导入；"
        "任何一行有错误，都不会写入任何数据。",
        "4. 选填列留空时：新增记录取默认值；更新已有记录时保留原有内容不变。",
    ]
    if importer.description:
        lines.append("5. " + importer.description)
    return lines
