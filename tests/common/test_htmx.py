"""A page and its htmx fragment share one URL: the response varies on the headers, and a history restore gets the
full page (else Back after filtering shows a raw fragment)."""

from __future__ import annotations

import pytest

from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db

PAGES = ["/praktik/?theme=kemiskinan", "/instansi/?q=Surabaya"]


@pytest.mark.parametrize("url", PAGES)
def test_the_fragment_and_the_page_vary_on_hx_request(client, url):
    practice_published(theme="kemiskinan")
    full = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert b"<html" in full.content and b"<html" not in fragment.content
    for response in (full, fragment):
        assert "HX-Request" in response["Vary"]
    # Served again from the page cache: the fragment does not leak into the full page, nor the reverse.
    assert b"<html" in client.get(url).content
    assert b"<html" not in client.get(url, headers={"HX-Request": "true"}).content
    assert "HX-Request" in client.get(url)["Vary"]


@pytest.mark.parametrize("url", PAGES)
def test_a_history_restore_gets_the_full_page(client, url):
    practice_published(theme="kemiskinan")
    client.get(url, headers={"HX-Request": "true"})  # the fragment is in the page cache under this URL
    restored = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in restored.content
    assert b'class="site-header"' in restored.content
