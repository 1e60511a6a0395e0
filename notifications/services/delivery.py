"""The email outbox: queue a delivery after commit, send it exactly once (hand-over recorded), queue lost ones again.

A `Delivery` row is written with its notification (`notify.py`, or in bulk by the fan-out); after commit the ids
are queued `NOTIFICATIONS_SEND_BATCH` to a `notifications.tasks.deliveries_send` task, which sends its batch over
one SMTP connection through `deliveries_send_now`; `deliveries_requeue` (beat, every 15 s) queues again what a
broker outage or a killed worker left behind.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, QuerySet, When
from django.utils import timezone, translation

from common.tasks import enqueue

from ..models import Delivery, Notification
from ..tokens import follower_manage_path

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A row whose commit hook has not queued it after this long was refused by the broker.
NEVER_QUEUED_GRACE = timedelta(seconds=10)


class DeliveryError(Exception):
    pass


def delivery_queue(*, delivery_id: int) -> bool:
    """Hand a delivery to the broker; inside a transaction, after it commits, together with the others.

    Inside an atomic block the id joins the transaction's buffer and one commit hook queues all of them in
    batches of `NOTIFICATIONS_SEND_BATCH` (a notice to 30 reviewers is one task, one SMTP connection); True
    then means "will be queued". Outside one it is queued now. A broker that is down is logged, not raised:
    the row stays pending and `deliveries_requeue` queues it again later, so the request that caused it still
    succeeds.
    """
    if not transaction.get_connection().in_atomic_block:
        return deliveries_queue(delivery_ids=[delivery_id]) == 1
    buffer = _buffered_ids()
    buffer.append(delivery_id)
    if len(buffer) == 1:
        transaction.on_commit(_buffer_flush)
    return True


_buffer = threading.local()


def _buffered_ids() -> list[int]:
    """This thread's ids waiting for the current transaction's commit.

    One hook per transaction flushes them. A rolled-back transaction drops the hook but not the list, so a
    list without our hook among the connection's pending ones is stale and starts again (ids in a rolled-back
    savepoint whose hook survived are queued with the rest: their rows do not exist and the task claims none).
    """
    ids = getattr(_buffer, "ids", None)
    if ids is None or not any(
        func is _buffer_flush for _sids, func, _robust in transaction.get_connection().run_on_commit
    ):
        ids = _buffer.ids = []
    return ids


def _buffer_flush() -> None:
    ids, _buffer.ids = getattr(_buffer, "ids", None) or [], []
    if ids:
        deliveries_queue(delivery_ids=ids)


def deliveries_queue(*, delivery_ids: list[int]) -> int:
    """Hand deliveries to the broker, `NOTIFICATIONS_SEND_BATCH` per task, and mark them queued (one UPDATE);
    returns how many were queued.

    Stops at the first refusal: a broker that is down would make each further attempt wait for its connection
    timeout. The rest stay pending, unqueued, for `deliveries_requeue`.
    """
    size = max(1, settings.NOTIFICATIONS_SEND_BATCH)
    queued: list[int] = []
    for start in range(0, len(delivery_ids), size):
        batch = list(delivery_ids[start : start + size])
        if not enqueue("notifications.tasks.deliveries_send", batch):
            untried = len(delivery_ids) - len(queued) - len(batch)
            if untried:
                logger.warning("%d more deliveries not tried; the sweeper will queue them", untried)
            break
        queued.extend(batch)
    if queued:
        Delivery.objects.filter(pk__in=queued).update(queued_at=timezone.now())
    return len(queued)


def deliveries_requeue(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue every delivery the broker never took (its row is older than a few seconds, so the commit's own
    queueing had its chance), again every one queued but still pending after `older_than` (a worker lost the
    task), and every one left `sending` by a worker that died (lease expired; `deliveries_send_now` reconciles
    it). The beat runs this every 15 s, so mail written during a broker outage leaves within seconds of its
    return; queueing twice is harmless (the claim under lock sends once). Queued in batches, like the rest."""
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
    """Send one delivery; True when this call sent it (`deliveries_send_now` with one id)."""
    return deliveries_send_now(delivery_ids=[delivery_id]) == 1


