"""Recorded stage skips and replications marked at submission (issue #14): a step that jumps over stages names
them with its reason, and the step made by marking a practice as a replication says so (for undoing the mark)."""

import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("practices", "0011_verifications_freshness")]

    operations = [
        migrations.AddField(
            model_name="replicationstep",
            name="skipped_stages",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("interest", "Minat"),
                        ("study", "Studi tiru atau pendampingan"),
                        ("legal_basis", "Dasar hukum"),
                        ("launched", "Diluncurkan"),
                        ("results", "Hasil"),
                    ],
                    max_length=12,
                ),
                blank=True,
                default=list,
                size=None,
                verbose_name="tahap yang dilewati",
            ),
        ),
        migrations.AddField(
            model_name="replicationstep",
            name="skip_reason",
            field=models.TextField(blank=True, max_length=2000, verbose_name="alasan melewati tahap"),
        ),
        migrations.AddField(
            model_name="replicationstep",
            name="marked_from_practice",
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name="replicationstep",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("skipped_stages", []), models.Q(("skip_reason", ""), _negated=True), _connector="OR"
                ),
                name="replication_step_skip_has_reason",
                violation_error_code="skip_reason",
                violation_error_message="Tuliskan alasan melewati tahap.",
            ),
        ),
    ]
