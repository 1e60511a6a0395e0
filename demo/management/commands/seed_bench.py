"""Create benchmark volumes: published practices with indicators, spread over all 643 agencies.

`python manage.py seed_bench --practices 100000` writes in bulk (a few minutes on 2 cores). The text is
generated from Indonesian (and some English) phrase lists with a fixed seed, so two runs make the same data.
The word "layanan" is placed in about a fifth of all practices: the common-word search case of the benchmark;
"sidikjari" in about 0.1 %: the rare-word case. One practice in ten is written in English. Rows are marked
with the slug prefix `bench-` and `--clear` removes them.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency
from practices.models import Indicator, IndicatorValue, Practice, PracticeRevision, Theme
from practices.search import PRACTICE_VECTOR_SQL
from practices.services.facets import facets_restale
from practices.services.indexing import search_vocabulary_rebuild

SUBJECTS = [
    "Pelayanan perizinan terpadu",
    "Penanganan kemiskinan ekstrem",
    "Pengendalian inflasi pangan",
    "Digitalisasi arsip",
    "Sistem antrean daring",
    "Pendataan penerima bantuan",
    "Pasar murah keliling",
    "Belanja produk dalam negeri",
    "Mal pelayanan publik",
    "Pengaduan masyarakat terpadu",
    "Manajemen talenta aparatur",
    "Akuntabilitas kinerja berbasis data",
    "Pengawasan internal terpadu",
    "Penyederhanaan birokrasi",
    "Deregulasi peraturan daerah",
    "Tata naskah dinas elektronik",
    "Investasi desa wisata",
    "Hilirisasi pertanian",
    "Kartu tani digital",
    "Posyandu digital",
]
QUALIFIERS = [
    "berbasis aplikasi",
    "terintegrasi",
    "satu pintu",
    "berbasis desa",
    "untuk UMKM",
    "tanpa kertas",
    "bersama BUMDes",
    "ramah disabilitas",
    "berbasis kelurahan",
    "dengan tanda tangan elektronik",
]
SENTENCES = [
    "Warga sebelumnya harus datang berkali-kali ke kantor untuk mengurus dokumen.",
    "Data penerima bantuan tidak mutakhir sehingga bantuan salah sasaran.",
    "Harga bahan pokok naik tajam menjelang hari raya.",
    "Perizinan usaha memakan waktu lebih dari tiga puluh hari.",
    "Pemerintah daerah membentuk tim lintas perangkat daerah.",
    "Aplikasi dikembangkan bersama perguruan tinggi setempat.",
    "Kegiatan dipantau setiap bulan melalui dasbor kinerja.",
    "Anggaran berasal dari APBD dan dana desa.",
    "Petugas dilatih agar mampu mendampingi warga lanjut usia.",
    "Tantangan terbesar adalah perubahan pola pikir aparatur.",
    "Koordinasi dengan BPS memperbaiki kualitas data.",
    "The programme was documented in English for international partners.",
]
# About one practice in ten is written in English (agencies documenting for international partners).
ENGLISH_SUBJECTS = [
    "One-stop licensing service",
    "Extreme poverty reduction",
    "Food price inflation control",
    "Paperless civil service records",
    "Online queue system",
    "Village tourism investment",
]
ENGLISH_SENTENCES = [
    "Residents used to visit the office several times to obtain a single permit.",
    "The agency built a shared database with the statistics office.",
    "Monthly dashboards let the head of region follow progress.",
    "Staff were trained to assist elderly and disabled citizens.",
    "The main obstacle was resistance to new working habits.",
    "Funding came from the regional budget and village funds.",
]
COMMON_SENTENCE = "Kualitas layanan meningkat dan keluhan warga berkurang."
RARE_SENTENCE = "Verifikasi identitas memakai sidikjari di setiap loket."
INDICATORS = [
    ("Waktu penyelesaian izin", "hari", False),
    ("Angka kemiskinan", "%", False),
    ("Indeks kepuasan masyarakat", "indeks", True),
    ("Inflasi tahunan", "%", False),
    ("Jumlah layanan daring", "layanan", True),
    ("Realisasi belanja produk dalam negeri", "%", True),
]


@contextmanager
def _facet_triggers_paused():
    """Inside a transaction: the facet triggers of practices skip their work (`practices_facets_rebuild()` then
    recomputes the facet rows and counts at once). Set back before the transaction ends, so that the rest of
    a test's transaction keeps them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('rbx.facets_bulk', 'on', true)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('rbx.facets_bulk', '', true)")


