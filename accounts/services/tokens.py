"""A user's own API token (DRF's `authtoken`): one per user, regenerated or revoked by its owner."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from audit.services import audit_record


@transaction.atomic
def api_token_regenerate(*, user, request=None) -> Token:
    """Replace the user's token with a new one (the old one stops working at once)."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_record(actor=user, action="api_token.created", target=user, request=request)
    return token


@transaction.atomic
def api_token_revoke(*, user, request=None) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="api_token.revoked", target=user, request=request)
    return bool(deleted)
