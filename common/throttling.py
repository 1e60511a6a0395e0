"""DRF's throttles, identifying anonymous clients by `common.clientip.client_ip` (DRF's own reading of
X-Forwarded-For trusts the client's header when NUM_PROXIES is unset). Their cache reads fail soft with the
cache backend (common/rediscache.py): with Redis down they let the request through."""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from .clientip import client_ip


class ClientAnonRateThrottle(AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request)


class ClientUserRateThrottle(UserRateThrottle):
    def get_ident(self, request):
        return client_ip(request)
