"""Placeholder for verification records and public freshness (issue #14); its owner fills in the operations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("practices", "0010_publish_guard")]

    operations = []
