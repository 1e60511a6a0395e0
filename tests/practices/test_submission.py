import pytest
from django.urls import reverse

from agencies.models import Membership
from practices.completeness import revision_missing_items
from practices.models import Practice, PracticeRevision, Theme, Transition
from practices.services.publishing import practice_publish
from practices.services.submission import SubmissionIncomplete, practice_submit, revision_start_from_live
from tests.agencies.factories import BANDUNG, SIDOARJO, SURABAYA, member
from tests.practices.factories import new_practice, published, revision_complete

pytestmark = pytest.mark.django_db


def _section_url(practice, section):
    return reverse("manage:section", kwargs={"pk": practice.pk, "section": section})


def _save(client, practice, section, data):
    practice.refresh_from_db()
    version = PracticeRevision.objects.get(pk=practice.working_revision_id).version
    return client.post(_section_url(practice, section), {"version": version, **data})


def _impact_post(indicator_rows, value_rows=()):
    data = {
        "impact": "Waktu layanan turun dari 120 menjadi 25 menit.",
        "ind-TOTAL_FORMS": len(indicator_rows),
        "ind-INITIAL_FORMS": 0,
        "val-TOTAL_FORMS": len(value_rows),
        "val-INITIAL_FORMS": 0,
    }
    for i, row in enumerate(indicator_rows):
        data.update({f"ind-{i}-{k}": v for k, v in row.items()})
    for i, row in enumerate(value_rows):
        data.update({f"val-{i}-{k}": v for k, v in row.items()})
    return data


def test_complete_draft_to_submit_through_the_pages(client):
    admin = member(role=Membership.Role.ADMIN)
    client.force_login(admin)
    response = client.post(reverse("manage:new"))
    practice = Practice.objects.get(agency__code=SURABAYA)
    assert response.status_code == 302 and response["Location"] == _section_url(practice, "identity")
    theme = Theme.objects.get(code="pelayanan-publik")

    sections = {
        "identity": {
            "title": "Layanan adminduk keliling",
            "summary": "Petugas datang ke kelurahan.",
            "start_year": "2021",
            "stage": "penerapan",
            "primary_theme": theme.pk,
            "other_themes": [Theme.objects.get(code="digitalisasi").pk],
        },
        "problem": {"problem": "Antrean panjang.", "affected": "Lansia."},
        "approach": {"approach": "Mobil layanan.", "novelty": "Jadwal dari data.", "beneficiaries": "Warga."},
        "resources": {"budget_source": "APBD", "sustainability": "Masuk renja."},
        "kit": {"success_conditions": "Data rapi.", "replication_steps": "Petakan, jadwalkan."},
        "lessons": {"challenges": "Sinyal."},
        "contact": {"contact_name": "Sari", "contact_email": "sari@example.go.id"},
    }
    for section, data in sections.items():
        response = _save(client, practice, section, data)
        assert response.status_code == 302, (section, response.content[:2000])
    indicator = {
        "name": "Waktu layanan",
        "unit": "menit",
        "baseline_value": "120",
        "baseline_year": "2020",
        "target_value": "30",
        "target_year": "2024",
        "source": "Data dinas",
    }
    assert _save(client, practice, "impact", _impact_post([indicator])).status_code == 302
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    indicator_obj = revision.indicators.get()
    # Achieved values are added once the indicator exists.
    response = _save(
        client,
        practice,
        "impact",
        {
            **_impact_post([]),
            "val-TOTAL_FORMS": 1,
            "val-0-indicator": indicator_obj.pk,
            "val-0-value": "25",
            "val-0-date": "2024-12-31",
            "val-0-source": "BPS",
        },
    )
    assert response.status_code == 302
    assert indicator_obj.values.get().source == "BPS"
    assert list(revision.other_themes.values_list("code", flat=True)) == ["digitalisasi"]

    response = client.get(reverse("manage:submit", kwargs={"pk": practice.pk}))
    assert "Semua isian wajib sudah terisi." in response.content.decode()
    response = client.post(reverse("manage:submit", kwargs={"pk": practice.pk}), {"source": ""})
    assert response.status_code == 302
    revision.refresh_from_db()
    # An agency admin's own submission goes straight to the ministry.
    assert revision.state == PracticeRevision.State.SUBMITTED and revision.submitted_at is not None
    assert Transition.objects.get(practice=practice).to_state == "submitted"


