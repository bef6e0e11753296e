"""Writes on the enterprise register. Every write validates, audits and runs in one transaction."""

from typing import Any

from django.db import transaction

from core.services import audit_record, save_with_version
from core.validators import validate_phone, validate_uscc
from enterprises.models import Enterprise, IndustryCode, ResearchInstitution
from enterprises.signals import office_changed


def industry_code_warning(code: str) -> str | None:
    """An unknown GB/T 4754 code warns, it does not reject (the reference list is incomplete)."""
    if code and not IndustryCode.objects.filter(code=code).exists():
        return f"行业代码 {code} 不在 GB/T 4754-2017 参考列表中，请核对（不影响保存）。"
    return None


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    if "uscc" in fields:
        fields["uscc"] = validate_uscc(fields["uscc"])
    if fields.get("contact_phone"):
        fields["contact_phone"] = validate_phone(fields["contact_phone"])
    return fields


@transaction.atomic
def enterprise_create(*, actor: Any, **fields: Any) -> Enterprise:
    enterprise = Enterprise(**_normalise(fields))
    enterprise.full_clean()
    enterprise.save()
    audit_record(actor=actor, action="enterprise.create", target=enterprise, summary=f"新增企业 {enterprise.name}")
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: Any, enterprise: Enterprise, expected_version: int | None = None, **fields: Any
) -> Enterprise:
    """Change the given fields; refuse with StaleEditError if someone else saved the record since it was loaded.

    The other fields are compared with `enterprise` as the caller loaded it (the edit page passes a fresh copy, the
    importer the row it locked). The management office alone is compared with the database: its move also moves
    maintained figures (`office_changed`), which must never move without the row."""
    fields = _normalise(fields)
    old_office = None
    if "management_office" in fields and enterprise.pk:  # from the database: a form may have set the new one already
        old_office = Enterprise.objects.filter(pk=enterprise.pk).values_list("management_office_id", flat=True).first()
    changed = {k: v for k, v in fields.items() if getattr(enterprise, k) != v}
    office_moved = "management_office" in fields and old_office != getattr(
        fields["management_office"], "pk", fields["management_office"]
    )
    if office_moved:  # even when the instance already carries the new office: the row and the figures move together
        changed["management_office"] = fields["management_office"]
    for key, value in fields.items():
        setattr(enterprise, key, value)
    enterprise.full_clean()
    if changed:
        save_with_version(enterprise, expected_version=expected_version, fields=list(fields))
        audit_record(
            actor=actor,
            action="enterprise.update",
            target=enterprise,
            summary=f"修改企业 {enterprise.name}",
            changed=changed,
        )
    if office_moved:
        office_changed.send(
            sender=Enterprise, enterprise=enterprise, old_office=old_office, new_office=enterprise.management_office_id
        )
    return enterprise


@transaction.atomic
def enterprise_upsert_by_uscc(*, actor: Any, uscc: str, **fields: Any) -> tuple[Enterprise, bool]:
    """A known USCC updates its enterprise instead of duplicating it. Returns (enterprise, created)."""
    number = validate_uscc(uscc)
    existing = Enterprise.objects.select_for_update().filter(uscc=number).first()
    if existing is None:
        return enterprise_create(actor=actor, uscc=number, **fields), True
    return enterprise_update(actor=actor, enterprise=existing, **fields), False


@transaction.atomic
def research_institution_create(*, actor: Any, **fields: Any) -> ResearchInstitution:
    if fields.get("contact_phone"):
        fields["contact_phone"] = validate_phone(fields["contact_phone"])
    institution = ResearchInstitution(**fields)
    institution.full_clean()
    institution.save()
    audit_record(
        actor=actor, action="institution.create", target=institution, summary=f"新增科研机构 {institution.name}"
    )
    return institution


@transaction.atomic
def research_institution_update(
    *, actor: Any, institution: ResearchInstitution, expected_version: int | None = None, **fields: Any
) -> ResearchInstitution:
    if fields.get("contact_phone"):
        fields["contact_phone"] = validate_phone(fields["contact_phone"])
    changed = {k: v for k, v in fields.items() if getattr(institution, k) != v}
    for key, value in fields.items():
        setattr(institution, key, value)
    institution.full_clean()
    if changed:
        save_with_version(institution, expected_version=expected_version, fields=list(fields))
        audit_record(
            actor=actor,
            action="institution.update",
            target=institution,
            summary=f"修改科研机构 {institution.name}",
            changed=changed,
        )
    return institution
