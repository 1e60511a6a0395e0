"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

The tests skip only when /usr/bin/chromium is missing (`.ci/run` installs it with apt). Playwright's own
browser downloads are never used.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
AXE_JS = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise refuse to run beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def axe_run(page) -> list[dict]:
    """Inject the vendored axe-core into the loaded page and return all its violations (every impact).

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern: the portal's policy
    (no inline scripts) stays in force for everything else the page does.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def axe_audit(page, impacts=("serious", "critical")) -> list[dict]:
    """The violations of the given impacts (by default those that fail a page: serious and critical)."""
    return [violation for violation in axe_run(page) if violation["impact"] in impacts]


# --- Helpers for the journeys and the page sweep -------------------------------------------------------------

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
from tests.accounts.factories import PASSWORD  # noqa: E402 - UserFactory's saved password


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts on the live server (closed at the end): `new_context(js=False, width=360)`."""
    contexts = []

    def make(*, js: bool = True, width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}, java_script_enabled=js
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def nojs_page(new_context):
    """A page in a context with JavaScript disabled: what the portal must still do without its scripts."""
    return new_context(js=False).new_page()


def login_as(context, user, live_server_url: str) -> None:
    """Give the context a logged-in session for `user` without the login form (for steps the test is not about)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server_url}])


def login_via_form(page, email: str, password: str = PASSWORD, *, lang: str = "id") -> None:
    """Log in as a person does: the login page, the two fields, the button."""
    page.goto("/en/account/login/" if lang == "en" else "/akun/masuk/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    # Wait for the answer to the POST itself: `wait_for_load_state` right after a click can see the old page.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".nav-user form").count() == 1, f"login failed for {email}: {page.url}"


def logout_via_form(page) -> None:
    with page.expect_navigation():
        page.locator(".nav-user form button[type=submit]").click()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (git-ignored; kept by `.ci/run`)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = ARTIFACTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