def test_a_member_submits_to_their_agency_admin_first():
    user = member()
    practice = new_practice(user)
    revision_complete(practice)
    revision = practice_submit(practice_id=practice.pk, by=user)
    assert revision.state == PracticeRevision.State.AGENCY_REVIEW


def test_saving_a_draft_demands_nothing_and_submitting_lists_every_missing_item_with_a_link(client):
    user = member()
    practice = new_practice(user)
    client.force_login(user)
    assert _save(client, practice, "problem", {"problem": "", "affected": ""}).status_code == 302

    url = reverse("manage:submit", kwargs={"pk": practice.pk})
    response = client.post(url, {"source": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Praktik belum lengkap" in html
    expected = revision_missing_items(PracticeRevision.objects.get(pk=practice.working_revision_id))
    assert len(expected) == 19  # 18 fields and "at least one indicator"
    for item in expected:
        assert item.label in html
    assert f'href="{_section_url(practice, "problem")}#id_problem"' in html
    assert f'href="{_section_url(practice, "impact")}#indicators"' in html
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).state == "draft"

    with pytest.raises(SubmissionIncomplete) as excinfo:
        practice_submit(practice_id=practice.pk, by=user)
    assert {m.field for m in excinfo.value.missing} >= {"title", "contact_email", "indicators"}


def test_a_second_save_based_on_an_old_version_is_refused_and_keeps_the_typed_text(client):
    user = member()
    other = member()
    practice = new_practice(user)
    url = _section_url(practice, "problem")
    client.force_login(user)
    assert 'name="version" value="1"' in client.get(url).content.decode()

    first = client.post(url, {"version": 1, "problem": "Teks dari tab pertama.", "affected": ""})
    assert first.status_code == 302
    client.force_login(other)
    second = client.post(url, {"version": 1, "problem": "Teks dari tab kedua yang panjang.", "affected": ""})
    assert second.status_code == 200
    html = second.content.decode()
    assert "sudah disimpan orang lain" in html
    assert "Teks dari tab kedua yang panjang." in html  # what they typed, in the form
    assert "Teks dari tab pertama." in html  # the latest saved text, to merge from
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    assert revision.problem == "Teks dari tab pertama." and revision.version == 2
    # The re-rendered form is based on the latest version: saving the merged text now succeeds.
    assert 'name="version" value="2"' in html
    merged = client.post(url, {"version": 2, "problem": "Gabungan kedua teks.", "affected": ""})
    assert merged.status_code == 302
    revision.refresh_from_db()
    assert revision.problem == "Gabungan kedua teks." and revision.version == 3


def test_a_validation_error_keeps_everything_typed(client):
    user = member()
    practice = new_practice(user)
    client.force_login(user)
    response = _save(
        client,
        practice,
        "identity",
        {"title": "Judul yang sudah diketik", "summary": "Satu. Dua. Tiga. Empat.", "start_year": "1800"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Judul yang sudah diketik" in html and "Satu. Dua. Tiga. Empat." in html
    assert "3 kalimat" in html
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).title == ""


def test_script_style_and_event_handlers_are_removed_on_save(client):
    from common.richtext import richtext_render

    user = member()
    practice = new_practice(user)
    client.force_login(user)
    payload = (
        "Paragraf **penting**.\n\n<script>alert('x')</script><style>body{display:none}</style>"
        '<img src=x onerror="alert(1)"><a href="javascript:alert(2)" onclick="alert(3)">tautan</a> '
        '<a href="https://jdih.surabaya.go.id/" onmouseover="alert(4)">Perwal</a>\n\n- satu\n- dua'
    )
    assert _save(client, practice, "problem", {"problem": payload, "affected": "a < b & c"}).status_code == 302
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    for bad in (
        "<script",
        "alert",
        "<style",
        "display:none",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "<img",
    ):
        assert bad not in revision.problem
    assert "Paragraf **penting**." in revision.problem and "- satu" in revision.problem
    assert revision.affected == "a < b & c"  # plain text survives as typed
    html = richtext_render(revision.problem)
    assert "<strong>penting</strong>" in html and "<li>satu</li>" in html
    assert 'href="https://jdih.surabaya.go.id/"' in html and "onmouseover" not in html
    # Rendering sanitises again, whatever is in the database.
    assert "<script" not in richtext_render("<script>alert(1)</script>**x**")


def test_similar_published_practices_are_suggested_and_can_be_marked_as_the_source(client):
    same_theme_near = published(code=SIDOARJO, title="Pelayanan adminduk jemput bola di desa")
    similar_title_far = published(
        code=BANDUNG, title="Layanan adminduk keliling berbasis kelurahan", theme_code="kemiskinan"
    )
    unrelated = published(code=BANDUNG, title="Penyederhanaan perizinan investasi", theme_code="investasi")
    user = member()
    practice = new_practice(user)
    revision_complete(practice)
    client.force_login(user)

    response = client.get(reverse("manage:submit", kwargs={"pk": practice.pk}))
    similar = response.context["similar"]
    assert similar_title_far in similar and same_theme_near in similar and unrelated not in similar
    by_pk = {p.pk: p for p in similar}
    assert by_pk[same_theme_near.pk].same_province == 1.0 and by_pk[similar_title_far.pk].similarity > 0.5

    # Marking is the ledger's panel on the same page (tests/ledger/test_replication_marked.py); submitting follows.
    assert 'name="source"' in response.content.decode()
    mark = reverse("ledger:replication_mark", kwargs={"pk": practice.pk})
    assert client.post(mark, {"source": same_theme_near.pk}).status_code == 302
    response = client.post(reverse("manage:submit", kwargs={"pk": practice.pk}), {"submit": "1"})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.source == same_theme_near


def test_editing_a_published_practice_makes_a_new_revision_and_the_live_one_stays(client):
    user = member()
    practice = published(code=SURABAYA, title="Judul terbit")
    revision_one = practice.live_revision
    revision_one.other_regions.set([practice.agency.region])
    client.force_login(user)
    response = client.post(reverse("manage:revision_new", kwargs={"pk": practice.pk}))
    assert response.status_code == 302
    practice.refresh_from_db()
    draft = practice.working_revision
    assert draft.number == 2 and draft.state == "draft" and practice.live_revision_id == revision_one.pk
    assert draft.title == "Judul terbit" and list(draft.other_regions.all()) == [practice.agency.region]
    assert draft.indicators.get().name == revision_one.indicators.get().name
    assert revision_start_from_live(practice_id=practice.pk, by=user).pk == draft.pk  # no second copy

    assert (
        _save(client, practice, "problem", {"problem": "Masalah yang diperbarui.", "affected": "Lansia."}).status_code
        == 302
    )
    practice.refresh_from_db()
    assert practice.status == "published" and practice.live_revision.problem == "Antrean panjang di kantor dinas."

    response = client.get(reverse("manage:compare", kwargs={"pk": practice.pk}) + "?a=1&b=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Antrean panjang di kantor dinas." in html and "Masalah yang diperbarui." in html
    changed = {key for key, _label, diffs in response.context["sections"] if diffs}
    assert changed == {"problem"}


def test_published_practice_of_the_same_title_can_be_republished_after_the_new_revision():
    user = member()
    practice = published(code=SURABAYA, title="Versi satu")
    revision = revision_start_from_live(practice_id=practice.pk, by=user)
    revision.title = "Versi dua"
    revision.save()
    practice_publish(practice=practice, revision=revision)
    practice.refresh_from_db()
    assert practice.title == "Versi dua"
    assert PracticeRevision.objects.get(practice=practice, number=1).state == "superseded"


def test_demo_drafts_are_loaded_once():
    from django.core.management import call_command

    for _ in range(2):
        call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from demo.management.commands.load_demo_data import DEMO_DRAFTS

    drafts = Practice.objects.filter(slug__in=[slug for slug, _, _ in DEMO_DRAFTS])
    assert drafts.count() == 2 and {p.agency.code for p in drafts} == {SURABAYA}
    assert all(p.working_revision.state == "draft" for p in drafts)
