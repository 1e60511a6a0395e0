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
import time
from datetime import timedelta
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, QuerySet, When
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

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
       window (RFC 1047). The messages go in `pk` order and a message is handed over only after the previous
       one's outcome (its 250, or a failure recorded on its row): so of the batch's rows still `sending` and
       handed over, every one but the last has its 250. That one small write per message (a single column of
       one row) is all the outbox needs; the accepted rows are marked `sent` together, in one UPDATE, when the
       batch ends or before anything is recorded as failed: never `sent` before the server's 250.
    3. Record each outcome: `sent`; or, for an error before the hand-over or a definite refusal by the server
       (a refused recipient, say), `pending` again with the error, and the batch goes on with the next
       message. A broken connection ends the batch: the message being sent follows the same rules, the ones
       not yet tried go back to `pending` with their attempt given back. Any row left pending raises
       `DeliveryError` at the end, so the task retries with backoff (its retry claims only what is still
       pending); `failed` after MAX_ATTEMPTS.

    A worker killed during 2 leaves the batch's rows `sending`. When their lease has expired (the sweeper
    queues such rows), the next claim first reconciles the batch (`_leases_reconcile`): its handed-over rows
    but the last are marked `sent` (the server answered 250 to each), not sent again. The rows not handed
    over are sent again: the server has nothing of them. The last handed-over row (at most one per batch: the
    message in flight, or the one accepted just before a failure or the kill and not yet marked): the worker
    died between recording the hand-over and recording the outcome, and the server may or may not hold the
    message. A loss is worse than a duplicate, so it is sent again with
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
        _leases_reconcile(delivery_ids, now=now)
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
    UPDATE {Delivery._meta.db_table} SET handed_over_at = %(now)s
    WHERE id = %(current)s AND state = '{Delivery.State.SENDING}' AND lease_until = %(lease)s
"""  # noqa: S608 - the table and the state are constants

# The rows of one lost batch (one lease) that are `sending` and handed over, but the last: each had its 250.
_RECONCILE_SQL = f"""
    UPDATE {Delivery._meta.db_table} SET
        state = '{Delivery.State.SENT}', sent_at = handed_over_at, last_error = '', lease_until = NULL
    WHERE id IN (
        SELECT id FROM {Delivery._meta.db_table}
        WHERE state = '{Delivery.State.SENDING}' AND lease_until = %(lease)s AND handed_over_at IS NOT NULL
          AND id < (
            SELECT max(id) FROM {Delivery._meta.db_table}
            WHERE state = '{Delivery.State.SENDING}' AND lease_until = %(lease)s AND handed_over_at IS NOT NULL
          )
        ORDER BY id FOR UPDATE
    )