def deliveries_send_now(*, delivery_ids: list[int]) -> int:
    """Send a batch of deliveries over one SMTP connection; returns how many this call sent. Safe against
    duplicated tasks and killed workers, message by message.

    1. Claim (one short transaction, `select_for_update` in `pk` order): the batch's pending rows become
       `sending` with one lease and one more attempt, committed before any byte goes to the SMTP server. A
       duplicated task finds them `sending` under a live lease (or `sent`) and skips them.
    2. Send, outside any transaction, each message over the same connection. Just before the byte that
       completes a message (its final "."), its row records `handed_over_at`, committed. From then on the
       server may have accepted the message even if its reply never arrives: that is SMTP's own ambiguity
       window (RFC 1047). The same UPDATE marks the previous message `sent` (its 250 came before): one write
       per message, and never `sent` before the server's 250.
    3. Record each outcome: `sent`; or, for an error before the hand-over or a definite refusal by the server
       (a refused recipient, say), `pending` again with the error, and the batch goes on with the next
       message. A broken connection ends the batch: the message being sent follows the same rules, the ones
       not yet tried go back to `pending` with their attempt given back. Any row left pending raises
       `DeliveryError` at the end, so the task retries with backoff (its retry claims only what is still
       pending); `failed` after MAX_ATTEMPTS.

    A worker killed during 2 leaves the batch's rows `sending`. When their lease has expired (the sweeper
    queues such rows), the next run sends them again. Not handed over: the server has nothing, so this is
    simply the send. Handed over (at most one row per batch: the message in flight, or the one accepted just
    before it and not yet marked): the worker died between recording the hand-over and recording the outcome,
    and the server may or may not hold the message. A loss is worse than a duplicate, so it is sent again with
    the SAME Message-ID: a mail program that already has it recognises the copy (and threads it), and
    `resends` counts these possible duplicates. The same holds for an error after the hand-over with no reply
    from the server.

    A batch starts a message only while at least half of its lease remains, so a slow server cannot keep a
    worker sending rows whose lease has run out (another worker could claim them); the rest go back to
    pending and are queued again at once. Every write after the claim is conditional on the claim (state
    `sending` and this batch's `lease_until`).
    """
    claimed = _deliveries_claim(delivery_ids)
    if not claimed:
        return 0
    batch = _Batch(claimed)
    batch.send()
    if batch.retry:
        raise DeliveryError(f"{len(batch.retry)} of {len(claimed)} deliveries to retry: {batch.retry_error}")
    return batch.sent


def _deliveries_claim(delivery_ids: list[int]) -> list[Delivery]:
    """Step 1 of `deliveries_send_now`: the rows of `delivery_ids` this call may send, marked `sending`."""
    now = timezone.now()
    claimable = (
        Q(state=Delivery.State.PENDING)
        | Q(state=Delivery.State.SENDING, lease_until__lte=now)
        | Q(state=Delivery.State.UNCERTAIN)
    )
    # Handed over by a sender that was lost (or an `uncertain` row of the earlier rule): a possible duplicate.
    resend = Q(state=Delivery.State.UNCERTAIN) | Q(state=Delivery.State.SENDING, handed_over_at__isnull=False)
    lease_until = now + _lease()
    with transaction.atomic():
        # Waits for locks rather than skipping locked rows: the queueing's own `queued_at` UPDATE may still hold
        # them when the task starts (skipped, they would wait 5 minutes for the sweeper). A duplicate task's
        # claim holds them for milliseconds, and PostgreSQL rechecks `claimable` after the wait; in `pk` order,
        # so two claims cannot deadlock.
        rows = Delivery.objects.select_for_update().filter(claimable, pk__in=delivery_ids)
        pks = list(rows.order_by("pk").values_list("pk", flat=True))
        if not pks:
            return []
        lost = Delivery.objects.filter(resend, pk__in=pks).values_list("pk", flat=True)
        for pk in lost:
            logger.warning("delivery %s: sender lost after hand-over; sending again, same Message-ID", pk)
        Delivery.objects.filter(pk__in=pks).update(
            state=Delivery.State.SENDING,
            lease_until=lease_until,
            handed_over_at=None,
            attempts=F("attempts") + 1,
            resends=Case(
                When(resend, then=F("resends") + 1), default=F("resends"), output_field=PositiveSmallIntegerField()
            ),
        )
    return list(
        Delivery.objects.filter(pk__in=pks, state=Delivery.State.SENDING, lease_until=lease_until)
        .select_related("notification__recipient")
        .order_by("pk")
    )


