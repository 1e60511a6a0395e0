"""The input rules of issue #14: a cost is never negative, a target year never before its baseline year, the
start year's bounds on the field, and a human message (both languages, from the catalogue) on every constraint.

Rows that break the two new rules are cleared first (the value is unknowable, the constraint needs them gone):
the author sees an empty field and the task list shows the section as still to complete.
"""

import django.core.validators
from django.db import migrations, models


def _clear_invalid_input(apps, schema_editor):
    PracticeRevision = apps.get_model("practices", "PracticeRevision")
    Indicator = apps.get_model("practices", "Indicator")
    PracticeRevision.objects.filter(cost__lt=0).update(cost=None)
    Indicator.objects.filter(target_year__lt=models.F("baseline_year")).update(target_year=None)


class Migration(migrations.Migration):
    dependencies = [("practices", "0011_verifications_freshness")]

    operations = [
        migrations.AlterField(
            model_name="practicerevision",
            name="cost",
            field=models.DecimalField(
                blank=True,
                decimal_places=0,
                max_digits=16,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        0, message="Biaya tidak boleh negatif: isi 0 atau lebih, dalam rupiah."
                    )
                ],
                verbose_name="biaya (Rp)",
            ),
        ),
        migrations.AlterField(
            model_name="practicerevision",
            name="start_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1945, message="Tahun mulai harus di antara 1945 dan 2100."
                    ),
                    django.core.validators.MaxValueValidator(
                        2100, message="Tahun mulai harus di antara 1945 dan 2100."
                    ),
                ],
                verbose_name="tahun mulai",
            ),
        ),
        migrations.RunPython(_clear_invalid_input, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("target_year__isnull", True),
                    ("baseline_year__isnull", True),
                    ("target_year__gte", models.F("baseline_year")),
                    _connector="OR",
                ),
                name="indicator_target_not_before_baseline",
                violation_error_message="Tahun target tidak boleh sebelum tahun nilai awal.",
            ),
        ),
        migrations.AddConstraint(
            model_name="practicerevision",
            constraint=models.CheckConstraint(
                condition=models.Q(("cost__isnull", True), ("cost__gte", 0), _connector="OR"),
                name="revision_cost_not_negative",
                violation_error_message="Biaya tidak boleh negatif: isi 0 atau lebih, dalam rupiah.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="attachment",
            name="attachment_size_max_20mb",
            constraint=models.CheckConstraint(
                condition=models.Q(("size__lte", 20971520)),
                name="attachment_size_max_20mb",
                violation_error_message="Berkas paling besar 20 MB.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="practice",
            name="practice_published_has_live_revision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "published"), _negated=True), ("live_revision__isnull", False), _connector="OR"
                ),
                name="practice_published_has_live_revision",
                violation_error_message="Praktik yang terbit harus punya revisi yang terbit.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="practice",
            name="practice_status_valid",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["unpublished", "published", "archived"])),
                name="practice_status_valid",
                violation_error_message="Status publikasi tidak dikenal.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="practicerevision",
            name="revision_number_unique",
            constraint=models.UniqueConstraint(
                fields=("practice", "number"),
                name="revision_number_unique",
                violation_error_message="Nomor revisi ini sudah dipakai untuk praktik ini.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="practicerevision",
            name="revision_state_valid",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "draft",
                            "agency_review",
                            "submitted",
                            "in_review",
                            "changes_requested",
                            "published",
                            "rejected",
                            "superseded",
                        ],
                    )
                ),
                name="revision_state_valid",
                violation_error_message="Status revisi tidak dikenal.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="practicerevision",
            name="revision_start_year_range",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start_year__isnull", True),
                    models.Q(("start_year__gte", 1945), ("start_year__lte", 2100)),
                    _connector="OR",
                ),
                name="revision_start_year_range",
                violation_error_message="Tahun mulai harus di antara 1945 dan 2100.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_one_per_reviewer",
            constraint=models.UniqueConstraint(
                fields=("revision", "reviewer"),
                name="review_one_per_reviewer",
                violation_error_message="Anda sudah memberi penilaian untuk revisi ini; ubah penilaian itu.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_total_range",
            constraint=models.CheckConstraint(
                condition=models.Q(("total__gte", 0), ("total__lte", 100)),
                name="review_total_range",
                violation_error_message="Nilai total harus di antara 0 dan 100.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="review",
            name="review_recommendation_valid",
            constraint=models.CheckConstraint(
                condition=models.Q(("recommendation__in", ["approve", "changes", "reject"])),
                name="review_recommendation_valid",
                violation_error_message="Pilih rekomendasi: setujui, minta perbaikan, atau tolak.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="reviewassignment",
            name="assignment_one_open_per_reviewer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("completed_at__isnull", True)),
                fields=("revision", "reviewer"),
                name="assignment_one_open_per_reviewer",
                violation_error_message="Peninjau ini sudah ditugaskan untuk revisi ini.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="screening",
            name="screening_completeness_range",
            constraint=models.CheckConstraint(
                condition=models.Q(("completeness__gte", 0), ("completeness__lte", 1)),
                name="screening_completeness_range",
                violation_error_message="Kelengkapan harus di antara 0 dan 1.",
            ),
        ),
        migrations.AlterConstraint(
            model_name="theme",
            name="theme_track_valid",
            constraint=models.CheckConstraint(
                condition=models.Q(("track__in", ["tematik", "general"])),
                name="theme_track_valid",
                violation_error_message="Jalur tema harus RB Tematik atau RB General.",
            ),
        ),
    ]
