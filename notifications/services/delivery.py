"""The email outbox: queue a delivery after commit, send it exactly once (hand-over recorded), queue lost ones again.

A `Delivery` row is written with its notification (`notify.py`); the `notifications.tasks.delivery_send` task
sends it through `delivery_send_now`, and `deliveries_requeue` (beat, every two minutes) queues again what a
broker outage or a killed worker left behind.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import socket
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from common.tasks import enqueue

from ..models import Delivery, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A row whose commit hook has not queued it after this long was refused by the broker.
NEVER_QUEUED_GRACE = timedelta(seconds=10)


class DeliveryError(Exception):
    pass


def delivery_queue(*, delivery_id: int) -> bool:
    """Hand a delivery to the broker. A broker that is down is logged, not raised: the row stays pending and
    `deliveries_requeue` queues it again later, so the request that caused it still succeeds."""
    return deliveries_queue(delivery_ids=[delivery_id]) == 1


def deliveries_queue(*, delivery_ids: list[int]) -> int:
    """Hand deliveries to the broker and mark them queued (one UPDATE); returns how many were queued.

    Stops at the first refusal: a broker that is down would make each further attempt wait for its connection
    timeout. The rest stay pending, unqueued, for `deliveries_requeue`.
    """
    queued: list[int] = []
    for delivery_id in delivery_ids:
        if not enqueue("notifications.tasks.delivery_send", delivery_id):
            untried = len(delivery_ids) - len(queued) - 1
            if untried:
                logger.warning("%d more deliveries not tried; the sweeper will queue them", untried)
            break
        queued.append(delivery_id)
    if queued:
        Delivery.objects.filter(pk__in=queued).update(queued_at=timezone.now())
    return len(queued)


def deliveries_requeue(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue every delivery the broker never took (its row is older than a few seconds, so the commit's own
    queueing had its chance), again every one queued but still pending after `older_than` (a worker lost the
    task), and every one left `sending` by a worker that died (lease expired; `delivery_send_now` reconciles it).
    The beat runs this every 15 s, so mail written during a broker outage leaves within seconds of its return;
    queueing twice is harmless (the claim under lock sends once)."""
    now = timezone.now()
    cutoff = now - older_than
    stale_pending = Q(state=Delivery.State.PENDING, created_at__lt=cutoff) & ~Q(queued_at__gte=cutoff)
    # Never handed to the broker (it was down when the row was written): due at once, not after `older_than`.
    never_queued = Q(state=Delivery.State.PENDING, queued_at__isnull=True, created_at__lt=now - NEVER_QUEUED_GRACE)
    lost_sender = Q(state=Delivery.State.SENDING, lease_until__lt=now) | Q(state=Delivery.State.UNCERTAIN)
    # A publish to thousands of followers during a broker outage leaves thousands pending: queueing costs well
    # under a millisecond each (one UPDATE for all), so one run takes up to 5,000.
    ids = list(
        Delivery.objects.filter(stale_pending | never_queued | lost_sender)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:5000]
    )
    return deliveries_queue(delivery_ids=ids)


def _lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_DELIVERY_LEASE_SECONDS)


