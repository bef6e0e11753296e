"""After every other builder: each enterprise of the register has exactly one active instructor.

The foundation builder pairs the 62 instructors round-robin with the register it creates; later builders may register
more enterprises (investment registers the firm a project brought in). This sweep gives each enterprise without an
active instructor the next instructor in the same round-robin, through the pairing service.
"""

from datetime import date
from typing import Any

from enterprises.models import Enterprise
from enterprises.selectors import active_pairing_q
from organizations.choices import PairingKind
from organizations.services import pairing_create

ORDER = 90


def build(ctx: Any) -> None:
    instructors = ctx.users["instructors"]
    instructor_of = ctx.shared.setdefault("instructor_of", {})
    unpaired = Enterprise.objects.exclude(
        pk__in=Enterprise.objects.filter(
            active_pairing_q("pairings__"), pairings__kind=PairingKind.INSTRUCTOR_ENTERPRISE
        ).values("pk")
    ).order_by("pk")
    start = date(ctx.today.year - 1, 3, 1)
    for enterprise in unpaired:
        instructor = instructors[len(instructor_of) % len(instructors)]
        pairing_create(
            actor=ctx.users["admin"],
            kind=PairingKind.INSTRUCTOR_ENTERPRISE,
            staff=instructor,
            enterprise=enterprise,
            starts_on=min(start, enterprise.founded_on or start),
        )
        instructor_of[enterprise.pk] = instructor
        ctx.log.append(f"instructor_sweep: {enterprise.name} paired with {instructor}")
