"""Malformed and hostile request bodies get a 400 with a message, never a 500 (and never a long stall)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import Membership
from common.parsers import MAX_DEPTH, MAX_KEYS, MAX_STRING, json_depth
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.practices.factories import practice_draft

pytestmark = pytest.mark.django_db

HOSTILE = {
    "nested 10,000 deep": b"[" * 10_000 + b"]" * 10_000,
    "nested objects 2,000 deep": b'{"a":' * 2_000 + b"1" + b"}" * 2_000,
    "unbalanced nesting": b"[" * 50_000,
    "a 1 MB string": json.dumps({"title": "x" * 1_000_000}).encode(),
    "100,000 keys": json.dumps({f"k{i}": i for i in range(100_000)}).encode(),
    "invalid UTF-8": b'{"title": "\xff\xfe\xfa"}',
    "NaN": b'{"cost": NaN}',
    "Infinity": b'{"cost": Infinity}',
    "truncated": b'{"title": "Layanan',
    "not JSON": b"<xml/>",
    "a bare number": b"12",
    "null": b"null",
    "wrong types": json.dumps({"title": 5, "start_year": "tahun", "other_themes": {"a": 1}, "cost": []}).encode(),
}


@pytest.fixture
def api():
    cache.clear()
    return token_client(member("35.78", role=Membership.Role.ADMIN))


@pytest.fixture
def draft_url():
    practice = practice_draft(agency_code="35.78")
    return f"/api/v1/practices/{practice.pk}/"


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_body_is_a_400(api, draft_url, name):
    for method, url in (("post", "/api/v1/practices/"), ("patch", draft_url)):
        response = getattr(api, method)(url, HOSTILE[name], content_type="application/json")
        assert response.status_code in {400, 409, 415}, (name, method, response.status_code, response.content[:300])
        if response.status_code == 400:
            assert response.json()  # a message the client can read


def test_the_limits_say_what_to_change(api):
    deep = api.post(
        "/api/v1/practices/", b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), content_type="application/json"
    )
    assert str(MAX_DEPTH) in deep.content.decode()
    many = api.post(
        "/api/v1/practices/", json.dumps({f"k{i}": 1 for i in range(MAX_KEYS + 1)}), content_type="application/json"
    )
    assert str(MAX_KEYS) in many.content.decode().replace(".", "").replace(",", "")
    long = api.post(
        "/api/v1/practices/", json.dumps({"title": "x" * (MAX_STRING + 1)}), content_type="application/json"
    )
    assert long.status_code == 400


def test_depth_ignores_brackets_inside_strings():
    assert json_depth('{"title": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == 1
    assert json_depth('[1, [2, {"a": [3]}]]') == 4
    assert json_depth('"\\"[[["') == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=40,
)
field_names = st.sampled_from(
    ["title", "summary", "start_year", "cost", "primary_theme", "other_themes", "indicators", "version", "stage"]
)
practice_like = st.dictionaries(field_names, json_values, max_size=8)
bodies = (
    st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | practice_like.map(lambda v: json.dumps(v).encode())
)


@settings(max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_a_thousand_generated_bodies_never_make_a_server_error(api, body):
    response = api.post("/api/v1/practices/", body, content_type="application/json")
    assert response.status_code < 500, (body[:200], response.content[:300])


def test_a_multipart_body_with_too_many_fields_is_a_400(api, draft_url):
    fields = {f"f{i}": "x" for i in range(5_000)}  # Django's DATA_UPLOAD_MAX_NUMBER_FIELDS is 1,000
    response = api.post(f"{draft_url}attachments/", fields, format="multipart")
    assert response.status_code == 400, response.content[:300]
