"""Notifications and their outbox: `notify` writes rows in the caller's transaction; tasks deliver them."""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from .models import Delivery, Notification

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
        key = f"{dedupe_key}:{'u' if is_user else 'e'}:{ident}" if dedupe_key else None
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
    from django.db.models import Q

    now = timezone.now()
    cutoff = now - older_than
    stale_pending = Q(state=Delivery.State.PENDING, created_at__lt=cutoff) & ~Q(queued_at__gte=cutoff)
    lost_sender = Q(state=Delivery.State.SENDING, lease_until__lt=now)
    ids = list(Delivery.objects.filter(stale_pending | lost_sender).values_list("pk", flat=True)[:500])
    return sum(delivery_queue(delivery_id=pk) for pk in ids)


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
    from django.db.models import Q

    from .models import Follow

    agency = practice.agency
    region = agency.region
    province_id = None
    if region is not None:
        province_id = region.pk if region.province_id is None else region.province_id
    condition = Q(theme_id__in=list(practice.themes.values_list("pk", flat=True))) | Q(agency_id=agency.pk)
    if province_id:
        condition |= Q(province_id=province_id)
    return Follow.objects.active().filter(condition).select_related("user", "theme", "province", "agency")


def follows_notify_published(*, practice) -> dict[str, int]:
    """Tell the followers of a newly published practice's themes, province and agency, once per person.

    A person reached through several follows gets one message, at the most frequent of their frequencies:
    immediately (an email now, deduplicated per practice), or an entry in their next daily or weekly digest.
    Runs in the caller's transaction (the publish), like `notify`.
    """
    from .models import DigestEntry

    chosen: dict[tuple, object] = {}
    for follow in _practice_follows(practice):
        if follow.user_id and not follow.user.is_active:
            continue
        person = ("u", follow.user_id) if follow.user_id else ("e", follow.email)
        best = chosen.get(person)
        if best is None or FREQUENCY_RANK[follow.frequency] < FREQUENCY_RANK[best.frequency]:
            chosen[person] = follow
    counts = {"immediate": 0, "digest": 0}
    target_url = _path("practices:detail", practice.slug)
    for follow in chosen.values():
        if follow.frequency == "immediate":
            counts["immediate"] += bool(
                notify(
                    recipients=[follow.user or follow.email],
                    kind="follow_published",
                    context={"title": practice.title, "agency": practice.agency.name, "followed": str(follow.target)},
                    target_url=target_url,
                    dedupe_key=f"follow-pub:p{practice.pk}",
                    language=follow.language,
                    unsubscribe_url=_path("notifications:unsubscribe", follow.token),
                )
            )
        else:
            _entry, created = DigestEntry.objects.get_or_create(
                user=follow.user, email=follow.email, practice=practice, defaults={"follow": follow}
            )
            counts["digest"] += created
    return counts


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
