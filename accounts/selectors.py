"""Reads about users."""

from __future__ import annotations

from .models import User


def lead_moderators() -> list[User]:
    """Whom an escalation reaches."""
    return list(User.objects.moderators(leads_only=True))


def user_notification_language(*, user) -> str:
    """The language a person's notifications and emails are written in: their notification setting, else
    their interface language (chosen, or the one they last used)."""
    return user.notification_language or user.language or "id"