def delivery_send_now(*, delivery_id: int) -> bool:
    """Send one delivery; True when this call sent it. Safe against duplicated tasks and killed workers.

    1. Claim (a short transaction under `select_for_update`): a pending row becomes `sending` with a lease and
       one more attempt, committed before any byte goes to the SMTP server. A duplicated task finds it
       `sending` under a live lease (or `sent`) and returns.
    2. Send, outside any transaction. Just before the byte that completes the message (the final "."), the row
       records `handed_over_at` (committed). From then on the server may have accepted the message even if
       its reply never arrives: that is SMTP's own ambiguity window (RFC 1047).
    3. Record the outcome: `sent`; or, for an error before the hand-over or a definite refusal by the server,
       `pending` again with the error (the task retries with backoff; `failed` after MAX_ATTEMPTS).

    A worker killed during 2 leaves the row `sending`. When its lease has expired (the sweeper queues such
    rows), the next run sends it again. Not handed over: the server has nothing, so this is simply the send.
    Handed over: the worker died between recording the hand-over and reading the server's reply, and the server
    may or may not hold the message (the window is the final "." and the reply, a few milliseconds). A loss is
    worse than a duplicate, so it is sent again with the SAME Message-ID: a mail program that already has it
    recognises the copy (and threads it), and `resends` counts these possible duplicates. The same holds for an
    error after the hand-over with no reply from the server.
    """
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return False
        if delivery.state == Delivery.State.SENDING:
            if delivery.lease_until and delivery.lease_until > now:
                return False  # another worker is sending it now
            if delivery.handed_over_at is not None:
                delivery.resends += 1
                logger.warning("delivery %s: sender lost after hand-over; sending again, same Message-ID", delivery.pk)
        elif delivery.state == Delivery.State.UNCERTAIN:
            delivery.resends += 1
        elif delivery.state != Delivery.State.PENDING:
            return False
        delivery.state = Delivery.State.SENDING
        delivery.lease_until = now + _lease()
        delivery.handed_over_at = None
        delivery.attempts += 1
        delivery.save(update_fields=["state", "lease_until", "handed_over_at", "attempts", "resends"])
    notification = Notification.objects.select_related("recipient").get(pk=delivery.notification_id)
    to = notification.recipient.email if notification.recipient_id else notification.email
    message = EmailMessage(
        subject=notification.subject,
        body=_email_body(notification),
        to=[to],
        headers=_email_headers(notification, delivery),
    )
    sending = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING)
    handed_over = False

    def hand_over() -> None:
        nonlocal handed_over
        sending.update(handed_over_at=timezone.now())
        handed_over = True

    try:
        _send_with_hand_over(message, hand_over=hand_over)
    except Exception as exc:  # SMTP and socket errors
        error = f"{type(exc).__name__}: {exc}"[:2000]
        state = Delivery.State.FAILED if delivery.attempts >= MAX_ATTEMPTS else Delivery.State.PENDING
        if handed_over and not isinstance(exc, smtplib.SMTPResponseException):
            # No reply after the complete message: the server may have it. The retry is a possible duplicate.
            sending.update(
                state=state, last_error=error, lease_until=None, handed_over_at=None, resends=F("resends") + 1
            )
        else:
            sending.update(state=state, last_error=error, lease_until=None, handed_over_at=None)
        if state == Delivery.State.PENDING:
            raise DeliveryError(error) from exc
        return False
    sending.update(state=Delivery.State.SENT, sent_at=timezone.now(), last_error="", lease_until=None)
    return True


def _send_with_hand_over(message: EmailMessage, *, hand_over) -> None:
    """Send through Django's configured backend, calling `hand_over()` just before the message is complete.

    For the SMTP backend the conversation is driven step by step (what `smtplib.SMTP.sendmail` does) so that
    `hand_over` runs between the message's content and its final "."; other backends (console, locmem) send
    in one step after it.
    """
    backend = get_connection(fail_silently=False)
    if not isinstance(backend, SMTPBackend):
        hand_over()
        message.connection = backend
        message.send(fail_silently=False)
        return
    backend.open()
    try:
        smtp = backend.connection
        # The message and its final "." are two writes (the hand-over is recorded between them). With Nagle's
        # algorithm the small second write waits for the server's delayed ACK of the first: ~40 ms per email
        # on Linux, measured with bench/followers.py. Sending each write at once changes nothing else.
        with contextlib.suppress(OSError, AttributeError):
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        for address in message.recipients():
            address = sanitize_address(address, encoding)
            code, reply = smtp.rcpt(address)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({address: (code, reply)})
        code, reply = smtp.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        data = re.sub(rb"(?m)^\.", b"..", message.message().as_bytes(linesep="\r\n"))
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        smtp.send(data)
        hand_over()
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
    finally:
        backend.close()


def delivery_message_id(delivery: Delivery) -> str:
    """The same Message-ID for every send of one delivery, so a possible duplicate is recognisable."""
    domain = (settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "rbx.menpan.go.id").lower()
    local = re.sub(r"[^A-Za-z0-9.-]", "-", delivery.key)
    return f"<{local}.rbx@{domain}>"


def _email_headers(notification: Notification, delivery: Delivery) -> dict[str, str]:
    headers = {"X-RBX-Delivery": delivery.key, "Message-ID": delivery_message_id(delivery)}
    if notification.unsubscribe_url:
        # RFC 2369 + RFC 8058: mail programs show an unsubscribe button that POSTs "List-Unsubscribe=One-Click".
        headers["List-Unsubscribe"] = f"<{settings.SITE_URL}{notification.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _email_body(notification: Notification) -> str:
    body = notification.body
    if notification.target_url:
        body = f"{body}\n\n{settings.SITE_URL}{notification.target_url}"
    if notification.unsubscribe_url:
        with translation.override(notification.language):
            label = translation.gettext("Berhenti berlangganan (tanpa login):")
        body = f"{body}\n\n-- \n{label} {settings.SITE_URL}{notification.unsubscribe_url}"
    return body
