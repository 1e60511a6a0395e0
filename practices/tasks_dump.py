"""Celery job of the public data dump (practices/services/dump.py)."""

from celery import shared_task

from .services.dump import practice_dump_debounce_clear, practice_dump_write


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def practice_dump_regenerate() -> dict:
    """Rewrite the JSON Lines dump of every published practice (queued on publish and nightly)."""
    # Cleared first, so a publication during the write queues the next run instead of being missed.
    practice_dump_debounce_clear()
    return practice_dump_write()
