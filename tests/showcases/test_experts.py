"""Experts and expert notes: who is an expert, who writes and moderates, what the practice page shows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from common.cache import public_cache_invalidate
from showcases.access import user_is_expert
from showcases.models import Expert, ExpertNote
from showcases.services import expert_save, note_moderate, note_save
from tests.accounts.factories import moderator, user
from tests.agencies.factories import agency_admin, member
from tests.practices.factories import practice_draft, practice_published
from tests.showcases.factories import expert

pytestmark = pytest.mark.django_db

NOTE = {
    "transferable": "Pendataan oleh kader desa.",
    "preconditions": "Data kependudukan yang rapi.",
    "risks": "Kader berganti tiap tahun.",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


def test_user_is_expert_reads_the_active_profile():
    active = expert()
    assert user_is_expert(User.objects.get(pk=active.user_id))
    inactive = expert(is_active=False)
    assert not user_is_expert(User.objects.get(pk=inactive.user_id))
    assert not user_is_expert(member()) and not user_is_expert(None)


def test_only_a_lead_moderator_makes_experts_and_a_new_address_gets_an_account_without_password():
    with pytest.raises(PermissionDenied):
        expert_save(actor=moderator(), email="pakar@univ.ac.id", affiliation="Universitas X")
    lead = moderator(lead=True)
    made = expert_save(
        actor=lead, email="Pakar@Univ.ac.id", full_name="Dr. Pakar", affiliation="Universitas X", expertise="SDM"
    )
    assert made.user.email == "pakar@univ.ac.id" and not made.user.has_usable_password()
    assert made.user.full_name == "Dr. Pakar"
    with pytest.raises(ValidationError):
        expert_save(actor=lead, email="pakar@univ.ac.id", affiliation=" ")
    expert_save(actor=lead, email="pakar@univ.ac.id", affiliation="Universitas Y", is_active=False)
    assert Expert.objects.get().affiliation == "Universitas Y" and Expert.objects.count() == 1
    assert AuditEvent.objects.filter(action="expert.saved").count() == 2


def test_a_note_waits_for_moderation_then_shows_with_its_byline(client):
    practice = practice_published(title="Data desa")
    author = User.objects.get(pk=expert(affiliation="Universitas Gadjah Mada").user_id)
    User.objects.filter(pk=author.pk).update(position="Peneliti", full_name="Dr. Ani Pakar")
    author.refresh_from_db()
    note = note_save(author=author, practice=practice, **NOTE)
    assert note.status == "pending" and note.author_affiliation == "Peneliti, Universitas Gadjah Mada"
    url = reverse("practices:detail", args=[practice.slug])
    assert "Pendataan oleh kader desa" not in client.get(url).content.decode()
    mod = moderator()
    note_moderate(actor=mod, note=note, publish=True)
    page = client.get(url).content.decode()
    assert "Catatan pakar" in page and "Dr. Ani Pakar" in page and "Peneliti, Universitas Gadjah Mada" in page
    assert "Kader berganti tiap tahun" in page
    # An edit hides it again until a moderator reads it.
    note_save(author=author, practice=practice, transferable="Versi baru.")
    assert "Versi baru" not in client.get(url).content.decode()
    assert "Pendataan oleh kader desa" not in client.get(url).content.decode()
    events = AuditEvent.objects.filter(target_type="showcases.expertnote").order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["expert_note.submitted", "expert_note.published", "expert_note.submitted"]


def test_who_may_write_and_moderate():
    practice = practice_published()
    for person in (member(), agency_admin(), user(), User.objects.get(pk=expert(is_active=False).user_id)):
        with pytest.raises(PermissionDenied):
            note_save(author=person, practice=practice, **NOTE)
    mod = moderator()
    own = note_save(author=mod, practice=practice, **NOTE)  # moderators write too
    with pytest.raises(PermissionDenied, match="moderator lain"):
        note_moderate(actor=mod, note=own, publish=True)
    with pytest.raises(PermissionDenied):
        note_moderate(actor=User.objects.get(pk=expert().user_id), note=own, publish=True)
    with pytest.raises(ValidationError):  # rejecting needs a reason
        note_moderate(actor=moderator(), note=own, publish=False)
    rejected = note_moderate(actor=moderator(), note=own, publish=False, reason="Terlalu umum.")
    assert rejected.status == "rejected" and rejected.rejection_reason == "Terlalu umum."
    with pytest.raises(ValidationError, match="praktik yang terbit"):
        note_save(author=mod, practice=practice_draft(), **NOTE)
    assert ExpertNote.objects.count() == 1


def test_the_expert_writes_on_the_page_and_the_moderator_decides_without_javascript(client):
    practice = practice_published(title="Mal pelayanan")
    author = User.objects.get(pk=expert().user_id)
    client.force_login(author)
    page = client.get(reverse("practices:detail", args=[practice.slug])).content.decode()
    write_url = reverse("showcases:note_write", args=[practice.slug])
    assert write_url in page  # "Tulis catatan pakar"
    empty = client.post(write_url, {"transferable": "", "risks": "Risiko yang diketik."})
    assert empty.status_code == 400 and "Risiko yang diketik." in empty.content.decode()
    assert client.post(write_url, NOTE).status_code == 302
    mine = client.get(reverse("showcases:notes")).content.decode()
    assert "Mal pelayanan" in mine and "Menunggu moderasi" in mine
    note = ExpertNote.objects.get()

    client.force_login(moderator())
    queue = client.get(reverse("showcases:note_queue")).content.decode()
    assert "Pendataan oleh kader desa" in queue
    moderate_url = reverse("showcases:note_moderate", args=[note.pk])
    refused = client.post(moderate_url, {f"n{note.pk}-decision": "reject", f"n{note.pk}-reason": ""})
    assert refused.status_code == 400 and "Tulis alasan penolakan" in refused.content.decode()
    assert client.post(moderate_url, {f"n{note.pk}-decision": "publish"}).status_code == 302
    note.refresh_from_db()
    assert note.status == "published"
    client.logout()
    assert "Pendataan oleh kader desa" in client.get(reverse("practices:detail", args=[practice.slug])).content.decode()


def test_the_lead_adds_an_expert_on_the_page(client):
    client.force_login(moderator(lead=True))
    bad = client.post(reverse("showcases:experts"), {"email": "bukan-email", "affiliation": "Universitas X"})
    assert bad.status_code == 400 and "Universitas X" in bad.content.decode()
    ok = client.post(
        reverse("showcases:experts"),
        {
            "email": "akademisi@ui.ac.id",
            "full_name": "Prof. Budi",
            "affiliation": "Universitas Indonesia",
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    made = Expert.objects.get()
    assert made.user.email == "akademisi@ui.ac.id" and made.is_active
    edit = client.post(
        reverse("showcases:expert_edit", args=[made.pk]),
        {"email": "lain@ui.ac.id", "full_name": "Prof. Budi", "affiliation": "Universitas Indonesia"},
    )
    assert edit.status_code == 302
    made.refresh_from_db()
    assert made.user.email == "akademisi@ui.ac.id" and not made.is_active  # the address cannot be changed here


def test_note_pages_are_404_for_people_who_may_not_use_them(client):
    practice = practice_published()
    for person in (member(), agency_admin(), user(), User.objects.get(pk=expert(is_active=False).user_id)):
        client.force_login(person)
        assert client.get(reverse("showcases:notes")).status_code == 404
        assert client.get(reverse("showcases:note_write", args=[practice.slug])).status_code == 404
        assert client.get(reverse("showcases:note_queue")).status_code == 404
        assert client.get(reverse("showcases:experts")).status_code == 404
    client.force_login(User.objects.get(pk=expert().user_id))  # an expert writes but does not moderate
    assert client.get(reverse("showcases:note_write", args=[practice.slug])).status_code == 200
    assert client.get(reverse("showcases:note_queue")).status_code == 404
    client.force_login(moderator())  # a moderator does not manage experts
    assert client.get(reverse("showcases:experts")).status_code == 404
