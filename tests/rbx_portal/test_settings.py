import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings(env_overrides: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "EMAIL_HOST"}}
    env.update(env_overrides)
    code = f"import rbx_portal.settings as s; print({expression})"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_without_secret_key_stops_with_a_clear_message():
    result = _settings({"DEBUG": "false"}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_with_secret_key_starts_and_uses_secure_cookies():
    result = _settings(
        {"DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "rbx.example.go.id"},
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True True ['rbx.example.go.id']"


def test_development_prints_emails_unless_an_smtp_host_is_set():
    console = _settings({"DEBUG": "true"}, "s.EMAIL_BACKEND")
    smtp = _settings(
        {"DEBUG": "true", "EMAIL_HOST": "mail.example.go.id", "EMAIL_PORT": "2525"}, "s.EMAIL_BACKEND, s.EMAIL_PORT"
    )
    assert console.stdout.strip() == "django.core.mail.backends.console.EmailBackend"
    assert smtp.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend 2525"
