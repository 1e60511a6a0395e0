"""Demo English versions (issue #17): two practices verified, one draft; the demo load stays idempotent."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from demo.translations import demo_translations
from practices.models import PracticeTranslation

pytestmark = pytest.mark.django_db


def test_demo_has_two_verified_english_versions_and_one_draft(client):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo_translations()  # the lead wires it into load_demo_data; a second run adds nothing
    assert demo_translations() == []
    rows = {t.practice.slug: t for t in PracticeTranslation.objects.select_related("practice__live_revision")}
    assert sorted(slug for slug, t in rows.items() if t.is_public) == [
        "contoh-data-desa-kemiskinan",
        "contoh-mal-pelayanan-publik",
    ]
    assert rows["contoh-perizinan-usaha-sehari"].state == "draft"
    with translation.override("en"):
        url = reverse("practices:detail", args=["contoh-mal-pelayanan-publik"])
    page = client.get(url).content.decode()
    assert "Example: A provincial public service mall" in page and "verified by the ministry" in page
