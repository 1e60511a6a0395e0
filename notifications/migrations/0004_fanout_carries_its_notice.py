"""The fan-out row carries what its followers are told (targets, kind, context, link), and a digest entry what it
shows, so that notifications read nothing of the practice; a fan-out can be withdrawn.

Rows written before: pending fan-outs and waiting digest entries get, from their practice, what the code read
from it until now; those of a practice no longer published are withdrawn (the worker told nobody of them) and
deleted (the digest left them out). Finished rows keep their empty fields: nothing reads them again.
"""

from django.conf import settings
from django.db import migrations, models
from django.urls import reverse
from django.utils import timezone, translation


def _notice(practice) -> dict:
    with translation.override(settings.LANGUAGE_CODE):  # stored paths carry no language prefix
        target_url = reverse("practices:detail", args=[practice.slug])
    return {"context": {"title": practice.title, "agency": practice.agency.name}, "target_url": target_url}


def _targets(practice) -> dict:
    region = practice.agency.region
    targets = {"theme": sorted(practice.themes.values_list("pk", flat=True)), "agency": [practice.agency_id]}
    if region is not None:
        targets["province"] = [region.pk if region.province_id is None else region.province_id]
    return targets


def fill_pending_rows(apps, schema_editor):
    PublishFanOut = apps.get_model("notifications", "PublishFanOut")
    DigestEntry = apps.get_model("notifications", "DigestEntry")
    now = timezone.now()
    for fanout in PublishFanOut.objects.filter(state="pending").select_related("practice__agency__region"):
        practice = fanout.practice
        notice = _notice(practice)
        fanout.targets = _targets(practice)
        fanout.kind = "follow_published"
        fanout.context, fanout.target_url = notice["context"], notice["target_url"]
        if practice.status != "published":
            fanout.withdrawn_at = now
        fanout.save(update_fields=["targets", "kind", "context", "target_url", "withdrawn_at"])
    waiting = DigestEntry.objects.filter(notification__isnull=True)
    waiting.exclude(practice__status="published").delete()
    for entry in waiting.select_related("practice__agency"):
        notice = _notice(entry.practice)
        entry.context, entry.target_url = notice["context"], notice["target_url"]
        entry.save(update_fields=["context", "target_url"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_publish_fanout"),
    ]

    operations = [
        migrations.AddField(
            model_name="digestentry",
            name="context",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="digestentry",
            name="target_url",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="publishfanout",
            name="context",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="publishfanout",
            name="kind",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="publishfanout",
            name="target_url",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="publishfanout",
            name="targets",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="publishfanout",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_pending_rows, migrations.RunPython.noop, elidable=True),
    ]
