"""Celery tasks of the practices app: each takes ids, calls one service and owns its retry policy."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import covers, dump, facets, indexing, jobs, neighbours, screening, translations


@shared_task(acks_late=True, autoretry_for=(OSError, OperationalError, InterfaceError), retry_backoff=30, max_retries=5)
def revision_screen(revision_id: int) -> int | None:
    """The pre-screen of one submitted revision (harmless when repeated: the service checks the state)."""
    result = screening.revision_screen(revision_id=revision_id)
    return result.pk if result else None


@shared_task(acks_late=True)
def screenings_requeue() -> int:
    return jobs.screenings_requeue()


@shared_task(acks_late=True)
def reviews_sla_remind() -> dict:
    return jobs.reviews_sla_remind()


@shared_task(acks_late=True)
def practices_freshness_check() -> dict:
    return jobs.practices_freshness_check()


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, max_retries=3)
def facets_restale() -> int:
    return facets.facets_restale()


@shared_task(acks_late=True, autoretry_for=(OSError, OperationalError, InterfaceError), retry_backoff=30, max_retries=3)
def practice_dump_regenerate() -> dict:
    """Rewrite the JSON Lines dump of every published practice (queued on publish and nightly)."""
    # Cleared first, so a publication during the write queues the next run instead of being missed.
    dump.practice_dump_debounce_clear()
    return dump.practice_dump_write()


@shared_task(acks_late=True, autoretry_for=(OSError, OperationalError, InterfaceError), retry_backoff=30, max_retries=5)
def practice_search_vectors_refresh(agency_ids: list[int]) -> int:
    """Rewrite the search vectors of these agencies' practices after a rename (harmless when repeated)."""
    return indexing.practice_search_vectors_refresh(agency_ids=agency_ids)


@shared_task(acks_late=True, autoretry_for=(OSError, OperationalError, InterfaceError), retry_backoff=30, max_retries=5)
def theme_search_vectors_refresh(theme_ids: list[int]) -> int:
    """After a theme's names changed: its practices are found by the new names, and typos are corrected to
    them (harmless when repeated)."""
    count = indexing.practice_search_vectors_refresh(theme_ids=theme_ids)
    indexing.search_vocabulary_names_add()
    return count


@shared_task(acks_late=True)
def search_vocabulary_rebuild() -> int:
    """Recount the words typos are corrected to (nightly: withdrawn practices' words go, counts are exact)."""
    return indexing.search_vocabulary_rebuild()


@shared_task(acks_late=True, autoretry_for=(OSError, OperationalError, InterfaceError), retry_backoff=10, max_retries=5)
def cover_variants_make(attachment_id: int) -> int:
    """The resized variants of one uploaded cover (harmless when repeated: a cover that has them is skipped)."""
    return covers.cover_variants_make(attachment_id=attachment_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=10, max_retries=3)
def translation_machine_draft(translation_id: int) -> str:
    """A machine draft of one translation (the service records the backend's errors on the row; a repeated
    task finds it no longer pending and does nothing)."""
    return translations.translation_machine_draft(translation_id=translation_id)


@shared_task(acks_late=True, autoretry_for=(OSError, OperationalError, InterfaceError), retry_backoff=30, max_retries=5)
def practice_neighbours_refresh(practice_id: int) -> int:
    """A practice's similar practices and "agencies like you", and those of the practices near it (after a
    publish or a withdrawal; harmless when repeated)."""
    return neighbours.practice_neighbours_refresh(practice_id=practice_id)


@shared_task(acks_late=True)
def practice_neighbours_sweep() -> dict:
    """Fill the missing neighbour lists and refresh the oldest (beat)."""
    return neighbours.practice_neighbours_sweep()


@shared_task(acks_late=True)
def cover_variants_requeue() -> int:
    """Beat sweep: covers still without variants a few minutes after upload are queued again."""
    return covers.cover_variants_requeue()


@shared_task(acks_late=True)
def translation_machine_requeue() -> dict:
    """Beat sweep: machine drafts asked for and never made are queued again (given up after a day)."""
    return translations.translation_machine_requeue()
