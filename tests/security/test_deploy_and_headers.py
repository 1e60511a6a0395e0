"""Production settings pass `check --deploy`, and every response carries the security headers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _production_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_")) and k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="rbx_portal.settings",
        DEBUG="false",
        SECRET_KEY="x" * 20 + "-production-like-secret-key-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="rbx.menpan.go.id",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
    )
    return env


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, *args], cwd=BASE_DIR, env=_production_env(), capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_production_settings_has_no_findings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# Pages need the collected-static manifest in production; the probe reads static files from the finders instead.
override_settings(
    STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
).enable()
response = Client().get("/akun/masuk/", secure=True, HTTP_HOST="rbx.menpan.go.id")
csrf = response.cookies["csrftoken"]
print(json.dumps({
    "status": response.status_code,
    "hsts": response.headers.get("Strict-Transport-Security", ""),
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "session_samesite": settings.SESSION_COOKIE_SAMESITE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "csrf_cookie": {"secure": bool(csrf["secure"]), "samesite": csrf["samesite"]},
    "ssl_redirect": Client().get("/akun/masuk/", HTTP_HOST="rbx.menpan.go.id").status_code,
}))
"""


def test_production_settings_send_hsts_and_secure_cookies():
    result = _run(["-c", PRODUCTION_PROBE])
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["status"] == 200
    assert "max-age=31536000" in probe["hsts"] and "includeSubDomains" in probe["hsts"]
    assert probe["session_secure"] and probe["session_httponly"] and probe["session_samesite"] == "Lax"
    assert probe["csrf_secure"] and probe["csrf_cookie"] == {"secure": True, "samesite": "Lax"}
    # Plain HTTP is redirected to HTTPS.
    assert probe["ssl_redirect"] == 301


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/en/", "/akun/masuk/", "/en/account/login/", "/tidak-ada/", "/healthz", "/admin/login/"]
)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in {200, 302, 404, 503}
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in (part.strip() for part in csp.split(";")) if d}
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives.get("default-src", [])
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_http_only_where_it_matters(client, django_user_model):
    user = django_user_model.objects.create_user(email="kuki@example.go.id", password="rahasia-uji-123")
    response = client.post("/akun/masuk/", {"username": user.email, "password": "rahasia-uji-123"})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