_HAND_OVER_SQL = f"""
    UPDATE {Delivery._meta.db_table} SET
        handed_over_at = CASE WHEN id = %(current)s THEN %(now)s ELSE handed_over_at END,
        state = CASE WHEN id = %(accepted)s THEN '{Delivery.State.SENT}' ELSE state END,
        sent_at = CASE WHEN id = %(accepted)s THEN %(now)s ELSE sent_at END,
        last_error = CASE WHEN id = %(accepted)s THEN '' ELSE last_error END,
        lease_until = CASE WHEN id = %(accepted)s THEN NULL ELSE lease_until END
    WHERE id IN (%(current)s, %(accepted)s) AND state = '{Delivery.State.SENDING}' AND lease_until = %(lease)s
"""  # noqa: S608 - the table and the states are constants


class _ConnectionLost(Exception):
    """The SMTP connection cannot carry another message (dropped, timed out, or the server said 421)."""


class _Batch:
    """Steps 2 and 3 of `deliveries_send_now` for the claimed rows (all `sending` under one lease)."""

    def __init__(self, deliveries: list[Delivery]):
        self.deliveries = deliveries
        self.lease_until = deliveries[0].lease_until
        self.sent = 0
        self.retry: list[int] = []  # rows put back to pending: the task retries them
        self.retry_error = ""
        self.accepted: int | None = None  # the message the server answered 250 to, not yet marked sent
        self.backend = get_connection(fail_silently=False)
        self.smtp = isinstance(self.backend, SMTPBackend)
        self.open = False
        self.idle = True  # between two messages (not inside an SMTP transaction)

    def mine(self, pks) -> QuerySet[Delivery]:
        return Delivery.objects.filter(pk__in=pks, state=Delivery.State.SENDING, lease_until=self.lease_until)

    def send(self) -> None:
        # Start a message only while half the lease remains (see deliveries_send_now).
        last_start = self.lease_until - _lease() / 2
        try:
            for index, delivery in enumerate(self.deliveries):
                if index and timezone.now() > last_start:
                    self.release(self.deliveries[index:], requeue=True)
                    break
                self.idle = False
                try:
                    self.send_one(delivery)
                except _ConnectionLost:
                    self.release(self.deliveries[index + 1 :])
                    break
                self.idle = True
        finally:
            self.disconnect()  # first: a failing database write below must not leave the socket open
            self.record_accepted()

    def disconnect(self) -> None:
        """QUIT between messages; otherwise (the connection failed, or something did in the middle of a
        message) drop the socket: a QUIT inside DATA would be read as part of the message, and a server that
        keeps a message cut off without its final "." discards it."""
        if not self.open:
            return
        with contextlib.suppress(Exception):
            if self.idle:
                self.backend.close()
            else:
                self.backend.connection.close()
        self.backend.connection = None
        self.open = False

    def send_one(self, delivery: Delivery) -> None:
        """Send one message; record a refusal on its row and return, raise `_ConnectionLost` when the
        connection is gone (after recording this row's outcome)."""
        handed_over = False

        def hand_over() -> None:
            nonlocal handed_over
            self.record_hand_over(delivery)
            handed_over = True

        try:
            message = _email_message(delivery)
            if not self.smtp:
                # Console, locmem: one step, after the hand-over.
                hand_over()
                self.backend.send_messages([message])
            else:
                data = _message_bytes(message)
                if not self.open:
                    self.connect()
                _smtp_transaction(self.backend.connection, message, data, hand_over=hand_over)
        except Exception as exc:  # SMTP and socket errors, and anything building the message
            lost = isinstance(exc, _ConnectionLost) or (self.smtp and not _connection_usable(exc))
            self.record_accepted()  # the previous message's 250 came before this error
            self.record_failure(delivery, exc, handed_over=handed_over)
            if lost or (self.smtp and self.open and not self.reset()):
                raise _ConnectionLost from exc
            return
        if self.smtp:
            self.accepted = delivery.pk  # marked sent by the next hand-over (or at the end)
        else:
            self.mine([delivery.pk]).update(
                state=Delivery.State.SENT, sent_at=timezone.now(), last_error="", lease_until=None
            )
            self.sent += 1

    def connect(self) -> None:
        try:
            self.backend.open()
        except Exception as exc:
            raise _ConnectionLost(f"{type(exc).__name__}: {exc}") from exc
        self.open = True
        # Each message and its final "." are two writes (the hand-over is recorded between them). With Nagle's
        # algorithm the small second write waits for the server's delayed ACK of the first: ~40 ms per email
        # on Linux, measured with bench/followers.py. Sending each write at once changes nothing else.
        with contextlib.suppress(OSError, AttributeError):
            self.backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reset(self) -> bool:
        """After a refusal, RSET so that the next message starts a fresh SMTP transaction; False when the
        connection is gone."""
        try:
            code, _reply = self.backend.connection.rset()
        except Exception:  # noqa: BLE001 - a dead connection, whatever its error
            return False
        return code == 250

    def record_hand_over(self, delivery: Delivery) -> None:
        """One committed UPDATE: this message is handed over, the previous one (answered 250) is sent."""
        accepted, self.accepted = self.accepted, None
        # The one write per message, on the hot path of every batch: plain SQL, compiled once (the ORM's
        # CASE expressions cost more CPU than the statement itself; bench/followers.py). `accepted` may be None.
        with connection.cursor() as cursor:
            cursor.execute(
                _HAND_OVER_SQL,
                {"current": delivery.pk, "accepted": accepted, "now": timezone.now(), "lease": self.lease_until},
            )
            updated = cursor.rowcount
        if accepted is not None:
            self.sent += 1
        if updated < (1 if accepted is None else 2):
            # Only if the lease ran out and another worker took a row over (see deliveries_send_now): do not
            # complete a message that is no longer ours.
            raise _ConnectionLost("claim lost before the hand-over")

    def record_accepted(self) -> None:
        accepted, self.accepted = self.accepted, None
        if accepted is not None:
            self.mine([accepted]).update(
                state=Delivery.State.SENT, sent_at=timezone.now(), last_error="", lease_until=None
            )
            self.sent += 1

    def record_failure(self, delivery: Delivery, exc: Exception, *, handed_over: bool) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        state = Delivery.State.FAILED if delivery.attempts >= MAX_ATTEMPTS else Delivery.State.PENDING
        resent = {}
        if handed_over and not isinstance(exc, smtplib.SMTPResponseException):
            # No reply after the complete message: the server may have it. The retry is a possible duplicate.
            resent = {"resends": F("resends") + 1}
        self.mine([delivery.pk]).update(state=state, last_error=error, lease_until=None, handed_over_at=None, **resent)
        if state == Delivery.State.PENDING:
            self.retry.append(delivery.pk)
            self.retry_error = error

    def release(self, deliveries: list[Delivery], *, requeue: bool = False) -> None:
        """Rows of the batch not tried: pending again, their attempt given back (nothing was sent)."""
        if not deliveries:
            return
        pks = [d.pk for d in deliveries]
        self.mine(pks).update(
            state=Delivery.State.PENDING, lease_until=None, handed_over_at=None, attempts=F("attempts") - 1
        )
        if requeue:
            deliveries_queue(delivery_ids=pks)
        else:
            self.retry.extend(pks)


