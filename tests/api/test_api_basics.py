import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


def test_themes_list_rb_tematik_first_and_detail_by_code(client):
    body = client.get("/api/v1/themes/").json()
    assert len(body) == 12
    assert [t["track"] for t in body[:4]] == ["tematik"] * 4
    assert client.get("/api/v1/themes/investasi/").json()["name_en"] == "Investment Growth"


def test_unknown_object_answers_404_in_the_common_error_shape(client):
    response = client.get("/api/v1/themes/tidak-ada/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": response.json()["error"]["message"], "fields": {}}
    }


def test_writes_need_authentication(client):
    response = client.post("/api/v1/themes/", {"code": "x"}, content_type="application/json")
    assert response.status_code in {401, 403, 405}
    assert "error" in response.json()


def test_schema_and_self_hosted_docs(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content and b"/api/v1/themes/" in schema.content
    docs = client.get("/api/v1/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "'unsafe-inline'" not in docs["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_anonymous_clients_are_throttled_with_retry_after(client, monkeypatch):
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "100/min"})
    codes = [client.get("/api/v1/themes/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/themes/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"
