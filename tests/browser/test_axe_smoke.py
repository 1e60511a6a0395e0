"""The accessibility harness itself: it must report what it exists to catch (the page sweep is test_axe_pages)."""

from .conftest import axe_audit


def test_the_harness_reports_a_serious_violation(browser):
    # The same helper on a page built to fail: an unlabelled field and an image without alt text.
    page = browser.new_page()
    try:
        page.set_content(
            '<html lang="id"><body><main><h1>Uji</h1><img src="data:,">'
            '<input type="text"><p style="color:#ccc;background:#fff">Teks samar</p></main></body></html>'
        )
        ids = {violation["id"] for violation in axe_audit(page)}
    finally:
        page.close()
    assert {"image-alt", "label", "color-contrast"} <= ids
