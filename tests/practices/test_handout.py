"""The printable one-page handout of a practice (issue #17): a real route with a print stylesheet."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db

INDICATOR = {
    "name": "Waktu layanan izin",
    "unit": "hari",
    "baseline_value": Decimal(14),
    "baseline_year": 2021,
    "target_value": Decimal(1),
    "target_year": 2024,
    "higher_is_better": False,
    "values": [("2022-06-30", "5"), ("2023-06-30", "2")],
}


@pytest.fixture
def practice():
    return practice_published(
        agency="35.78",
        title="Izin usaha dalam sehari",
        summary="Perizinan usaha mikro selesai dalam satu hari kerja.",
        theme="pelayanan-publik",
        slug="izin-usaha-sehari",
        indicator=dict(INDICATOR),
        start_year=2021,
        contact_name="Budi",
        contact_position="Kepala Bidang Perizinan",
        contact_email="budi@surabaya.go.id",
    )


def test_the_handout_shows_the_facts_indicators_contact_url_and_qr_code(
    client, practice, django_assert_max_num_queries
):
    url = reverse("practices:handout", args=[practice.slug])
    assert url == "/praktik/izin-usaha-sehari/cetak/"
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Izin usaha dalam sehari", "Perizinan usaha mikro", "Pemerintah Kota Surabaya", "Fakta utama"):
        assert text in html
    assert "2021" in html and "Pelayanan Publik" in html
    # The indicators table: baseline, the latest value (not an earlier one), the target.
    table = html[html.index('<table class="handout-indicators"') : html.index("</table>")]
    assert "Waktu layanan izin" in table and ">14 <" in table and ">2 <" in table and ">1 <" in table
    assert ">5 <" not in table
    assert "Budi, Kepala Bidang Perizinan" in html
    assert "budi@surabaya.go.id" not in html  # the contact email stays for logged-in government staff
    assert "http://testserver/praktik/izin-usaha-sehari/" in html
    assert "<svg" in html and "<?xml" not in html  # the QR code, inline
    assert re.search(r'<link rel="stylesheet" href="[^"]*/css/print[^"]*\.css" media="print">', html)


def test_the_print_stylesheet_sets_up_the_page_and_the_handout():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "print.css").read_text()
    assert "@page" in css and ".handout" in css and "size: A4" in css


def test_the_handout_in_english(client, practice):
    with translation.override("en"):
        url = reverse("practices:handout", args=[practice.slug])
    assert url == "/en/practices/izin-usaha-sehari/print/"
    html = client.get(url).content.decode()
    assert "Key facts" in html and "Printable handout" in html and "Fakta utama" not in html
    assert "http://testserver/en/practices/izin-usaha-sehari/" in html


def test_the_practice_page_links_to_its_handout(client, practice):
    html = client.get(reverse("practices:detail", args=[practice.slug])).content.decode()
    assert f'href="{reverse("practices:handout", args=[practice.slug])}"' in html


def test_no_handout_for_a_practice_that_is_not_published(client):
    draft = practice_published(agency="35.78", title="Belum terbit", publish=False, slug="belum-terbit")
    assert client.get(reverse("practices:handout", args=[draft.slug])).status_code == 404
