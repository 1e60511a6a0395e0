from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import PracticeRevision
from .services import moderation, screening


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def revision_screen(revision_id: int) -> int | None:
    """The pre-screen of one submitted revision (harmless when repeated: the service checks the state)."""
    result = screening.revision_screen(revision_id=revision_id)
    return result.pk if result else None


@shared_task(acks_late=True)
def screenings_requeue() -> int:
    """Queue the pre-screen again for revisions submitted over 10 minutes ago that are still `submitted`."""
    cutoff = timezone.now() - timedelta(minutes=10)
    ids = list(
        PracticeRevision.objects.filter(state=PracticeRevision.State.SUBMITTED, submitted_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:200]
    )
    for pk in ids:
        revision_screen.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def reviews_sla_remind() -> dict:
    return moderation.reviews_sla_remind()


@shared_task(acks_late=True)
def practices_freshness_check() -> dict:
    return moderation.practices_freshness_check()
