"""The demo's showcases (demo/showcases.py): an award collection with a decree, a curated one on the home page,
an expert with a published and a pending note; a second run adds nothing."""

import io

import pytest
from django.core.management import call_command

from showcases.models import Collection, ExpertNote

pytestmark = pytest.mark.django_db


def test_the_demo_loads_collections_and_an_expert_idempotently(client):
    call_command("load_demo_data", stdout=io.StringIO())
    award = Collection.objects.get(title__startswith="RBXperience 2023, Nusa Dua")
    assert award.kind == "award" and award.decree_number and award.decree_date and award.decree_file
    curated = Collection.objects.get(title__startswith="Praktik replikasi terbanyak")
    assert curated.featured_on_home and curated.items.exists()
    notes = ExpertNote.objects.filter(author__email="pakar@demo.rbx.go.id")
    assert sorted(notes.values_list("status", flat=True)) == ["pending", "published"]
    collections = Collection.objects.count()  # these two, and the competitions' winners (demo/competitions_results)
    call_command("load_demo_data", stdout=io.StringIO())
    assert Collection.objects.count() == collections and notes.count() == 2
    assert "Praktik replikasi terbanyak" in client.get("/").content.decode()
    assert client.login(username="pakar@demo.rbx.go.id", password="demo-portal-2026")
