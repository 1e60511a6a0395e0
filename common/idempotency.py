"""`Idempotency-Key` for API writes: a client that got a 500 or lost the connection retries safely.

A POST, PUT, PATCH or DELETE carrying the header runs in one transaction with its `IdempotentResponse` row: the
row is inserted first (a concurrent retry with the same key waits on the unique index, then sees the answer),
the response is stored with it, and both commit together. So a write that committed has its answer committed
too: a retry after a lost connection or a database restart gets the original answer (with
`Idempotent-Replayed: true`) instead of doing the write again, or a 409 for the version it already used. A
response of 500 or more is not stored (the transaction rolls back, so nothing was written either). The same key
with a different method, path or body is a 422. Keys are per user and kept 24 h (`idempotency_prune`).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions, status

from .models import IdempotentResponse

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class _Replay(Exception):
    def __init__(self, record: IdempotentResponse):
        self.record = record


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used for a different request; use a new key for a new request."


class IdempotencyKeyInvalid(exceptions.ParseError):
    default_code = "idempotency_key_invalid"
    default_detail = "The Idempotency-Key header must be 1 to 200 visible ASCII characters."


def _fingerprint(request) -> str:
    """Method, path and body; for a multipart upload (up to 20 MB, not read into memory twice) its type and
    length stand for the body."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0" + request.get_full_path().encode() + b"\0")
    if request.content_type == "multipart/form-data":
        digest.update(f"{request.META.get('CONTENT_TYPE')}|{request.META.get('CONTENT_LENGTH')}".encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


class IdempotentWritesMixin:
    """For a DRF view: honour `Idempotency-Key` on writes by authenticated clients."""

    def _idempotency_key(self, request) -> str | None:
        if request.method not in WRITE_METHODS:
            return None
        key = request.headers.get(HEADER)
        if key is None:
            return None
        if not (0 < len(key) <= 200 and key.isascii() and key.isprintable()):
            raise IdempotencyKeyInvalid()
        return key

    def dispatch(self, request, *args, **kwargs):
        if request.method in WRITE_METHODS and HEADER in request.headers:
            if request.content_type != "multipart/form-data":
                request.body  # noqa: B018 - read now, before DRF's parsers consume the stream, for the fingerprint
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        key = self._idempotency_key(request)
        if key is None or not request.user.is_authenticated:
            self._idempotency_record = None
            return
        fingerprint = _fingerprint(request._request)
        try:
            with transaction.atomic():
                record = IdempotentResponse.objects.create(user_id=request.user.pk, key=key, fingerprint=fingerprint)
        except IntegrityError:
            record = IdempotentResponse.objects.get(user_id=request.user.pk, key=key)
            if record.fingerprint != fingerprint:
                raise IdempotencyKeyReused() from None
            if record.created_at < timezone.now() - KEEP:
                record.delete()
                record = IdempotentResponse.objects.create(user_id=request.user.pk, key=key, fingerprint=fingerprint)
            else:
                raise _Replay(record) from None
        self._idempotency_record = record

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            response = HttpResponse(
                bytes(exc.record.body), status=exc.record.status, content_type=exc.record.content_type
            )
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "_idempotency_record", None)
        if record is None:
            return response
        if response.status_code >= 500 or getattr(response, "streaming", False):
            transaction.set_rollback(True)  # neither the write nor a half-made answer is kept: a retry runs again
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        record.status = response.status_code
        record.body = response.content
        record.content_type = response.get("Content-Type", "")
        record.save(update_fields=["status", "body", "content_type"])
        return response


def idempotency_prune() -> int:
    """Forget the answers older than 24 h; the number removed."""
    deleted, _ = IdempotentResponse.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted
