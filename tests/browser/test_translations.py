"""axe-core on the English-version pages (issue #17): the translation editor, and a practice page read in English
with a verified translation and with Indonesian only, at 360 and 1280 px; the editor works without JavaScript."""

import pytest
from django.urls import reverse
from django.utils import translation

from practices.services.translations import translation_save, translation_verify
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_published

from .conftest import axe_audit, login_as

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def url(name: str, lang: str, *args) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_translation_pages_pass_axe_and_the_editor_works_without_javascript(new_context, live_server, lang):
    author = member("35.78", email=f"penerjemah-{lang}@axe.go.id")
    translated = practice_published(agency="35.78", title="Data desa", approach="Daftar keluarga miskin.")
    indonesian_only = practice_published(agency="35.78", title="Hanya bahasa Indonesia")
    translation_save(
        practice_id=translated.pk, language="en", fields={"title": "Village data", "approach": "A list."}, by=author
    )
    translation_verify(practice_id=translated.pk, language="en", by=moderator())
    violations = {}
    for width in (360, 1280):
        page = new_context(width=width).new_page()
        page.goto(url("practices:detail", lang, translated.slug))
        violations[f"translated-{width}"] = axe_audit(page)
        page.goto(url("practices:detail", lang, indonesian_only.slug))
        violations[f"indonesian-only-{width}"] = axe_audit(page)

    # axe needs JavaScript in the page; the editor itself is used without it.
    for js in (True, False):
        context = new_context(js=js)
        login_as(context, author, live_server.url)
        page = context.new_page()
        page.goto(url("manage:translation", lang, indonesian_only.pk))
        if js:
            violations["editor"] = axe_audit(page)
            continue
        page.locator("#id_title").fill("Indonesian only, now in English")
        with page.expect_navigation():
            page.locator("main form.form button[type=submit]").click()
        assert "Indonesian only, now in English" in page.locator("#id_title").input_value()
    assert not any(violations.values()), violations
