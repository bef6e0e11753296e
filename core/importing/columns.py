"""Columns of an import template and the parsers that turn a cell's text into a value (or a Chinese error)."""

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices

from core.validators import validate_phone, validate_resident_id, validate_uscc


@dataclass(frozen=True)
class Parser:
    """Turns the non-blank text of a cell into a value; raises ValidationError with a Chinese message otherwise.

    `description` is shown in the template's explanation sheet; `options` (if any) become a drop-down list there.
    """

    func: Callable[[str], Any]
    description: str
    options: tuple[str, ...] = ()

    def __call__(self, text: str) -> Any:
        return self.func(text)


@dataclass(frozen=True)
class Column:
    """One column of an import template.

    header: the header text in row 1 (Chinese, as users see it); field: the key of the value in `Row.values`;
    required: a blank cell is an error; parser: text → value; example: the example row's cell; help: extra guidance.
    """

    header: str
    field: str
    parser: Parser = dataclasses.field(default_factory=lambda: text())
    required: bool = False
    example: str = ""
    help: str = ""


def _error(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def text(max_length: int = 200) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise _error(f"内容过长：最多 {max_length} 个字，当前 {len(value)} 个字。", "max_length")
        return value

    return Parser(parse, f"文本，最多 {max_length} 个字")


def choice(choices: type[TextChoices], *, aliases: dict[str, str] | None = None) -> Parser:
    """A Chinese label of `choices` (the stored value is also accepted); aliases map other spellings to values."""
    mapping: dict[str, str] = {}
    for value, label in choices.choices:
        mapping[str(label)] = str(value)
        mapping[str(value)] = str(value)
    for alias, value in (aliases or {}).items():
        mapping[alias] = value
    labels = tuple(str(label) for _, label in choices.choices)

    def parse(value: str) -> str:
        try:
            return mapping[value]
        except KeyError:
            raise _error(f"“{value}”不是可选值，应为：{'、'.join(labels)}。", "choice") from None

    return Parser(parse, "可选值：" + "、".join(labels), labels)


_YES = {"是", "Y", "YES", "TRUE", "1", "√"}
_NO = {"否", "N", "NO", "FALSE", "0", "×"}


def yes_no() -> Parser:
    def parse(value: str) -> bool:
        upper = value.upper()
        if upper in _YES:
            return True
        if upper in _NO:
            return False
        raise _error(f"“{value}”无法识别，应填写“是”或“否”。", "boolean")

    return Parser(parse, "填写“是”或“否”", ("是", "否"))


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date_text(value: str) -> date:
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise _error(f"日期“{value}”不存在。", "date") from None
    raise _error(f"日期“{value}”格式不正确，应为 2024-03-15 这样的格式。", "date")


def date_value(*, not_after_today: bool = True) -> Parser:
    def parse(value: str) -> date:
        day = parse_date_text(value)
        if day.year < 1900:
            raise _error(f"日期“{value}”早于 1900 年，请核对。", "date")
        if not_after_today:
            from django.utils import timezone

            if day > timezone.localdate():
                raise _error(f"日期“{value}”晚于今天，请核对。", "date")
        return day

    return Parser(parse, "日期，如 2024-03-15（也可用 Excel 日期格式）")


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Parser:
    def parse(value: str) -> int:
        try:
            number = int(value.replace(",", ""))
        except ValueError:
            raise _error(f"“{value}”不是整数。", "integer") from None
        if minimum is not None and number < minimum:
            raise _error(f"不能小于 {minimum}。", "min_value")
        if maximum is not None and number > maximum:
            raise _error(f"不能大于 {maximum}。", "max_value")
        return number

    return Parser(parse, "整数")


def decimal(*, max_digits: int = 14, decimal_places: int = 2) -> Parser:
    def parse(value: str) -> Decimal:
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise _error(f"“{value}”不是数字。", "decimal") from None
        if not number.is_finite():
            raise _error(f"“{value}”不是数字。", "decimal")
        quantized = number.quantize(Decimal(1).scaleb(-decimal_places))
        if len(quantized.as_tuple().digits) > max_digits:
            raise _error("数值过大。", "max_digits")
        return quantized

    return Parser(parse, f"数字，最多 {decimal_places} 位小数")


def _from_validator(validator: Callable[[str], str], description: str) -> Parser:
    def parse(value: str) -> str:
        return validator(value)

    return Parser(parse, description)


def uscc() -> Parser:
    return _from_validator(validate_uscc, "18 位统一社会信用代码（请将单元格设为文本格式）")


def resident_id() -> Parser:
    return _from_validator(validate_resident_id, "18 位居民身份证号（请将单元格设为文本格式）")


def phone() -> Parser:
    return _from_validator(validate_phone, "手机号（11 位）或带区号的座机号")


LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")


def text_list(item: Parser | None = None, *, description: str = "") -> Parser:
    """Several values in one cell, separated by ；or ; (also ，,、 or line breaks). Each item goes through `item`."""

    def parse(value: str) -> list[Any]:
        items = [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]
        if item is None:
            return list(dict.fromkeys(items))
        parsed: list[Any] = []
        for position, part in enumerate(items, start=1):
            try:
                parsed.append(item(part))
            except ValidationError as exc:
                raise _error(f"第 {position} 项“{part}”：{first_message(exc)}", "item") from None
        return list(dict.fromkeys(parsed))

    base = item.description if item is not None else "文本"
    return Parser(parse, description or f"可填多项，以“；”分隔；每项为{base}")


def uscc_list() -> Parser:
    return text_list(uscc(), description="可填多个统一社会信用代码，以“；”分隔")


def first_message(error: ValidationError) -> str:
    messages: Sequence[str] = error.messages
    return str(messages[0]) if messages else "内容无效。"


def cell_text(value: Any) -> str:
    """The canonical text of a cell as openpyxl reads it: blank → "", dates → ISO, 12.0 → "12", True → "是"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return _clean_text(str(value))


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def _clean_text(value: str) -> str:
    # Full-width spaces and zero-width characters come along when data is pasted from web pages and Word.
    return value.translate(_INVISIBLE).replace("\u3000", " ").replace("\xa0", " ").strip()
