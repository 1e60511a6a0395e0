"""Notifications and their outbox: `notify` writes rows in the caller's transaction; tasks deliver them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Delivery, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _render(*, kind: str, context: dict, language: str, target_url: str) -> tuple[str, str]:
    """Subject (first line) and body (the rest) of `notifications/kinds/<kind>.txt`, in `language`."""
    with translation.override(language):
        text = render_to_string(
            f"notifications/kinds/{kind}.txt", {**context, "target_url": target_url, "site_url": settings.SITE_URL}
        ).strip()
    subject, _, body = text.partition("\n")
    return subject.strip()[:255], body.strip()


@transaction.atomic
def notify(
    *, recipients: Iterable, kind: str, context: dict, target_url: str = "", dedupe_key: str = ""
) -> list[Notification]:
    """Create one notification and one pending email delivery per recipient (a user or an email address).

    Runs in the caller's transaction, so the rows exist exactly when the change that caused them does; the
    delivery task is queued only after commit. Duplicate recipients are told once. With `dedupe_key`, a
    recipient who already got a notification with that key is skipped (reminders from scheduled jobs).
    """
    created: list[Notification] = []
    seen: set = set()
    for recipient in recipients:
        is_user = not isinstance(recipient, str)
        ident = recipient.pk if is_user else recipient.lower()
        if ident in seen or (is_user and not recipient.is_active):
            continue
        seen.add(ident)
        key = f"{dedupe_key}:{'u' if is_user else 'e'}:{ident}" if dedupe_key else None
        if key and Notification.objects.filter(dedupe_key=key).exists():
            continue
        language = recipient.language if is_user else settings.LANGUAGE_CODE
        subject, body = _render(kind=kind, context=context, language=language, target_url=target_url)
        notification = Notification.objects.create(
            recipient=recipient if is_user else None,
            email="" if is_user else recipient,
            kind=kind,
            language=language,
            subject=subject,
            body=body,
            target_url=target_url,
            dedupe_key=key,
        )
        delivery = Delivery.objects.create(notification=notification, key=f"n{notification.pk}:email")
        transaction.on_commit(lambda pk=delivery.pk: delivery_queue(delivery_id=pk))
        created.append(notification)
    return created


def delivery_queue(*, delivery_id: int) -> bool:
    """Hand a delivery to the broker. A broker that is down is logged, not raised: the row stays pending and
    `deliveries_requeue` queues it again later, so the request that caused it still succeeds."""
    from .tasks import delivery_send

    try:
        # retry=False: do not hold a web request while kombu retries; the sweeper is the retry.
        delivery_send.apply_async((delivery_id,), retry=False)
    except Exception:  # the broker's errors vary by transport (OperationalError, socket errors, ...)
        logger.warning("could not queue delivery %s; the sweeper will retry", delivery_id, exc_info=True)
        return False
    Delivery.objects.filter(pk=delivery_id).update(queued_at=timezone.now())
    return True


class DeliveryError(Exception):
    pass


def delivery_send_now(*, delivery_id: int) -> bool:
    """Send one pending delivery; True when this call sent it.

    The row is locked with `select_for_update` for the whole send, so a duplicated task waits and then sees
    `sent` and returns. A send that fails records the attempt (in its own committed transaction) and raises
    `DeliveryError` so that the task retries with backoff; after MAX_ATTEMPTS the row is marked failed.
    """
    error = None
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.state != Delivery.State.PENDING:
            return False
        notification = Notification.objects.select_related("recipient").get(pk=delivery.notification_id)
        to = notification.recipient.email if notification.recipient_id else notification.email
        message = EmailMessage(
            subject=notification.subject,
            body=_email_body(notification),
            to=[to],
            headers={"X-RBX-Delivery": delivery.key},
        )
        delivery.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # SMTP and socket errors: record and retry
            error = exc
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = Delivery.State.FAILED
        else:
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "last_error", "state", "sent_at"])
    if error is not None and delivery.state == Delivery.State.PENDING:
        raise DeliveryError(str(error)) from error
    return error is None


def _email_body(notification: Notification) -> str:
    if not notification.target_url:
        return notification.body
    return f"{notification.body}\n\n{settings.SITE_URL}{notification.target_url}"


def deliveries_requeue(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue again every delivery still pending after `older_than` (broker or worker was down)."""
    cutoff = timezone.now() - older_than
    ids = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, created_at__lt=cutoff)
        .exclude(queued_at__gte=cutoff)
        .values_list("pk", flat=True)[:500]
    )
    return sum(delivery_queue(delivery_id=pk) for pk in ids)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed."""
    qs = Notification.objects.for_user(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