def _connection_usable(exc: Exception) -> bool:
    """Whether the SMTP connection can carry the next message after `exc`: a reply (other than 421, "closing")
    means the server is there and merely refused this message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code != 421 for code, _reply in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code != 421


def _email_message(delivery: Delivery) -> EmailMessage:
    notification = delivery.notification
    to = notification.recipient.email if notification.recipient_id else notification.email
    return EmailMessage(
        subject=notification.subject,
        body=_email_body(notification),
        to=[to],
        headers=_email_headers(notification, delivery),
    )


def _message_bytes(message: EmailMessage) -> bytes:
    """The DATA of `message`: CRLF lines, leading dots doubled, ending with CRLF (the final "." goes apart)."""
    data = re.sub(rb"(?m)^\.", b"..", message.message().as_bytes(linesep="\r\n"))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _smtp_transaction(smtp: smtplib.SMTP, message: EmailMessage, data: bytes, *, hand_over) -> None:
    """One message over an open connection, driven step by step (what `smtplib.SMTP.sendmail` does) so that
    `hand_over` runs between the message's content and its final "."."""
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
    smtp.send(data)
    hand_over()
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


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
        if not notification.recipient_id:  # an email-only follower: the page of all their follows (signed link)
            with translation.override(notification.language):
                label = translation.gettext("Atur semua langganan Anda:")
            body = f"{body}\n{label} {settings.SITE_URL}{follower_manage_path(email=notification.email)}"
    return body
