"""Notifications and their outbox: `notify` writes rows in the caller's transaction; tasks deliver them."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import smtplib
import socket
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from .models import Delivery, Notification, PublishFanOut

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _render(*, kind: str, context: dict, language: str, target_url: str) -> tuple[str, str]:
    """Subject (first line) and body (the rest) of `notifications/kinds/<kind>.txt`, in `language`.

    Plain text, so HTML autoescaping is off ("&" stays "&" in an email); pages that show a notification escape
    it when they render it, as they do any stored text.
    """
    template = get_template(f"notifications/kinds/{kind}.txt").template
    with translation.override(language):
        text = template.render(
            Context({**context, "target_url": target_url, "site_url": settings.SITE_URL}, autoescape=False)
        ).strip()
    subject, _, body = text.partition("\n")
    return subject.strip()[:255], body.strip()


@transaction.atomic
def notify(
    *,
    recipients: Iterable,
    kind: str,
    context: dict,
    target_url: str = "",
    dedupe_key: str = "",
    language: str = "",
    unsubscribe_url: str = "",
) -> list[Notification]:
    """Create one notification and one pending email delivery per recipient (a user or an email address).

    Runs in the caller's transaction, so the rows exist exactly when the change that caused them does; the
    delivery task is queued only after commit. Duplicate recipients are told once. With `dedupe_key`, a
    recipient who already got a notification with that key is skipped (reminders from scheduled jobs).
    `language` is the language of email-only recipients (users have their own); `unsubscribe_url` (a path) is
    appended to the email and sent as its List-Unsubscribe header (followers' emails).
    """
    created: list[Notification] = []
    seen: set = set()
    language_override = language
    for recipient in recipients:
        is_user = not isinstance(recipient, str)
        ident = recipient.pk if is_user else recipient.lower()
        if ident in seen or (is_user and not recipient.is_active):
            continue
        seen.add(ident)
        key = _recipient_key(dedupe_key, is_user=is_user, ident=ident) if dedupe_key else None
        if key and Notification.objects.filter(dedupe_key=key).exists():
            continue
        language = recipient.language if is_user else (language_override or settings.LANGUAGE_CODE)
        subject, body = _render(
            kind=kind,
            context={**context, "unsubscribe_url": unsubscribe_url},
            language=language,
            target_url=target_url,
        )
        notification = Notification.objects.create(
            recipient=recipient if is_user else None,
            email="" if is_user else recipient,
            kind=kind,
            language=language,
            subject=subject,
            body=body,
            target_url=target_url,
            dedupe_key=key,
            unsubscribe_url=unsubscribe_url,
        )
        delivery = Delivery.objects.create(notification=notification, key=f"n{notification.pk}:email")
        transaction.on_commit(lambda pk=delivery.pk: delivery_queue(delivery_id=pk))
        created.append(notification)
    return created


def _recipient_key(dedupe_key: str, *, is_user: bool, ident) -> str:
    """The per-recipient dedupe key: `<dedupe_key>:u:<user id>` or `<dedupe_key>:e:<email>`.

    An email address may be longer than the column leaves room for; its SHA-256 stands in for it then (still
    one key per address, and the same on every run).
    """
    key = f"{dedupe_key}:{'u' if is_user else 'e'}:{ident}"
    if len(key) > Notification._meta.get_field("dedupe_key").max_length:
        key = f"{dedupe_key}:e#{hashlib.sha256(str(ident).encode()).hexdigest()}"
    return key


def delivery_queue(*, delivery_id: int) -> bool:
    """Hand a delivery to the broker. A broker that is down is logged, not raised: the row stays pending and
    `deliveries_requeue` queues it again later, so the request that caused it still succeeds."""
    return deliveries_queue(delivery_ids=[delivery_id]) == 1


def deliveries_queue(*, delivery_ids: list[int]) -> int:
    """Hand deliveries to the broker and mark them queued (one UPDATE); returns how many were queued.

    Stops at the first refusal: a broker that is down would make each further attempt wait for its connection
    timeout. The rest stay pending, unqueued, for `deliveries_requeue`.
    """
    from .tasks import delivery_send

    queued: list[int] = []
    for delivery_id in delivery_ids:
        try:
            # retry=False: do not hold a web request while kombu retries; the sweeper is the retry.
            delivery_send.apply_async((delivery_id,), retry=False)
        except Exception:  # the broker's errors vary by transport (OperationalError, socket errors, ...)
            logger.warning(
                "could not queue delivery %s (%d more not tried); the sweeper will retry",
                delivery_id,
                len(delivery_ids) - len(queued) - 1,
                exc_info=True,
            )
            break
        queued.append(delivery_id)
    if queued:
        Delivery.objects.filter(pk__in=queued).update(queued_at=timezone.now())
    return len(queued)


class DeliveryError(Exception):
    pass


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
    rows), the next run reconciles: not handed over → the server has nothing, send it again; handed over →
    mark it `uncertain` and do not send again (a duplicate is likelier than a loss: a server that has read the
    final "." has normally accepted the message). Uncertain rows are listed in the admin for a person to check.
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
                delivery.state = Delivery.State.UNCERTAIN
                delivery.last_error = "worker lost after the message was handed to the SMTP server; not resent"
                delivery.save(update_fields=["state", "last_error"])
                logger.warning("delivery %s: sender lost after hand-over, marked uncertain", delivery.pk)
                return False
        elif delivery.state != Delivery.State.PENDING:
            return False
        delivery.state = Delivery.State.SENDING
        delivery.lease_until = now + _lease()
        delivery.handed_over_at = None
        delivery.attempts += 1
        delivery.save(update_fields=["state", "lease_until", "handed_over_at", "attempts"])
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
        if handed_over and not isinstance(exc, smtplib.SMTPResponseException):
            # No reply after the complete message: the server may have it. Do not send it twice.
            sending.update(state=Delivery.State.UNCERTAIN, last_error=error, lease_until=None)
            return False
        state = Delivery.State.FAILED if delivery.attempts >= MAX_ATTEMPTS else Delivery.State.PENDING
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
    from django.core.mail import get_connection
    from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
    from django.core.mail.message import sanitize_address

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


def _email_headers(notification: Notification, delivery: Delivery) -> dict[str, str]:
    headers = {"X-RBX-Delivery": delivery.key}
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


def deliveries_requeue(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue again every delivery still pending after `older_than` (broker or worker was down), and every one
    left `sending` by a worker that died (lease expired; `delivery_send_now` reconciles it)."""
    now = timezone.now()
    cutoff = now - older_than
    stale_pending = Q(state=Delivery.State.PENDING, created_at__lt=cutoff) & ~Q(queued_at__gte=cutoff)
    lost_sender = Q(state=Delivery.State.SENDING, lease_until__lt=now)
    # A publish to thousands of followers during a broker outage leaves thousands pending: queueing costs well
    # under a millisecond each (one UPDATE for all), so one run takes up to 5,000.
    ids = list(Delivery.objects.filter(stale_pending | lost_sender).values_list("pk", flat=True)[:5000])
    return deliveries_queue(delivery_ids=ids)


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed."""
    qs = Notification.objects.for_user(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


# Follows: themes, provinces and agencies ------------------------------------------------------------------

FREQUENCY_RANK = {"immediate": 0, "daily": 1, "weekly": 2}


def _token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _path(name: str, *args) -> str:
    """A path without a language prefix (the Indonesian URL), stored in notifications and emails."""
    from django.urls import reverse

    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


def follow_target_get(*, kind: str, target_id: int):
    """The theme, province (a province-level region) or active agency to follow; ValidationError otherwise."""
    from django.core.exceptions import ValidationError

    from agencies.models import Agency, Region
    from practices.models import Theme

    from .models import Follow

    querysets = {
        Follow.Kind.THEME: Theme.objects.all(),
        Follow.Kind.PROVINCE: Region.objects.filter(level=Region.Level.PROVINCE),
        Follow.Kind.AGENCY: Agency.objects.active(),
    }
    target = querysets[kind].filter(pk=target_id).first() if kind in querysets else None
    if target is None:
        raise ValidationError(translation.gettext("Yang ingin diikuti tidak ditemukan."), code="target")
    return target


@transaction.atomic
def follow_set(*, user, kind: str, target, frequency: str):
    """A logged-in user follows a target (or changes the frequency of an existing follow). Active at once."""
    from .models import Follow

    follow, created = Follow.objects.get_or_create(
        user=user,
        email="",
        kind=kind,
        **{kind: target},
        defaults={"frequency": frequency, "token": _token(), "confirmed_at": timezone.now()},
    )
    if not created and follow.frequency != frequency:
        follow.frequency = frequency
        follow.save(update_fields=["frequency"])
    return follow


@transaction.atomic
def follow_request_by_email(*, email: str, kind: str, target, frequency: str, language: str):
    """A member of the public asks to follow by email: an unconfirmed follow and a confirmation email.

    Nothing is sent to the address until its owner clicks the link (double opt-in). Asking again for an
    unconfirmed follow sends a new link; for a confirmed one only the frequency changes, and no email goes out
    (the page says the same either way, so it does not reveal who follows what).
    """
    from .models import Follow

    email = email.strip().lower()
    follow = Follow.objects.select_for_update().filter(user=None, email=email, kind=kind, **{kind: target}).first()
    if follow is None:
        follow = Follow.objects.create(
            email=email, kind=kind, frequency=frequency, language=language, token=_token(), **{kind: target}
        )
    elif follow.is_confirmed:
        Follow.objects.filter(pk=follow.pk).update(frequency=frequency, language=language)
        return follow
    else:
        follow.frequency, follow.language, follow.token = frequency, language, _token()
        follow.save(update_fields=["frequency", "language", "token"])
    notify(
        recipients=[email],
        kind="follow_confirm",
        context={"target": str(target), "frequency": follow.get_frequency_display()},
        target_url=_path("notifications:follow_confirm", follow.token),
        language=language,
    )
    return follow


@transaction.atomic
def follow_confirm(*, token: str):
    """Activate an email follow from the link in its confirmation email; None for an unknown token."""
    from .models import Follow

    follow = Follow.objects.select_for_update().filter(token=token).first()
    if follow is not None and follow.confirmed_at is None:
        follow.confirmed_at = timezone.now()
        follow.save(update_fields=["confirmed_at"])
    return follow


@transaction.atomic
def follow_unsubscribe(*, token: str, everything: bool = False) -> int:
    """Stop the follow with this token (or every follow of the same person): frequency off. Needs no login.

    The row stays (off), so following again later keeps the same unsubscribe links valid. Returns how many
    follows were switched off (0 for an unknown token).
    """
    from .models import Follow

    follow = Follow.objects.filter(token=token).first()
    if follow is None:
        return 0
    qs = Follow.objects.filter(pk=follow.pk)
    if everything:
        qs = Follow.objects.filter(user=follow.user) if follow.user_id else Follow.objects.filter(email=follow.email)
    return qs.exclude(frequency=Follow.Frequency.OFF).update(frequency=Follow.Frequency.OFF)


@transaction.atomic
def follow_update(*, user, follow_id: int, frequency: str | None = None, delete: bool = False) -> int:
    """Change the frequency of (or delete) one of the user's own follows; 0 when it is not theirs."""
    from .models import Follow

    qs = Follow.objects.filter(user=user, pk=follow_id)
    if delete:
        return qs.delete()[0]
    return qs.update(frequency=frequency)


def _practice_follows(practice):
    """Active follows of the practice's themes, its agency and its agency's province."""
    from .models import Follow

    agency = practice.agency
    region = agency.region
    province_id = None
    if region is not None:
        province_id = region.pk if region.province_id is None else region.province_id
    condition = Q(theme_id__in=list(practice.themes.values_list("pk", flat=True))) | Q(agency_id=agency.pk)
    if province_id:
        condition |= Q(province_id=province_id)
    return Follow.objects.active().filter(condition)


def _practice_followers(practice) -> list[int]:
    """The follow that decides how each person hears of `practice`, one per person (a user, or an email
    address): the most frequent of their active follows (the first by kind and id among equals), inactive users
    left out. Chosen in the database with DISTINCT ON, so the task holds one id per person, ordered by person.
    """
    rank = Case(*(When(frequency=f, then=Value(r)) for f, r in FREQUENCY_RANK.items()), default=Value(9))
    return list(
        _practice_follows(practice)
        .filter(Q(user__isnull=True) | Q(user__is_active=True))
        .order_by("user_id", "email", rank, "kind", "id")
        .distinct("user_id", "email")
        .values_list("pk", flat=True)
    )


FANOUT_BATCH_SIZE = 1000


@transaction.atomic
def publish_fanout_create(*, practice, revision) -> PublishFanOut:
    """Record, in the publish transaction, that the followers of `practice` are to be told; queue it after commit.

    This row is all the moderator's request writes for the followers, however many they are: the worker does
    the rest (`publish_fanout_run`). If the broker is down the row stays pending and `publish_fanouts_requeue`
    queues it later; it is unique per published revision.
    """
    fanout, _created = PublishFanOut.objects.get_or_create(revision=revision, defaults={"practice": practice})
    transaction.on_commit(lambda: publish_fanout_queue(fanout_id=fanout.pk))
    return fanout


def publish_fanout_queue(*, fanout_id: int) -> bool:
    """Hand a fan-out to the broker; a broker that is down is logged, not raised (the sweeper retries)."""
    from .tasks import publish_fanout_send

    try:
        publish_fanout_send.apply_async((fanout_id,), retry=False)
    except Exception:  # the broker's errors vary by transport
        logger.warning("could not queue follower fan-out %s; the sweeper will retry", fanout_id, exc_info=True)
        return False
    PublishFanOut.objects.filter(pk=fanout_id).update(queued_at=timezone.now())
    return True


def publish_fanouts_requeue(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue again every fan-out still pending after `older_than` that was neither queued nor advanced by a
    batch in that time (the broker was down at publish time, or the worker died during the fan-out)."""
    cutoff = timezone.now() - older_than
    ids = (
        PublishFanOut.objects.filter(state=PublishFanOut.State.PENDING, created_at__lt=cutoff)
        .exclude(queued_at__gte=cutoff)
        .exclude(worked_at__gte=cutoff)
        .values_list("pk", flat=True)[:100]
    )
    queued = 0
    for fanout_id in ids:
        if not publish_fanout_queue(fanout_id=fanout_id):
            break  # the broker is still down: each further try would wait for its timeout
        queued += 1
    return queued


def publish_fanout_run(*, fanout_id: int, batch_size: int = FANOUT_BATCH_SIZE) -> dict[str, int] | None:
    """The worker's side of `publish_fanout_create`: tell the followers, then mark the row done.

    Returns this run's counts, or None for an unknown or finished row. Harmless when run twice, concurrently or
    after a crash part-way (see `follows_notify_published`). A practice withdrawn before the task ran is
    announced to nobody.
    """
    from practices.models import Practice

    fanout = PublishFanOut.objects.select_related("practice__agency__region").filter(pk=fanout_id).first()
    if fanout is None or fanout.state == PublishFanOut.State.DONE:
        return None
    counts = {"immediate": 0, "digest": 0}
    if fanout.practice.status == Practice.Status.PUBLISHED:
        counts = follows_notify_published(practice=fanout.practice, fanout=fanout, batch_size=batch_size)
    PublishFanOut.objects.filter(pk=fanout.pk, state=PublishFanOut.State.PENDING).update(
        state=PublishFanOut.State.DONE, done_at=timezone.now()
    )
    return counts


def follows_notify_published(
    *, practice, fanout: PublishFanOut | None = None, batch_size: int = FANOUT_BATCH_SIZE
) -> dict[str, int]:
    """Tell the followers of a newly published practice's themes, province and agency, once per person.

    A person reached through several follows gets one message, at the most frequent of their frequencies:
    immediately (a notification and its email delivery, dedupe key `follow-pub:p<practice>` per person, so a
    republished practice tells nobody twice), or an entry in their next daily or weekly digest (unique per
    person and practice). Returns how many of each this call wrote.

    Runs in a worker (`publish_fanout_run`), not in the publish transaction: `batch_size` people per
    transaction, written with `bulk_create`; rows that the unique constraints refuse (people already told by an
    earlier or concurrent run) are skipped by the database, so a run resumed after a crash picks up where the
    committed batches end. Each batch's emails are queued after that batch commits; `fanout`'s counters are
    updated in the same transaction as the rows they count.
    """
    follow_ids = _practice_followers(practice)
    counts = {"immediate": 0, "digest": 0}
    rendered: dict[tuple, tuple[str, str]] = {}
    for start in range(0, len(follow_ids), batch_size):
        with transaction.atomic():
            told, entered = _fanout_batch(
                practice=practice, follow_ids=follow_ids[start : start + batch_size], rendered=rendered
            )
            if fanout is not None:
                PublishFanOut.objects.filter(pk=fanout.pk).update(
                    notified=F("notified") + told, digested=F("digested") + entered, worked_at=timezone.now()
                )
        counts["immediate"] += told
        counts["digest"] += entered
    return counts


def _fanout_batch(*, practice, follow_ids: list[int], rendered: dict) -> tuple[int, int]:
    """Write one batch of `follows_notify_published` (the caller holds the transaction); returns (told, entered).

    The message is rendered once per language and followed target (`rendered` is kept across batches): nothing
    in it differs between the people who share those; the unsubscribe link, which does, is stored per person
    and added to the email when it is sent (`_email_body`, `_email_headers`).
    """
    from django.urls import reverse

    from .models import DigestEntry, Follow

    # active() again: someone may have unsubscribed since the people were chosen (a fan-out takes seconds).
    follows = list(
        Follow.objects.active().filter(pk__in=follow_ids).select_related("user", "theme", "province", "agency")
    )
    immediate = [f for f in follows if f.frequency == Follow.Frequency.IMMEDIATE]
    later = [f for f in follows if f.frequency != Follow.Frequency.IMMEDIATE]
    with translation.override(settings.LANGUAGE_CODE):  # stored paths carry no language prefix (see _path)
        target_url = reverse("practices:detail", args=[practice.slug])
        unsubscribe = {f.pk: reverse("notifications:unsubscribe", args=[f.token]) for f in immediate}
    dedupe_key = f"follow-pub:p{practice.pk}"
    notifications = []
    for follow in immediate:
        language = follow.user.language if follow.user_id else follow.language
        target = follow.target
        if (language, follow.kind, target.pk) not in rendered:
            rendered[language, follow.kind, target.pk] = _render(
                kind="follow_published",
                context={"title": practice.title, "agency": practice.agency.name, "followed": str(target)},
                language=language,
                target_url=target_url,
            )
        subject, body = rendered[language, follow.kind, target.pk]
        notifications.append(
            Notification(
                recipient=follow.user,
                email=follow.email,
                kind="follow_published",
                language=language,
                subject=subject,
                body=body,
                target_url=target_url,
                dedupe_key=_recipient_key(
                    dedupe_key, is_user=bool(follow.user_id), ident=follow.user_id or follow.email
                ),
                unsubscribe_url=unsubscribe[follow.pk],
            )
        )
    told = 0
    if notifications:
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        # The rows the constraint refused belong to people told before, whose delivery exists (it is written in
        # the same transaction as its notification); the new rows are the ones without one.
        new = Notification.objects.filter(
            dedupe_key__in=[n.dedupe_key for n in notifications], deliveries__isnull=True
        ).values_list("pk", flat=True)
        deliveries = Delivery.objects.bulk_create([Delivery(notification_id=pk, key=f"n{pk}:email") for pk in new])
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: deliveries_queue(delivery_ids=ids))
        told = len(ids)
    entered = 0
    if later:
        # The unique constraint keeps the entries single; this read only makes the count exact.
        existing = set(
            DigestEntry.objects.filter(practice=practice)
            .filter(
                Q(user_id__in=[f.user_id for f in later if f.user_id])
                | Q(email__in=[f.email for f in later if not f.user_id])
            )
            .values_list("user_id", "email")
        )
        entries = [
            DigestEntry(user_id=f.user_id, email=f.email, practice=practice, follow=f)
            for f in later
            if (f.user_id, f.email) not in existing
        ]
        DigestEntry.objects.bulk_create(entries, ignore_conflicts=True)
        entered = len(entries)
    return told, entered


def digest_period(*, frequency: str, now=None) -> str:
    """The period a digest run belongs to, in local time: `2026-03-05` (daily) or `2026-W10` (weekly)."""
    day = timezone.localdate(now or timezone.now())
    if frequency == "daily":
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digests_send(*, frequency: str) -> int:
    """Send each follower with waiting entries one digest of them for the current period; returns how many.

    Exactly once per follower and period: the digest is a notification with the dedupe key
    `digest:<frequency>:<period>` for that person, and its entries are marked in the same transaction, so a
    job that runs twice (or on two beat nodes) sends nothing the second time; entries that arrive after a
    person's digest of this period wait for the next one. Each digest is in the follower's language.
    """
    from practices.models import Practice

    from .models import DigestEntry

    period = digest_period(frequency=frequency)
    waiting = (
        DigestEntry.objects.filter(
            notification__isnull=True,
            follow__frequency=frequency,
            follow__confirmed_at__isnull=False,
            practice__status=Practice.Status.PUBLISHED,
        )
        .select_related("user", "follow", "practice__agency")
        .order_by("created_at", "id")
    )
    people: dict[tuple, list] = {}
    for entry in waiting:
        person = ("u", entry.user_id) if entry.user_id else ("e", entry.email)
        people.setdefault(person, []).append(entry)
    sent = 0
    for entries in people.values():
        first = entries[0]
        with transaction.atomic():
            ids = list(
                DigestEntry.objects.select_for_update(skip_locked=True)
                .filter(pk__in=[e.pk for e in entries], notification__isnull=True)
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            items = [e for e in entries if e.pk in ids]
            created = notify(
                recipients=[first.user or first.email],
                kind=f"digest_{frequency}",
                context={
                    "period": period,
                    "items": [
                        {
                            "title": e.practice.title,
                            "agency": e.practice.agency.name,
                            "url": _path("practices:detail", e.practice.slug),
                        }
                        for e in items
                    ],
                },
                dedupe_key=f"digest:{frequency}:{period}",
                language=first.follow.language,
                unsubscribe_url=_path("notifications:unsubscribe", first.follow.token) + "?semua=1",
            )
            if created:
                DigestEntry.objects.filter(pk__in=ids).update(notification=created[0])
                sent += 1
    return sent
