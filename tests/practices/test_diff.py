"""`practices.diff`: what changed between two revisions, as display text, in section order."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from practices.diff import FieldChange, revision_diff, revision_diff_prefetched, text_diff_html
from practices.models import Indicator, IndicatorValue, PracticeRevision, Theme
from practices.services.attachments import attachment_add, attachment_delete
from tests.agencies.factories import member
from tests.practices.factories import pdf_upload, practice_published, revision_next, revision_publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _indonesian():
    with translation.override("id"):
        yield


def _by_name(sections) -> dict[str, FieldChange]:
    return {change.name: change for section in sections for change in section.changes}


@pytest.fixture
def two_revisions():
    """r1 published with an indicator and two files; r2 changes a few fields, the indicator and the files."""
    author = member()
    practice = practice_published(
        title="Layanan satu pintu",
        publish=False,
        cost=Decimal("250000000"),
        stage=PracticeRevision.Stage.PILOT,
        problem="Antrean **panjang** di kantor.",
        indicator={
            "name": "Waktu proses",
            "unit": "hari",
            "baseline_value": Decimal("14.0000"),
            "baseline_year": 2020,
            "target_value": Decimal("3.0000"),
            "target_year": 2024,
            "values": [("2023-06-01", "5.5")],
        },
    )
    kept = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("sop_layanan.pdf", "a"), by=author)
    removed = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("anggaran.pdf", "b"), by=author)
    practice = revision_publish(practice, practice.working_revision)
    r1 = practice.live_revision

    r2 = revision_next(
        practice,
        by=author,
        title="Layanan satu pintu daring",
        cost=Decimal("300000000"),
        stage=PracticeRevision.Stage.IMPLEMENTED,
        is_digital=True,
        problem="Antrean **sangat panjang** di kantor.",
    )
    r2.other_themes.set(Theme.objects.filter(code="pelayanan-publik"))
    indicator = r2.indicators.get()
    indicator.target_value = Decimal("2")
    indicator.save()
    IndicatorValue.objects.create(indicator=indicator, value=Decimal("3"), date=date(2024, 6, 1), source="BPS")
    Indicator.objects.create(revision=r2, name="Kepuasan warga", unit="%", target_value=Decimal("90"))
    attachment_delete(attachment_id=removed.pk, practice_id=practice.pk)
    added = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("foto_loket.pdf", "c"), by=author)
    return {"r1": r1, "r2": r2, "kept": kept, "removed": removed, "added": added}


def _pair(two_revisions):
    r1, r2 = revision_diff_prefetched(
        PracticeRevision.objects.filter(pk__in=[two_revisions["r1"].pk, two_revisions["r2"].pk])
    ).order_by("number")
    return r1, r2


def test_changed_fields_are_display_text_in_section_order(two_revisions):
    old, new = _pair(two_revisions)
    sections = revision_diff(old=old, new=new)
    assert [s.section for s in sections] == ["identity", "problem", "impact", "resources", "kit"]
    assert sections[0].label == "Identitas"
    changes = _by_name(sections)
    assert (changes["title"].label, changes["title"].before, changes["title"].after) == (
        "Judul",
        "Layanan satu pintu",
        "Layanan satu pintu daring",
    )
    # Labels, not codes; "Ya"/"Tidak", not True/False; numbers as the language writes them.
    assert (changes["stage"].before, changes["stage"].after) == ("Uji coba", "Penerapan")
    assert (changes["is_digital"].before, changes["is_digital"].after) == ("Tidak", "Ya")
    assert (changes["cost"].before, changes["cost"].after) == ("250.000.000", "300.000.000")
    assert (changes["other_themes"].before, changes["other_themes"].after) == (
        "",
        Theme.objects.get(code="pelayanan-publik").name,
    )
    # Narrative fields compare their Markdown source.
    assert changes["problem"].after == "Antrean **sangat panjang** di kantor."
    # Unchanged fields are not listed.
    assert "summary" not in changes and "primary_theme" not in changes


def test_indicators_show_targets_and_achieved_values(two_revisions):
    old, new = _pair(two_revisions)
    changes = _by_name(revision_diff(old=old, new=new))
    target = changes["indicator.1.target_value"]
    assert target.label == "Indikator “Waktu proses”: Target"
    assert (target.before, target.after) == ("3 (2024)", "2 (2024)")
    achieved = changes["indicator.1.values"]
    assert achieved.before == "Jun 2023: 5,5"
    assert achieved.after == "Jun 2023: 5,5\nJun 2024: 3 (BPS)"
    assert "indicator.1.baseline_value" not in changes  # 14 (2020) in both
    added = changes["indicator.2.name"]
    assert (added.before, added.after) == ("", "Kepuasan warga")
    assert changes["indicator.2.target_value"].after == "90"
    assert "indicator.2.higher_is_better" not in changes  # left at the default


def test_files_added_and_removed_by_name(two_revisions):
    old, new = _pair(two_revisions)
    kit = next(s for s in revision_diff(old=old, new=new) if s.section == "kit")
    files = {c.name: (c.before, c.after) for c in kit.changes if c.name.startswith("file.")}
    assert files == {
        f"file.{two_revisions['added'].pk}": ("", "foto_loket.pdf, Bukti"),
        f"file.{two_revisions['removed'].pk}": ("anggaran.pdf, Bukti", ""),
    }  # the carried sop_layanan.pdf is no change


def test_a_first_revision_lists_every_filled_field_as_added(two_revisions):
    _, first = _pair(two_revisions)
    changes = _by_name(revision_diff(old=None, new=first))
    assert all(c.before == "" for c in changes.values())
    assert changes["title"].after == "Layanan satu pintu daring"
    assert changes["is_digital"].after == "Ya"
    assert "contact_phone" not in changes  # empty
    assert changes["indicator.1.baseline_value"].after == "14 (2020)"
    assert {c.after for n, c in changes.items() if n.startswith("file.")} == {
        "sop_layanan.pdf, Bukti",
        "foto_loket.pdf, Bukti",
    }


def test_an_unchanged_revision_has_no_sections(two_revisions):
    _, new = _pair(two_revisions)
    assert revision_diff(old=new, new=new) == []


def test_english_labels_and_number_format(two_revisions):
    old, new = _pair(two_revisions)
    with translation.override("en"):
        changes = _by_name(revision_diff(old=old, new=new))
    assert (changes["cost"].before, changes["is_digital"].after) == ("250,000,000", "Yes")


def test_the_diff_reads_nothing_beyond_the_prefetch(two_revisions, django_assert_num_queries):
    old, new = _pair(two_revisions)
    with django_assert_num_queries(0):
        revision_diff(old=old, new=new)


def test_text_diff_html_escapes_and_marks_words():
    html = text_diff_html("Antrean panjang <b>", "Antrean sangat panjang <script>")
    plain = html.replace('<span class="visually-hidden">dihapus: </span>', "").replace(
        '<span class="visually-hidden">ditambah: </span>', ""
    )
    assert plain == "Antrean<ins> sangat</ins> panjang<del> &lt;b&gt;</del><ins> &lt;script&gt;</ins>"
    assert text_diff_html("", "baru") == '<ins><span class="visually-hidden">ditambah: </span>baru</ins>'
    assert text_diff_html("lama", "") == '<del><span class="visually-hidden">dihapus: </span>lama</del>'
    with translation.override("en"):
        assert "added: " in text_diff_html("", "baru")
