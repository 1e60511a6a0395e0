"""The accessibility harness on the two pages every visitor meets: zero serious or critical axe violations."""

import pytest

from .conftest import axe_audit


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("path", ["/", "/en/", "/akun/masuk/", "/en/account/login/"])
def test_home_and_login_pages_have_no_serious_axe_violations(page, path):
    response = page.goto(path)
    assert response.status == 200
    assert page.locator("main h1").count() >= 1 or page.locator("main").count() == 1
    violations = axe_audit(page)
    assert violations == [], violations


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
