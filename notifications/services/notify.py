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

from accounts.selectors import user_notification_language

from ..models import KIND_GROUPS, MANDATORY_KINDS, Delivery, Notification, NotificationSetting
from ..selectors import notification_channels
from ..tokens import kind_unsubscribe_path
from .delivery import delivery_queue

Channel = NotificationSetting.Channel


def notification_render(*, kind: str, context: dict, language: str, target_url: str) -> tuple[str, str]:
    """Subject (first line) and body (the rest) of `notifications/kinds/<kind>.txt`, in `language`.

    A date or datetime in `context` reads as "2 Desember 2026 pukul 09.32 WIB" / "2 December 2026, 09:32 WIB".
    Plain text, so HTML autoescaping is off ("&" stays "&" in an email); pages that show a notification escape
    it when they render it, as they do any stored text.
    """
    template = get_template(f"notifications/kinds/{kind}.txt").template
    # Dates in the text: the language's format (rbx_portal/formats) in Jakarta time, wherever this runs.
    with translation.override(language), timezone.override(settings.TIME_ZONE):
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
    """Create one notification per recipient (a user or an email address) and, where it is emailed at once, its
    pending email delivery.

    Runs in the caller's transaction, so the rows exist exactly when the change that caused them does; the
    delivery task is queued only after commit. Duplicate recipients are told once. With `dedupe_key`, a
    recipient who already got a notification with that key is skipped (reminders from scheduled jobs).

    A user gets it in `user_notification_language`, and as their setting for the kind's group says
    (`NotificationSetting`, read for all recipients in one query): in the portal only (no delivery), by email
    at once (with a one-click unsubscribe link for that group), or waiting for their next daily or weekly
    digest (`digest_frequency`; `digests.digests_send` emails it). Mandatory kinds (`MANDATORY_KINDS`) and
    email-only recipients are always emailed at once. `language` is the language of email-only recipients;
    `unsubscribe_url` (a path) is appended to the email and sent as its List-Unsubscribe header (followers).
    """
    created: list[Notification] = []
    seen: set = set()
    language_override = language
    recipients = list(recipients)
    group = None if kind in MANDATORY_KINDS else KIND_GROUPS.get(kind)
    channels = (
        notification_channels(user_ids={r.pk for r in recipients if not isinstance(r, str)}, group=group)
        if group
        else {}
    )
    for recipient in recipients:
        is_user = not isinstance(recipient, str)
        ident = recipient.pk if is_user else recipient.lower()
        if ident in seen or (is_user and not recipient.is_active):
            continue
        seen.add(ident)
        key = recipient_dedupe_key(dedupe_key, is_user=is_user, ident=ident) if dedupe_key else None
        if key and Notification.objects.filter(dedupe_key=key).exists():
            continue
        if is_user:
            language = user_notification_language(user=recipient)
            channel = channels.get(recipient.pk, Channel.IMMEDIATE)
        else:
            language, channel = language_override or settings.LANGUAGE_CODE, Channel.IMMEDIATE
        unsubscribe = unsubscribe_url
        if is_user and group and not unsubscribe:
            unsubscribe = kind_unsubscribe_path(user_id=recipient.pk, group=group)
        subject, body = notification_render(
            kind=kind,
            context={**context, "unsubscribe_url": unsubscribe},
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
            unsubscribe_url=unsubscribe,
            digest_frequency=channel if channel in (Channel.DAILY, Channel.WEEKLY) else "",
        )
        if channel == Channel.IMMEDIATE:
            delivery = Delivery.objects.create(notification=notification, key=f"n{notification.pk}:email")
            delivery_queue(delivery_id=delivery.pk)  # after commit, in one task with the transaction's others
        created.append(notification)
    return created


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed."""
    qs = Notification.objects.for_user(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
