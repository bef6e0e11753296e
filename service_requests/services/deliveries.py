"""Service deliveries (服务记录): consultations, credit support, salons and visit services given to enterprises."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from core.services import audit_record
from enterprises.models import Enterprise
from enterprises.selectors import enterprises_visible_to
from service_requests import rollup
from service_requests.choices import DeliveryKind
from service_requests.models import ServiceDelivery

RECORDING_ROLES = frozenset({Role.ADMIN, Role.INSTRUCTOR, Role.HANDLER, Role.SUPERVISOR})


@transaction.atomic
def delivery_record(
    *,
    actor: Any,
    enterprise: Enterprise,
    kind: str,
    delivered_on: date,
    title: str,
    summary: str = "",
    unit: Any = None,
    staff: Any = None,
    amount_wan: Decimal | None = None,
    request: Any = None,
) -> ServiceDelivery:
    if not (actor.is_superuser or actor.role in RECORDING_ROLES):
        raise PermissionDenied("您的角色不能登记服务记录。")
    if not enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied("您不能为该企业登记服务记录。")
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": "服务日期不能晚于今天。"})
    if amount_wan is not None and kind != DeliveryKind.CREDIT_SUPPORT:
        raise ValidationError({"amount_wan": "只有信贷支持填写金额。"})
    delivery = ServiceDelivery(
        enterprise=enterprise,
        kind=kind,
        delivered_on=delivered_on,
        title=title,
        summary=summary,
        unit=unit if unit is not None else getattr(actor, "unit", None),
        staff=staff or actor,
        amount_wan=amount_wan,
        request=request,
    )
    delivery.full_clean()
    delivery.save()
    rollup.record_delivery(delivery)
    audit_record(
        actor=actor,
        action="service_delivery.record",
        target=delivery,
        summary=f"{delivery.get_kind_display()}：{title}",
    )
    return delivery
