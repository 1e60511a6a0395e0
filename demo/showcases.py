"""Demo collections and expert notes (sample content, marked "contoh"): an award collection with a sample decree
("RBXperience 2023, Nusa Dua"), a curated "Praktik replikasi terbanyak" featured on the home page, and one
expert with a published note and one waiting for moderation. Idempotent, through the showcases' services."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from accounts.services.users import user_ensure
from practices.models import Practice
from showcases.models import Collection, Expert, ExpertNote
from showcases.services import collection_create, collection_feature_set, expert_save, note_moderate, note_save

EXPERT_EMAIL = "pakar@demo.rbx.go.id"
AWARD_TITLE = "RBXperience 2023, Nusa Dua (contoh)"
CURATED_TITLE = "Praktik replikasi terbanyak (contoh)"
# Sample practices of the demo loader shown in the award collection, in this order, when they exist.
AWARD_SLUGS = ["contoh-mal-pelayanan-publik", "contoh-data-desa-kemiskinan", "contoh-stunting-posyandu-digital"]


def _sample_decree_pdf() -> SimpleUploadedFile:
    text = b"Contoh surat keputusan (data contoh)"
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    content = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>endobj\n"
        + f"4 0 obj<</Length {len(stream)}>>stream\n".encode()
        + stream
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile("sk-contoh.pdf", content, content_type="application/pdf")


def load_demo_showcases(*, password: str) -> str:
    lead = User.objects.get(email="lead@demo.rbx.go.id")
    moderator = User.objects.get(email="moderator@demo.rbx.go.id")
    published = Practice.objects.published()
    if not published.exists():
        return "demo showcases skipped (no published practice yet)"
    if not Collection.objects.filter(title=AWARD_TITLE).exists():
        by_slug = {p.slug: p for p in published.filter(slug__in=AWARD_SLUGS)}
        winners = [by_slug[s] for s in AWARD_SLUGS if s in by_slug] or list(published.order_by("id")[:3])
        collection_create(
            actor=lead,
            title=AWARD_TITLE,
            kind=Collection.Kind.AWARD,
            introduction=(
                "Contoh data. Pada **RBXperience 2023** di Nusa Dua, instansi yang reformasinya berdampak nyata "
                "memaparkan praktiknya agar daerah lain dapat menggali praktik terbaik untuk diterapkan."
            ),
            items=[(practice, "Praktik terpilih") for practice in winners],
            decree_number="Contoh: B/123/M.RB.06/2023",
            decree_date=date(2023, 11, 20),
            decree_file=_sample_decree_pdf(),
            source_label="RBXperience 2023",
        )
    if not Collection.objects.filter(title=CURATED_TITLE).exists():
        most = list(published.order_by("-replication_count", "-published_at")[:5])
        curated = collection_create(
            actor=moderator,
            title=CURATED_TITLE,
            introduction="Contoh data. Praktik yang paling banyak direplikasi instansi lain, dipilih moderator.",
            items=[(p, f"{p.replication_count} replikasi" if p.replication_count else "") for p in most],
        )
        collection_feature_set(actor=moderator, collection=curated, featured=True, position=1)

    person, _created = user_ensure(
        email=EXPERT_EMAIL, password=password, full_name="Contoh: Dr. Ratna Pakar (Universitas Airlangga)"
    )
    if person.position != "Dosen Administrasi Publik":
        person.position = "Dosen Administrasi Publik"
        person.save(update_fields=["position"])
    if not Expert.objects.filter(user=person).exists():
        expert_save(
            actor=lead,
            email=EXPERT_EMAIL,
            affiliation="Contoh: Universitas Airlangga",
            expertise="Kebijakan publik dan pelayanan publik",
        )
    targets = list(published.order_by("id")[:2])
    first, second = (targets + [None, None])[:2]
    if first is not None and not ExpertNote.objects.filter(author=person, practice=first).exists():
        note = note_save(
            author=person,
            practice=first,
            transferable="Contoh: alur layanan satu pintu dan jadwal yang diumumkan dapat ditiru tanpa aplikasi baru.",
            preconditions="Contoh: data layanan yang rapi dan dukungan pimpinan daerah.",
            risks="Contoh: petugas lapangan kewalahan bila permintaan melonjak; siapkan petugas cadangan.",
        )
        note_moderate(actor=moderator, note=note, publish=True)
    if second is not None and not ExpertNote.objects.filter(author=person, practice=second).exists():
        note_save(  # waits in the moderators' queue
            author=person,
            practice=second,
            transferable="Contoh: indikator yang dipantau tiap semester patut ditiru.",
            risks="Contoh: target terlalu tinggi membuat data dilaporkan tidak jujur.",
        )
    return (
        f"demo showcases ready ({Collection.objects.count()} collections; expert {EXPERT_EMAIL}, "
        f"{ExpertNote.objects.filter(author=person).count()} notes)"
    )
