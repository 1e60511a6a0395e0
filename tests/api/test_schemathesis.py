"""Property-based run of schemathesis against the portal's own OpenAPI schema, in process (WSGI).

Every operation under /api/v1/ (reads anonymously and with a token; the draft endpoints aimed at a real draft
of the token's agency) must answer without a server error and with a body that matches the schema.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from rbx_portal.wsgi import application
from tests.agencies.factories import member
from tests.practices.factories import practice_draft, published

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def world(monkeypatch):
    """A published practice, a draft of Surabaya and a Surabaya member's token; throttling out of the way."""
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min"})
    published(code="32.04", title="Perizinan cepat")
    author = member("35.78")
    draft = practice_draft(by=author)
    # The WSGI handler would close the test's database connection after each request (Django's test client
    # disconnects this handler the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"token": Token.objects.create(user=author).key, "draft": draft}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, world):
    if "id" in case.path_parameters and case.path.startswith("/api/v1/practices/"):
        case.path_parameters["id"] = world["draft"].pk
    if "code" in case.path_parameters and case.path.startswith("/api/v1/agencies/"):
        case.path_parameters["code"] = "35.78"
    headers = {"Authorization": f"Token {world['token']}"} if case.method != "GET" or case.path.count("{") else {}
    # The in-process WSGI client does not decompress: ask for plain bodies (the portal gzips for browsers).
    headers["Accept-Encoding"] = "identity"
    case.call_and_validate(headers=headers, checks=CHECKS)
