"""Back after filtering: the list filters through htmx (a fragment under the same URL), the visitor opens a practice
and presses Back. The page that comes back must be the full page (header, styles), not the cached fragment.

The fragment and the full page share one URL, so the response must say it varies on `HX-Request`, and a history
restore request from htmx must get the full page.
"""

from __future__ import annotations

import pytest

from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _assert_full_page(page) -> None:
    assert page.locator("header.site-header").is_visible()
    assert page.locator("link[rel=stylesheet]").count() >= 1
    # The stylesheet applies: the body's font is not the browser's default serif.
    assert "serif" != page.evaluate("getComputedStyle(document.body).fontFamily").strip().lower()
    assert page.locator("h1").first.is_visible()


@pytest.mark.parametrize("path", ["/praktik/", "/instansi/"])
def test_back_after_filtering_restores_the_full_page(page, live_server, path):
    practice_published(title="Layanan kemiskinan terpadu", theme="kemiskinan", slug="layanan-terpadu")
    practice_published(title="Perizinan satu pintu", theme="investasi", slug="perizinan-satu-pintu")

    page.goto(path)
    _assert_full_page(page)
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        if path == "/praktik/":
            page.select_option("select[name=theme]", "kemiskinan")
        else:
            page.fill("input[name=q]", "Surabaya")
            page.press("input[name=q]", "Enter")
    page.wait_for_url(lambda url: "?" in url)
    filtered_url = page.url
    _assert_full_page(page)

    if path == "/praktik/":
        page.click("a[href*='/praktik/layanan-terpadu/']")
    else:
        page.locator("#results td a[href*='/instansi/']").first.click()
    page.wait_for_load_state("load")
    assert page.url != filtered_url

    page.go_back()
    page.wait_for_load_state("load")
    assert page.url == filtered_url
    _assert_full_page(page)
    assert "<html" in page.content()
