"""Writes on chains, links and placements."""

from typing import Any

from django.db import transaction

from chains import coverage
from chains.models import Chain, Link, Placement
from core.services import audit_record
from enterprises.models import Enterprise


@transaction.atomic
def chain_create(*, actor: Any, **fields: Any) -> Chain:
    chain = Chain(**fields)
    chain.full_clean()
    chain.save()
    audit_record(actor=actor, action="chain.create", target=chain, summary=f"新增产业链 {chain.name}")
    return chain


@transaction.atomic
def link_create(*, actor: Any, chain: Chain, **fields: Any) -> Link:
    link = Link(chain=chain, **fields)
    if link.parent_id is not None and link.parent.chain_id != chain.pk:  # type: ignore[union-attr]
        from django.core.exceptions import ValidationError

        raise ValidationError({"parent": "上级环节必须属于同一条产业链。"})
    link.full_clean()
    link.save()
    audit_record(actor=actor, action="link.create", target=link, summary=f"新增环节 {link}")
    return link


@transaction.atomic
def placement_upsert(
    *, actor: Any, enterprise: Enterprise, link: Link, main_product: str = ""
) -> tuple[Placement, bool]:
    """Place an enterprise on a link (or update its main product there). Returns (placement, created)."""
    with coverage.change(enterprises=[enterprise.pk]):
        placement, created = Placement.objects.get_or_create(
            enterprise=enterprise, link=link, defaults={"main_product": main_product}
        )
    changed = not created and placement.main_product != main_product
    if changed:
        placement.main_product = main_product
        placement.full_clean()
        placement.save(update_fields=["main_product", "updated_at"])
    if created or changed:
        audit_record(
            actor=actor,
            action="placement.create" if created else "placement.update",
            target=placement,
            summary=f"{enterprise.name} 落链 {link}",
        )
    return placement, created


@transaction.atomic
def placement_delete(*, actor: Any, placement: Placement) -> None:
    audit_record(actor=actor, action="placement.delete", target=placement, summary=f"移除落链 {placement}")
    with coverage.change(enterprises=[placement.enterprise_id]):
        placement.delete()
