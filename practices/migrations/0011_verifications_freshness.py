"""Verification records behind evidence levels, and public freshness: a stopped practice stays published with
`stopped_at` (issue #14). The covering index of the public list's counts also holds the freshness columns."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_rb_index_score"),
        ("practices", "0010_publish_guard"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="stopped_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dihentikan pada"),
        ),
        migrations.AddConstraint(
            model_name="practice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("stopped_at__isnull", True), models.Q(("stopped_reason", ""), _negated=True), _connector="OR"
                ),
                name="practice_stopped_has_reason",
                violation_error_code="practice_stopped_has_reason",
                violation_error_message="Praktik yang dihentikan perlu alasan penghentiannya.",
            ),
        ),
        migrations.RemoveIndex(model_name="practice", name="practice_published_facets"),
        migrations.AddIndex(
            model_name="practice",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["agency"],
                include=(
                    "id",
                    "primary_theme",
                    "stage",
                    "evidence_level",
                    "reached_target",
                    "replication_count",
                    "stopped_at",
                    "not_recently_confirmed",
                    "last_confirmed_at",
                    "published_at",
                ),
                name="practice_published_facets",
            ),
        ),
        migrations.CreateModel(
            name="Verification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("self_reported", "Dilaporkan sendiri"),
                            ("agency_verified", "Diverifikasi instansi"),
                            ("ministry_validated", "Divalidasi kementerian"),
                            ("field_verified", "Diverifikasi lapangan"),
                        ],
                        max_length=20,
                        verbose_name="tingkat bukti",
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("document_check", "Pemeriksaan dokumen"),
                            ("data_check", "Pemeriksaan data terhadap sumber bernama"),
                            ("field_visit", "Kunjungan lapangan"),
                        ],
                        max_length=20,
                        verbose_name="cara verifikasi",
                    ),
                ),
                (
                    "source_name",
                    models.CharField(
                        blank=True,
                        help_text="Untuk pemeriksaan data: nama sumber pembanding, mis. BPS atau SIPD.",
                        max_length=200,
                        verbose_name="sumber data",
                    ),
                ),
                ("verified_on", models.DateField(verbose_name="tanggal verifikasi")),
                (
                    "verifier_role",
                    models.CharField(
                        choices=[("agency", "Admin instansi pemilik"), ("ministry", "Moderator kementerian")],
                        max_length=10,
                        verbose_name="peran verifikator",
                    ),
                ),
                ("notes", models.TextField(blank=True, max_length=5000, verbose_name="catatan")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "practice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="verifications",
                        to="practices.practice",
                    ),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="verifications",
                        to="practices.practicerevision",
                        verbose_name="revisi yang diverifikasi",
                    ),
                ),
                (
                    "verifier",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="verifikator",
                    ),
                ),
                (
                    "verifier_agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="agencies.agency",
                    ),
                ),
                (
                    "files",
                    models.ManyToManyField(
                        blank=True,
                        related_name="verifications",
                        to="practices.attachment",
                        verbose_name="berkas bukti",
                    ),
                ),
            ],
            options={
                "verbose_name": "verifikasi",
                "verbose_name_plural": "verifikasi",
                "ordering": ["-verified_on", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("method__in", ["document_check", "data_check", "field_visit"])),
                        name="verification_method_valid",
                        violation_error_code="method",
                        violation_error_message=(
                            "Pilih cara verifikasi: pemeriksaan dokumen, data, atau kunjungan lapangan."
                        ),
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("level__in", ["agency_verified", "ministry_validated", "field_verified"])),
                        name="verification_level_valid",
                        violation_error_code="level",
                        violation_error_message="Verifikasi hanya untuk tingkat bukti di atas “Dilaporkan sendiri”.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("method", "data_check"), _negated=True),
                            models.Q(("source_name", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="verification_data_check_names_source",
                        violation_error_code="source_name",
                        violation_error_message="Pemeriksaan data harus menyebut sumber data pembandingnya.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("level", "field_verified"), _negated=True),
                            ("method", "field_visit"),
                            _connector="OR",
                        ),
                        name="verification_field_level_needs_visit",
                        violation_error_code="method",
                        violation_error_message="Tingkat “Diverifikasi lapangan” memerlukan kunjungan lapangan.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("level", "ministry_validated"), _negated=True),
                            models.Q(("method", "field_visit"), _negated=True),
                            _connector="OR",
                        ),
                        name="verification_ministry_visit_is_field_level",
                        violation_error_code="method",
                        violation_error_message=(
                            "Kunjungan lapangan oleh kementerian dicatat sebagai “Diverifikasi lapangan”."
                        ),
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("level", "agency_verified"), ("verifier_role", "agency")),
                            models.Q(
                                ("level__in", ["ministry_validated", "field_verified"]), ("verifier_role", "ministry")
                            ),
                            _connector="OR",
                        ),
                        name="verification_role_matches_level",
                        violation_error_code="level",
                        violation_error_message=(
                            "Verifikasi instansi dicatat oleh admin instansi; validasi dan verifikasi lapangan oleh "
                            "moderator kementerian."
                        ),
                    ),
                ],
            },
        ),
    ]
