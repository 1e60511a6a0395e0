"""The optimistic lock covers the section being saved: two people editing different sections of one draft never
conflict; the same section keeps the strict check (nothing overwritten silently)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from practices.models import PracticeRevision
from practices.services.submission import RevisionVersionConflict, revision_section_save
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.practices.factories import new_practice

pytestmark = pytest.mark.django_db


def _save(practice, section, version, by, **data):
    return revision_section_save(practice_id=practice.pk, section=section, version=version, data=data, by=by)


def test_saves_of_different_sections_from_the_same_version_both_land():
    sari, budi = member(email="sari@surabaya.go.id"), member(email="budi@surabaya.go.id")
    practice = new_practice(sari)
    opened = PracticeRevision.objects.get(pk=practice.working_revision_id).version  # both open the draft here

    _save(practice, "identity", opened, sari, title="Layanan keliling")
    _save(practice, "problem", opened, budi, problem="Antrean panjang di kantor kecamatan.")

    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    assert (revision.title, revision.problem) == ("Layanan keliling", "Antrean panjang di kantor kecamatan.")
    assert revision.version == opened + 2


def test_a_save_of_the_same_section_from_an_older_version_is_refused():
    sari, budi = member(email="sari@surabaya.go.id"), member(email="budi@surabaya.go.id")
    practice = new_practice(sari)
    opened = PracticeRevision.objects.get(pk=practice.working_revision_id).version
    _save(practice, "identity", opened, sari, title="Versi Sari")
    _save(practice, "problem", opened, budi, problem="Masalah")  # another section: fine
    with pytest.raises(RevisionVersionConflict) as conflict:
        _save(practice, "identity", opened, budi, title="Versi Budi")
    assert conflict.value.current_version == opened + 2
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).title == "Versi Sari"
    # Based on a version after Sari's save, Budi's identity save lands.
    _save(practice, "identity", opened + 1, budi, title="Versi Budi")
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).title == "Versi Budi"


def test_an_api_patch_checks_each_of_its_sections_against_the_version_it_read():
    cache.clear()
    sari, budi = member(email="sari@surabaya.go.id"), member(email="budi@surabaya.go.id")
    practice = new_practice(sari)
    opened = PracticeRevision.objects.get(pk=practice.working_revision_id).version
    _save(practice, "problem", opened, sari, problem="Sari menulis masalah")
    # Budi's client read `opened`; it patches identity (untouched since) and problem (saved by Sari since).
    response = token_client(budi).patch(
        f"/api/v1/practices/{practice.pk}/",
        {"version": opened, "title": "Judul", "problem": "Budi menimpa"},
        format="json",
    )
    assert response.status_code == 409
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    assert (revision.title, revision.problem) == ("", "Sari menulis masalah")  # nothing of the refused PATCH kept
    ok = token_client(budi).patch(
        f"/api/v1/practices/{practice.pk}/", {"version": opened, "title": "Judul"}, format="json"
    )
    assert ok.status_code == 200
