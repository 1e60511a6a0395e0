"""Evidence carried across revisions (issue #14): a file belongs to the practice and is shown by the revisions
linked to it (`RevisionAttachment`); every existing file is linked to the revision it was uploaded to."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def link_existing(apps, schema_editor):
    Attachment = apps.get_model("practices", "Attachment")
    RevisionAttachment = apps.get_model("practices", "RevisionAttachment")
    pairs = Attachment.objects.filter(revision__isnull=False).values_list("pk", "revision_id").order_by("pk")
    batch = []
    for attachment_id, revision_id in pairs.iterator(chunk_size=BATCH):
        batch.append(RevisionAttachment(attachment_id=attachment_id, revision_id=revision_id))
        if len(batch) >= BATCH:
            RevisionAttachment.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    RevisionAttachment.objects.bulk_create(batch, ignore_conflicts=True)


def unlink_all(apps, schema_editor):
    # `Attachment.revision` still names the revision each file was uploaded to: nothing else to restore.
    apps.get_model("practices", "RevisionAttachment").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("practices", "0008_ledger_models_leave")]

    operations = [
        migrations.CreateModel(
            name="RevisionAttachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "attachment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="practices.attachment"
                    ),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="practices.practicerevision"
                    ),
                ),
            ],
            options={
                "verbose_name": "lampiran revisi",
                "verbose_name_plural": "lampiran revisi",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("revision", "attachment"),
                        name="revision_attachment_unique",
                        violation_error_message="Berkas ini sudah terlampir pada revisi ini.",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="attachment",
            name="revisions",
            field=models.ManyToManyField(
                blank=True,
                related_name="files",
                through="practices.RevisionAttachment",
                to="practices.practicerevision",
                verbose_name="revisi yang memuat berkas ini",
            ),
        ),
        migrations.RunPython(link_existing, unlink_all),
    ]
