"""/api/v1/collections/: published collections, and one with its practices in order."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.practices.factories import PDF_BYTES, practice_published
from tests.showcases.factories import collection

pytestmark = pytest.mark.django_db


def test_the_list_shows_published_collections_and_the_detail_their_practices(client):
    a, b = practice_published(title="Alfa"), practice_published(title="Beta")
    made = collection(
        title="RBXperience 2023",
        kind="award",
        practices=[b, a],
        labels=["Juara 1", "Juara 2"],
        decree_number="7/2023",
        decree_date=datetime.date(2023, 10, 5),
        decree_file=SimpleUploadedFile("sk.pdf", PDF_BYTES),
    )
    collection(title="Tersembunyi", is_published=False)
    listing = client.get("/api/v1/collections/").json()
    assert [row["slug"] for row in listing["results"]] == [made.slug]
    row = listing["results"][0]
    assert row["kind"] == "award" and row["item_count"] == 2 and row["decree_date"] == "2023-10-05"
    assert row["decree_url"].endswith(f"/koleksi/{made.slug}/sk/")
    detail = client.get(f"/api/v1/collections/{made.slug}/").json()
    assert [(i["practice"], i["label"], i["position"]) for i in detail["items"]] == [
        (b.pk, "Juara 1", 1),
        (a.pk, "Juara 2", 2),
    ]
    assert client.get("/api/v1/collections/tersembunyi/").status_code == 404
    assert client.get("/api/v1/collections/tidak-ada/").json()["error"]
