"""The province map in a browser: a click (or Enter on a focused province) lands on the filtered practice list,
with and without JavaScript; axe finds nothing serious or critical on the map (with and without a selected
province) and statistics pages, in both languages, at 360 and 1280 px, and nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.practices.factories import practice_published

from .conftest import axe_audit, horizontal_overflow, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
OVERFLOW_TOLERANCE = 2  # px, as in test_axe_pages


def _data() -> None:
    practice_published(title="Layanan Surabaya", agency="35.78", theme="kemiskinan")
    practice_published(title="Data desa Jatim", agency="35", theme="kemiskinan")
    practice_published(title="Bandung ramah warga", agency="32.04", theme="kemiskinan")
    practice_published(title="Investasi Aceh", agency="11", theme="investasi")


def _province(page, name: str):
    return page.locator(f'svg.choropleth-map a.area[aria-label^="{name}:"]')


@pytest.mark.parametrize("js", [True, False])
def test_clicking_a_province_opens_its_practices(new_context, js):
    _data()
    page = new_context(js=js).new_page()
    page.goto(reverse("insights:map") + "?tema=kemiskinan")
    assert page.locator("svg.choropleth-map a.area").count() == 38
    with page.expect_navigation():
        _province(page, "Jawa Timur").click()
    assert re.search(r"/praktik/\?province=35&theme=kemiskinan$", page.url), page.url
    titles = page.locator("main .practice-list h3, main .practice-list h2").all_inner_texts()
    assert sorted(t.strip() for t in titles) == ["Data desa Jatim", "Layanan Surabaya"]


def test_a_province_is_reached_with_the_keyboard_and_shows_its_focus(new_context):
    _data()
    page = new_context().new_page()
    page.goto(reverse("practices:home"))
    area = _province(page, "Jawa Barat")
    area.focus()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Jawa Barat: 1 praktik"
    # The focused province is outlined (a thick dark stroke), not only by the browser's default ring.
    assert area.locator("path").evaluate("p => getComputedStyle(p).strokeWidth") == "3px"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/praktik/?province=32")


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_map_and_statistics_pages_pass_axe_and_fit_the_screen(new_context, lang, width):
    _data()
    with translation.override(lang):
        urls = {
            "map": reverse("insights:map") + "?tema=kemiskinan",
            "map-province": reverse("insights:map") + "?tema=kemiskinan&provinsi=35",
            "statistics": reverse("insights:statistics"),
            "home": reverse("practices:home"),
            "theme": reverse("practices:theme", args=["kemiskinan"]),
        }
    page = new_context(width=width, height=800).new_page()
    serious, overflow = {}, {}
    for name, url in urls.items():
        assert page.goto(url).status == 200, url
        found = axe_audit(page)
        if found:
            serious[name] = found
        if horizontal_overflow(page) > OVERFLOW_TOLERANCE:
            overflow[name] = horizontal_overflow(page)
        if lang == "id" and name in ("map-province", "statistics"):
            screenshot(page, f"insights-{name}")
    assert serious == {}, serious
    assert overflow == {}, overflow
    # The whole map stays inside a phone's width: the SVG scales with its viewBox.
    page.goto(urls["map"])
    box = page.locator("svg.choropleth-map").bounding_box()
    assert box and box["width"] <= width and box["height"] > 0
