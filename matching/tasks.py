"""Background work of the matching engine (django.tasks; run by `manage.py db_worker`). Idempotent, ids only."""

from django.tasks import task

from matching import services


@task()
def refresh_posting(posting_id: int) -> None:
    """Embed a changed posting once and refresh its suggestions and its counterparts'."""
    services.refresh_neighbourhood(posting_id=posting_id)


@task()
def rebuild_index() -> int:
    """Full rebuild after a vocabulary change (synonyms, chain links)."""
    return services.index_rebuild()
