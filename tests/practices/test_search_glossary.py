"""Search people can trust (issue #17): names, the bilingual glossary, typos corrected inside the full-text
search, and renamed agencies found by their new name."""

import time

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.test import RequestFactory

from agencies.models import Agency, Region
from common.cache import public_cache_invalidate
from practices import search
from practices.models import GlossaryTerm, Practice, SearchWord
from practices.services.indexing import practice_search_vectors_refresh, search_vocabulary_rebuild
from tests.accounts.factories import moderator
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


def titles(response) -> list[str]:
    return [p.title for p in response.context["page_obj"].object_list]


def test_the_shipped_glossary_has_the_reform_vocabulary():
    assert GlossaryTerm.objects.count() >= 200
    pairs = set(GlossaryTerm.objects.values_list("indonesian", "english"))
    assert {("kemiskinan", "poverty"), ("perizinan", "licensing"), ("inflasi", "inflation")} <= pairs
    assert ("spbe", "e-government") in pairs and ("pelayanan publik", "public service") in pairs
    before = GlossaryTerm.objects.count()
    call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert GlossaryTerm.objects.count() == before  # re-running adds nothing


def test_english_query_finds_indonesian_practices_and_the_reverse(client):
    practice_published(title="Pengentasan kemiskinan berbasis data desa", theme="pelayanan-publik")
    practice_published(title="Online business licensing in one day", theme="pelayanan-publik")
    practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    assert titles(client.get("/en/practices/", {"q": "poverty"})) == ["Pengentasan kemiskinan berbasis data desa"]
    assert titles(client.get("/praktik/", {"q": "perizinan"})) == ["Online business licensing in one day"]


def test_multi_word_terms_are_translated_as_one():
    segments = search.glossary_segments("pelayanan publik di kota", search.glossary_pairs())
    assert ("pelayanan publik", "public service") in segments
    assert segments[0] == ("pelayanan publik", "public service")
    # The search syntax is left alone.
    assert search.glossary_segments('"pelayanan publik" -kota', search.glossary_pairs()) == [
        ('"pelayanan publik" -kota',)
    ]


def test_agency_region_and_theme_names_are_searched(client):
    surabaya = practice_published(title="Layanan adminduk keliling", agency="35.78", theme="pelayanan-publik")
    sidoarjo = practice_published(title="Posyandu keliling", agency="35.15", theme="pelayanan-publik")
    central = practice_published(title="Sistem merit", agency="kemenpanrb", theme="sdm-aparatur")
    assert titles(client.get("/praktik/", {"q": "Surabaya"})) == [surabaya.title]
    assert titles(client.get("/praktik/", {"q": "Kabupaten Sidoarjo"})) == [sidoarjo.title]
    assert titles(client.get("/praktik/", {"q": "Sidoarjo"})) == [sidoarjo.title]
    assert set(titles(client.get("/praktik/", {"q": "Jawa Timur"}))) == {surabaya.title, sidoarjo.title}
    assert titles(client.get("/praktik/", {"q": "KemenPANRB"})) == [central.title]
    # Theme names in both languages.
    assert titles(client.get("/praktik/", {"q": "Civil Service HR"})) == [central.title]


def test_a_typo_is_corrected_inside_the_full_text_search(client):
    practice_published(
        title="Data desa", summary="Keluarga miskin terdata tiap bulan.", approach="Verifikasi lapangan."
    )
    practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    # "verifkasi" is in no title (the old trigram fallback on titles found nothing): the corrected word is.
    response = client.get("/praktik/", {"q": "verifkasi lapangan"})
    assert titles(response) == ["Data desa"]
    plan = response.context["result"].plan
    assert plan.mode == "fts" and plan.corrected and plan.suggestion == "verifikasi lapangan"
    assert 'href="?q=verifikasi+lapangan"' in response.content.decode()
    english = client.get("/en/practices/", {"q": "verifkasi lapangan"}).content.decode()
    assert "Did you mean" in english


def test_a_glossary_word_misspelt_finds_the_other_language(client):
    practice_published(title="Pengentasan kemiskinan", theme="pelayanan-publik")
    response = client.get("/en/practices/", {"q": "povrty"})
    assert titles(response) == ["Pengentasan kemiskinan"]
    assert response.context["result"].plan.suggestion == "poverty"


def test_a_word_found_by_stemming_is_not_corrected():
    practice_published(title="Pengentasan kemiskinan desa", theme="pelayanan-publik")
    # "mengentaskan" is in no text, but its stem is: it stays; only the misspelt word is replaced.
    assert search.corrected_text("mengentaskan kemiskinn") == "mengentaskan kemiskinan"
    assert search.corrected_text("mengentaskan kemiskinan") == ""


def test_the_vocabulary_rebuild_counts_published_words_and_drops_stale_ones():
    practice_published(title="Sidikjari warga", summary="Sidikjari dipakai.")
    practice_published(title="Sidikjari petugas", summary="Lain.")
    SearchWord.objects.create(word="katausang", frequency=3)
    search_vocabulary_rebuild()
    assert SearchWord.objects.get(word="sidikjari").frequency == 2
    assert not SearchWord.objects.filter(word="katausang").exists()
    assert SearchWord.objects.filter(word="poverty").exists()  # glossary words, found in no practice yet


def test_a_renamed_agency_is_found_by_its_new_name(client):
    practice = practice_published(title="Layanan keliling", agency="35.78", theme="pelayanan-publik")
    agency = Agency.objects.get(code="35.78")
    agency.name, agency.acronym = "Pemerintah Kota Pahlawan", "Pemkot Pahlawan"
    agency.save()
    assert practice_search_vectors_refresh(agency_ids=[agency.pk]) == 1
    public_cache_invalidate()
    assert titles(client.get("/praktik/", {"q": "Pahlawan"})) == [practice.title]
    assert Practice.objects.filter(pk=practice.pk, search_vector=search.search_query("Pemkot")).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rename_in_the_admin_reaches_the_vectors_through_the_task(celery_worker, client):
    practice = practice_published(title="Layanan keliling", agency="35.15", theme="pelayanan-publik")
    region = Region.objects.get(code="35.15")
    region.name = "Kabupaten Delta"
    region.save(update_fields=["name"])  # the receiver queues the refresh task after the commit
    found = search.search_query("Delta")
    for _ in range(100):
        if Practice.objects.filter(pk=practice.pk, search_vector=found).exists():
            break
        time.sleep(0.1)
    assert Practice.objects.filter(pk=practice.pk, search_vector=found).exists()


def test_glossary_edit_in_the_admin_applies_to_the_next_search(client):
    practice_published(title="Lumbung desa", theme="pelayanan-publik")
    assert titles(client.get("/praktik/", {"q": "granary"})) == []
    admin = site._registry[GlossaryTerm]
    request = RequestFactory().post("/")
    request.user = moderator()
    term = GlossaryTerm(indonesian="lumbung", english="granary")
    admin.save_model(request, term, form=None, change=False)
    assert titles(client.get("/praktik/", {"q": "granary"})) == ["Lumbung desa"]


def test_glossary_pairs_are_unique_whatever_the_case():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        GlossaryTerm(indonesian="Kemiskinan", english="POVERTY").full_clean()
