"""The client's address, decided in one place for every rate limit, throttle, lockout and audit row.

With no proxy in front (`TRUSTED_PROXY_COUNT = 0`, the default) it is REMOTE_ADDR, and `X-Forwarded-For` is
ignored: anyone can send that header, so trusting it would let a client pick a new address per request and walk
past every limit. Behind n reverse proxies that each append the address they saw, the client is the n-th entry
from the right of `X-Forwarded-For` (entries further left were written by the client and are not trusted).
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]
