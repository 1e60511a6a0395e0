"""The API's anonymous limit counts the client's address, not a header the client writes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings

from common.clientip import client_ip

pytestmark = pytest.mark.django_db


def test_different_x_forwarded_for_values_do_not_escape_the_limit(client):
    cache.clear()
    limit = int(api_settings.DEFAULT_THROTTLE_RATES["anon"].split("/")[0])  # 120 a minute
    statuses = [
        client.get("/api/v1/themes/", HTTP_X_FORWARDED_FOR=f"203.0.{n // 250}.{n % 250}", REMOTE_ADDR="198.51.100.7")
        for n in range(limit + 130)
    ]
    statuses = [response.status_code for response in statuses]
    assert statuses[:limit] == [200] * limit
    assert set(statuses[limit:]) == {429}
    cache.clear()


def test_behind_a_trusted_proxy_the_address_it_saw_counts(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "10.0.0.1"  # no proxy configured: the header is ignored
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "203.0.113.9"  # what our proxy appended, not what the client wrote
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_ip(request) == "6.6.6.6"
