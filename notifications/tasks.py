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
def publish_fanout_send(fanout_id: int) -> dict | None:
    """Tell a published practice's followers; harmless when redelivered or duplicated (what it writes is unique
    per person and practice in the database). A failure leaves the row pending for `publish_fanouts_requeue`."""
    return services.publish_fanout_run(fanout_id=fanout_id)


@shared_task(acks_late=True)
def publish_fanouts_requeue() -> int:
    return services.publish_fanouts_requeue()


@shared_task(acks_late=True)
def digests_send_daily() -> int:
    return services.digests_send(frequency="daily")


@shared_task(acks_late=True)
def digests_send_weekly() -> int:
    return services.digests_send(frequency="weekly")
