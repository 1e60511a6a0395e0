from celery import shared_task

from .services.reference import reference_data_load


@shared_task(acks_late=True)
def reference_data_refresh() -> dict:
    """Reload the shipped reference data on a worker (idempotent, so a redelivered task is harmless)."""
    report = reference_data_load()
    return {"created": report.created, "updated": report.updated}
