"""Writing the audit log. Other apps call `audit_record` from their services; nothing else writes AuditEvent."""

from __future__ import annotations

from typing import Any

from django.db import models

from common.clientip import client_ip as request_client_ip

from .models import AuditEvent


class Action:
    """The action names written by this app. Other apps use their own dotted names (`practice.submitted`)."""

    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED_OUT = "login.locked_out"
    LOGOUT = "logout"
    ACCESS_DENIED = "access.denied"
    ACCESS_NOT_FOUND = "access.not_found"
    OTP_DEVICE_CONFIRMED = "otp.device_confirmed"
    OTP_VERIFIED = "otp.verified"
    OTP_FAILED = "otp.failed"
    # Issue #16, accounts: recovery codes, a lead's 2FA reset, passwords, sessions, the account page.
    RECOVERY_CODES_GENERATED = "otp.recovery_codes_generated"
    RECOVERY_CODE_USED = "otp.recovery_code_used"
    OTP_RESET = "otp.reset"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"  # noqa: S105 - an action name
    PASSWORD_RESET_SENT = "password.reset_sent"  # noqa: S105 - an action name
    PASSWORD_RESET_COMPLETED = "password.reset_completed"  # noqa: S105 - an action name
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 - an action name
    SESSIONS_ENDED = "sessions.ended"
    PROFILE_UPDATED = "account.updated"
    # Invitations and memberships (agencies/services/invitations.py, memberships.py).
    INVITATION_CREATED = "invitation.created"
    INVITATION_RESENT = "invitation.resent"
    INVITATION_REVOKED = "invitation.revoked"
    INVITATION_ACCEPTED = "invitation.accepted"
    MEMBERSHIP_ENDED = "membership.ended"


def client_ip(request) -> str | None:
    """The client's address (common.clientip: REMOTE_ADDR, or behind trusted proxies their X-Forwarded-For)."""
    if request is None:
        return None
    return request_client_ip(request) or None


def audit_record(
    *,
    actor=None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request=None,
) -> AuditEvent:
    """Insert one audit event and return it.

    - `actor`: the user who acted (None or an anonymous user for the public and failed logins);
    - `target`: any model instance; stored as its `app_label.model` and primary key, so the row survives the
      target's deletion;
    - `data`: JSON-serialisable details (never passwords or tokens);
    - `request`: when given, the client IP (and the actor, if `actor` is not given) come from it.

    Called inside the caller's transaction: a state change that rolls back takes its audit row with it.
    """
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=getattr(actor, "email", "") if actor is not None else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip=client_ip(request),
        data=data or {},
    )
