"""Placeholder for the publish guard's recorded answers (issue #14); its owner fills in the operations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("practices", "0009_revision_attachments")]

    operations = []
