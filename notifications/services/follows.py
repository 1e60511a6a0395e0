"""Follows: a user or an email address follows a theme, a province or an agency (double opt-in by email)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from agencies.models import Agency, Region

from ..models import Follow
from .notify import notify, stored_path


def _token() -> str:
    return secrets.token_urlsafe(32)


def follow_target_get(*, kind: str, target_id: int):
    """The theme, province (a province-level region) or active agency to follow; ValidationError otherwise.

    A theme is whatever the follow's `theme` foreign key points to: notifications import nothing of the app
    that defines themes (the layers in README), the model relation names it once.
    """
    theme_model = Follow._meta.get_field("theme").related_model
    querysets = {
        Follow.Kind.THEME: theme_model._default_manager.all(),
        Follow.Kind.PROVINCE: Region.objects.filter(level=Region.Level.PROVINCE),
        Follow.Kind.AGENCY: Agency.objects.active(),
    }
    target = querysets[kind].filter(pk=target_id).first() if kind in querysets else None
    if target is None:
        raise ValidationError(translation.gettext("Yang ingin diikuti tidak ditemukan."), code="target")
    return target


@transaction.atomic
def follow_set(*, user, kind: str, target, frequency: str) -> Follow:
    """A logged-in user follows a target (or changes the frequency of an existing follow). Active at once."""
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
def follow_request_by_email(*, email: str, kind: str, target, frequency: str, language: str) -> Follow:
    """A member of the public asks to follow by email: an unconfirmed follow and a confirmation email.

    Nothing is sent to the address until its owner clicks the link (double opt-in). Asking again for an
    unconfirmed follow sends a new link; for a confirmed one only the frequency changes, and no email goes out
    (the page says the same either way, so it does not reveal who follows what).
    """
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
        target_url=stored_path("notifications:follow_confirm", follow.token),
        language=language,
    )
    return follow


@transaction.atomic
def follow_confirm(*, token: str) -> Follow | None:
    """Activate an email follow from the link in its confirmation email; None for an unknown token."""
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
    qs = Follow.objects.filter(user=user, pk=follow_id)
    if delete:
        return qs.delete()[0]
    return qs.update(frequency=frequency)


@transaction.atomic
def follower_follow_update(*, email: str, follow_id: int, frequency: str = "", stop: bool = False) -> int:
    """An email-only follower changes the frequency of (or stops: off) one of their follows, from the page
    reached by the signed link in their emails; 0 when it is not theirs. The row stays, so the links keep
    working and following again is one step."""
    frequency = Follow.Frequency.OFF if stop else frequency
    if frequency not in Follow.Frequency.values:
        raise ValueError(f"unknown frequency {frequency!r}")
    return Follow.objects.filter(user=None, email=email, pk=follow_id).update(frequency=frequency)


@transaction.atomic
def follower_follows_stop(*, email: str) -> int:
    """An email-only follower stops every follow of theirs (all off); returns how many were on."""
    return (
        Follow.objects.filter(user=None, email=email)
        .exclude(frequency=Follow.Frequency.OFF)
        .update(frequency=Follow.Frequency.OFF)
    )
