import pytest
from django.core.management import call_command

from practices.models import Practice

pytestmark = pytest.mark.django_db


def test_demo_practices_are_published_with_indicators_and_idempotent():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from demo.management.commands.load_demo_data import DEMO_PRACTICES

    slugs = [row[0] for row in DEMO_PRACTICES]
    demo = Practice.objects.published().filter(slug__in=slugs)
    assert demo.count() == 8
    assert demo.values("primary_theme").distinct().count() >= 6
    assert all(p.live_revision.indicators.exists() for p in demo)
    assert demo.filter(search_vector__isnull=True).count() == 0
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Practice.objects.filter(slug__in=slugs).count() == 8


def test_demo_practice_with_two_published_revisions_carries_its_files(client):
    from demo.management.commands.load_demo_data import DEMO_REVISIONS_SLUG

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    practice = Practice.objects.published().get(slug=DEMO_REVISIONS_SLUG)
    first, second = practice.revisions.order_by("number")
    assert (first.state, second.state, practice.live_revision_id) == ("superseded", "published", second.pk)
    names = {r.number: sorted(f.original_name for f in r.files.all()) for r in (first, second)}
    assert names == {
        first.number: ["rincian_anggaran_2023.pdf", "sop_sekolah_ramah_anak.pdf"],
        second.number: ["rincian_anggaran_2024.pdf", "sop_sekolah_ramah_anak.pdf"],
    }
    removed = first.files.get(original_name="rincian_anggaran_2023.pdf")
    assert client.get(f"/kelola/lampiran/{removed.pk}/unduh/").status_code == 200  # public from the history
    history = client.get(f"/praktik/{DEMO_REVISIONS_SLUG}/riwayat/").content.decode()
    assert "Contoh: Sekolah ramah anak di seluruh kecamatan" in history and "rincian_anggaran_2023.pdf" in history
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert practice.revisions.count() == 2


def test_demo_has_a_rejected_practice_and_one_resubmitted_after_changes(client):
    from demo.management.commands.load_demo_data import DEMO_REJECTED_TITLE, DEMO_RESUBMITTED_TITLE
    from practices.models import PracticeRevision
    from tests.accounts.factories import moderator

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rejected = PracticeRevision.objects.get(title=DEMO_REJECTED_TITLE)
    assert rejected.state == PracticeRevision.State.REJECTED
    resubmitted = PracticeRevision.objects.get(title=DEMO_RESUBMITTED_TITLE)
    assert resubmitted.state == PracticeRevision.State.SUBMITTED
    assert resubmitted.snapshots.get().section_comments.keys() == {"impact", "lessons"}
    client.force_login(moderator())
    page = client.get(f"/tinjauan/{resubmitted.practice_id}/").content.decode()
    changes = page.split('id="round-h"', 1)[1].split('id="content-h"', 1)[0]
    assert "aplikasi pertama terlalu rumit" in changes and "ceritakan juga apa yang gagal" in changes
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PracticeRevision.objects.filter(title__in=[DEMO_REJECTED_TITLE, DEMO_RESUBMITTED_TITLE]).count() == 2
