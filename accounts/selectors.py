"""Reads about users."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import User


def moderators(*, leads_only: bool = False) -> QuerySet[User]:
    """Active ministry moderators (lead moderators included), or only the leads."""
    roles = [User.MinistryRole.LEAD] if leads_only else [User.MinistryRole.MODERATOR, User.MinistryRole.LEAD]
    return User.objects.filter(is_active=True, ministry_role__in=roles)


def lead_moderators() -> list[User]:
    """Whom an escalation reaches."""
    return list(moderators(leads_only=True))
