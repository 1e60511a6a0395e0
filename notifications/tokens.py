"""Signed tokens in the links of emails: unsubscribe a user from one kind group, manage an address's follows.

Signed with the SECRET_KEY (`django.core.signing.Signer`: the same token every time, so nothing is stored,
and a notification's link can be compared with a fresh one); they do not expire (a link in an old
email still unsubscribes, as RFC 8058 expects). A changed or truncated token reads as None. The paths carry no
language prefix (the Indonesian URL), as every stored path (`services.notify.stored_path`).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

KIND_UNSUBSCRIBE_SALT = "notifications.unsubscribe_kind"
FOLLOWER_MANAGE_SALT = "notifications.follower_manage"


def _path(name: str, token: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=[token])


def kind_unsubscribe_token(*, user_id: int, group: str) -> str:
    return signing.Signer(salt=KIND_UNSUBSCRIBE_SALT).sign_object([user_id, group])


def kind_unsubscribe_read(*, token: str) -> tuple[int, str] | None:
    """(user id, group) of a token made by `kind_unsubscribe_token`; None when it was not."""
    try:
        user_id, group = signing.Signer(salt=KIND_UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(group, str):
        return None
    return user_id, group


def kind_unsubscribe_path(*, user_id: int, group: str) -> str:
    return _path("notifications:unsubscribe_kind", kind_unsubscribe_token(user_id=user_id, group=group))


def follower_manage_token(*, email: str) -> str:
    return signing.Signer(salt=FOLLOWER_MANAGE_SALT).sign_object(email.strip().lower())


def follower_manage_read(*, token: str) -> str | None:
    """The email address of a token made by `follower_manage_token`; None when it was not."""
    try:
        email = signing.Signer(salt=FOLLOWER_MANAGE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return email if isinstance(email, str) and email else None


def follower_manage_path(*, email: str) -> str:
    return _path("notifications:follower_manage", follower_manage_token(email=email))
