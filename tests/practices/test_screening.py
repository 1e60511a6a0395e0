import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile

from agencies.models import Membership
from notifications.models import Notification
from practices.models import Attachment, Practice, PracticeRevision, ReviewAssignment, Screening, Transition
from practices.services import agency_review, decisions
from practices.services.screening import link_check, revision_screen
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_in_state

S = PracticeRevision.State


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):  # noqa: N802
        self.send_response(200 if self.path.startswith("/ok") else 404)
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site(settings):
    settings.SCREENING_ALLOW_PRIVATE_LINKS = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.django_db
def test_pre_screen_finds_duplicates_broken_files_and_links_and_assigns_the_least_busy_moderator(local_site):
    busy, free = moderator(), moderator()
    for _ in range(2):
        other = practice_in_state(S.IN_REVIEW, title="Irigasi sawah", summary="Pengairan pertanian desa.")
        ReviewAssignment.objects.create(revision=other.working_revision, reviewer=busy)
    existing = practice_in_state(S.IN_REVIEW, title="Mal Pelayanan Publik Terpadu Kota")
    decisions.revision_approve(practice=existing, by=free)
    practice = practice_in_state(
        S.SUBMITTED,
        title="Mal Pelayanan Publik Terpadu",
        summary="Semua layanan perizinan dalam satu gedung.",
        impact=f"Lihat {local_site}/ok/laporan dan {local_site}/hilang.",
    )
    revision = practice.working_revision
    good = Attachment(practice=practice, revision=revision, original_name="ok.pdf", mime_type="application/pdf")
    good.file.save("x", ContentFile(b"isi"), save=False)
    good.size, good.sha256 = 3, hashlib.sha256(b"isi").hexdigest()
    good.save()
    bad = Attachment(practice=practice, revision=revision, original_name="ubah.pdf", mime_type="application/pdf")
    bad.file.save("y", ContentFile(b"diubah"), save=False)
    bad.size, bad.sha256 = 6, hashlib.sha256(b"asli").hexdigest()
    bad.save()
    revision.files.add(good, bad)  # linked like an upload (attachment_add)

    screening = revision_screen(revision_id=revision.pk)

    assert screening.completeness == 1.0
    assert [d["practice_id"] for d in screening.duplicates] == [existing.pk]
    assert {a["name"]: a["ok"] for a in screening.attachments} == {"ok.pdf": True, "ubah.pdf": False}
    assert {link["url"]: link["ok"] for link in screening.links} == {
        f"{local_site}/ok/laporan": True,
        f"{local_site}/hilang": False,
    }
    assert screening.assigned_to == free
    assert ReviewAssignment.objects.open().get(revision=revision).reviewer == free
    assert Notification.objects.filter(recipient=free, kind="review_assigned").exists()
    revision.refresh_from_db()
    assert revision.state == S.IN_REVIEW
    assert Transition.objects.filter(revision=revision, to_state=S.IN_REVIEW, actor=None).count() == 1
    assert revision_screen(revision_id=revision.pk) is None  # a repeated job changes nothing
    assert Screening.objects.filter(revision=revision).count() == 1


def test_private_addresses_are_not_fetched_in_production(settings):
    settings.SCREENING_ALLOW_PRIVATE_LINKS = False
    assert link_check("http://127.0.0.1:9/x")["error"] == "private"
    assert link_check("ftp://example.com/x")["ok"] is False


@pytest.mark.django_db
def test_review_page_shows_the_screening_and_the_diff_against_the_live_revision(client):
    mod = moderator()
    practice = practice_in_state(S.IN_REVIEW, title="Judul lama")
    decisions.revision_approve(practice=practice, by=mod)
    old = practice.working_revision
    new = PracticeRevision.objects.create(
        practice=practice, number=2, title="Judul baru", summary=old.summary, primary_theme=old.primary_theme
    )
    Practice.objects.filter(pk=practice.pk).update(working_revision=new)
    admin = member(role=Membership.Role.ADMIN)
    from practices.workflow import revision_transition

    revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=admin)
    revision_screen(revision_id=new.pk)
    client.force_login(mod)
    response = client.get(f"/tinjauan/{practice.pk}/")
    assert response.status_code == 200
    assert "lama</del>" in response.text and "baru</ins>" in response.text  # the title's word-level diff
    assert "Hasil penyaringan awal" in response.text and "Kelengkapan" in response.text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pre_screen_runs_on_a_real_worker_after_the_agency_approves(celery_worker):
    reviewer = moderator()
    practice = practice_in_state(S.AGENCY_REVIEW)
    agency_review.revision_agency_approve(practice=practice, by=member(role=Membership.Role.ADMIN))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not Screening.objects.filter(revision=practice.working_revision).exists():
        time.sleep(0.1)
    screening = Screening.objects.get(revision=practice.working_revision)
    assert screening.assigned_to == reviewer
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).state == S.IN_REVIEW
