from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(services.DeliveryError,),
    retry_backoff=30,
    retry_backoff_max=60 * 30,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS,
)
def delivery_send(delivery_id: int) -> bool:
    """Send one outbox row; harmless when redelivered or duplicated (the service checks the state under lock)."""
    return services.delivery_send_now(delivery_id=delivery_id)


@shared_task(acks_late=True)
def deliveries_requeue() -> int:
    return services.deliveries_requeue()


@shared_task(acks_late=True)
def digests_send_daily() -> int:
    return services.digests_send(frequency="daily")


@shared_task(acks_late=True)
def digests_send_weekly() -> int:
    return services.digests_send(frequency="weekly")
