"""A user's own API token (DRF's `authtoken`): one per user, regenerated or revoked by its owner."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from audit.services import audit_record

from ..access import user_must_use_2fa
from ..models import TokenGrant


@transaction.atomic
def api_token_regenerate(*, user, request=None) -> Token:
    """Replace the user's token with a new one (the old one stops working at once).

    The grant records whether the session that made it had passed two-factor. A moderator's token can only be
    made from such a session and expires after ACCOUNTS_MODERATOR_TOKEN_DAYS (30)."""
    verified = bool(request is not None and getattr(request.user, "is_verified", lambda: False)())
    moderator = user_must_use_2fa(user=user)
    if moderator and not verified:
        raise PermissionDenied(_("Token moderator hanya dapat dibuat dari sesi yang sudah diverifikasi dua faktor."))
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    days = getattr(settings, "ACCOUNTS_MODERATOR_TOKEN_DAYS", 30)
    TokenGrant.objects.create(
        token=token,
        two_factor_verified=verified,
        expires_at=timezone.now() + timedelta(days=days) if user.is_moderator else None,
    )
    audit_record(actor=user, action="api_token.created", target=user, request=request)
    return token


@transaction.atomic
def api_token_revoke(*, user, request=None) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="api_token.revoked", target=user, request=request)
    return bool(deleted)
