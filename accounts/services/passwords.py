"""Passwords: the reset by email (asked in a request, looked up and written by the worker), changes, and the
sessions a new password ends."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.services import Action, audit_record
from common.tasks import enqueue_on_commit

from ..models import User
from ..signals import notice_path, security_notice
from .sessions import sessions_end


def password_reset_request(*, email: str, request=None) -> None:
    """Someone asked for a reset link for `email`. The request does the same whatever the address (one audit
    row, one queued task), so neither its answer nor its timing tells whether an account exists; the worker
    looks the address up (`password_reset_send`)."""
    audit_record(action=Action.PASSWORD_RESET_REQUESTED, data={"email": email[:254]}, request=request)
    enqueue_on_commit("accounts.tasks.password_reset_send", email)


@transaction.atomic
def password_reset_send(*, email: str) -> int:
    """Write the reset notice (outbox) for the active accounts with this address and a usable password, as
    Django's PasswordResetForm does; returns how many. The link holds Django's token, which stops working once
    the password changes (its hash is part of the token) or after PASSWORD_RESET_TIMEOUT."""
    users = [
        user for user in User.objects.filter(email__iexact=email.strip(), is_active=True) if user.has_usable_password()
    ]
    for user in users:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        security_notice.send(
            sender=password_reset_send,
            kind="password_reset",
            recipient=user,
            context={"name": user.get_full_name(), "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
            target_url=notice_path(
                "accounts:password_reset_confirm", uidb64=uid, token=default_token_generator.make_token(user)
            ),
        )
        audit_record(action=Action.PASSWORD_RESET_SENT, target=user)
    return len(users)


@transaction.atomic
def password_changed(*, user: User, request, reset: bool = False) -> int:
    """After a new password was saved (Django's views save it): audit, and end the person's other sessions
    at once. Django would refuse them at their next request anyway (the session auth hash); ending them here
    also takes them off the account page's list. The session making the change stays (PasswordChangeView
    keeps it with `update_session_auth_hash`; after a reset there is none). Returns how many ended."""
    audit_record(
        actor=user,
        action=Action.PASSWORD_RESET_COMPLETED if reset else Action.PASSWORD_CHANGED,
        target=user,
        request=request,
    )
    keep = request.session.session_key if request is not None and not reset else None
    return sessions_end(user=user, keep_session_key=keep, request=request, reason="password")
