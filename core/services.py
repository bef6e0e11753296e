"""Writes shared by every app: the audit trail and optimistic concurrency."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core.models import AuditEvent


def audit_record(
    *, actor: Any, action: str, target: models.Model | None = None, summary: str = "", **data: Any
) -> AuditEvent:
    """Write one audit row. Call inside the service's transaction so the row and the change commit together."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        data=_jsonable(data),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class StaleEditError(ValidationError):
    """The record changed since the user loaded it; their edit would overwrite someone else's."""


def save_with_version(instance: models.Model, *, expected_version: int | None, fields: list[str]) -> None:
    """Save `fields` only if the row still has `expected_version`; bump the version. Raises StaleEditError otherwise.

    A conditional UPDATE, so two concurrent editors can never both win.
    """
    model = type(instance)
    current = instance.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise StaleEditError(_("该记录已被他人修改，请刷新后重试。"), code="stale")
    values = {f: getattr(instance, f) for f in fields}
    updated = model._default_manager.filter(pk=instance.pk, version=current).update(**values, version=current + 1)
    if updated != 1:
        raise StaleEditError(_("该记录已被他人修改，请刷新后重试。"), code="stale")
    instance.version = current + 1  # type: ignore[attr-defined]
