"""Which sessions a person is signed in with (`UserSession`), and ending them."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import Action, audit_record
from common.clientip import client_ip

from ..models import UserSession

# How often a session's "last seen" is written while it is used: not on every request.
LAST_SEEN_EVERY = timedelta(minutes=5)


def user_session_touch(*, user, request) -> bool:
    """Record (or refresh) the request's session in the person's list; True when a row was written.

    Called at sign-in and then at most every LAST_SEEN_EVERY by the middleware. The session may have been
    ended by another request in the meantime (sign out everywhere): then there is no session row for the
    foreign key, and nothing is written.
    """
    key = request.session.session_key
    if not key:
        return False
    values = {
        "user": user,
        "last_seen": timezone.now(),
        "ip": client_ip(request) or None,
        "user_agent": (request.META.get("HTTP_USER_AGENT") or "")[:200],
    }
    try:
        with transaction.atomic():
            UserSession.objects.update_or_create(session_id=key, defaults=values)
    except IntegrityError:  # the session row is gone already
        return False
    return True


@transaction.atomic
def sessions_end(*, user, keep_session_key: str | None, request=None, reason: str = "user") -> int:
    """End every session of `user` except `keep_session_key` (None: all). Deleting Django's session rows
    signs those browsers out at their next request; their `UserSession` rows go by cascade. Audited.

    Sessions made before the person's first sign-in was recorded (none since this table exists) would not
    be listed; Django's session auth hash still ends those after a password change.
    """
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_id=keep_session_key or "")
        .values_list("session_id", flat=True)
    )
    Session.objects.filter(session_key__in=keys).delete()
    audit_record(
        actor=user,
        action=Action.SESSIONS_ENDED,
        target=user,
        data={"reason": reason, "ended": len(keys), "kept_current": bool(keep_session_key)},
        request=request,
    )
    return len(keys)
