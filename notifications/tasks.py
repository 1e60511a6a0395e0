from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import delivery, digests, fanout


@shared_task(
    acks_late=True,
    # A refused send, and a database that is restarting (the row is still pending, or sending under a lease
    # the sweeper expires): retried with backoff instead of waiting for the sweeper.
    autoretry_for=(delivery.DeliveryError, OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=60 * 30,
    retry_jitter=True,
    max_retries=delivery.MAX_ATTEMPTS,
)
def deliveries_send(delivery_ids: list[int]) -> int:
    """Send a batch of outbox rows over one SMTP connection; harmless when redelivered or duplicated (the
    service claims each row under lock), and a retry sends only what is still pending."""
    return delivery.deliveries_send_now(delivery_ids=delivery_ids)


@shared_task(
    acks_late=True,
    autoretry_for=(delivery.DeliveryError, OperationalError, InterfaceError),
    retry_backoff=30,
    retry_backoff_max=60 * 30,
    retry_jitter=True,
    max_retries=delivery.MAX_ATTEMPTS,
)
def delivery_send(delivery_id: int) -> bool:
    """Send one outbox row (tasks queued before batches existed, and tests); a batch of one."""
    return delivery.delivery_send_now(delivery_id=delivery_id)


@shared_task(acks_late=True)
def deliveries_requeue() -> int:
    return delivery.deliveries_requeue()


@shared_task(acks_late=True)  # retries a transient database error like every task (rbx_portal.celery.PortalTask)
def publish_fanout_send(fanout_id: int) -> dict | None:
    """Tell the followers of a publish; harmless when redelivered or duplicated (what it writes is unique per
    person and practice in the database). A failure leaves the row pending for `publish_fanouts_requeue`."""
    return fanout.publish_fanout_run(fanout_id=fanout_id)


@shared_task(acks_late=True)
def publish_fanouts_requeue() -> int:
    return fanout.publish_fanouts_requeue()


@shared_task(acks_late=True)
def digests_send_daily() -> int:
    return digests.digests_send(frequency="daily")


@shared_task(acks_late=True)
def digests_send_weekly() -> int:
    return digests.digests_send(frequency="weekly")
