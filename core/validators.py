"""Validators for codes and numbers, with errors that say what is wrong (length, character, check digit)."""

import random

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_uscc(value: str) -> str:
    """Upper-case, strip spaces and separators; the stored form of a USCC."""
    return uscc.compact(value or "").upper()


def validate_uscc(value: str) -> str:
    """Return the normalised USCC or raise a ValidationError that names the problem."""
    number = normalize_uscc(value)
    if not number:
        raise ValidationError(_("统一社会信用代码不能为空。"), code="required")
    if len(number) != 18:
        raise ValidationError(_("统一社会信用代码应为 18 位，当前为 %(n)d 位。") % {"n": len(number)}, code="length")
    bad = [c for c in number if c not in USCC_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符“%(c)s”（不使用 I、O、Z、S、V）。") % {"c": bad[0]}, code="character"
        )
    try:
        uscc.validate(number)
    except InvalidChecksum:
        expected = uscc.calc_check_digit(number[:17])
        raise ValidationError(
            _("统一社会信用代码校验位错误：第 18 位应为 %(e)s，实为 %(a)s。") % {"e": expected, "a": number[17]},
            code="checksum",
        ) from None
    except (InvalidFormat, InvalidLength, InvalidComponent):
        raise ValidationError(_("统一社会信用代码格式不正确：第 1–8 位应为数字。"), code="format") from None
    return number


def make_uscc(rng: random.Random, *, region: str = "360100") -> str:
    """A syntactically valid USCC (for demo and test data): 9 (enterprise) 1 (company) region, org code, check digit."""
    body = "91" + region + "".join(rng.choice(USCC_ALPHABET[:10]) for _ in range(9))
    body = body[:17]
    return body + uscc.calc_check_digit(body)


def validate_resident_id(value: str) -> str:
    """Return the normalised resident ID number (居民身份证号) or raise a specific ValidationError."""
    number = ric.compact(value or "").upper()
    if len(number) != 18:
        raise ValidationError(_("身份证号应为 18 位，当前为 %(n)d 位。") % {"n": len(number)}, code="length")
    try:
        ric.validate(number)
    except InvalidChecksum:
        raise ValidationError(_("身份证号校验位错误。"), code="checksum") from None
    except InvalidComponent:
        raise ValidationError(_("身份证号中的出生日期或地区码无效。"), code="birth_date") from None
    except (InvalidFormat, InvalidLength):
        raise ValidationError(_("身份证号格式不正确：前 17 位应为数字，末位为数字或 X。"), code="format") from None
    return number


def make_resident_id(rng: random.Random, *, region: str = "360102", birth: str = "19900101") -> str:
    body = region + birth + f"{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def validate_phone(value: str) -> str:
    """Mainland mobile or landline number; returns it in a compact national form."""
    raw = (value or "").strip()
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("电话号码“%(v)s”无法识别。") % {"v": raw}, code="phone") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("电话号码“%(v)s”无效（手机号应为 11 位，座机请带区号）。") % {"v": raw}, code="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")


def mask_id_number(value: str) -> str:
    """3601**********123X: keep the first four and the last four characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
