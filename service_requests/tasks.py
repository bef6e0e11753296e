"""Background work of the service chain: the supervision ladder (run periodically; idempotent)."""

from django.tasks import task

from service_requests.services.supervision import run_ladder


@task()
def run_supervision_ladder() -> dict[str, int]:
    """Issue due reminders and yellow/red notices; safe to run any number of times."""
    return run_ladder()
