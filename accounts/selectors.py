"""Reads about users."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .models import User, UserSession


def lead_moderators() -> list[User]:
    """Whom an escalation reaches."""
    return list(User.objects.moderators(leads_only=True))


def user_notification_language(*, user) -> str:
    """The language a person's notifications and emails are written in: their notification setting, else
    their interface language (chosen, or the one they last used)."""
    return user.notification_language or user.language or "id"


@dataclass(frozen=True)
class SessionRow:
    browser: str
    ip: str | None
    created_at: datetime
    last_seen: datetime
    current: bool


# (pattern, name): the first that matches names the browser; Edge and Opera say "Chrome" too, so they come first.
_BROWSERS = [
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
]
_SYSTEMS = [
    (r"Android", "Android"),
    (r"iPhone|iPad|iPod", "iOS"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
]


def user_agent_summary(user_agent: str) -> str:
    """ "Firefox, Windows" from a User-Agent header (a rough guess is enough for "is that me?")."""
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, user_agent or "")), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent or "")), "")
    return ", ".join(part for part in (browser, system) if part)


def user_sessions(*, user, current_key: str | None) -> list[SessionRow]:
    """The person's unexpired sessions, the most recently used first (one query)."""
    rows = UserSession.objects.filter(user=user, session__expire_date__gt=timezone.now()).order_by("-last_seen")
    return [
        SessionRow(
            browser=user_agent_summary(row.user_agent),
            ip=row.ip,
            created_at=row.created_at,
            last_seen=row.last_seen,
            current=row.session_id == current_key,
        )
        for row in rows
    ]
