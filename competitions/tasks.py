"""Celery tasks of the competitions app (beat jobs): each calls one service and is safe to run twice."""

from celery import shared_task

from .services.calls import calls_close_due
from .services.objections import objection_windows_close as objection_windows_close_due

# Calls (COMP-A) -----------------------------------------------------------------------------------------------


@shared_task(acks_late=True)
def calls_close_entries() -> int:
    """Every minute: close the entries of open calls past their deadline and open their first stage."""
    return calls_close_due()


# Objection windows (COMP-B) -----------------------------------------------------------------------------------


@shared_task(acks_late=True)
def objection_windows_close() -> list[int]:
    """Every minute: close the objection windows past their end (call → deliberation)."""
    return objection_windows_close_due()