class Command(BaseCommand):
    help = "Create N published benchmark practices (slug prefix bench-) with indicators, in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--practices", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=2_000)
        parser.add_argument("--clear", action="store_true", help="remove earlier benchmark rows first")

    def handle(self, *args, practices: int, batch: int, clear: bool, **options):
        started = time.monotonic()
        if clear:
            self._clear()
        existing = Practice.objects.filter(slug__startswith="bench-").count()
        rng = random.Random(2026)  # noqa: S311 - test data, not security
        agencies = list(Agency.objects.values_list("pk", flat=True))
        themes = list(Theme.objects.values_list("pk", flat=True))
        for offset in range(existing, practices, batch):
            size = min(batch, practices - offset)
            with transaction.atomic(), _facet_triggers_paused():
                self._batch(rng, offset, size, agencies, themes)
            self.stdout.write(f"  {offset + size}/{practices} ({time.monotonic() - started:.0f} s)")
        self._finalise(compact=existing < practices)
        self.stdout.write(f"benchmark data ready: {practices} practices in {time.monotonic() - started:.0f} s")

    def _batch(self, rng, offset, size, agencies, themes):
        now = timezone.now()
        practices = Practice.objects.bulk_create(
            [
                Practice(
                    agency_id=rng.choice(agencies),
                    slug=f"bench-{offset + i}",
                    status=Practice.Status.UNPUBLISHED,
                    evidence_level=rng.choice(Practice.EvidenceLevel.values),
                    replication_count=rng.choice([0, 0, 0, 1, 2, 5]),
                )
                for i in range(size)
            ]
        )
        revisions = []
        for i, practice in enumerate(practices):
            n = offset + i
            english = n % 10 == 3
            body = rng.sample(ENGLISH_SENTENCES if english else SENTENCES, 4)
            subject = rng.choice(ENGLISH_SUBJECTS) if english else rng.choice(SUBJECTS)
            if n % 5 == 0:
                body.append(COMMON_SENTENCE)
            if n % 1000 == 7:
                body.append(RARE_SENTENCE)
            revisions.append(
                PracticeRevision(
                    practice=practice,
                    number=1,
                    state=PracticeRevision.State.PUBLISHED,
                    title=f"{subject} #{n}" if english else f"{subject} {rng.choice(QUALIFIERS)} #{n}",
                    summary=" ".join(body[:2]),
                    problem=body[2],
                    approach=body[3],
                    impact=" ".join(body[4:]) or body[0],
                    start_year=rng.randint(2015, 2026),
                    stage=rng.choice(PracticeRevision.Stage.values),
                    is_digital=rng.random() < 0.5,
                    primary_theme_id=rng.choice(themes),
                    contact_name="Contoh Narahubung",
                    decided_at=now,
                )
            )
        revisions = PracticeRevision.objects.bulk_create(revisions)
        indicators = []
        for revision in revisions:
            for name, unit, higher in rng.sample(INDICATORS, 2):
                baseline = Decimal(rng.randint(10, 100))
                target = baseline * (Decimal("1.3") if higher else Decimal("0.7"))
                indicators.append(
                    Indicator(
                        revision=revision,
                        name=name,
                        unit=unit,
                        higher_is_better=higher,
                        baseline_value=baseline,
                        baseline_year=revision.start_year,
                        target_value=target.quantize(Decimal("0.01")),
                        target_year=revision.start_year + 3,
                        source="BPS",
                    )
                )
        indicators = Indicator.objects.bulk_create(indicators)
        values = []
        for indicator in indicators:
            for year_offset in (1, 2):
                change = Decimal(rng.uniform(0.8, 1.4)).quantize(Decimal("0.01"))
                values.append(
                    IndicatorValue(
                        indicator=indicator,
                        value=(indicator.baseline_value * change).quantize(Decimal("0.01")),
                        date=date(min(indicator.baseline_year + year_offset, 2026), 6, 30),
                        source="Data instansi",
                    )
                )
        IndicatorValue.objects.bulk_create(values)
        through = Practice.themes.through
        links = []
        for practice, revision in zip(practices, revisions, strict=True):
            chosen = {revision.primary_theme_id, *([rng.choice(themes)] if rng.random() < 0.3 else [])}
            links.extend(through(practice_id=practice.pk, theme_id=t) for t in chosen)
        through.objects.bulk_create(links)

    def _finalise(self, *, compact: bool):
        """Publish every benchmark revision at once: pointers, denormalised fields and search vectors in SQL.

        Equivalent to `practice_publish` for each row, which would take hours at this volume.
        """
        with transaction.atomic(), _facet_triggers_paused(), connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE practices_practice p SET
                    live_revision_id = r.id, working_revision_id = r.id, status = 'published',
                    title = r.title, summary = r.summary, primary_theme_id = r.primary_theme_id,
                    start_year = r.start_year, stage = r.stage, is_digital = r.is_digital,
                    published_at = now() - (random() * interval '1500 days'),
                    last_confirmed_at = now() - (random() * interval '300 days'),
                    -- the same vector as practice_publish writes (practices.search.PRACTICE_VECTOR_SQL)
                    search_vector = """  # noqa: S608 - constants of the code, no input
                + PRACTICE_VECTOR_SQL
                + """
                    -- "reached target" as practices.services.publishing.revision_reached_target: any indicator
                    -- whose latest value meets its target. Written in the same UPDATE: a second pass would
                    -- leave another 100,000 dead row versions behind.
                    , reached_target = EXISTS (
                        SELECT 1 FROM practices_indicator i
                        JOIN LATERAL (
                            SELECT v.value FROM practices_indicatorvalue v WHERE v.indicator_id = i.id
                            ORDER BY v.date DESC, v.id DESC LIMIT 1
                        ) latest ON true
                        WHERE i.revision_id = r.id AND (
                            (i.higher_is_better AND latest.value >= i.target_value)
                            OR (NOT i.higher_is_better AND latest.value <= i.target_value)))
                FROM practices_practicerevision r
                WHERE r.practice_id = p.id AND p.slug LIKE 'bench-%%' AND p.live_revision_id IS NULL
                """
            )
            # The facet rows and counts of the list (practices.models.facets), in one pass instead of a
            # trigger call per row (100,000 of them: most of a minute).
            cursor.execute("SELECT practices_facets_rebuild()")
        facets_restale()  # the cube's stale counts up to today's cutoff, as the hourly job keeps them
        search_vocabulary_rebuild()  # the words typos are corrected to, as publishing adds them
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # inside a test's transaction: VACUUM is not allowed there
                cursor.execute("ANALYZE")
                return
            # As after a long life of publishing and autovacuum: the table rewritten without the row versions
            # the UPDATE left (FULL, only after new rows), statistics current, and the visibility map set so
            # that counts can be answered from the covering index alone (index-only scans).
            if compact:
                cursor.execute("VACUUM FULL practices_practice")
            tables = ("practices_practice", "practices_practice_themes", "practices_practicerevision")
            for table in (*tables, "practices_practicefacets", "practices_facetcount", "practices_facetcube"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            # Every other table too (agencies, regions, indicators): with autovacuum off or not yet run, the
            # planner took the 643 agencies for 1 and chose nested loops that read 130,000 pages (145 ms for a
            # 3-facet list page instead of 10 ms).
            cursor.execute("ANALYZE")

    @transaction.atomic
    def _clear(self):
        with _facet_triggers_paused():
            self._clear_rows()
        with connection.cursor() as cursor:
            cursor.execute("SELECT practices_facets_rebuild()")

    def _clear_rows(self):
        bench = Practice.objects.filter(slug__startswith="bench-")
        bench.update(live_revision=None, working_revision=None, status=Practice.Status.UNPUBLISHED)
        bench.delete()
