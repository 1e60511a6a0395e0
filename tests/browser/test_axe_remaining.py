"""axe-core on the pages the main sweep cannot reach by browsing: the login lockout, the rate-limit page and the
second step of two-factor login, in both languages (zero serious or critical violations)."""

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.agencies.factories import member

from .conftest import PASSWORD, axe_run


def _serious(page) -> list[dict]:
    return [v for v in axe_run(page) if v["impact"] in {"serious", "critical"}]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("lang", ["id", "en"])
@override_settings(RATELIMIT_RATES={"search": "1/m"})
def test_lockout_rate_limit_and_two_factor_pages_pass_axe(new_context, lang, record_figure):
    prefix = "/en" if lang == "en" else ""
    login_path = f"{prefix}/account/login/" if lang == "en" else "/akun/masuk/"
    results = {}

    # The second login step for someone with a confirmed TOTP device.
    user = member("35.78", email=f"totp-{lang}@axe.go.id")
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    page = new_context().new_page()
    page.goto(login_path)
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "2fa" in page.url, page.url
    results["2fa_verify"] = _serious(page)

    # The rate-limit page (429): the second search within the minute.
    page = new_context().new_page()
    list_path = f"{prefix}/{'practices' if lang == 'en' else 'praktik'}/"
    # Up to three searches: the counters use one-minute windows, and a window may turn between two requests.
    statuses = [page.goto(f"{list_path}?q=izin+{n}").status for n in range(3)]
    assert 429 in statuses, statuses
    if statuses[-1] != 429:
        page.goto(f"{list_path}?q=izin+lagi")
    results["rate_limited"] = _serious(page)

    # The lockout page after repeated wrong passwords (django-axes).
    victim = member("35.78", email=f"lock-{lang}@axe.go.id")
    page = new_context().new_page()
    status = None
    for _ in range(8):
        page.goto(login_path)
        page.locator("#id_username").fill(victim.email)
        page.locator("#id_password").fill("salah-sekali")
        with page.expect_navigation() as nav:
            page.locator("main form button[type=submit]").click()
        status = nav.value.status
        if status == 429:
            break
    assert status == 429
    results["locked_out"] = _serious(page)

    record_figure("axe (remaining pages)", {"lang": lang, **{name: len(v) for name, v in results.items()}})
    assert not any(results.values()), results
