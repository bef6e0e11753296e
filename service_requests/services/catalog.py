"""The help-service catalog (帮办超市): categories, services, and each service's extra form fields defined as data."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.services import audit_record, save_with_version
from service_requests.choices import FieldType
from service_requests.models import Service, ServiceCategory

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KEYS = {"name", "label", "type", "required", "choices", "max_length", "help"}


def validate_field_schema(schema: Any) -> list[dict[str, Any]]:
    """Check a service's extra-field list; return it normalised. Raises ValidationError naming the bad field."""
    if schema in (None, ""):
        return []
    if not isinstance(schema, list):
        raise ValidationError({"extra_fields": "附加表单字段应为列表。"})
    seen: set[str] = set()
    result = []
    for index, item in enumerate(schema, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"extra_fields": f"第 {index} 个字段应为对象。"})
        unknown = set(item) - _KEYS
        if unknown:
            raise ValidationError({"extra_fields": f"第 {index} 个字段含未知属性：{', '.join(sorted(unknown))}。"})
        name = item.get("name", "")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValidationError({"extra_fields": f"第 {index} 个字段的 name 应为小写英文、数字或下划线。"})
        if name in seen:
            raise ValidationError({"extra_fields": f"字段 {name} 重复。"})
        seen.add(name)
        kind = item.get("type", FieldType.TEXT)
        if kind not in FieldType.values:
            raise ValidationError({"extra_fields": f"字段 {name} 的类型 {kind} 不受支持。"})
        label = item.get("label") or name
        field: dict[str, Any] = {
            "name": name,
            "label": str(label),
            "type": kind,
            "required": bool(item.get("required")),
        }
        if kind == FieldType.CHOICE:
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
                raise ValidationError({"extra_fields": f"单选字段 {name} 需要非空的选项列表。"})
            field["choices"] = choices
        if kind in (FieldType.TEXT, FieldType.TEXTAREA):
            field["max_length"] = int(item.get("max_length") or (200 if kind == FieldType.TEXT else 2000))
        if item.get("help"):
            field["help"] = str(item["help"])
        result.append(field)
    return result


def validate_form_data(schema: list[dict[str, Any]], data: dict[str, Any] | None) -> dict[str, Any]:
    """Validate what an enterprise filled in against the service's fields; return JSON-ready cleaned values."""
    data = data or {}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    names = {f["name"] for f in schema}
    for extra in set(data) - names:
        errors[extra] = "该服务没有此字段。"
    for field in schema:
        name, kind = field["name"], field["type"]
        raw = data.get(name)
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        if empty:
            if field.get("required") and kind != FieldType.BOOL:
                errors[name] = f"请填写“{field['label']}”。"
            elif kind == FieldType.BOOL:
                cleaned[name] = False
            continue
        try:
            cleaned[name] = _clean_value(field, raw)
        except ValueError as exc:
            errors[name] = f"“{field['label']}”{exc}"
    if errors:
        raise ValidationError({"form_data": [f"{k}: {v}" for k, v in sorted(errors.items())]})
    return cleaned


def _clean_value(field: dict[str, Any], raw: Any) -> Any:
    kind = field["type"]
    if kind in (FieldType.TEXT, FieldType.TEXTAREA):
        text = str(raw).strip()
        if len(text) > field.get("max_length", 2000):
            raise ValueError(f"不能超过 {field.get('max_length')} 个字。")
        return text
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError("应为数字。") from None
        if not number.is_finite():
            raise ValueError("应为数字。")
        return int(number) if number == number.to_integral_value() else str(number)
    if kind == FieldType.DATE:
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError("应为日期（YYYY-MM-DD）。") from None
    if kind == FieldType.CHOICE:
        if raw not in field["choices"]:
            raise ValueError(f"应为以下之一：{'、'.join(field['choices'])}。")
        return raw
    if kind == FieldType.BOOL:
        if isinstance(raw, bool):
            return raw
        return str(raw).lower() in {"1", "true", "on", "yes", "是"}
    raise ValueError("类型不受支持。")


@transaction.atomic
def category_create(*, actor: Any, **fields: Any) -> ServiceCategory:
    category = ServiceCategory(**fields)
    category.full_clean()
    category.save()
    audit_record(
        actor=actor, action="service_category.create", target=category, summary=f"新增服务类别 {category.name}"
    )
    return category


@transaction.atomic
def service_create(*, actor: Any, **fields: Any) -> Service:
    service = Service(**fields)
    service.full_clean()
    service.save()
    audit_record(actor=actor, action="service.create", target=service, summary=f"新增帮办服务 {service.name}")
    return service


@transaction.atomic
def service_update(*, actor: Any, service: Service, expected_version: int | None = None, **fields: Any) -> Service:
    for key, value in fields.items():
        setattr(service, key, value)
    service.full_clean()
    save_with_version(service, expected_version=expected_version, fields=list(fields))
    audit_record(actor=actor, action="service.update", target=service, summary=f"修改帮办服务 {service.name}")
    return service
