"""The publish guard's recorded answers and the snapshots behind "changes since the last round" (issue #14).

A moderator's "not a duplicate" answer is kept on the pre-screen it answers (`Screening.duplicates_cleared_*`,
a reason required by a check constraint); `RevisionSnapshot` keeps a revision's content as it stood when
changes were requested, since the revision is then edited in place.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0009_revision_attachments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="duplicates_cleared_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dinyatakan bukan duplikat pada"),
        ),
        migrations.AddField(
            model_name="screening",
            name="duplicates_cleared_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="dinyatakan bukan duplikat oleh",
            ),
        ),
        migrations.AddField(
            model_name="screening",
            name="duplicates_cleared_reason",
            field=models.TextField(blank=True, verbose_name="alasan bukan duplikat"),
        ),
        migrations.AddConstraint(
            model_name="screening",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("duplicates_cleared_at__isnull", True),
                    models.Q(("duplicates_cleared_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="screening_duplicates_cleared_with_reason",
                violation_error_code="screening_duplicates_cleared_with_reason",
                violation_error_message="Tuliskan alasan mengapa praktik ini bukan duplikat.",
            ),
        ),
        migrations.CreateModel(
            name="RevisionSnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("data", models.JSONField()),
                ("section_comments", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "revision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="snapshots",
                        to="practices.practicerevision",
                    ),
                ),
                (
                    "transition",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="snapshot",
                        to="practices.transition",
                    ),
                ),
            ],
            options={
                "verbose_name": "salinan revisi",
                "verbose_name_plural": "salinan revisi",
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]