"""  # noqa: S608 - the table and the states are constants


def _leases_reconcile(delivery_ids: list[int], *, now) -> int:
    """Mark `sent` what the lost batches of `delivery_ids` had sent (see `deliveries_send_now`), whichever task
    holds their other rows; returns how many. In the claim's transaction: a batch whose lease has expired
    writes nothing any more (every write of a batch is conditional on its lease, which the claim replaces)."""
    leases = (
        Delivery.objects.filter(
            pk__in=delivery_ids, state=Delivery.State.SENDING, lease_until__lte=now, handed_over_at__isnull=False
        )
        .order_by()
        .values_list("lease_until", flat=True)
        .distinct()
    )
    reconciled = 0
    with connection.cursor() as cursor:
        for lease in sorted(leases):
            cursor.execute(_RECONCILE_SQL, {"lease": lease})
            reconciled += cursor.rowcount
    if reconciled:
        logger.warning("%d deliveries of a lost sender had been accepted by the server: marked sent", reconciled)
    return reconciled


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
        self.accepted: list[int] = []  # the messages the server answered 250 to, not yet marked sent
        self.backend = get_connection(fail_silently=False)
        self.smtp = isinstance(self.backend, SMTPBackend)
        self.composer = _Composer()
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
            if not self.smtp:
                # Console, locmem: one step, after the hand-over.
                message = _email_message(delivery)
                hand_over()
                self.backend.send_messages([message])
            else:
                sender, recipients, data = self.composer.compose(delivery)
                if not self.open:
                    self.connect()
                _smtp_transaction(self.backend.connection, sender, recipients, data, hand_over=hand_over)
        except Exception as exc:  # SMTP and socket errors, and anything building the message
            lost = isinstance(exc, _ConnectionLost) or (self.smtp and not _connection_usable(exc))
            self.record_accepted()  # first: the previous messages' 250s came before this error
            self.record_failure(delivery, exc, handed_over=handed_over)
            if lost or (self.smtp and self.open and not self.reset()):
                raise _ConnectionLost from exc
            return
        if self.smtp:
            self.accepted.append(delivery.pk)  # marked sent with the others (record_accepted)
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
        """One committed UPDATE of one column: this message is handed over (the previous one had its outcome)."""
        # The one write per message, on the hot path of every batch: plain SQL, compiled once (the ORM costs
        # more CPU than the statement itself; bench/followers.py).
        with connection.cursor() as cursor:
            cursor.execute(_HAND_OVER_SQL, {"current": delivery.pk, "now": timezone.now(), "lease": self.lease_until})
            updated = cursor.rowcount
        if updated < 1:
            # Only if the lease ran out and another worker took the row over (see deliveries_send_now): do not
            # complete a message that is no longer ours.
            raise _ConnectionLost("claim lost before the hand-over")

    def record_accepted(self) -> None:
        """Mark `sent`, in one UPDATE, the messages the server has answered 250 to since the last call."""
        accepted, self.accepted = self.accepted, []
        if accepted:
            self.sent += self.mine(accepted).update(
                state=Delivery.State.SENT, sent_at=timezone.now(), last_error="", lease_until=None
            )

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


# An address that needs no encoding and no parsing: what `sanitize_address` and `quoteaddr` leave as it is.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what the email package's generator reads as one
_LEADING_DOT = re.compile(r"(?m)^\.")
_HEADER_LIMIT = 998  # octets per line (RFC 5322 2.1.1); a longer body line needs quoted-printable


class _Composer:
    """The SMTP envelope and DATA of each message of one batch, with what the messages share computed once.

    Django's `EmailMessage` costs more CPU per email than the SMTP conversation and the outbox's write together
    (MIME objects, header encoding and folding, address parsing; bench/followers.py). A batch of a fan-out is
    one subject in one or two languages, so the encoded Subject and From lines are built by Django once per
    subject and reused, and what differs per message (To, Date, the delivery's headers, the body with its
    unsubscribe links) is plain ASCII header text and a UTF-8 body, written directly. The result is the message
    Django would build (same headers, same 7bit/8bit body); anything this short path does not cover (a non-UTF-8
    charset, an address or header that needs encoding, a body line too long for 8bit) is built by Django.
    """

    def __init__(self):
        self.encoding = settings.DEFAULT_CHARSET
        self.fast = self.encoding.lower() in {"utf-8", "utf8"}
        self.sender = smtplib.quoteaddr(sanitize_address(settings.DEFAULT_FROM_EMAIL, self.encoding))
        self.heads: dict[str, bytes] = {}  # subject -> its encoded Subject and From lines
        self.labels: dict[tuple[str, str], str] = {}  # (language, text) -> translated
        self.date = (0, "")

    def compose(self, delivery: Delivery) -> tuple[str, list[str], bytes]:
        """(MAIL FROM argument, RCPT TO arguments, DATA without its final ".")."""
        notification = delivery.notification
        to = notification.recipient.email if notification.recipient_id else notification.email
        headers = _email_headers(notification, delivery)
        body = _email_body(notification, labels=self.labels)
        data = self.fast and _PLAIN_ADDRESS.fullmatch(to) and self._data(notification.subject, to, headers, body)
        if not data:
            message = _email_message(delivery)
            return (
                self.sender,
                [smtplib.quoteaddr(sanitize_address(a, self.encoding)) for a in message.recipients()],
                _message_bytes(message),
            )
        return self.sender, [f"<{to}>"], data

    def _data(self, subject: str, to: str, headers: dict[str, str], body: str) -> bytes | None:
        lines = _LINE_BREAK.split(body)
        if any(len(line) * 4 > _HEADER_LIMIT and len(line.encode()) > _HEADER_LIMIT for line in lines):
            return None  # quoted-printable: Django's
        fields = []
        for name, value in headers.items():
            if not value.isascii() or _LINE_BREAK.search(value) or len(name) + len(value) > _HEADER_LIMIT - 3:
                return None
            # Folded as the email package folds a long unbreakable value: on a line of its own.
            fields.append(f"{name}: {value}" if len(name) + len(value) <= 76 else f"{name}:\r\n {value}")
        now = int(time.time())
        if self.date[0] != now:
            self.date = (now, formatdate(now, localtime=settings.EMAIL_USE_LOCALTIME))
        text = _LEADING_DOT.sub("..", "\r\n".join(lines))
        return b"".join(
            (
                b'Content-Type: text/plain; charset="utf-8"\r\nMIME-Version: 1.0\r\n',
                b"Content-Transfer-Encoding: 7bit\r\n" if text.isascii() else b"Content-Transfer-Encoding: 8bit\r\n",
                self._head(subject),
                f"To: {to}\r\nDate: {self.date[1]}\r\n".encode(),
                "".join(f"{field}\r\n" for field in fields).encode(),
                b"\r\n",
                text.encode(),
                b"" if text.endswith("\r\n") else b"\r\n",
            )
        )

    def _head(self, subject: str) -> bytes:
        """The Subject and From lines for `subject`, encoded and folded by Django (once per subject)."""
        head = self.heads.get(subject)
        if head is None:
            message = EmailMessage(subject=subject, body="", headers={"Date": "-", "Message-ID": "-"})
            block = message.message().as_bytes(linesep="\r\n").split(b"\r\n\r\n", 1)[0]
            fields = re.split(rb"\r\n(?![ \t])", block)
            head = self.heads[subject] = b"".join(
                field + b"\r\n" for field in fields if field.lower().startswith((b"subject:", b"from:"))
            )
        return head


def _smtp_transaction(smtp: smtplib.SMTP, sender: str, recipients: list[str], data: bytes, *, hand_over) -> None:
    """One message over an open connection, driven step by step (what `smtplib.SMTP.sendmail` does) so that
    `hand_over` runs between the message's content and its final "."; `sender` and `recipients` are quoted
    (`<address>`).

    A server that offers PIPELINING (RFC 2920; every common MTA does) gets MAIL, RCPT and DATA in one write and
    answers them together: one round trip before the content instead of three. Every reply is read, in order,
    before anything is decided, so the conversation stays in step whatever the server refused.
    """
    smtp.ehlo_or_helo_if_needed()
    if smtp.has_extn("pipelining"):
        commands = [f"MAIL FROM:{sender}", *(f"RCPT TO:{address}" for address in recipients), "DATA"]
        smtp.send("".join(f"{command}\r\n" for command in commands).encode("ascii"))
        replies = [smtp.getreply() for _command in commands]
    else:
        replies = []
        for command in (f"FROM:{sender}", *(f"TO:{address}" for address in recipients)):
            smtp.putcmd("mail" if command.startswith("FROM:") else "rcpt", command)
            replies.append(smtp.getreply())
            if replies[-1][0] not in (250, 251):
                break  # refused: no DATA
        else:
            replies.append(smtp.docmd("data"))
    code, reply = replies[0]
    refused = {
        address.strip("<>"): (rcode, rreply)
        for address, (rcode, rreply) in zip(recipients, replies[1 : 1 + len(recipients)], strict=False)
        if rcode not in (250, 251)
    }
    data_reply = replies[1 + len(recipients)] if len(replies) == len(recipients) + 2 else None
    if data_reply and data_reply[0] == 354 and (code != 250 or refused):
        # A pipelining server that took DATA although it refused the sender or a recipient: end the message at
        # once, empty (nobody valid to deliver it to), and read that reply too.
        smtp.send(b".\r\n")
        smtp.getreply()
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = data_reply
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


def _email_body(notification: Notification, *, labels: dict | None = None) -> str:
    """The notification's text with its link and, where it has them, its unsubscribe links. `labels` keeps the
    translated labels across the messages of a batch."""
    labels = {} if labels is None else labels

    def label(text: str) -> str:
        if (notification.language, text) not in labels:
            with translation.override(notification.language):
                labels[notification.language, text] = translation.gettext(text)
        return labels[notification.language, text]

    body = notification.body
    if notification.target_url:
        body = f"{body}\n\n{settings.SITE_URL}{notification.target_url}"
    if notification.unsubscribe_url:
        body = f"{body}\n\n-- \n{label(_UNSUBSCRIBE)} {settings.SITE_URL}{notification.unsubscribe_url}"
        if not notification.recipient_id:  # an email-only follower: the page of all their follows (signed link)
            body = f"{body}\n{label(_MANAGE)} {settings.SITE_URL}{follower_manage_path(email=notification.email)}"
    return body


_UNSUBSCRIBE = gettext_noop("Berhenti berlangganan (tanpa login):")
_MANAGE = gettext_noop("Atur semua langganan Anda:")
