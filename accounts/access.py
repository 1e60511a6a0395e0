"""Who must do what with their own account: the accounts app's one access rule, on the ministry role of
`User` (the ministry half of the roles primitive; `agencies.roles` adds the agency half)."""

from __future__ import annotations

from django.conf import settings


def user_must_use_2fa(*, user) -> bool:
    """Moderators and lead moderators must have a confirmed device (unless switched off for a test run)."""
    return bool(getattr(settings, "ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS", True)) and user.is_moderator
