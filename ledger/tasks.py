"""Celery tasks of the ledger app: each takes ids (or nothing), calls one service and owns its retry policy."""

from celery import shared_task

from .services.questions import questions_remind_unanswered


@shared_task(acks_late=True)
def questions_remind() -> int:
    """Daily: remind agencies of questions unanswered for 7 days (idempotent: each is reminded once)."""
    return questions_remind_unanswered()
