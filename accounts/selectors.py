"""Reads about users."""

from __future__ import annotations

from .models import User


def lead_moderators() -> list[User]:
    """Whom an escalation reaches."""
    return list(User.objects.moderators(leads_only=True))
