"""Reading an uploaded spreadsheet: checked by content (an OOXML workbook), size and row count, then parsed.

Every problem with the file as a whole is an `ImportFileError` with a Chinese message for the user; nothing here
lets a malformed file become a server error.
"""

import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from openpyxl import load_workbook

from core.importing.columns import Column, cell_text

logger = logging.getLogger(__name__)

#: The content type of the main part of an .xlsx workbook ([Content_Types].xml).
WORKBOOK_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
#: More unpacked data than this per byte of upload is a zip bomb, not a spreadsheet.
MAX_UNPACK_RATIO = 100
MAX_COLUMNS = 100


class ImportFileError(Exception):
    """The file as a whole cannot be imported; `message` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ParsedSheet:
    """The data rows of the first worksheet: (Excel row number, field → cell text), blank rows left out."""

    rows: list[tuple[int, dict[str, str]]]
    headers: list[str]


def normalise_header(value: Any) -> str:
    text = cell_text(value).replace(" ", "")
    for suffix in ("*", "＊", "（必填）", "(必填)"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def read_upload(upload: IO[bytes], columns: Sequence[Column]) -> ParsedSheet:
    """Check and parse an uploaded file against the importer's columns."""
    data = _read_limited(upload)
    check_workbook_bytes(data)
    return parse_workbook(data, columns)


def _read_limited(upload: IO[bytes]) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(f"文件过大：超过 {_megabytes(limit)}，请拆分后分批导入。")
    if not data:
        raise ImportFileError("文件是空的（0 字节），请选择填好数据的 Excel 文件。")
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size} 字节"


def check_workbook_bytes(data: bytes) -> None:
    """Accept only an .xlsx workbook, recognised by its content, not by its name."""
    if data.startswith(OLE2_SIGNATURE):
        raise ImportFileError(
            "这是旧版 Excel（.xls）文件或加密的工作簿，无法读取。请在 Excel 中“另存为”Excel 工作簿（.xlsx，不加密）后再上传。"
        )
    if data.startswith(b"PK") and not zipfile.is_zipfile(BytesIO(data)):
        raise ImportFileError("文件已损坏（不完整的压缩包），无法打开。请在 Excel 中重新保存为 .xlsx 后上传。")
    if not zipfile.is_zipfile(BytesIO(data)):
        hint = "它看起来是文本或 CSV 文件。" if _looks_like_text(data) else ""
        raise ImportFileError(f"文件不是 Excel 工作簿（.xlsx）。{hint}请下载导入模板，填好后另存为 .xlsx 再上传。")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            content_types = (
                archive.read("[Content_Types].xml").decode("utf-8", "replace") if "[Content_Types].xml" in names else ""
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise ImportFileError("文件已损坏，无法打开。请在 Excel 中重新保存为 .xlsx 后上传。") from None
    if unpacked > MAX_UNPACK_RATIO * max(len(data), 1024 * 1024):
        raise ImportFileError("文件内容异常（解压后过大），无法导入。")
    if WORKBOOK_CONTENT_TYPE not in content_types:
        if "wordprocessingml" in content_types or "presentationml" in content_types:
            raise ImportFileError("这是 Word 或 PowerPoint 文件，不是 Excel 工作簿（.xlsx）。")
        if "macroEnabled" in content_types:
            raise ImportFileError("不接受含宏的工作簿（.xlsm），请另存为普通 Excel 工作簿（.xlsx）。")
        raise ImportFileError("文件不是 Excel 工作簿（.xlsx）：其中没有工作簿内容。")


def _looks_like_text(data: bytes) -> bool:
    head = data[:2048]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def parse_workbook(data: bytes, columns: Sequence[Column]) -> ParsedSheet:
    """Row 1 of the first worksheet holds the headers; each later non-blank row is a data row."""
    by_header = {normalise_header(column.header): column for column in columns}
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # openpyxl raises many kinds of errors on malformed parts (KeyError, ValueError, XML parse errors, …);
        # whichever it is, the user needs the same answer. Logged so a real bug still shows.
        logger.warning("unreadable workbook upload", exc_info=True)
        raise ImportFileError("文件已损坏或格式不正确，无法读取。请在 Excel 中重新保存为 .xlsx 后上传。") from None
    try:
        return _read_sheet(workbook, by_header, columns)
    except ImportFileError:
        raise
    except Exception:
        logger.warning("unreadable worksheet in upload", exc_info=True)
        raise ImportFileError("工作表内容无法读取，请在 Excel 中重新保存为 .xlsx 后上传。") from None
    finally:
        workbook.close()


def _read_sheet(workbook: Any, by_header: dict[str, Column], columns: Sequence[Column]) -> ParsedSheet:
    if not workbook.worksheets:
        raise ImportFileError("工作簿中没有工作表。")
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_row = next(rows, None)
    raw_headers = [normalise_header(v) for v in (header_row or ())][:MAX_COLUMNS]
    while raw_headers and not raw_headers[-1]:
        raw_headers.pop()
    if not raw_headers:
        raise ImportFileError("文件是空的：第 1 行没有表头。请使用导入模板，第 1 行为表头，从第 2 行起填写数据。")
    fields: list[str | None] = []
    problems: list[str] = []
    seen: set[str] = set()
    for header in raw_headers:
        if not header:
            fields.append(None)
            continue
        if header in seen:
            problems.append(f"表头“{header}”出现了两次")
        seen.add(header)
        column = by_header.get(header)
        fields.append(column.field if column else None)
    unknown = [h for h in raw_headers if h and h not in by_header]
    missing = [c.header for c in columns if c.required and normalise_header(c.header) not in seen]
    if missing:
        problems.append("缺少必填列：" + "、".join(missing))
    if unknown:
        problems.append("无法识别的列：" + "、".join(unknown))
    if problems:
        expected = "、".join(c.header for c in columns)
        raise ImportFileError(
            "表头与模板不符（" + "；".join(problems) + f"）。本导入的列为：{expected}。请下载最新模板。"
        )
    max_rows = settings.IMPORT_MAX_ROWS
    data_rows: list[tuple[int, dict[str, str]]] = []
    width = len(fields)
    for number, values in enumerate(rows, start=2):
        cells: dict[str, str] = {}
        stray: int | None = None
        for index, value in enumerate(values[:MAX_COLUMNS]):
            text = cell_text(value)
            if not text:
                continue
            if index < width and fields[index] is not None:
                cells[fields[index]] = text  # type: ignore[index]
            elif stray is None:
                stray = index + 1
        if stray is not None:
            raise ImportFileError(f"第 {number} 行第 {stray} 列有数据，但该列没有表头。请删除多余内容或补上表头。")
        if not cells:
            continue
        if len(data_rows) >= max_rows:
            raise ImportFileError(f"数据行超过上限 {max_rows} 行，请拆分成多个文件分批导入。")
        data_rows.append((number, cells))
    if not data_rows:
        raise ImportFileError("文件中没有数据：表头下方没有填写任何数据行。")
    return ParsedSheet(rows=data_rows, headers=[h for h in raw_headers if h])
