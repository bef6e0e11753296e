"""Background work: the 免申即享 sweep of a period (idempotent: running it twice writes nothing new)."""

from typing import Any

from django.tasks import task

from talent import engine, services


@task
def run_sweep(period: str, actor_id: int | None = None) -> dict[str, Any]:
    from accounts.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    result = services.sweep_period(actor=actor, period=engine.parse_period(period))
    return {"run": result.run.pk, "created": result.run.created_count, "eligible": result.run.eligible_count}
