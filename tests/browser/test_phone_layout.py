"""Phone-first layout (issue #17): the list's filters fold behind "Saring", no signed-in page scrolls sideways at
360 px, and the practice handout prints on one or two pages."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from .conftest import axe_audit, horizontal_overflow, login_as
from .test_axe_pages import OVERFLOW_TOLERANCE, ROLE_USER, _data, _pages

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize(("lang", "label", "active"), [("id", "Saring", "(1 aktif)"), ("en", "Filter", "(1 active)")])
def test_on_a_phone_the_filters_fold_behind_one_control_and_the_results_come_first(new_context, lang, label, active):
    _data()
    with translation.override(lang):
        url = reverse("practices:list")
    phone = new_context(width=360, height=740).new_page()
    assert phone.goto(url).status == 200
    toggle = phone.locator("details[data-filter-toggle]")
    assert toggle.evaluate("d => d.open") is False
    assert phone.locator("details[data-filter-toggle] > summary").inner_text().strip() == label
    # The results' heading is on the first screen, above the fold, with the filters folded away.
    assert phone.locator("#result-status").bounding_box()["y"] < 740
    assert phone.locator("#id_theme").is_visible() is False
    assert axe_audit(phone) == []
    # One filter chosen: the control says so; opening it shows the filters.
    phone.goto(url + "?theme=kemiskinan")
    assert active in phone.locator("details[data-filter-toggle] > summary").inner_text()
    phone.locator("details[data-filter-toggle] > summary").click()
    assert phone.locator("#id_theme").is_visible()
    # A change updates the list in place (htmx): the filters the person opened stay open.
    with phone.expect_response(lambda r: "stage=" in r.url):
        phone.locator("#id_stage").select_option(index=1)
    phone.wait_for_function("() => document.querySelector('#id_stage') && document.querySelector('#id_stage').value")
    assert toggle.evaluate("d => d.open") is True

    # On a wide screen they are open beside the results.
    wide = new_context(width=1280, height=900).new_page()
    wide.goto(url)
    assert wide.locator("details[data-filter-toggle]").evaluate("d => d.open") is True
    assert wide.locator("#id_theme").is_visible()


def test_without_javascript_the_folded_filters_open_and_apply(new_context):
    _data()
    phone = new_context(js=False, width=360, height=740).new_page()
    phone.goto(reverse("practices:list"))
    phone.locator("details[data-filter-toggle] > summary").click()
    phone.locator("#id_theme").select_option("kemiskinan")
    with phone.expect_navigation():
        phone.locator("form.filters button[type=submit]").click()
    assert "theme=kemiskinan" in phone.url
    assert "(1 aktif)" in phone.locator("details[data-filter-toggle] > summary").inner_text()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_member_or_moderator_page_scrolls_sideways_at_360_px(new_context, live_server, lang, record_figure):
    data = _data()
    with translation.override(lang):
        pages = _pages(data)
    overflow = {}
    checked = 0
    for role, urls in pages.items():
        if role == "anonymous":
            continue  # test_axe_pages checks the public pages at 360 px
        context = new_context(width=360, height=740)
        login_as(context, data[ROLE_USER.get(role, role)], live_server.url)
        phone = context.new_page()
        for name, url in urls:
            response = phone.goto(url)
            assert response is not None and response.status == 200, f"{role} {name} {url}"
            checked += 1
            extra = horizontal_overflow(phone)
            if extra > OVERFLOW_TOLERANCE:
                # What sticks out: elements wider than the page that no scrolling box of their own contains.
                wide = phone.evaluate(
                    """() => {
                      const limit = document.documentElement.clientWidth + 2;
                      const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) {
                        if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
                      return [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > limit && !clipped(e))
                        .slice(0, 4).map(e => e.parentElement.tagName + '.' + e.parentElement.className
                                               + ' > ' + e.tagName + '.' + e.className);
                    }"""
                )
                overflow[f"{role}:{name}"] = (extra, wide)
        context.close()
    record_figure("narrow_screen_signed_in", {"language": lang, "pages": checked, "overflowing": overflow})
    assert not overflow, "\n".join(f"{page}: {extra} px, {wide}" for page, (extra, wide) in overflow.items())


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_handout_prints_on_one_or_two_a4_pages(new_context, lang):
    data = _data()
    with translation.override(lang):
        url = reverse("practices:handout", args=[data["published"].slug])
    page = new_context().new_page()
    assert page.goto(url).status == 200
    assert axe_audit(page) == []
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_visible() is False
    assert page.locator(".handout-qr svg").is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 1 <= pages <= 2, pages
