"""Notifications: `notify` writes them in the caller's transaction, rendered once per recipient's language.

The rendering and the per-recipient dedupe key are shared with the follower fan-out (`fanout.py`), which writes
the same rows in bulk; the email deliveries they create are sent by `delivery.py`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from ..models import Delivery, Notification
from .delivery import delivery_queue


def notification_render(*, kind: str, context: dict, language: str, target_url: str) -> tuple[str, str]:
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


def recipient_dedupe_key(dedupe_key: str, *, is_user: bool, ident) -> str:
    """The per-recipient dedupe key: `<dedupe_key>:u:<user id>` or `<dedupe_key>:e:<email>`.

    An email address may be longer than the column leaves room for; its SHA-256 stands in for it then (still
    one key per address, and the same on every run).
    """
    key = f"{dedupe_key}:{'u' if is_user else 'e'}:{ident}"
    if len(key) > Notification._meta.get_field("dedupe_key").max_length:
        key = f"{dedupe_key}:e#{hashlib.sha256(str(ident).encode()).hexdigest()}"
    return key


def stored_path(name: str, *args) -> str:
    """A path without a language prefix (the Indonesian URL), stored in notifications and emails."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


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
        key = recipient_dedupe_key(dedupe_key, is_user=is_user, ident=ident) if dedupe_key else None
        if key and Notification.objects.filter(dedupe_key=key).exists():
            continue
        language = recipient.language if is_user else (language_override or settings.LANGUAGE_CODE)
        subject, body = notification_render(
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


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed."""
    qs = Notification.objects.for_user(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
