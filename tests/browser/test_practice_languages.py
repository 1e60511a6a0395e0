"""The practice page and the lists in both languages at 360 and 1280 px (issue #17, "Done when"): axe finds
nothing serious or critical on a practice shown in its verified English version, on one in Indonesian only
(marked lang="id"), and on the English list that mixes both; nothing scrolls sideways."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from practices.services.translations import translation_save, translation_verify
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_published

from .conftest import axe_audit, horizontal_overflow

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
OVERFLOW_TOLERANCE = 2  # px, as in test_axe_pages


def _data() -> tuple[str, str]:
    translated = practice_published(
        title="Data desa untuk pengentasan kemiskinan", agency="35.78", theme="kemiskinan", slug="data-desa"
    )
    practice_published(title="Perizinan usaha sehari", agency="35.78", theme="kemiskinan", slug="izin-sehari")
    translation_save(
        practice_id=translated.pk,
        language="en",
        fields={"title": "Village data for poverty reduction", "summary": "Villages update their data monthly."},
        by=member("35.78"),
    )
    translation_verify(practice_id=translated.pk, language="en", by=moderator())
    return "data-desa", "izin-sehari"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_practice_pages_and_lists_pass_axe_in_both_languages(new_context, lang, width):
    translated, indonesian_only = _data()
    with translation.override(lang):
        urls = {
            "practice-translated": reverse("practices:detail", args=[translated]),
            "practice-indonesian-only": reverse("practices:detail", args=[indonesian_only]),
            "handout": reverse("practices:handout", args=[translated]),
            "list": reverse("practices:list"),
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
    assert serious == {}, serious
    assert overflow == {}, overflow
    page.goto(urls["list"])
    if lang == "en":
        assert page.locator('h3[lang="id"]', has_text="Perizinan usaha sehari").count() == 1
        assert page.get_by_text("Village data for poverty reduction").count() == 1
    else:
        assert page.locator("h3[lang]").count() == 0
